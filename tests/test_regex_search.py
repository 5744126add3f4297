"""`search_test`: the fast RE2 "matches anywhere" call agrees with `search`, and falls back safely."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import compile_admin_regex, search_test

PATTERNS = [r"free\s+nitro", r"(?:^|\W)dm\s+me\b", r"\d{3,}", r"^$", r"é+", r"(a)(b)?", r"[\p{Cyrillic}]+", r"x*"]
TEXTS = ["", "free   nitro here", "pls DM me", "dm meow", "call 5551234", "café ééé", "ab", "a", "привет", "✓✓ 🎉"]


def test_agrees_with_search_on_chosen_texts():
    for pattern in PATTERNS:
        compiled = compile_admin_regex(pattern)
        found_in = search_test(compiled)
        for text in TEXTS:
            assert found_in(text) == (compiled.search(text) is not None), (pattern, text)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATTERNS), st.text(alphabet=st.sampled_from("adefimnort éÉ\u0444\u2713 5\n!"), max_size=40))
def test_agrees_with_search_on_any_text(pattern, text):
    compiled = compile_admin_regex(pattern)
    assert search_test(compiled)(text) == (compiled.search(text) is not None)


class _Unusual:
    """A pattern object without the binding internals `search_test` looks for."""

    pattern = "dm me"

    def __init__(self):
        self.calls = 0

    def search(self, text):
        self.calls += 1
        return "dm me" in text or None


def test_falls_back_to_search_without_the_internals():
    unusual = _Unusual()
    found_in = search_test(unusual)
    assert found_in("pls dm me") is True
    assert found_in("hello") is False
    assert unusual.calls >= 2
