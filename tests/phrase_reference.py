"""The phrase matcher as first written: the reference its faster versions are checked against."""

from plugins.self_promotion._normalize import canonical_tokens
from plugins.self_promotion._phrases import parse_phrase

_END = ""


class PhraseMatcherAsFirstWritten:
    """Finds which phrase groups occur in a `words()` text; cost is one dict lookup per token."""

    def __init__(self, groups: dict[str, list[str]]) -> None:
        self._root: dict = {}
        self._suffix: dict[str, list] = {}  # "*word ..." keyed by the last 3 letters of the first token
        self._contains: list[tuple[str, str, str]] = []  # "*word*" single tokens: (needle, group, phrase)
        for group, phrases in groups.items():
            for phrase in phrases:
                tokens, lead, trail = parse_phrase(phrase)
                entry = (group, phrase.strip())
                if lead and trail and len(tokens) == 1:
                    self._contains.append((tokens[0], group, entry[1]))
                elif lead:
                    self._suffix.setdefault(tokens[0][-3:], []).append((tokens, trail, entry))
                else:
                    self._add(tokens, trail, entry)
        # "*0 off" has a first token shorter than the 3-letter key: look shorter keys up too
        self._short_suffix = any(len(key) < 3 for key in self._suffix)

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
        toks = canonical_tokens(text.split())
        root = self._root
        root_wild = root.get("*")
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
                    found.extend((i, j, e) for e in ends)
                if j >= n:
                    break
                wild = node.get("*")
                if wild is not None:
                    _wild(wild, toks[j], i, j + 1, found)
                node = node.get(toks[j])
                j += 1
            if self._suffix:
                for key in (tok[-3:], tok[-2:], tok[-1:]) if self._short_suffix else (tok[-3:],):
                    for tokens, trail, entry in self._suffix.get(key, ()):
                        if _suffix_match(toks, i, tokens, trail):
                            found.append((i, i + len(tokens), entry))
        if not found and not self._contains:
            return []
        spans = [(a, b) for a, b, _ in found]
        kept = [e for a, b, e in found if not any(x <= a and b <= y and (x, y) != (a, b) for x, y in spans)]
        for needle, group, phrase in self._contains:
            if needle in text:
                kept.append((group, phrase))
        return list(dict.fromkeys(kept))


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
