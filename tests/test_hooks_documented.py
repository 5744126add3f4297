"""Every hookspec is documented in docs/hooks.md, with its arguments."""

import inspect
import re

from bot import hookspecs


def _specs():
    return {
        name: fn
        for name, fn in inspect.getmembers(hookspecs.PitchfreeSpecs, inspect.isfunction)
        if name.startswith("pitchfree_")
    }


def test_every_hook_has_a_section(root):
    doc = (root / "docs" / "hooks.md").read_text()
    headings = set(re.findall(r"^### `(pitchfree_\w+)\(", doc, re.M))
    missing = sorted(set(_specs()) - headings)
    assert not missing, f"hooks missing from docs/hooks.md: {missing}"
    stale = sorted(headings - set(_specs()))
    assert not stale, f"docs/hooks.md documents hooks that do not exist: {stale}"


def test_documented_signatures_match(root):
    doc = (root / "docs" / "hooks.md").read_text()
    for name, fn in _specs().items():
        params = [p for p in inspect.signature(fn).parameters if p != "self"]
        assert f"### `{name}({', '.join(params)})`" in doc, f"{name}: documented arguments differ"


def test_every_hook_has_a_docstring():
    for name, fn in _specs().items():
        assert (fn.__doc__ or "").strip(), name
