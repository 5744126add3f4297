"""The text-level gratitude detector: a cheap precheck, then guarded phrase matching.

Usable on its own: `detect_gratitude("thanks, that fixed it!")` is truthy. Matching runs on
at most `MAX_CHARS` characters with linear-time regexes, so any input is handled in bounded time.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from plugins.helpful_answers._phrases import LANGUAGES

MAX_CHARS = 2000
DEFAULT_LANGUAGES = ("en", "es", "pt", "fr", "de", "ru")
# Strongest first; a consolation ("thanks anyway") overrides all but success (see `classify`).
CATEGORIES = ("thanks", "appreciation", "success", "acknowledgement", "relief", "advance", "consolation")
CREDIT_CATEGORIES = ("thanks", "appreciation", "success")

_EMOJI = "🙏🙇"
_QUOTE_LINES = re.compile(r"^[ \t]*>[^\n]*", re.M)  # Discord "> " quotes (and ">>> " blocks, below)
_BLOCK_QUOTE = re.compile(r"^[ \t]*>>> [\s\S]*", re.M)
_CODE = re.compile(r"```[\s\S]*?```|`[^`\n]{0,400}`")
_QUOTED = re.compile(r"\"[^\"\n]{1,80}\"|“[^”\n]{1,80}”|«[^»\n]{1,80}»")
_PLEADING = re.compile(r"\b(?:please|pls|plz|pray|praying|hope|hoping|begging)\b")
_LOOKBACK = 48  # a guard ("i'd rather not, thank you") may start this far before a cue stem
_URL = re.compile(r"https?://\S+")
_MENTION = re.compile(r"<[@#][!&]?\d+>")


@dataclass(frozen=True, slots=True)
class GratitudeResult:
    """What the detector found; truthy when the text expresses gratitude.

    `category` is the strongest cue found (thanks > appreciation > success > acknowledgement >
    relief > advance), or `consolation` when the text says "thanks anyway" (it did not help) and
    no success cue; `guard` names the rule that cancelled a cue (refusal, sarcasm, still_failing).
    """

    is_gratitude: bool
    category: str | None = None
    language: str | None = None
    cue: str | None = None
    guard: str | None = None

    def __bool__(self) -> bool:
        return self.is_gratitude

    @property
    def creditable(self) -> bool:
        """Whether the cue is one that earns credit by default (not "you're welcome", "thank god", "thanks in advance")."""
        return self.is_gratitude and self.category in CREDIT_CATEGORIES


NO_GRATITUDE = GratitudeResult(False)


class GratitudeDetector:
    """A compiled detector for a set of languages plus a community's extra phrases."""

    def __init__(self, languages: Iterable[str] = DEFAULT_LANGUAGES, extra_phrases: Iterable[str] = (),
                 extra_guards: Iterable[str] = ()) -> None:
        sets = [LANGUAGES[code] for code in dict.fromkeys(languages) if code in LANGUAGES]
        literal_phrases = [p.strip().lower() for p in extra_phrases if p.strip()]
        extra_phrases = [re.escape(p) for p in literal_phrases]
        extra_guards = [re.escape(p.strip().lower()) for p in extra_guards if p.strip()]
        stems = [s for ls in sets for s in ls.stems] + literal_phrases + list(_EMOJI)
        word_stems = [s for ls in sets for s in ls.word_stems]
        # finds the leftmost stem, a word stem anywhere (detect's lookback)
        self._precheck = re.compile(_trie_pattern(stems + word_stems))
        # `next(stem_matches(lowered), None)` is None exactly when no stem, and no word stem even
        # inside a word, occurs in `lowered`: the cheap first half of `quick` (see `stem_found`)
        self.stem_matches = stem_automaton(stems, word_stems)
        groups = []
        refusals = [r for ls in sets for r in ls.refusals] + extra_guards
        if refusals:
            groups.append(f"(?P<refusal>{'|'.join(refusals)})")
        self._lang_of: dict[str, str] = {}
        # relief phrases start with a thanks cue ("thanks to"): at one position the first
        # alternative that matches wins, so they come first
        for category in ("relief", "thanks", "appreciation", "success", "acknowledgement"):
            for ls in sets:
                frags = [f for cat, fs in ls.positives if cat == category for f in fs]
                if frags:
                    name = f"{category}_{ls.code}"
                    self._lang_of[name] = ls.code
                    groups.append(f"(?P<{name}>{'|'.join(frags)})")
            if category == "thanks" and extra_phrases:
                groups.append(f"(?P<thanks_custom>{'|'.join(extra_phrases)})")
                self._lang_of["thanks_custom"] = "custom"
        self._cues = _whole_words(groups)
        # "thanks in advance": looked for apart (a few more alternatives in `_cues` slow every
        # position down); cues inside one of its matches count as `advance`
        advance = [f for ls in sets for cat, fs in ls.positives if cat == "advance" for f in fs]
        self._advance = _whole_words(advance)
        self._advance_hints = tuple(h for ls in sets for h in ls.advance_hints)
        # "thanks anyway", looked for apart the same way: it turns any cue into a consolation
        consolation = [f for ls in sets for f in ls.consolation]
        self._consolation = _whole_words(consolation)
        self._consolation_hints = tuple(h for ls in sets for h in ls.consolation_hints)
        # ... unless the message also says it worked ("thanks for the tips though, they worked")
        success = [f for ls in sets for cat, fs in ls.positives if cat == "success" for f in fs]
        self._success = _whole_words(success)
        ironic = [r for ls in sets for r in ls.ironic]
        self._ironic = re.compile("|".join(ironic)) if ironic else None
        failures = [r for ls in sets for r in ls.failures]
        self._failure = re.compile(r"(?<!\w)(?:" + "|".join(failures) + r")") if failures else None

    def quick(self, text: str) -> bool:
        """The cheap precheck: False means the text certainly holds no gratitude cue (no stem in it)."""
        return self.stem_found(text[:MAX_CHARS].lower())

    def stem_found(self, lowered: str) -> bool:
        """Whether a stem occurs in lowered text; a word stem only at the start or after a non-word character."""
        for end, length in self.stem_matches(lowered):
            if not length:
                return True
            before = end - length  # the character before the word stem
            if before < 0 or not (lowered[before].isalnum() or lowered[before] == "_"):
                return True
        return False

    def detect(self, text: str) -> GratitudeResult:
        """Classify one message's text."""
        if not text or not self.quick(text):
            return NO_GRATITUDE
        return self.classify(text)

    def classify(self, text: str) -> GratitudeResult:
        """`detect` for a text already known to pass `quick` (the plugin's hook checks that first)."""
        if self._cues is None:
            return NO_GRATITUDE
        lowered = _clean(text[:MAX_CHARS]).lower()
        first = self._precheck.search(lowered)
        if first is None:
            return NO_GRATITUDE
        best: tuple[int, str, str, int] | None = None  # (rank, category, cue, position)
        refused = False
        start = max(0, first.start() - _LOOKBACK)
        ahead: list[int] = []  # starts and ends of "thanks in advance" phrases, in order
        if self._advance is not None and any(h in lowered for h in self._advance_hints):
            ahead = [i for m in self._advance.finditer(lowered, start) for i in m.span()]
        for m in self._cues.finditer(lowered, start):
            group = m.lastgroup
            if group == "refusal":
                refused = True
                continue
            category = group.rsplit("_", 1)[0]
            if ahead and bisect_right(ahead, m.start()) % 2:  # inside a phrase: between a start and its end
                category = "advance"
            rank = CATEGORIES.index(category)
            if best is None or rank < best[0]:
                best = (rank, category, group, m.group(), m.start())
                if rank == 0:
                    break  # nothing outranks direct thanks
        if best is None and any(c in lowered for c in _EMOJI) and not _PLEADING.search(lowered):
            best = (0, "thanks", "thanks_emoji", "🙏", 0)
        if best is None:
            return GratitudeResult(False, guard="refusal") if refused else NO_GRATITUDE
        _, category, group, cue, position = best
        language = self._lang_of.get(group)
        if self._ironic is not None and self._ironic.search(lowered):
            return GratitudeResult(False, category, language, cue, guard="sarcasm")
        if self._failure is not None and category != "relief":
            failure = self._failure.search(lowered, position)
            if failure is not None:
                return GratitudeResult(False, category, language, cue, guard="still_failing")
        if self._consolation is not None and category != "success" \
                and any(h in lowered for h in self._consolation_hints):
            consoled = self._consolation.search(lowered, start)
            if consoled is not None and (self._success is None or self._success.search(lowered) is None):
                return GratitudeResult(True, "consolation", language, consoled.group())
        return GratitudeResult(True, category, language, cue)


def _whole_words(fragments: list[str]) -> re.Pattern[str] | None:
    """One regex for the alternatives, matched between word boundaries (None when there are none)."""
    return re.compile(r"(?<!\w)(?:" + "|".join(fragments) + r")(?!\w)") if fragments else None


def _clean(text: str) -> str:
    """Drop what the author did not say themselves: quotes, code, links and mention markup."""
    if "’" in text:
        text = text.replace("’", "'")
    if ">" in text and "\n" in text:  # a lone quote line has nothing else to go on: keep it
        text = _BLOCK_QUOTE.sub(" ", text)
        text = _QUOTE_LINES.sub(" ", text)
    if "`" in text:
        text = _CODE.sub(" ", text)
    if "http" in text:
        text = _URL.sub(" ", text)
    if "<" in text:
        text = _MENTION.sub(" ", text)
    if '"' in text or "“" in text or "«" in text:
        stripped = _QUOTED.sub(" ", text)
        if stripped.strip(" .!?,"):
            text = stripped
    return text


def _trie_pattern(words: Iterable[str]) -> str:
    """One regex for a set of literals, shaped as a trie so each position tries few branches."""
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alternatives = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root) or "(?!)"


def stem_automaton(words: Iterable[str], word_stems: Iterable[str] = ()) -> Callable[[str], Iterator[tuple[int, int]]]:
    """`matches(text)`: the occurrences of `words` and `word_stems` in `text`, empty when none occurs.

    Each is `(end, length)`: the index of its last character, and the length of a word stem
    (0 for the others, which count wherever they occur).

    One Aho-Corasick pass (pyahocorasick, in C) over the text, whatever the number of words: a
    stdlib regex alternation (the trie) tries its alternatives at nearly every position, and
    one anchored on rare characters still entered a branch at each of them (several hundred
    machine instructions each), which made the precheck cost most on the longer messages.
    """
    automaton = ahocorasick.Automaton()
    for word in dict.fromkeys(w for w in word_stems if w):
        automaton.add_word(word, len(word))
    for word in dict.fromkeys(w for w in words if w):
        automaton.add_word(word, 0)  # a word that is also a word stem counts anywhere
    if not len(automaton):
        return lambda text: iter(())  # an empty automaton cannot be searched
    automaton.make_automaton()
    return automaton.iter


@lru_cache(maxsize=64)
def get_detector(languages: tuple[str, ...] = DEFAULT_LANGUAGES, extra_phrases: tuple[str, ...] = (),
                 extra_guards: tuple[str, ...] = ()) -> GratitudeDetector:
    """A cached compiled detector for these settings."""
    return GratitudeDetector(languages, extra_phrases, extra_guards)


def detect_gratitude(text: str, language_sets: Iterable[str] = DEFAULT_LANGUAGES,
                     extra_phrases: Iterable[str] = (), extra_guards: Iterable[str] = ()) -> GratitudeResult:
    """Detect gratitude in `text` using the given language sets (default: all six)."""
    return get_detector(tuple(language_sets), tuple(extra_phrases), tuple(extra_guards)).detect(text)
