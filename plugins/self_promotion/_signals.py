"""Content signals: a config compiled once into matchers, then applied to message text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.config import compile_admin_regex, search_test
from plugins.self_promotion._config import SelfPromotionConfig
from plugins.self_promotion._links import DomainSet, Link, find_invites, find_links, scan_links
from plugins.self_promotion._lookalike import Lookalikes
from plugins.self_promotion._normalize import TLD_PATTERN, fold, undefang, words
from plugins.self_promotion._phrases import PhraseMatcher, parse_phrase
from plugins.self_promotion._quick import MAX_CHARS, PlainCheck, certain_link_hint

try:
    import re2
except ImportError:  # pragma: no cover
    re2 = None

_LINK_HINT = (
    rf"://|www\.|\.(?:{TLD_PATTERN})\b|\[\s*(?:\.|dot)\s*\]|\(\s*(?:\.|dot)\s*\)|\sdot\s+(?:com|net|org)\b"
    r"|\.\s*gg\s*/|g\W{0,2}g\W{0,3}/|h[tx]{2}ps?|discord|\.\s+(?:com|net|org|ly|gg|io|co|tv)\b"
)
_INVITE_HOSTS = ("discord.gg", "discord.com", "discordapp.com")
# The link signals, in the order they are reported.
_LINK_SIGNALS = ("lookalike_domain", "denied_domain", "promo_domain", "shortener", "affiliate", "masked_link",
                 "unknown_link")
_MASS_MENTION = re.compile(r"(?<![\w.])@(?:everyone|here)\b")


@dataclass(frozen=True, slots=True)
class Signal:
    """One reason a message scored: name, weight and what triggered it."""

    name: str
    weight: float
    detail: str = ""

    def line(self) -> str:
        """How moderators see it: `promo_domain (+0.60): twitch.tv`."""
        return f"{self.name} (+{self.weight:.2f})" + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True, slots=True)
class Content:
    """What the text itself shows: signals, links, invite codes, matched phrases, word count.

    `asks_for_help`: without a link or invite, it holds one of `context.help_phrases`, or two of
    `context.problem_phrases` (one with a "?"). Only looked for when a call to action matched: it
    spares a newcomer's help request the boost.
    """

    signals: tuple[Signal, ...]
    links: tuple[Link, ...]
    invites: tuple[str, ...]
    domains: tuple[str, ...]
    phrases: tuple[str, ...]
    other_words: int
    tokens: frozenset[str] = frozenset()
    asks_for_help: bool = False

    @property
    def score(self) -> float:
        """Sum of the content signals' weights."""
        return sum(s.weight for s in self.signals)


EMPTY = Content((), (), (), (), (), 0)


def _undecided(folded: str) -> None:
    """`Detector.verdict` without the cheap check (admin regexes, or no RE2): the prefilter decides."""
    return None


def _re2_options(case_sensitive: bool = True):
    options = re2.Options()
    options.log_errors = False
    options.never_capture = True
    options.case_sensitive = case_sensitive
    options.max_mem = 64 << 20
    return options


class Detector:
    """Compiled matchers for one resolved config (cached by the plugin per config object)."""

    def __init__(self, config: SelfPromotionConfig) -> None:
        self.config = config
        w = config.weights
        self.weights = w
        links = config.links
        self.allow = DomainSet.of(links.allow)
        self.deny = DomainSet.of(links.deny)
        self.common = DomainSet.of(links.common)
        self.promo = DomainSet.of([*links.promo_domains, *links.extra_promo_domains])
        self.shorteners = DomainSet.of(links.shorteners)
        self._domain_sets = (("denied_domain", self.deny), ("promo_domain", self.promo), ("shortener", self.shorteners))
        self.lookalikes = Lookalikes(links.protected)
        self.aff_params = frozenset(p.lower() for p in links.affiliate_params)
        self.aff_paths = frozenset(p.strip("/").lower() for p in links.affiliate_paths)
        groups = {name: g.phrases for name, g in config.phrases.items() if g.weight > 0 and g.phrases}
        self.group_weights = {name: g.weight for name, g in config.phrases.items()}
        self.phrases = PhraseMatcher(groups)
        self.regexes = [(r.name, r.weight, search_test(compile_admin_regex(r.pattern)))
                        for r in config.regexes if r.weight > 0]
        alternatives = [_LINK_HINT]
        for phrases in groups.values():
            alternatives.extend(_phrase_regex(p) for p in phrases)
        alternatives.extend(f"(?i:{r.pattern})" for r in config.regexes if r.weight > 0)
        self.prefilter = re2.compile("|".join(alternatives), _re2_options()) if re2 else None
        self._fallback = None if re2 else re.compile("|".join(alternatives))
        self._prefilter_hit = search_test(self.prefilter) if re2 else None
        # Settles most short texts without the RE2 call (which also lets another thread take the
        # GIL); admin regexes still need RE2, and the proof is written against RE2's semantics, so
        # neither case takes this shortcut.
        # For a short folded text: True or False when that settles `plain`, else None (always None
        # without the cheap check).
        self.verdict = PlainCheck(groups.values()).verdict if re2 and not self.regexes else _undecided
        self.history = config.context.promo_ratio_history
        c = config.context
        help_groups = {k: v for k, v in (("asking", c.help_phrases), ("problem", c.problem_phrases)) if v}
        self._help = PhraseMatcher(help_groups) if help_groups else None

    def quick_reject(self, folded: str) -> bool:
        """True when a folded text has nothing link-like and no phrase: the fast path."""
        # exact: True only where the prefilter cannot match, False where it must (see _quick)
        verdict = self.verdict(folded) if len(folded) <= MAX_CHARS else (
            False if certain_link_hint(folded) else None)
        if verdict is not None:
            return verdict
        return self.prefilter_rejects(folded)

    def prefilter_rejects(self, folded: str) -> bool:
        """True when the RE2 prefilter finds nothing in a folded text (what the cheap checks could not settle)."""
        if self._prefilter_hit is not None:
            return not self._prefilter_hit(folded)
        return self._fallback.search(folded) is None

    def plain(self, text: str) -> bool:
        """True when `content(text)` (no embeds) is EMPTY: what an ordinary message costs."""
        if len(text) <= MAX_CHARS and text.isascii():
            folded = text.lower()  # what fold() does with ASCII text
            verdict = self.verdict(folded)  # as in quick_reject, inlined for the hot path
            if verdict is not None:
                return verdict
            return self.prefilter_rejects(folded)
        return self.quick_reject(fold(text[:4000]))

    def content(self, text: str, embed_urls: tuple[str, ...] = (),
                learned_domains: frozenset[str] = frozenset(),
                learned_phrases: frozenset[str] = frozenset(), *, screened: bool = False) -> Content:
        """Score what the text and its embeds show (no context, no invite resolution).

        `screened`: the caller already found `plain(text)` False, so the prefilter is not run again.
        """
        folded = fold(text[:4000])
        if not screened and not embed_urls and self.quick_reject(folded):
            return EMPTY
        norm = undefang(folded)
        w = self.weights
        signals: list[Signal] = []
        codes = find_invites(norm)
        if norm != folded:  # undefanging can glue ".gg/x" onto the word before it
            codes = list(dict.fromkeys([*codes, *find_invites(folded)]))
        invites = _case_preserving(codes, text)
        links, without_urls = scan_links(norm, embed_urls)
        links = [link for link in links if not _is_invite(link)]
        hits: dict[str, list[str]] = {}
        domains = []
        for link in links:
            if self.allow.match(link) or _learned(link.host, learned_domains):
                continue
            if link.path == "/" and not link.query and self.shorteners.match(link):
                continue  # "bit.ly is blocked at work": a shortener's own page leads nowhere else
            domains.append(link.host)
            known = False
            for name, domain_set in self._domain_sets:
                entry = domain_set.match(link)
                if entry:
                    hits.setdefault(name, []).append(entry)
                    known = True
            listed = known or self.common.match(link) is not None
            if not listed:
                hits.setdefault("unknown_link", []).append(link.host)
            lookalike = self.lookalikes.check(link, text, norm, listed)
            if lookalike is not None:
                hits.setdefault("lookalike_domain", []).append(lookalike)
            if self._affiliate(link):
                hits.setdefault("affiliate", []).append(link.host)
            if link.masked_text is not None and _deceptive(link):
                hits.setdefault("masked_link", []).append(f"[{link.masked_text[:40]}] -> {link.host}")
        for name in _LINK_SIGNALS if hits else ():
            found = hits.get(name)
            weight = getattr(w, name, 0.0)
            if found and weight > 0:
                signals.append(Signal(name, weight, ", ".join(dict.fromkeys(found))[:200]))
        if (links or invites) and w.mass_mention > 0 and "@" in folded:
            pinged = _MASS_MENTION.search(folded)
            if pinged is not None:
                signals.append(Signal("mass_mention", w.mass_mention, pinged.group()))
        prose = without_urls if links else norm
        prose_words = words(prose)
        matched = [(g, p) for g, p in self.phrases.match(prose_words) if p not in learned_phrases]
        phrases = []
        by_group: dict[str, list[str]] = {}
        for group, phrase in matched:
            by_group.setdefault(group, []).append(phrase)
            phrases.append(phrase)
        for group, found in by_group.items():
            signals.append(Signal(f"cta:{group}", self.group_weights.get(group, 0.0), ", ".join(found)[:200]))
        for name, weight, found_in in self.regexes:
            if found_in(norm):
                signals.append(Signal(f"regex:{name}", weight))
        tokens = prose_words.split()
        helping = self._help is not None and not domains and not invites and calls_to_action(signals) \
            and _asks(self._help.match(prose_words), "?" in text)
        return Content(tuple(signals), tuple(links), invites, tuple(domains), tuple(phrases), len(tokens),
                       frozenset(tokens), helping)

    def _affiliate(self, link: Link) -> bool:
        for key, value in link.query:
            if key in self.aff_params and value:
                return True
            if key == "tag" and re.search(r"-2\d$", value):  # store affiliate tags like `name-20`
                return True
        segments = link.path.lower().strip("/").split("/")
        return len(segments) >= 2 and any(s in self.aff_paths for s in segments[:-1])


CALL_TO_ACTION = 0.4  # phrase or regex weight from which a newcomer's first messages count like links


def calls_to_action(signals) -> bool:
    """Whether a phrase group or admin regex weighing at least CALL_TO_ACTION matched."""
    return any(s.weight >= CALL_TO_ACTION and s.name.startswith(("cta:", "regex:")) for s in signals)


def _asks(found: list[tuple[str, str]], question_mark: bool) -> bool:
    """Whether matched help phrases make a help request (see `Content.asks_for_help`)."""
    problems = sum(1 for group, _ in found if group == "problem")
    return any(group == "asking" for group, _ in found) or problems >= 2 or (problems == 1 and question_mark)


def _case_preserving(codes: list[str], raw: str) -> tuple[str, ...]:
    """Invite codes are case-sensitive: recover the original spelling of normalised codes."""
    if not codes:
        return ()
    original = {c.lower(): c for c in find_invites(raw)}
    return tuple(original.get(c, c) for c in codes)


def _deceptive(link: Link) -> bool:
    """A masked link whose text shows a different site than the one it opens."""
    shown = find_links(link.masked_text or "")
    return any(not (link.host == s.host or link.host.endswith("." + s.host) or s.host.endswith("." + link.host))
               for s in shown)


def _is_invite(link: Link) -> bool:
    host = link.host
    if host == "discord.gg":
        return True
    return host in _INVITE_HOSTS and link.path.startswith("/invite/")


def _learned(host: str, learned: frozenset[str]) -> bool:
    if not learned:
        return False
    while "." in host:
        if host in learned:
            return True
        host = host.split(".", 1)[1]
    return False


def _phrase_regex(phrase: str) -> str:
    """RE2 pattern equivalent to matching an AutoMod phrase on `words()` text."""
    tokens, lead, trail = parse_phrase(phrase)
    body = "[^a-z0-9]+".join(re.escape(t) for t in tokens)
    return ("" if lead else "(?:^|[^a-z0-9])") + body + ("" if trail else "(?:[^a-z0-9]|$)")
