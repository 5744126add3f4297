"""The self_promotion plugin: hooks wiring detection, context, enforcement and feedback."""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.commands import ButtonClick, CommandSpec, Response
from bot.context import PluginContext
from bot.events import Message, MessageCreated, MessageEdited
from bot.hookspecs import hookimpl
from plugins.self_promotion import _commands, _feedback
from plugins.self_promotion._config import SelfPromotionConfig
from plugins.self_promotion._ladder import build_actions
from plugins.self_promotion._quick import MAX_CHARS
from plugins.self_promotion._signals import Content, Detector, Signal, calls_to_action
from plugins.self_promotion._state import PERSIST_CAP, QUEUE_LIMIT, MemberHistory, Memory
from plugins.self_promotion._store import MIGRATIONS, SAVE_MEMBER, PromoStore
from plugins.self_promotion._tenure import below_gate, established, recently_joined

_INVITE_CACHE = 10_000
_PROMOTIONAL = 0.5  # content score that makes a message count as promotional (ratio, promo channels)
_NO_LEARNED: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


class SelfPromotion:
    """Pitch-free zone: weighted self-promotion signals, one score, an explainable ladder."""

    def __init__(self) -> None:
        self.ctx: PluginContext | None = None
        self.store: PromoStore | None = None
        self.memory = Memory()
        self._plain_queue = self.memory.queued  # plain messages waiting to be counted
        self._detectors: dict[int, tuple[SelfPromotionConfig, Detector]] = {}
        self._default = SelfPromotionConfig()
        self._last: tuple[SelfPromotionConfig | None, Detector | None] = (None, None)  # last detector() answer
        self._invites: OrderedDict[str, int | None] = OrderedDict()
        self._learned: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
        self._reports: dict[tuple[int, int], deque[datetime]] = {}
        self._strikes: dict[tuple[int, int], dict[int, datetime]] = {}  # used only without a database

    # -- declarations and lifecycle --

    @hookimpl
    def pitchfree_config_model(self) -> type[SelfPromotionConfig]:
        """The `plugins.self_promotion` block."""
        return SelfPromotionConfig

    @hookimpl
    def pitchfree_migrations(self) -> list:
        """Decisions, strikes and the learned allow list."""
        return list(MIGRATIONS)

    @hookimpl
    def pitchfree_commands(self) -> list[CommandSpec]:
        """`/promo explain`, `/strikes`, `/cases`, `/pardon` and the report context menu."""
        return _commands.specs(self)

    @hookimpl
    async def pitchfree_startup(self, ctx: PluginContext) -> None:
        """Keep the context and load the learned allow list."""
        self.ctx = ctx
        if ctx.db is not None:
            self.store = PromoStore(ctx.db, ctx.writer)
            await self.store.load_members_with_strikes()
            learned: dict[int, tuple[set[str], set[str]]] = {}
            for guild_id, kind, value in await self.store.learned():
                domains, phrases = learned.setdefault(guild_id, (set(), set()))
                (domains if kind == "domain" else phrases).add(value)
            self._learned = {g: (frozenset(d), frozenset(p)) for g, (d, p) in learned.items()}
            history = self._default.context.promo_ratio_history
            for guild_id, user_id, seen, plain in await self.store.members():
                self.memory.restore(guild_id, user_id, seen, plain, history)
            self.memory.dirty.clear()

    @hookimpl
    def pitchfree_tick(self, ctx: PluginContext) -> None:
        """Save changed message counts through the batched writer."""
        self._save_counts(ctx)

    @hookimpl
    def pitchfree_shutdown(self, ctx: PluginContext) -> None:
        """Save changed message counts before the writer's final flush."""
        self._save_counts(ctx)

    def _save_counts(self, ctx: PluginContext) -> None:
        if ctx.writer is None:
            self.memory.dirty.clear()
            return
        for row in self.memory.take_dirty():
            ctx.writer.add(SAVE_MEMBER, row)

    @hookimpl
    def pitchfree_config_reloaded(self, guild_id: int) -> None:
        """Drop matchers compiled from the old config."""
        self._detectors.clear()
        self._last = (None, None)

    def detector(self, config: SelfPromotionConfig | None) -> Detector:
        """Matchers for a resolved config, compiled once per config object."""
        config = config or self._default
        cached = self._detectors.get(id(config))
        if cached is None or cached[0] is not config:
            cached = self._detectors[id(config)] = (config, Detector(config))
        self._last = cached
        return cached[1]

    def learned(self, guild_id: int) -> tuple[frozenset[str], frozenset[str]]:
        """(domains, phrases) moderators marked as not promotion in this community."""
        return self._learned.get(guild_id, _NO_LEARNED)

    # -- events --

    @hookimpl
    def pitchfree_message(self, event: MessageCreated, config: Any, ctx: PluginContext):
        """Score a new message; enforce the ladder when it reaches the threshold.

        Not `async` on purpose: an ordinary message, and a link that is not promotion, are settled
        here without creating a coroutine; otherwise the coroutine that resolves invites or
        enforces the ladder is returned and the hook caller awaits it.
        """
        # `_check_edit`'s steps for a new message, with `Detector.plain`'s usual case inlined: this runs
        # for every message
        msg = event.message
        author = msg.author
        if author.is_bot:
            return None
        if config is None:
            config = self._default
        if config.exempt_roles and not author.role_ids.isdisjoint(config.exempt_roles):
            return None
        last_config, det = self._last
        if last_config is not config:
            det = self.detector(config)
        if not msg.embed_urls:
            text = msg.content
            if len(text) <= MAX_CHARS and text.isascii():
                folded = text.lower()
                plain = det.verdict(folded)
                if plain is None:
                    plain = det.prefilter_rejects(folded)
            else:
                plain = det.plain(text)
            if plain:  # counted later, in blocks (Memory.queued)
                queued = self._plain_queue
                queued.append((msg.guild_id, author.id, det.history))
                if len(queued) >= QUEUE_LIMIT:
                    self.memory.settle()
                return None
        return self._score(msg, config, ctx, det, False)

    @hookimpl
    async def pitchfree_message_edit(self, event: MessageEdited, config: Any, ctx: PluginContext):
        """Re-check edited messages: an edit that adds promotion counts."""
        before = event.before
        if before is not None and before.content == event.after.content and before.embed_urls == event.after.embed_urls:
            return None
        pending = self._check_edit(event.after, config, ctx)
        return None if pending is None else await pending

    def _check_edit(self, msg: Message, config: SelfPromotionConfig | None, ctx: PluginContext):
        """For an edited message: None when it is settled (bot, exempt, nothing in its text, below
        the threshold), else a coroutine. A new message takes the same steps in `pitchfree_message`."""
        author = msg.author
        if author.is_bot:
            return None
        if config is None:
            config = self._default
        if config.exempt_roles and not author.role_ids.isdisjoint(config.exempt_roles):
            return None
        last_config, det = self._last
        if last_config is not config:
            det = self.detector(config)
        if not msg.embed_urls and det.plain(msg.content):  # fast path: nothing link-like, no phrase
            self.memory.get(msg.guild_id, author.id, det.history)
            return None
        return self._score(msg, config, ctx, det, True)

    def _score(self, msg: Message, config: SelfPromotionConfig, ctx: PluginContext, det: Detector,
               edited: bool):
        """Score a message that is not plain: None when it stays below the threshold, else a coroutine.

        Only resolving invites and enforcing wait on anything, so a link that is not promotion
        (most of them) is settled here without a coroutine.
        """
        author = msg.author
        learned = self._learned.get(msg.guild_id, _NO_LEARNED)
        content = det.content(msg.content, msg.embed_urls, learned[0], learned[1], screened=True)
        hist = self.memory.get(msg.guild_id, author.id, det.history)
        if not edited and hist.seen < PERSIST_CAP:
            self.memory.dirty.add((msg.guild_id, author.id))
        if content.invites:
            return self._score_invites(msg, config, ctx, content, hist, edited)
        return self._decide(msg, config, ctx, content, list(content.signals), hist, edited)

    async def _score_invites(self, msg: Message, config: SelfPromotionConfig, ctx: PluginContext,
                             content: Content, hist: MemberHistory, edited: bool):
        """`_score`'s rest for a message with invites: resolve them (a Discord lookup), then decide."""
        signals = list(content.signals)
        foreign = await self._foreign_invites(content.invites, msg.guild_id, config, ctx)
        if foreign and config.weights.invite > 0:
            signals.insert(0, Signal("invite", config.weights.invite, ", ".join(foreign)[:200]))
        enforcing = self._decide(msg, config, ctx, content, signals, hist, edited)
        return None if enforcing is None else await enforcing

    def _decide(self, msg: Message, config: SelfPromotionConfig, ctx: PluginContext, content: Content,
                signals: list[Signal], hist: MemberHistory, edited: bool):
        """None when the message stays below the threshold or is allowed here, else the enforcing coroutine."""
        signals, allowed = self._context(msg, config, content, signals, hist, edited)
        score = round(sum(s.weight for s in signals), 6)  # 0.3 + 0.35 + 0.35 must reach 1.0
        if allowed or score < config.threshold:
            return None
        if ctx.is_moderator(msg.guild_id, msg.author):
            return None
        return self._enforce(msg, config, ctx, signals, score, content)

    def _context(self, msg: Message, config: SelfPromotionConfig, content: Content, signals: list[Signal],
                 hist: MemberHistory, edited: bool) -> tuple[list[Signal], bool]:
        """Add context signals and update the member's history; (signals, allowed-here)."""
        c, w = config.context, config.weights
        at = msg.created_at
        prior = hist.seen - 1 if edited else hist.seen
        has_link = bool(content.domains) or any(s.name == "invite" for s in signals)
        days = (at - msg.author.joined_at).total_seconds() / 86400 if msg.author.joined_at else None
        promotional = sum(s.weight for s in signals if not s.name.startswith("cta:soft")) >= _PROMOTIONAL
        plain = hist.plain
        if not edited:
            hist.seen += 1
            hist.plain += not has_link
        # a scam link is never "promotion where it is welcome"
        scam = any(s.name == "lookalike_domain" for s in signals)
        if not scam and c.trusted_promotion_days > 0 and days is not None and days >= c.trusted_promotion_days \
                and prior >= c.trusted_promotion_messages:
            self._remember(hist, msg, content, promotional, edited)
            return signals, True
        pc = config.promo_channels
        if not scam and msg.root_channel_id in pc.channels and not (
                (days is not None and days < pc.min_days) or prior < pc.min_messages):
            if not promotional or edited:  # an edit is not a new post against the channel's limit
                return signals, True
            window = timedelta(hours=config.promo_channels.window_hours)
            posts = hist.posts_in(at, window)
            if not edited:
                hist.add_promo_post(at)
            limit = config.promo_channels.max_posts
            if limit and posts >= limit:
                detail = f"{posts} promotional post(s) in the last {config.promo_channels.window_hours:g}h"
                return [*signals, Signal("promo_channel_limit", config.threshold, detail)], False
            return signals, True
        pitch = has_link or calls_to_action(signals)
        if pitch and not has_link and content.asks_for_help:
            # "can someone check out my code?": a newcomer's help request is not a pitch (its
            # phrases still count on their own, so an outright plug is flagged anyway)
            pitch = False
            signals.append(Signal("help_request", 0.0, "asks for help: no newcomer boost for its phrases"))
        if pitch and w.first_messages > 0 and prior < c.first_messages and recently_joined(msg, days, c):
            signals.append(Signal("first_messages", w.first_messages, f"message {prior + 1} seen from this member"))
        if pitch and w.link_only > 0 and content.other_words <= c.link_only_max_words \
                and plain < c.participation_messages:
            signals.append(Signal("link_only", w.link_only, f"only a link or call to action; {plain} earlier "
                                                            "message(s) without links"))
        if has_link and w.trust_gate > 0 and below_gate(msg, days, prior, c):
            shown = f"{days:.1f} days" if days is not None else "unknown tenure"
            signals.append(Signal("trust_gate", w.trust_gate, f"{shown}, {prior} message(s)"))
        if promotional and w.promo_ratio > 0 and hist.count >= c.promo_ratio_min_messages:
            count = hist.promo_count() + 1
            total = hist.count + (0 if edited else 1)
            if count / total > c.promo_ratio:
                signals.append(Signal("promo_ratio", w.promo_ratio, f"{count} of the last {total} messages"))
        if w.crosspost > 0 and len(content.tokens) >= 3:
            channels = hist.crosspost_channels(at, msg.channel_id, content.tokens,
                                               timedelta(minutes=c.crosspost_window_minutes), c.crosspost_similarity)
            if channels >= c.crosspost_channels:
                signals.append(Signal("crosspost", w.crosspost, f"same text in {channels} channels"))
        self._remember(hist, msg, content, promotional, edited)
        if not has_link and c.established_phrase_weight < 1 and any(s.name.startswith("cta:") for s in signals) \
                and established(msg, days, prior, c):
            # A regular's "watch my video of the bug" in conversation: phrases alone weigh less;
            # pitching often (the 9:1 rule) or cross-posting still counts in full.
            factor = c.established_phrase_weight
            signals = [replace(s, weight=round(s.weight * factor, 6)) if s.name.startswith("cta:") else s
                       for s in signals]
            tenure = f"{days:.0f} days" if days is not None else "an old account"
            signals.append(Signal("established_member", 0.0, f"{tenure}, {prior} messages: calls to action "
                                                             f"without a link count x{factor:g}"))
        return signals, False

    def _remember(self, hist: MemberHistory, msg: Message, content: Content, promotional: bool, edited: bool) -> None:
        if edited:
            if promotional:
                hist.mark_last_promotional()
            return
        hist.add_flag(promotional)
        if len(content.tokens) >= 3:
            hist.remember_text(msg.created_at, msg.channel_id, content.tokens)

    async def _foreign_invites(self, codes: tuple[str, ...], guild_id: int, config: SelfPromotionConfig,
                               ctx: PluginContext) -> list[str]:
        """Invite codes that lead to other servers (unknown ones count as foreign)."""
        allowed_codes = {c.lower() for c in config.invites.allowed_codes}
        allowed_guilds = {guild_id, *config.invites.allowed_guild_ids}
        resolver = ctx.services.get("invite_resolver")
        foreign = []
        for code in codes:
            if code.lower() in allowed_codes:
                continue
            if code in self._invites:
                target = self._invites[code]
            else:
                target = None
                if resolver is not None:
                    try:
                        target = await resolver(code)
                    except Exception as exc:  # the adapter's lookup failing must not stop moderation
                        ctx.log.warning("invite resolver failed for %s: %s", code, exc)
                        foreign.append(code)
                        continue
                    self._invites[code] = target
                    if len(self._invites) > _INVITE_CACHE:
                        self._invites.popitem(last=False)
            if target is None or target not in allowed_guilds:
                foreign.append(code)
        return foreign

    # -- enforcement --

    async def _enforce(self, msg: Message, config: SelfPromotionConfig, ctx: PluginContext,
                       signals: list[Signal], score: float, content: Content) -> list:
        at, guild, uid = msg.created_at, msg.guild_id, msg.author.id
        since = at - timedelta(days=config.ladder.strike_decay_days)
        observe = config.mode == "observe"
        if observe:
            if self.store is not None and await self.store.decision(guild, msg.message_id) is not None:
                return []  # already recorded (an edit of an observed message): no second alert
            strikes = await self.active_strikes(guild, uid, since) + 1
        else:
            if not await self.add_strike(guild, msg.message_id, uid, at):
                return []  # this message already struck (edit re-check or replayed event)
            strikes = await self.active_strikes(guild, uid, since)
        decision, actions = build_actions(config, msg, signals, score, strikes, observe=observe)
        if self.store is not None:
            case = actions[0]  # build_actions puts the case first; its signals are (name, rounded weight)
            await self.store.record_decision(
                guild, msg.message_id, uid, msg.channel_id, case.case_key, at, score, decision,
                case.signals, content.domains, content.phrases, replace=True)
        return actions

    async def add_strike(self, guild_id: int, message_id: int, user_id: int, at: datetime) -> bool:
        """Strike a member for a message, at most once per message."""
        if self.store is not None:
            return await self.store.add_strike(guild_id, message_id, user_id, at)
        strikes = self._strikes.setdefault((guild_id, user_id), {})
        if message_id in strikes:
            return False
        strikes[message_id] = at
        return True

    async def active_strikes(self, guild_id: int, user_id: int, since: datetime) -> int:
        """Active strikes newer than `since`."""
        if self.store is not None:
            return await self.store.active_strikes(guild_id, user_id, since)
        return sum(1 for when in self._strikes.get((guild_id, user_id), {}).values() if when > since)

    async def pardon(self, guild_id: int, message_id: int) -> bool:
        """Remove the strike of a message."""
        if self.store is not None:
            return await self.store.pardon(guild_id, message_id)
        return any(s.pop(message_id, None) is not None for (g, _), s in self._strikes.items() if g == guild_id)

    # -- moderator feedback --

    @hookimpl
    async def pitchfree_button(self, click: ButtonClick, config: Any, ctx: PluginContext) -> Response:
        """Not promotion / Confirm / Timeout 1h under an alert."""
        return await _feedback.handle(self, click, config or self._default, ctx)

    def remember_learned(self, guild_id: int, domains: frozenset[str], phrases: frozenset[str]) -> None:
        """Replace a community's learned allow list in memory."""
        self._learned[guild_id] = (domains, phrases)

    # -- reporting --

    @hookimpl
    async def pitchfree_report_figures(self, guild_id: int, start: datetime, end: datetime, ctx: PluginContext):
        """`incidents`, `deleted`, `timeouts`, `observed`, `reported`, `not_promotion`, `by_signal`."""
        if self.store is None:
            return None
        return await self.store.figures(guild_id, start, end)

    def report_allowed(self, guild_id: int, reporter: int, at: datetime, config: SelfPromotionConfig) -> bool:
        """Per-reporter rate limit for the context-menu report."""
        times = self._reports.setdefault((guild_id, reporter), deque(maxlen=50))
        window = timedelta(minutes=config.reports.window_minutes)
        while times and at - times[0] >= window:
            times.popleft()
        if len(times) >= config.reports.max_per_reporter:
            return False
        times.append(at)
        return True
