"""The text-level gratitude detector: a cheap precheck, then guarded phrase matching.

Usable on its own: `detect_gratitude("thanks, that fixed it!")` is truthy. Matching runs on
at most `MAX_CHARS` characters with linear-time regexes, so any input is handled in bounded time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from plugins.helpful_answers._phrases import LANGUAGES

MAX_CHARS = 2000
DEFAULT_LANGUAGES = ("en", "es", "pt", "fr", "de", "ru")
CATEGORIES = ("thanks", "appreciation", "success", "acknowledgement", "relief")
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
    relief); `guard` names the rule that cancelled a cue (refusal, sarcasm, still_failing).
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
        """Whether the cue is one that earns credit by default (not "you're welcome"/"thank god")."""
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
        self._precheck = re.compile(_trie_pattern(stems))
        groups = []
        refusals = [r for ls in sets for r in ls.refusals] + extra_guards
        if refusals:
            groups.append(f"(?P<refusal>{'|'.join(refusals)})")
        self._lang_of: dict[str, str] = {}
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
        self._cues = re.compile(r"(?<!\w)(?:" + "|".join(groups) + r")(?!\w)") if groups else None
        ironic = [r for ls in sets for r in ls.ironic]
        self._ironic = re.compile("|".join(ironic)) if ironic else None
        failures = [r for ls in sets for r in ls.failures]
        self._failure = re.compile(r"(?<!\w)(?:" + "|".join(failures) + r")") if failures else None

    def quick(self, text: str) -> bool:
        """The cheap precheck: False means the text certainly holds no gratitude cue."""
        return self._precheck.search(text[:MAX_CHARS].lower()) is not None

    def detect(self, text: str) -> GratitudeResult:
        """Classify one message's text."""
        if not text or self._cues is None or not self.quick(text):
            return NO_GRATITUDE
        lowered = _clean(text[:MAX_CHARS]).lower()
        first = self._precheck.search(lowered)
        if first is None:
            return NO_GRATITUDE
        best: tuple[int, str, str, int] | None = None  # (rank, category, cue, position)
        refused = False
        for m in self._cues.finditer(lowered, max(0, first.start() - _LOOKBACK)):
            group = m.lastgroup
            if group == "refusal":
                refused = True
                continue
            category = group.rsplit("_", 1)[0]
            rank = CATEGORIES.index(category)
            if best is None or rank < best[0]:
                best = (rank, group, m.group(), m.start())
                if rank == 0:
                    break  # nothing outranks direct thanks
        if best is None and any(c in lowered for c in _EMOJI) and not _PLEADING.search(lowered):
            best = (0, "thanks_emoji", "🙏", 0)
        if best is None:
            return GratitudeResult(False, guard="refusal") if refused else NO_GRATITUDE
        category = best[1].rsplit("_", 1)[0]
        language = self._lang_of.get(best[1])
        if self._ironic is not None and self._ironic.search(lowered):
            return GratitudeResult(False, category, language, best[2], guard="sarcasm")
        if self._failure is not None and category != "relief":
            failure = self._failure.search(lowered, best[3])
            if failure is not None:
                return GratitudeResult(False, category, language, best[2], guard="still_failing")
        return GratitudeResult(True, category, language, best[2])


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


@lru_cache(maxsize=64)
def get_detector(languages: tuple[str, ...] = DEFAULT_LANGUAGES, extra_phrases: tuple[str, ...] = (),
                 extra_guards: tuple[str, ...] = ()) -> GratitudeDetector:
    """A cached compiled detector for these settings."""
    return GratitudeDetector(languages, extra_phrases, extra_guards)


def detect_gratitude(text: str, language_sets: Iterable[str] = DEFAULT_LANGUAGES,
                     extra_phrases: Iterable[str] = (), extra_guards: Iterable[str] = ()) -> GratitudeResult:
    """Detect gratitude in `text` using the given language sets (default: all six)."""
    return get_detector(tuple(language_sets), tuple(extra_phrases), tuple(extra_guards)).detect(text)
