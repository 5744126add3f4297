"""Evasion-resistant text normalisation: invisible characters, look-alikes, zalgo, defanged links."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Look-alike letters (Cyrillic, Greek, IPA, Latin small capitals) that NFKC leaves alone.
_CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ү": "y", "ɡ": "g", "ɑ": "a", "ɩ": "i", "ʏ": "y",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j", "ᴀ": "a", "ʙ": "b", "ᴄ": "c",
    "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m",
    "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w",
    "ᴢ": "z", "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ß": "ss",
    "。": ".", "｡": ".", "․": ".", "‧": ".", "∙": ".", "·": ".", "⁄": "/", "∕": "/", "／": "/",
})

# Zero-width and invisible characters used to split words past filters.
_INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u3164\ufeff\uffa0\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufe00-\ufe0f\U000e0000-\U000e007f]+"
)
_CONFUSABLE_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in _CONFUSABLES) + "]")

_TLDS = (
    "com|net|org|io|co|gg|tv|me|ly|be|xyz|info|biz|us|uk|ru|de|fr|br|in|app|dev|site|online|"
    "store|shop|link|live|fm|to|cc|ws|pl|es|it|nl|eu|ca|au|club|fun|pro|top|vip|one|page|"
    "art|blog|tech|gl|gd|at|su|ee|bio|id|ai"
)
TLD_PATTERN = _TLDS

_SCHEME = re.compile(r"\b(h[tx]{2}p)(s?)(\[:\]|\(:\)|:)?\s*/\s*/\s*", re.IGNORECASE)
# "example[.]com", "bit . ly", "site (dot) com", "site dot com" -> "example.com"
_STRONG_TLDS = "com|net|org|ly|gg|io|co|tv|xyz|ru|info|biz"
_BRACKETED_DOT = re.compile(
    rf"([a-z0-9])\s*[\[\(\{{<]\s*(?:\.|dot)\s*[\]\)\}}>]\s*(?=(?:{_TLDS})\b)", re.IGNORECASE
)
# Spaced dots only before unambiguous TLDs, so "it . me" or "end. Be" stay prose.
_SPACED_DOT = re.compile(
    rf"([a-z0-9])(?:\s+dot\s+|\s+\.\s*|\.\s+(?=(?:{_STRONG_TLDS})/))(?=(?:{_STRONG_TLDS})\b)", re.IGNORECASE
)
_SPACED_SLASH = re.compile(rf"(\.(?:{_TLDS}))\s+/\s*(?=\w)|(\.(?:{_TLDS}))/\s+(?=\w)", re.IGNORECASE)
# What each rewrite needs to change anything (`undefang` skips it otherwise): a scheme other
# than a plain lower-case "http(s)://" followed by a non-space; a bracketed dot; whitespace
# next to a dot or around "dot"; whitespace next to a slash.
_ODD_SCHEME = re.compile(r"h(?:xx|xt|tx)p|http(?:s(?!://\S)|(?!s)(?!://\S))")
_DOT_IN_BRACKETS = re.compile(r"[\[\(\{<]\s*(?:\.|dot)")
_SPACE_BY_DOT = re.compile(r"\s(?:\.|dot)|\.\s")
_SPACE_BY_SLASH = re.compile(r"\s/|/\s")
_NON_ASCII_OR_DEFANG = re.compile(r"[^\x00-\x7f]|[\[\(\{<]\s*(?:\.|dot)|\s(?:\.|dot)\s|\s\.\w|\w\.\s|h[tx]{2}p", re.I)
# Combining marks (accents, zalgo stacks) across the Unicode blocks that hold them.
_COMBINING = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u0e31\u0e34-\u0e3a"
    "\u0e47-\u0e4e\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)
_NONWORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase and undo Unicode tricks: invisible characters, compatibility forms, look-alikes, zalgo."""
    if text.isascii():
        return text.lower()
    if len(text) <= _SHORT:
        return _fold_short(text)
    return _fold(text)


# Short non-ASCII messages repeat a lot ("👍", "😂😂", "merci"); folding is a pure function of the
# text, so remembering the answer is exact and spares four Unicode passes (~3 µs).
_SHORT = 24


@lru_cache(maxsize=2048)
def _fold_short(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    # str.translate with a dict is slow per character; regex scans are C-fast, so translate only when needed.
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", _INVISIBLE_RE.sub("", text)))
    text = unicodedata.normalize("NFKC", text).lower()
    return text.translate(_CONFUSABLES) if _CONFUSABLE_RE.search(text) else text


def undefang(text: str) -> str:
    """Rewrite defanged links (`hxxp`, `example[.]com`, `bit . ly`, spaced slashes) as plain ones.

    `text` is folded (lower-case). Each rewrite runs only where it can change something (a
    plain `https://x` is left to itself), which spares the four passes on most links.
    """
    if text.isascii():
        # Printable ASCII has no whitespace but " ", so substring tests can show at C speed that
        # no rewrite below could change anything (the common case: a plain "https://x" link).
        if text.isprintable() and not (
                " ." in text or ". " in text or " dot" in text or " /" in text or "/ " in text
                or ("h" in text and _ODD_SCHEME.search(text) is not None)
                or (("[" in text or "(" in text or "{" in text or "<" in text)
                    and _DOT_IN_BRACKETS.search(text) is not None)):
            return text
        if _NON_ASCII_OR_DEFANG.search(text) is None:
            return text
    if _ODD_SCHEME.search(text) is not None:
        text = _SCHEME.sub(lambda m: f"http{m.group(2)}://", text)
    if _DOT_IN_BRACKETS.search(text) is not None:
        text = _BRACKETED_DOT.sub(r"\1.", text)
    if _SPACE_BY_DOT.search(text) is not None:
        text = _SPACED_DOT.sub(r"\1.", text)
    if _SPACE_BY_SLASH.search(text) is not None:
        text = _SPACED_SLASH.sub(lambda m: (m.group(1) or m.group(2)) + "/", text)
    return text


def normalize(text: str) -> str:
    """Full normalisation used before matching links: fold, then undo defanging."""
    return undefang(fold(text))


def words(folded: str) -> str:
    """Collapse everything but letters and digits to single spaces, padded: `' check out my channel '`."""
    return " " + _NONWORD.sub(" ", folded).strip() + " "


# Promotion's key words, matched through common misspellings ("subscibe", "chanell", "vidoes")
# so phrase lists need not enumerate typos. Doubled letters are collapsed before comparing.
_VOCABULARY = ("subscribe", "subscribers", "channel", "channels", "video", "videos")
FUZZY_PREFIXES = frozenset(w[:2] for w in _VOCABULARY)  # what a misspelling must start with


def _undouble(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", word)


_UNDOUBLED = {_undouble(w): w for w in _VOCABULARY}


def canonical_tokens(tokens: list[str]) -> list[str]:
    """Replace near-misspellings of promotion's key words with the word itself."""
    if not any(t[:2] in FUZZY_PREFIXES for t in tokens):
        return tokens
    return [_canonical(t) if t[:2] in FUZZY_PREFIXES else t for t in tokens]


@lru_cache(maxsize=8192)
def _canonical(token: str) -> str:
    if len(token) < 5 or token in _VOCABULARY:
        return token
    squeezed = _undouble(token)
    if squeezed in _UNDOUBLED:
        return _UNDOUBLED[squeezed]
    for target, word in _UNDOUBLED.items():
        if abs(len(target) - len(squeezed)) <= 1 and _within_one_edit(squeezed, target):
            return word
    return token


def _within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        if a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1]:
            return True
        # A substitution in a short word is only a typo when it swaps vowels ("vidios"), so
        # real words one letter away ("chapel") are left alone.
        return a[i + 1:] == b[i + 1:] and (len(b) >= 8 or (a[i] in _VOWELS and b[i] in _VOWELS))
    return a[i:] == b[i + 1:]


_VOWELS = frozenset("aeiouy")
