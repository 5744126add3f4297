"""A cheap, exact verdict that spares most messages the RE2 prefilter.

The prefilter (`Detector.prefilter`) is one RE2 alternation of the link hint, every phrase and the
admin regexes. RE2's Python wrapper costs ~2.5 µs per call whatever the text, more than everything
else the plugin does for an ordinary chat line, and it lets go of the GIL (so a busy writer thread
takes it). `PlainCheck.verdict` answers True only when it can *prove* that neither the link hint nor
any phrase alternative of that prefilter matches, False only when one certainly does, and None
otherwise (the prefilter decides, as before). So skipping the prefilter on a verdict changes nothing.

Certain matches: the link hint's literal alternatives `://`, `www.`, `discord` and `http` (the
shortest text `h[tx]{2}ps?` matches with a "t"), and a phrase found in the runs as described below
(that search is exact both ways), except "dot com" and the like, which stand in for
`\\sdot\\s+(com|net|org)\\b` and need the whitespace RE2 would see: a text they are found in is
left to RE2. Every other way of finding something below (the link-hint regexes, a needle, a
`lasts` run) only says "maybe".

How each part of the prefilter is covered (`s` is the folded text, lower-case, as the prefilter sees it):

* Link hint (`_signals._LINK_HINT`): every alternative needs one of a few substrings, tested with
  `in` (C speed); only when one is there does a small stdlib regex decide. Those regexes use
  `re.ASCII`, so `\\b` and `\\W` mean what they mean in RE2 and `\\s` covers RE2's `\\s`; each one
  matches wherever the alternatives it stands for match:
    `www\\.`, `\\.(tld)\\b`, `\\.\\s*gg\\s*/`, `\\.\\s+(com|…)\\b`  -> `"www." in s` or `_DOTTED`
    `://`, `g\\W{0,2}g\\W{0,3}/`                                  -> `_SLASHED` (both need a "/")
    `\\[\\s*(\\.|dot)\\s*\\]`, `\\(\\s*(\\.|dot)\\s*\\)`                -> `_BRACKETED` (need "[" or "(")
    `h[tx]{2}ps?`, `discord`                                    -> the same literals with `in`
                                                                   ("x" first: one memchr)
    `\\sdot\\s+(com|net|org)\\b`                                  -> treated as the phrases "dot com" etc.
* Phrases (`_signals._phrase_regex`): cut `s` into its runs of [a-z0-9] (`words`; anything else,
  non-ASCII included, separates runs, and the UTF-8 bytes of a non-ASCII character are never
  ASCII letters or digits, so cutting the encoded text gives the same runs). The regex of a phrase
  `t1 t2 … tn` without a leading `*` matches exactly when consecutive runs equal t1, t2, …, tn (the
  last only has to start with tn under a trailing `*`): t1 has the text's start or a character
  outside [a-z0-9] before it, and every token but a trailing-`*` last one has one after it. Hence,
  in two steps: no run equals the phrase's *key* token (one set operation over all phrases, `gate`)
  -> no phrase; otherwise the phrases keyed on a run found are looked for in the runs joined by
  single spaces (`by_key`: one small regex per key, its phrases' texts laid out as a character
  trie; a phrase's text is its tokens single-spaced and space-padded, without the closing space
  under a trailing `*`). The key is any token the phrase
  needs as a whole run (any but a trailing-`*` last one): the rarest-looking one, so ordinary
  chat ("i", "my", "get") rarely gets that far. Which token is the key only changes the speed,
  never the answer.
  A phrase with a leading `*` and two or more tokens, the last without `*` ("*0 off"), needs its
  last token as a whole run (the regex puts a non-[a-z0-9] character or the start before it and
  one or the end after it), so it joins the same set test (`lasts`); a text holding such a run is
  left to RE2. Any other phrase with a leading `*`, a single `word*` or a very long phrase is only
  tested by its first token appearing somewhere in `s` (`needles`), which every match needs; such
  a text is left to RE2 too.

Admin regexes are not covered here: the detector still runs them through RE2 when configured.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise

from plugins.self_promotion._normalize import TLD_PATTERN
from plugins.self_promotion._phrases import parse_phrase, rarest

# Byte table cutting UTF-8 text into runs of [a-z0-9]: every other byte becomes a space.
_RUNS = bytes(b if (0x30 <= b <= 0x39 or 0x61 <= b <= 0x7A) else 0x20 for b in range(256))
_DOTTED = re.compile(rf"\.(?:(?:{TLD_PATTERN})\b|\s*gg\s*/|\s+(?:com|net|org|ly|gg|io|co|tv)\b)", re.ASCII)
_SLASHED = re.compile(r"://|g\W{0,2}g\W{0,3}/", re.ASCII)
_BRACKETED = re.compile(r"[\[(]\s*(?:\.|dot)", re.ASCII)
# `\sdot\s+(com|net|org)\b` needs the run "dot" right before the run "com", "net" or "org".
_SPELLED_DOTS = ("dot com", "dot net", "dot org")
# Longer texts go straight to RE2: its fixed per-call cost is then small next to cutting text into runs.
MAX_CHARS = 200
# Admin phrases longer than this are only tested as needles.
_LONG_PHRASE = 120


def certain_link_hint(s: str) -> bool:
    """True when folded text `s` holds a literal alternative of the link hint (`://`, `www.`,
    `discord`, `http`): the prefilter certainly matches it, so RE2 need not be asked."""
    return "://" in s or "www." in s or "discord" in s or "http" in s


class PlainCheck:
    """Built from the phrase lists the prefilter holds; `verdict(s)` settles most folded texts without RE2."""

    __slots__ = ("gate", "lasts", "pairs", "singles", "starts", "start_keys", "by_key", "needles", "spelled_keys")

    def __init__(self, phrase_lists: Iterable[Iterable[str]]) -> None:
        lasts: set[bytes] = set()
        by_key: dict[bytes, set[bytes]] = {}  # phrase texts (single-spaced, space-padded runs) by key
        pairs: set[tuple[bytes, bytes]] = set()  # two consecutive runs a keyed phrase needs
        singles: set[bytes] = set()  # keys that are a whole phrase ("giveaway")
        starts: set[str] = set()  # the last token of each "key word*" phrase
        start_keys: set[bytes] = set()  # and its key ("my" of "my affiliate*")
        needles: set[str] = set()
        spelled = [parse_phrase(p) for p in _SPELLED_DOTS]
        # Found as phrases, "dot com" and the like do not prove the link hint's `\sdot\s+com\b`
        # matches (that needs whitespace around "dot"): a text they are found in is left to RE2.
        self.spelled_keys = frozenset(_key_token(tokens, trail).encode() for tokens, _, trail in spelled)
        phrases = spelled + [parse_phrase(p) for group in phrase_lists for p in group]
        for tokens, lead, trail in phrases:
            text = " " + " ".join(tokens) + ("" if trail else " ")
            if lead and len(tokens) >= 2 and not trail:
                lasts.add(tokens[-1].encode())  # "*0 off" needs the run "off"
            elif lead or (trail and len(tokens) == 1) or len(text) > _LONG_PHRASE:
                needles.add(tokens[0])  # any phrase needs its first token somewhere in the text
            else:
                key = _key_token(tokens, trail)
                by_key.setdefault(key.encode(), set()).add(text.encode())
                pair = _pair(tokens, trail, key)
                if pair is not None:
                    pairs.add(pair)
                elif len(tokens) == 1:
                    singles.add(key.encode())
                else:  # "my affiliate*": the key, then a run starting with the last token
                    starts.add(tokens[1])
                    start_keys.add(key.encode())
        self.gate = frozenset(by_key.keys() | lasts)  # no run in here: no phrase can match
        self.lasts = frozenset(lasts)
        self.pairs = frozenset(pairs)
        self.singles = frozenset(singles)
        self.starts = tuple(sorted(starts))
        self.start_keys = frozenset(start_keys)
        # one small stdlib regex per key, starting with the key itself (`_keyed_pattern`)
        self.by_key = {key: re.compile(_keyed_pattern(key.decode(), {t.decode() for t in texts}).encode()).search
                       for key, texts in by_key.items()}
        self.needles = tuple(sorted(needles))

    def verdict(self, s: str) -> bool | None:
        """True: nothing of the prefilter can match folded text `s`; False: something certainly does
        (the link hint's literals, or a phrase found exactly); None: only RE2 can tell."""
        dot, slash = "." in s, "/" in s  # `certain_link_hint`, in as few scans as ordinary chat allows
        if (slash and "://" in s) or (dot and "www." in s) or "discord" in s:
            return False
        if "htt" in s:
            return False if "http" in s else None
        if dot and _DOTTED.search(s) is not None:
            return None
        if slash and _SLASHED.search(s) is not None:
            return None
        if ("[" in s or "(" in s) and _BRACKETED.search(s) is not None:
            return None
        if "x" in s and ("hxx" in s or "htx" in s or "hxt" in s):
            return None
        for needle in self.needles:
            if needle in s:
                return None
        # Encoding raises the same error RE2's wrapper would on a lone surrogate (event sources
        # replace those, see bot.events.valid_text; a certain match above is settled before this).
        words = s.encode().translate(_RUNS).split()
        gate = self.gate
        if gate.isdisjoint(words):  # most chat: no run is a phrase's key
            return True
        if not self.lasts.isdisjoint(words):
            return None
        # Chat words that key a phrase ("game" for "my game") are common: most such texts lack
        # every phrase's pair of consecutive runs, which one set test over the text's pairs shows.
        if self.singles.isdisjoint(words) and self.pairs.isdisjoint(pairwise(words)):
            if self.start_keys.isdisjoint(words):
                return True
            for start in self.starts:  # "my affiliate*" needs the run "my" and a run starting with "affiliate"
                if start in s:
                    break
            else:
                return True
        # A phrase matches where its text occurs in the runs joined by single spaces (a trailing
        # `*` phrase's text has no closing space, so its last token may run on).
        joined = b" " + b" ".join(words) + b" "
        by_key = self.by_key
        found = []
        for key in gate.intersection(words):
            search = by_key.get(key)
            if search is not None and search(joined) is not None:
                found.append(key)
        if not found:
            return True
        return None if self.spelled_keys.issuperset(found) else False


def _key_token(tokens: tuple[str, ...], trail: bool) -> str:
    """The token a phrase is gated on: one it needs as a whole run, preferring uncommon and long ones."""
    return rarest(tokens[:-1] if trail else tokens)  # never empty: a lone `word*` is a needle


def _pair(tokens: tuple[str, ...], trail: bool, key: str) -> tuple[bytes, bytes] | None:
    """Two consecutive tokens, the key among them, that a phrase needs as whole runs; None if it has none.

    The key's neighbour before it, else after it; a trailing-`*` last token only has to start a
    run, so it is never part of the pair.
    """
    at = tokens.index(key)
    whole = len(tokens) - 1 if trail else len(tokens)  # tokens compared whole
    if at > 0:
        return tokens[at - 1].encode(), key.encode()
    if at + 1 < whole:
        return key.encode(), tokens[at + 1].encode()
    return None


def _keyed_pattern(key: str, texts: set[str]) -> str:
    """A regex finding any of `texts` (each holds the run `key`, space-padded) where `key` occurs.

    It starts with the literal " key ", so the regex engine only stops where the key is (an
    alternation of whole phrases would be tried at every space): from there it matches the
    rest of a phrase and looks behind for the whole of it (one fixed width per phrase).
    """
    padded = f" {key} "
    rests: dict[str, set[str]] = {}
    for text in texts:
        at = text.index(padded)
        rests.setdefault(text[at + len(padded):], set()).add(text)
    branches = []
    for rest, whole in sorted(rests.items()):
        # a phrase that starts with the key needs nothing behind it, whatever the others need
        behind = "" if padded + rest in whole else "|".join(f"(?<={re.escape(t)})" for t in sorted(whole, key=len))
        branches.append(re.escape(rest) + (f"(?:{behind})" if "|" in behind else behind))
    return re.escape(padded) + (branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")")
