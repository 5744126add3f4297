"""Phrase lists in Discord AutoMod wildcard syntax, compiled to a token trie for fast matching."""

from __future__ import annotations

import re

from plugins.self_promotion._normalize import FUZZY_PREFIXES, canonical_tokens, fold, words

_END = ""  # trie key holding the phrases that end at a node
# `canonical_tokens` only changes tokens that start like a misspellable key word; this finds
# such a token start (after the text's start or whitespace, as `str.split` cuts) in one scan.
_FUZZY_START = re.compile(r"(?:^|\s)(?:" + "|".join(re.escape(p) for p in sorted(FUZZY_PREFIXES)) + ")").search


def parse_phrase(phrase: str) -> tuple[tuple[str, ...], bool, bool]:
    """(tokens, leading *, trailing *) of an AutoMod keyword; raises ValueError when unusable."""
    raw = phrase.strip()
    lead, trail = raw.startswith("*"), raw.endswith("*") and len(raw) > 1
    core = raw.strip("*")
    if "*" in core:
        raise ValueError(f"phrase {phrase!r}: '*' is only allowed at the start or end (Discord AutoMod syntax)")
    tokens = tuple(canonical_tokens(words(fold(core)).split()))
    if not tokens:
        raise ValueError(f"phrase {phrase!r} has no letters or digits")
    return tokens, lead, trail


class PhraseMatcher:
    """Finds which phrase groups occur in a `words()` text; cost is one dict lookup per token."""

    def __init__(self, groups: dict[str, list[str]]) -> None:
        self._root: dict = {}
        # "*word next ...", keyed by `next` (compared whole): one look-up per token
        self._by_next: dict[str, list] = {}
        self._suffix: dict[str, list] = {}  # other "*word ..." keyed by the last 3 letters of the first token
        self._contains: list[tuple[str, str, str]] = []  # "*word*" single tokens: (needle, group, phrase)
        keys: set[str] = set()
        needles: set[str] = set()
        raw_needles: set[str] = set()
        rank = 0
        for group, phrases in groups.items():
            for phrase in phrases:
                tokens, lead, trail = parse_phrase(phrase)
                _gate_on(tokens, lead, trail, keys, needles, raw_needles)
                entry = (group, phrase.strip())
                if lead and trail and len(tokens) == 1:
                    self._contains.append((tokens[0], group, entry[1]))
                elif lead:
                    # matches at one token come in the order of `(-key length, rank)`, the key
                    # being the first token's last 3 letters: the order the first version had
                    order = (-len(tokens[0][-3:]), rank)
                    rank += 1
                    if len(tokens) >= 2 and not (trail and len(tokens) == 2):
                        self._by_next.setdefault(tokens[1], []).append((order, tokens, trail, entry))
                    else:
                        self._suffix.setdefault(tokens[0][-3:], []).append((order, tokens, trail, entry))
                else:
                    self._add(tokens, trail, entry)
        for candidates in (*self._by_next.values(), *self._suffix.values()):
            candidates.sort(key=lambda c: c[0])
        # "*0 off" has a first token shorter than the 3-letter key: look shorter keys up too
        self._short_suffix = any(len(key) < 3 for key in self._suffix)
        # A text can hold a phrase only if one of these holds: a token in `_keys`, a `_needles`
        # string in the tokens joined by spaces (after a leading space), a `_raw_needles` string
        # in the text (see `_gate_on`).
        self._keys = frozenset(keys)
        self._needles = tuple(sorted(needles))
        self._raw_needles = tuple(sorted(raw_needles))

    def _add(self, tokens: tuple[str, ...], trail: bool, entry: tuple[str, str]) -> None:
        node = self._root
        for tok in tokens[:-1]:
            node = node.setdefault(tok, {})
        last = tokens[-1]
        if trail:
            # keyed by the prefix's first 3 letters so a token costs a dict lookup, not a scan
            wild = node.setdefault("*", {})
            wild.setdefault(last[:3], []).append((last, entry))
            if len(last) < 3:
                wild["\0short"] = True
        else:
            node.setdefault(last, {}).setdefault(_END, []).append(entry)

    def match(self, text: str) -> list[tuple[str, str]]:
        """(group, phrase) pairs found in a padded `words()` text, in order, without duplicates.

        A phrase found inside a longer phrase's words ("dm me" inside "dm me for") is dropped,
        so nested phrases from different groups do not add up twice.
        """
        toks = text.split()
        if _FUZZY_START(text) is not None:
            toks = canonical_tokens(toks)  # a token starts like a misspellable key word
        if self._keys.isdisjoint(toks):
            if not self._needles and not self._raw_needles:
                return []
            joined = " " + " ".join(toks)
            if not any(n in joined for n in self._needles) and not any(n in text for n in self._raw_needles):
                return []
        return self._match(text, toks)

    def _match(self, text: str, toks: list[str]) -> list[tuple[str, str]]:
        """`match` without the first test (which only spares texts that cannot hold a phrase)."""
        root = self._root
        root_wild = root.get("*")
        by_next, suffix = self._by_next, self._suffix
        if by_next and by_next.keys().isdisjoint(toks):
            by_next = None  # no token could follow a "*word" phrase's first token
        found: list[tuple[int, int, tuple[str, str]]] = []
        n = len(toks)
        for i in range(n):
            tok = toks[i]
            if root_wild is not None:
                _wild(root_wild, tok, i, i + 1, found)
            node = root.get(tok)
            j = i + 1
            while node is not None:
                ends = node.get(_END)
                if ends:
                    for e in ends:
                        found.append((i, j, e))
                if j >= n:
                    break
                wild = node.get("*")
                if wild is not None:
                    _wild(wild, toks[j], i, j + 1, found)
                node = node.get(toks[j])
                j += 1
            led = by_next.get(toks[i + 1]) if by_next and i + 1 < n else None
            if suffix:
                keys = (tok[-3:], tok[-2:], tok[-1:]) if self._short_suffix else (tok[-3:],)
                more = [c for key in dict.fromkeys(keys) for c in suffix.get(key, ())]
                if more:
                    led = sorted((*led, *more), key=lambda c: c[0]) if led else more
            if led:
                for _, tokens, trail, entry in led:
                    if _suffix_match(toks, i, tokens, trail):
                        found.append((i, i + len(tokens), entry))
        if not found and not self._contains:
            return []
        if len(found) == 1:
            kept = [found[0][2]]
        else:
            inside = _nested({(a, b) for a, b, _ in found})
            kept = [e for a, b, e in found if (a, b) not in inside]
        for needle, group, phrase in self._contains:
            if needle in text:
                kept.append((group, phrase))
        return list(dict.fromkeys(kept))


# Words so frequent in chat that a phrase is a poor key for them (a speed heuristic only).
COMMON_WORDS = frozenset(
    "i me my mine you your u ur we us our the a an to of in on at for and or but is are was be it its "
    "this that these if so no not do did does done go get got have has can will just now out up here "
    "all some more new like make made use come give take look help work today me".split())


def rarest(tokens: tuple[str, ...]) -> str | None:
    """The token a phrase is best gated on: an uncommon word before a common one, then the longest."""
    return max(tokens, key=lambda t: (t not in COMMON_WORDS, len(t)), default=None)


def _gate_on(tokens: tuple[str, ...], lead: bool, trail: bool, keys: set[str], needles: set[str],
             raw_needles: set[str]) -> None:
    """File what any match of a phrase needs, as `PhraseMatcher.match` tests it first.

    Tokens the matcher compares whole (all but a `*`-led first and a `*`-trailed last one) are
    keys; the best of them is kept. With none, or only common words, the trailed last token must
    start a token (needle " tok") or the led first one end a token (needle "tok"); "*word*"
    alone is looked for in the text itself, as the matcher does.
    """
    if lead and trail and len(tokens) == 1:
        raw_needles.add(tokens[0])
        return
    best = rarest(tokens[1 if lead else 0:len(tokens) - 1 if trail else len(tokens)])
    if best is not None and (best not in COMMON_WORDS or not trail):
        keys.add(best)
    elif trail:
        needles.add(" " + tokens[-1])
    else:
        needles.add(tokens[0])


def _nested(spans: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The spans that lie within another, different span.

    One sweep in order of start, longer first at the same start: a span is inside another
    exactly when an earlier one reaches at least as far (a text repeating phrases stays cheap).
    """
    inside = set()
    reach = -1
    for start, neg_end in sorted((a, -b) for a, b in spans):
        end = -neg_end
        if end <= reach:
            inside.add((start, end))
        else:
            reach = end
    return inside


def _wild(wild: dict, tok: str, start: int, end: int, found: list) -> None:
    keys = (tok[:3], tok[:2], tok[:1]) if "\0short" in wild else (tok[:3],)
    for key in keys:
        for prefix, entry in wild.get(key, ()):
            if tok.startswith(prefix):
                found.append((start, end, entry))


def _suffix_match(toks: list[str], i: int, tokens: tuple[str, ...], trail: bool) -> bool:
    if not toks[i].endswith(tokens[0]) or i + len(tokens) > len(toks):
        return False
    for k in range(1, len(tokens)):
        tok, want = toks[i + k], tokens[k]
        if tok != want and not (trail and k == len(tokens) - 1 and tok.startswith(want)):
            return False
    return True
