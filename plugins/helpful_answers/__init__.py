"""Helpful answers: notice thanks and explicit marks, keep a reputation ledger that resists gaming, reward helpers.

The per-message hook is synchronous and DB-free: it records the message in bounded memory and
runs the gratitude precheck; only when that fires does it return a coroutine that reads and
writes the ledger.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from datetime import datetime
from typing import Any

from bot.actions import Action, React
from bot.commands import ButtonClick, CommandSpec, Response
from bot.context import PluginContext
from bot.events import Message, MessageCreated, MessageDeleted, MessageEdited, ReactionAdded, ReactionRemoved
from bot.hookspecs import hookimpl
from bot.storage import Migration
from plugins.helpful_answers._attribution import Conversations
from plugins.helpful_answers._commands import command_specs
from plugins.helpful_answers._config import HelpfulAnswersConfig, RoleThreshold
from plugins.helpful_answers._credit import Creditor, audit, giver_from, reversal_actions
from plugins.helpful_answers._gratitude import MAX_CHARS as QUICK_CHARS
from plugins.helpful_answers._gratitude import (
    GratitudeDetector,
    GratitudeResult,
    detect_gratitude,
    get_detector,
)
from plugins.helpful_answers._ledger import MIGRATIONS, Ledger
from plugins.helpful_answers._rewards import PLUGIN, expire_roles, role_changes, weekly_actions, window_start

__all__ = [
    "GratitudeDetector",
    "GratitudeResult",
    "HelpfulAnswers",
    "HelpfulAnswersConfig",
    "RoleThreshold",
    "detect_gratitude",
]

_DEFAULT = HelpfulAnswersConfig()
# An untargeted thanks from someone who solved it alone credits nobody around them.
_SOLVED_ALONE = re.compile(r"(?<!\w)(?:myself|on my own|by myself)(?!\w)")
_CREDITED_LIMIT = 50_000  # message ids that earned credit, so deletes and edits skip the DB otherwise
_EXPIRY_EVERY_S = 3600.0


class HelpfulAnswers:
    """The plugin object registered with pluggy."""

    def __init__(self) -> None:
        self.ctx: PluginContext | None = None
        self.ledger: Ledger | None = None
        self.creditor: Creditor | None = None
        self.conversations: dict[int, Conversations] = {}
        # New messages wait here and are added to the conversation state in blocks (see `settle`).
        self._pending: list[tuple[Message, HelpfulAnswersConfig]] = []
        self.pending_limit = 256
        self.credited: dict[int, OrderedDict[int, None]] = {}
        self._detectors: dict[int, tuple[HelpfulAnswersConfig, GratitudeDetector]] = {}
        self._last_detector: tuple[HelpfulAnswersConfig | None, GratitudeDetector | None] = (None, None)
        self._last_expiry: dict[int, float] = {}

    # -- declarations and lifecycle --

    @hookimpl
    def pitchfree_config_model(self) -> type[HelpfulAnswersConfig]:
        """The `plugins.helpful_answers` block."""
        return HelpfulAnswersConfig

    @hookimpl
    def pitchfree_migrations(self) -> list[Migration]:
        """The ledger tables."""
        return MIGRATIONS

    @hookimpl
    def pitchfree_commands(self) -> list[CommandSpec]:
        """/rep, /rep give|take, /leaderboard, /solved and the "Mark as helpful" menu."""
        return command_specs(self)

    @hookimpl
    def pitchfree_startup(self, ctx: PluginContext) -> None:
        """Keep the context; the ledger needs storage."""
        self.ctx = ctx
        if ctx.db is not None:
            self.ledger = Ledger(ctx.db)
            self.creditor = Creditor(self.ledger)
        else:
            ctx.log.warning("helpful_answers runs without storage: credits are not recorded")

    @hookimpl
    def pitchfree_config_reloaded(self, guild_id: int) -> None:
        """Drop detectors compiled from an old config."""
        self._detectors.clear()
        self._last_detector = (None, None)
        self.settle()
        conv = self.conversations.get(guild_id)
        if conv is not None:
            conv.limit = self.config(guild_id).tracked_messages

    def config(self, guild_id: int | None) -> HelpfulAnswersConfig:
        """The guild-wide config (defaults when the community has no block)."""
        found = self.ctx.config(guild_id) if self.ctx is not None else None
        return found if isinstance(found, HelpfulAnswersConfig) else _DEFAULT

    def conversation(self, guild_id: int, config: HelpfulAnswersConfig) -> Conversations:
        """A community's in-memory conversation state, with every message seen so far."""
        self.settle()
        return self._conversation(guild_id, config)

    def _conversation(self, guild_id: int, config: HelpfulAnswersConfig) -> Conversations:
        conv = self.conversations.get(guild_id)
        if conv is None:
            conv = self.conversations[guild_id] = Conversations(config.tracked_messages)
        return conv

    def settle(self) -> None:
        """Add the waiting messages to the conversation state, in arrival order.

        Every message is remembered (who spoke where and when, replies, mentions) but nothing
        reads that state until someone says thanks, reacts, marks or deletes a message, so it is
        filled in blocks, which costs less per message than one at a time; all those readers
        settle first.
        """
        pending = self._pending
        if not pending:
            return
        self._pending = []
        conversations = self.conversations
        for message, config in pending:
            conv = conversations.get(message.guild_id) or self._conversation(message.guild_id, config)
            conv.observe(message)

    def detector(self, config: HelpfulAnswersConfig) -> GratitudeDetector:
        """The compiled detector for a config (cached per config object)."""
        last = self._last_detector
        if last[0] is config:  # one community's config, message after message
            return last[1]
        cached = self._detectors.get(id(config))
        if cached is None or cached[0] is not config:
            detector = get_detector(tuple(config.languages), tuple(config.extra_phrases), tuple(config.extra_guards))
            cached = self._detectors[id(config)] = (config, detector)
        self._last_detector = cached
        return cached[1]

    def remember_credit(self, guild_id: int, message_id: int | None) -> None:
        """Note that a message earned credit (its deletion must reverse it)."""
        if message_id is None:
            return
        seen = self.credited.get(guild_id)
        if seen is None:
            seen = self.credited[guild_id] = OrderedDict()
        seen[message_id] = None
        if len(seen) > _CREDITED_LIMIT:
            seen.popitem(last=False)

    # -- messages --

    @hookimpl
    def pitchfree_message(self, event: MessageCreated, config: HelpfulAnswersConfig | None,
                          ctx: PluginContext | None = None) -> Any:
        """Hot path: remember the message; only a gratitude cue leads to (async) crediting.

        `ctx` has a default, so the core does not pass it (the plugin keeps its own from start-up).
        """
        message = event.message
        config = config or _DEFAULT
        pending = self._pending
        pending.append((message, config))
        if len(pending) >= self.pending_limit:
            self.settle()
        content = message.content
        if message.author.is_bot or not content or self.creditor is None:
            return None
        last = self._last_detector  # `self.detector(config)`, without the call for the usual hit
        detector = last[1] if last[0] is config else self.detector(config)
        # `detector.quick`: its cheap first half inlined, since this runs for every message
        lowered = content[:QUICK_CHARS].lower()
        if next(detector.stem_matches(lowered), None) is None or not detector.stem_found(lowered):
            return None
        result = detector.classify(content)
        if not result.is_gratitude or result.category not in config.credit_categories:
            return None
        return self._on_gratitude(message, config, self.conversation(message.guild_id, config))

    async def _on_gratitude(self, message: Message, config: HelpfulAnswersConfig,
                            conv: Conversations) -> list[Action]:
        author = message.author.id
        targets = [m for m in dict.fromkeys((*message.mention_ids, message.reply_to_author_id))
                   if m is not None and m != author]  # replying to one's own question is untargeted
        if targets:
            # Thanking a bot earns nobody credit, and never falls back to the context.
            receivers = [t for t in targets if not conv.is_bot(t)]
            if len(receivers) > 1:
                # "thanks @A! @mod you can close this": of several, those who spoke here lately
                # helped; the others are addressed for something else (unless none spoke here)
                # (the author replied to is always among them, however old their answer)
                spoke = conv.speakers(message.channel_id, message.created_at, config.answer_window_minutes * 60)
                spoke.add(message.reply_to_author_id)
                receivers = [t for t in receivers if t in spoke] or receivers
            receivers = receivers[: config.max_receivers]
        elif _SOLVED_ALONE.search(message.content.lower()):
            return []  # "nvm, figured it out myself. thanks anyway": nobody here helped
        else:
            receivers = conv.helpers_for(author, message.channel_id, message.created_at,
                                         config.answer_window_minutes * 60, config.max_receivers,
                                         before_message=message.message_id)
        if not receivers:
            return []
        giver = giver_from(conv, author, is_bot=message.author.is_bot,
                           joined_ts=message.author.joined_at.timestamp() if message.author.joined_at else None)
        outcome = await self.creditor.credit(
            message.guild_id, config, conv, giver, receivers, message_id=message.message_id,
            channel_id=message.channel_id, kind="thanks", points=config.points_thanks, at=message.created_at)
        if outcome.credited or outcome.held:
            self.remember_credit(message.guild_id, message.message_id)
        if outcome.credited and config.acknowledge_emoji:
            outcome.actions.append(React(plugin=PLUGIN, guild_id=message.guild_id, channel_id=message.channel_id,
                                         message_id=message.message_id, emoji=config.acknowledge_emoji,
                                         reason="thanks credited"))
        return outcome.actions

    @hookimpl
    def pitchfree_message_edit(self, event: MessageEdited, config: HelpfulAnswersConfig | None) -> Any:
        """A credited thanks edited into something that is no longer thanks loses its credit."""
        message = event.after
        if message.message_id not in self.credited.get(message.guild_id, ()) or self.ledger is None:
            return None
        config = config or _DEFAULT
        result = self.detector(config).detect(message.content)
        if result.is_gratitude and result.category in config.credit_categories:
            return None
        return self._reverse(message.guild_id, message.message_id, event.at, config, kind="thanks")

    @hookimpl
    def pitchfree_message_delete(self, event: MessageDeleted, config: HelpfulAnswersConfig | None) -> Any:
        """Deleting a thanks, or an answer credited by a reaction, mark or solution, reverses its credit."""
        self.settle()
        conv = self.conversations.get(event.guild_id)
        known = conv is not None and event.message_id in conv.messages
        if conv is not None:
            conv.forget(event.message_id)
        if self.ledger is None:
            return None
        if known and event.message_id not in self.credited.get(event.guild_id, ()):
            return None  # seen since start-up and never credited: nothing to reverse
        return self._reverse(event.guild_id, event.message_id, event.at, config or _DEFAULT)

    async def _reverse(self, guild_id: int, message_id: int, at: datetime, config: HelpfulAnswersConfig, *,
                       giver_id: int | None = None, kind: str | None = None) -> list[Action]:
        rows = await self.ledger.reverse(guild_id, message_id, at, giver_id=giver_id, kind=kind)
        return await reversal_actions(self.ledger, guild_id, config, rows, at)

    # -- reactions --

    @hookimpl
    def pitchfree_reaction_add(self, event: ReactionAdded, config: HelpfulAnswersConfig | None) -> Any:
        """The asker's mark reaction on an answer credits the answer's author."""
        config = config or _DEFAULT
        if event.emoji != config.mark_emoji or event.user_is_bot or self.creditor is None:
            return None
        self.settle()
        conv = self.conversations.get(event.guild_id)
        seen = conv.messages.get(event.message_id) if conv is not None else None
        if seen is None or not conv.answered(event.user_id, seen, config.answer_window_minutes * 60):
            return None  # we cannot tell that this member asked what the message answers
        return self._on_mark_reaction(event, config, conv, seen[2])  # the answer's author

    async def _on_mark_reaction(self, event: ReactionAdded, config: HelpfulAnswersConfig, conv: Conversations,
                                receiver: int) -> list[Action]:
        outcome = await self.creditor.credit(
            event.guild_id, config, conv, giver_from(conv, event.user_id), [receiver], message_id=event.message_id,
            channel_id=event.channel_id, kind="reaction", points=config.points_reaction, at=event.at)
        if outcome.credited or outcome.held:
            self.remember_credit(event.guild_id, event.message_id)
        return outcome.actions

    @hookimpl
    def pitchfree_reaction_remove(self, event: ReactionRemoved, config: HelpfulAnswersConfig | None) -> Any:
        """Removing the mark reaction reverses its credit."""
        config = config or _DEFAULT
        if event.emoji != config.mark_emoji or self.ledger is None:
            return None
        return self._reverse(event.guild_id, event.message_id, event.at, config, giver_id=event.user_id,
                             kind="reaction")

    # -- moderator buttons, timers, reports --

    @hookimpl
    async def pitchfree_button(self, click: ButtonClick, config: HelpfulAnswersConfig | None) -> Response | None:
        """Moderators decide on a flagged group: count its held credits or keep them held."""
        if self.ledger is None:
            return Response("The ledger is not available.")
        config = config or _DEFAULT
        if click.action == "discard":
            return Response("Their credits stay held and do not count.")
        if click.action != "allow":
            return None
        await self.ledger.set_state(click.guild_id, f"allowed:{click.case_key}", "1")
        rows = await self.ledger.release_flagged(click.guild_id, click.case_key)
        actions: list[Action] = []
        gained: dict[int, int] = {}
        ws = window_start(config, click.at)
        for row in rows:
            actions.append(audit(click.guild_id, row.giver_id, row.receiver_id, row.message_id, row.kind, row.points))
            if ws is None or row.ts > ws:
                gained[row.receiver_id] = gained.get(row.receiver_id, 0) + row.points
        for receiver, points in gained.items():
            after = await self.ledger.points(click.guild_id, receiver, ws)
            actions.extend(role_changes(config, click.guild_id, receiver, after - points, after))
        return Response(f"Counted {len(rows)} held credit(s); this group is no longer flagged in this window.",
                        actions=tuple(actions))

    @hookimpl
    async def pitchfree_tick(self, guild_id: int, now: datetime, config: HelpfulAnswersConfig | None) -> list[Action]:
        """Remove roles whose points left the rolling window; post the weekly helpers message."""
        if self.ledger is None:
            return []
        config = config or _DEFAULT
        actions: list[Action] = []
        last = self._last_expiry.get(guild_id)
        if config.rolling_window_days and config.role_thresholds and (
                last is None or now.timestamp() - last >= _EXPIRY_EVERY_S):
            self._last_expiry[guild_id] = now.timestamp()
            actions += await expire_roles(self.ledger, config, guild_id, now, last)
        if config.weekly_post_channel is not None and self.ctx is not None:
            actions += await weekly_actions(self.ledger, config, guild_id, now, self.ctx.core(guild_id).tz)
        return actions

    @hookimpl
    async def pitchfree_report_figures(self, guild_id: int, start: datetime, end: datetime) -> dict[str, Any] | None:
        """`top_helpers` ([{user_id, points}]) and `credits` (count) for the period."""
        if self.ledger is None:
            return None
        top = await self.ledger.top(guild_id, start.timestamp(), end.timestamp(), 10)
        return {
            "top_helpers": [{"user_id": user_id, "points": points} for user_id, points in top],
            "credits": await self.ledger.count_period(guild_id, start.timestamp(), end.timestamp()),
        }
