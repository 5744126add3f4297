"""Admin-supplied regexes, compiled with RE2 so that no pattern can stall the bot."""

from __future__ import annotations

from collections.abc import Callable

import re2


def compile_admin_regex(pattern: str, *, case_sensitive: bool = False):
    """Compile an admin pattern with RE2 (linear time) or raise ValueError saying why it was refused.

    Use it in config validators, so that a bad pattern is reported at load with file and line.
    """
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = case_sensitive
    options.max_mem = 8 << 20
    try:
        return re2.compile(pattern, options)
    except Exception as exc:  # re2.error carries the parser's message
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise ValueError(
            f"regex {pattern!r} is not valid RE2 ({detail}); RE2 runs in linear time and does not "
            "support backreferences (\\1) or lookaround ((?=...), (?!...), (?<=...))"
        ) from None


def search_test(pattern) -> Callable[[str], bool]:
    """A function telling whether a compiled RE2 `pattern` matches anywhere in a text.

    Equivalent to `pattern.search(text) is not None`, without building a match object: the
    binding's `search` converts offsets between bytes and characters for the match it returns,
    which costs several times the search itself on short texts. Falls back to `search` when the
    binding's internals are not the ones this was written against (checked on a few texts here).
    """
    def slow(text: str) -> bool:
        return pattern.search(text) is not None

    try:
        match = pattern._regexp.Match
        unanchored = re2._Anchor.UNANCHORED
        no_match = (-1, -1)

        def fast(text: str) -> bool:
            data = text.encode()
            return match(unanchored, data, 0, len(data))[0] != no_match

        samples = ("", "a", "é ünïcode ✓ text", pattern.pattern if isinstance(pattern.pattern, str) else "")
        if all(fast(s) == slow(s) for s in samples):
            return fast
    except Exception:  # any surprise in the binding means: use the public API
        pass
    return slow
