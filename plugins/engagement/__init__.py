"""Engagement log, community health reports and the "don't ignore them" monitor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.actions import Action
from bot.commands import CommandSpec
from bot.context import PluginContext
from bot.events import (
    MemberJoined,
    MemberLeft,
    Message,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    ReactionAdded,
    ReactionRemoved,
)
from bot.hookspecs import hookimpl
from bot.storage import Migration
from plugins.engagement import _log as L
from plugins.engagement._commands import command_specs
from plugins.engagement._config import EngagementConfig
from plugins.engagement._digest import weekly_digest
from plugins.engagement._metrics import Period, compute, key_figures, period_ending
from plugins.engagement._nudge import OpenQuestion, OpenQuestions, audience, due_nudges, nudges_wait_for
from plugins.engagement._rollup import final_day, forget, local_day, prune, rollup
from plugins.engagement._settle import Settings, answered, log_block, track_block, track_edit

__all__ = ["Engagement", "EngagementConfig"]

_DEFAULT = EngagementConfig()
_MAX_BOTS = 10_000
_DAYS_PER_TICK = 31


class Engagement:
    """Logs message metadata, keeps daily rollups, reports figures and nudges helpers."""

    def __init__(self) -> None:
        self.ctx: PluginContext | None = None
        self.log: L.LogBuffer | None = None
        self.questions: dict[int, OpenQuestions] = {}
        # New messages wait here and are logged and tracked in order, in blocks (see `settle`).
        self._pending: list[tuple[Message, EngagementConfig]] = []
        self.pending_limit = 256
        self._expiry_waits: dict[int, float] = {}  # guild -> timer time whose expiry waits for `settle`
        self._settings_cache: dict[int, tuple[EngagementConfig, Settings]] = {}
        self._last_maintenance: dict[int, float] = {}
        # per guild: (newest final day, raw and question retention days) of the last rollup and prune
        self._rolled: dict[int, tuple[int, int, int]] = {}
        self._content_checked: set[int] = set()
        self.digest_week: dict[int, str] = {}
        self.figures_cache: dict[tuple[int, float, float], dict] = {}
        self.bots: set[int] = set()  # bot authors seen: an asker's ✅ on their message answers nothing

    # -- declarations --

    @hookimpl
    def pitchfree_config_model(self) -> type[EngagementConfig]:
        """The `plugins.engagement` block."""
        return EngagementConfig

    @hookimpl
    def pitchfree_migrations(self) -> list[Migration]:
        """Tables for the log, questions and rollups."""
        return L.MIGRATIONS

    @hookimpl
    def pitchfree_commands(self) -> list[CommandSpec]:
        """/engagement, /unanswered, /pitchfree forget and /privacy forget-me."""
        return command_specs(self)

    # -- lifecycle --

    @hookimpl
    async def pitchfree_startup(self, ctx: PluginContext) -> None:
        """Reload open questions so a restart does not lose them."""
        self.attach(ctx)
        if ctx.db is None:
            return
        newest = await ctx.db.fetchval("SELECT MAX(asked_at) FROM eng_questions")
        if newest is None:
            return
        rows = await ctx.db.fetchall(
            "SELECT guild_id, message_id, channel_id, root_channel_id, author_id, asked_at, nudge_due, "
            "own_thread, nudged_at FROM eng_questions WHERE answered_at IS NULL AND deleted = 0 "
            "AND asked_at >= ? ORDER BY asked_at", (newest - 720 * 3600,))
        for gid, mid, cid, root, author, asked, due, own, nudged in rows:
            limit = (ctx.config(gid) or _DEFAULT).max_open_questions
            q = OpenQuestion(mid, cid, root, author, asked, due, bool(own), nudged is not None)
            oq = self.questions.get(gid)
            if oq is None:
                oq = self.questions[gid] = self._new_questions(gid)
            oq.add(q, limit)

    def attach(self, ctx: PluginContext) -> None:
        """Keep the context and set up the row buffer (when there is storage)."""
        self.ctx = ctx
        self.log = L.LogBuffer(ctx.writer) if ctx.writer is not None else None
        if self.log is not None:
            ctx.writer.add_source(self.push)  # buffered rows share the writer's loss window

    def push(self) -> None:
        """Settle waiting messages and hand every buffered row to the batched writer."""
        self.settle()
        if self.log is not None:
            self.log.push()

    @hookimpl
    def pitchfree_shutdown(self, ctx: PluginContext) -> None:
        """Hand buffered rows to the writer before it is flushed for the last time."""
        self.push()

    @hookimpl
    def pitchfree_config_reloaded(self, guild_id: int, ctx: PluginContext) -> None:
        """Drop settings (and question detectors) built from the old config."""
        self._settings_cache.clear()

    # -- logging (hot path: synchronous, no awaits, writes go through the batched writer) --

    def _settings(self, config: EngagementConfig) -> Settings:
        cached = self._settings_cache.get(id(config))
        if cached is None or cached[0] is not config:
            cached = self._settings_cache[id(config)] = (config, Settings(config))
        return cached[1]

    @hookimpl
    def pitchfree_message(self, event: MessageCreated, config: EngagementConfig | None) -> None:
        """Queue a message: it is logged and tracked with the next block (see `settle`)."""
        m = event.message
        if m.author.is_bot:
            if len(self.bots) >= _MAX_BOTS:
                self.bots.clear()
            self.bots.add(m.author.id)
            return
        pending = self._pending
        pending.append((m, config or _DEFAULT))
        if len(pending) >= self.pending_limit:
            self.settle()

    def settle(self) -> None:
        """Log and track every waiting message, in arrival order.

        Messages are handled in blocks rather than one by one as they arrive: the per-message
        hook only queues, and the work then runs back to back over a block in two passes, the
        log (`_log_block`: one metadata row per message) and the "don't ignore them" bookkeeping
        (`_track_block`: answers and new open questions). Nothing depends on a message being
        settled sooner: everything that reads the log or the open questions (ticks, commands,
        reports, other events, the writer's flush) settles first, and the hook returns no actions.
        """
        pending = self._pending
        if not pending:
            return
        self._pending = []
        self._track_block(self._log_block(pending))
        if self._expiry_waits:
            self._expire_waiting()
        log = self.log
        if log is not None and len(log.messages) >= log.limit:
            log.push()

    def _log_block(self, block: list[tuple[Message, EngagementConfig]]) -> list[tuple]:
        """Pass 1, the log (see `_settle.log_block`)."""
        return log_block(block, self.log, self._settings, self.questions)

    def _track_block(self, facts: list[tuple]) -> None:
        """Pass 2, answers and open questions (see `_settle.track_block`)."""
        track_block(facts, self.log, self.questions, self.bots, self._new_questions)

    def _new_questions(self, guild_id: int) -> OpenQuestions:
        config = (self.ctx.config(guild_id) if self.ctx is not None else None) or _DEFAULT
        return OpenQuestions(config.open_question_max_age_hours * 3600)

    def _expire_waiting(self) -> None:
        """The timer's expiry of old questions, for rounds that left the waiting messages for later."""
        for guild_id, now_ts in self._expiry_waits.items():
            oq = self.questions.get(guild_id)
            if oq is not None:
                oq.expire(now_ts - oq.max_age_s)
        self._expiry_waits.clear()

    @hookimpl
    def pitchfree_message_edit(self, event: MessageEdited, config: EngagementConfig | None, ctx: PluginContext) -> None:
        """Log an edit (and the new text when content is kept); an edit can make a message a question."""
        self.settle()
        m = event.after
        config = config or _DEFAULT
        if m.author.is_bot or not config.log_messages:
            return
        if event.before is not None:
            track_edit(event, self._settings(config), ctx.core(m.guild_id).tz, self.questions, self._new_questions,
                       self.log)
        log = self.log
        if log is None:
            return
        if config.keep_content:
            log.add(L.MARK_EDITED_CONTENT, (m.content[: config.content_max_chars], m.guild_id, m.message_id))
        else:
            log.add(L.MARK_EDITED, (m.guild_id, m.message_id))
        log.add(L.INSERT_EVENT, (m.guild_id, "edit", event.at.timestamp(), m.author.id, m.channel_id,
                                        m.message_id, None, None))

    @hookimpl
    def pitchfree_message_delete(self, event: MessageDeleted, ctx: PluginContext) -> None:
        """Log a delete; a deleted question is no longer open."""
        self.settle()
        oq = self.questions.get(event.guild_id)
        if oq is not None:
            oq.remove(event.message_id)
        log = self.log
        if log is None:
            return
        log.add(L.MARK_DELETED, (event.guild_id, event.message_id))
        log.add(L.MARK_QUESTION_DELETED, (event.guild_id, event.message_id))
        log.add(L.INSERT_EVENT, (event.guild_id, "delete", event.at.timestamp(), event.author_id,
                                        event.channel_id, event.message_id, None, None))

    @hookimpl
    def pitchfree_reaction_add(self, event: ReactionAdded, config: EngagementConfig | None, ctx: PluginContext) -> None:
        """Log a reaction (not from bots); the asker's ✅ on someone's message answers their questions there."""
        self.settle()
        if event.user_is_bot:
            return
        if self.log is not None:
            self.log.add(L.INSERT_EVENT, (event.guild_id, "reaction", event.at.timestamp(), event.user_id,
                                            event.channel_id, event.message_id, event.message_author_id, event.emoji))
        oq = self.questions.get(event.guild_id)
        helper = event.message_author_id
        if oq is not None and event.user_id in oq.by_asker and helper is not None and helper != event.user_id \
                and helper not in self.bots and event.emoji in (config or _DEFAULT).answer_reactions:
            answered(oq, oq.acknowledged(event.user_id, event.channel_id, event.message_id), helper,
                     event.at.timestamp(), event.guild_id, self.log)

    @hookimpl
    def pitchfree_reaction_remove(self, event: ReactionRemoved, ctx: PluginContext) -> None:
        """Log a removed reaction."""
        self.settle()
        if self.log is not None:
            self.log.add(L.INSERT_EVENT, (event.guild_id, "unreaction", event.at.timestamp(), event.user_id,
                                            event.channel_id, event.message_id, event.message_author_id, event.emoji))

    @hookimpl
    def pitchfree_member_join(self, event: MemberJoined, ctx: PluginContext) -> None:
        """Log a join (bots excluded); the join day is in the community's timezone."""
        self.settle()
        if self.log is None or event.member.is_bot:
            return
        ts = event.at.timestamp()
        day = local_day(ts, ctx.core(event.guild_id).tz)
        self.log.add(L.INSERT_JOIN, (event.guild_id, event.member.id, ts, day))
        self.log.add(L.INSERT_EVENT, (event.guild_id, "join", ts, event.member.id, None, None, None, None))

    @hookimpl
    def pitchfree_member_leave(self, event: MemberLeft, ctx: PluginContext) -> None:
        """Log a leave."""
        self.settle()
        if self.log is None:
            return
        ts = event.at.timestamp()
        self.log.add(L.MARK_LEFT, (ts, event.guild_id, event.user_id))
        self.log.add(L.INSERT_EVENT, (event.guild_id, "leave", ts, event.user_id, None, None, None, None))

    # -- timer: nudges, rollups and pruning, weekly digest --

    @hookimpl
    async def pitchfree_tick(self, guild_id: int, now: datetime, config: EngagementConfig | None,
                             ctx: PluginContext) -> list[Action]:
        """Nudge helpers about overdue questions; roll up and prune at most every maintenance interval.

        Waiting messages are settled first only when they could change the nudges; otherwise they
        stay for a bigger block (see `nudges_wait_for`), and this round's expiry of old questions
        waits for them.
        """
        config = config or _DEFAULT
        tz = ctx.core(guild_id).tz
        now_ts = now.timestamp()
        if self._pending and nudges_wait_for(self._pending, self.questions.get(guild_id), guild_id, now, config, tz,
                                             self._settings):
            self.settle()
        actions: list[Action] = []
        oq = self.questions.get(guild_id)
        if oq is not None:
            oq.max_age_s = config.open_question_max_age_hours * 3600
            if self._pending:
                self._expiry_waits[guild_id] = now_ts
            else:
                oq.expire(now_ts - oq.max_age_s)
            visible_to = ctx.services.get("channel_visible_to")  # the Discord adapter's (not in replays)
            visible = audience(visible_to, guild_id, config.helper_role) if visible_to is not None else None
            actions, nudged = due_nudges(oq, guild_id, now, config, tz, visible)
            if self.log is not None:
                for qid in nudged:
                    self.log.add(L.NUDGED_QUESTION, (now_ts, guild_id, qid))
        if self.log is not None:
            self.log.push()
        if ctx.db is None:
            return actions
        last = self._last_maintenance.get(guild_id)
        if last is None or not 0 <= now_ts - last < config.maintenance_interval_minutes * 60:
            try:
                # Only days that became final are rolled up (reports roll up the rest themselves),
                # and raw rows and questions are pruned in whole days: most rounds have nothing to
                # do. Kept message content is pruned every round (its retention is to the minute).
                newest = (final_day(now_ts, config.conversation_window_minutes * 60, tz),
                          local_day(now_ts - config.raw_retention_days * 86400, tz),
                          local_day(now_ts - config.question_retention_days * 86400, tz))
                if (self._rolled.get(guild_id) == newest and guild_id in self._content_checked
                        and not config.keep_content):
                    self._last_maintenance[guild_id] = now_ts
                # a bounded chunk per tick: a long backlog is caught up over several ticks
                elif await self.refresh(guild_id, now_ts, config, max_days=_DAYS_PER_TICK, final_only=True):
                    self._last_maintenance[guild_id] = now_ts
                    clear = guild_id not in self._content_checked and not config.keep_content
                    await prune(ctx.db, guild_id, tz, now_ts, config, clear)
                    self._content_checked.add(guild_id)
                    self._rolled[guild_id] = newest
            except Exception as exc:
                ctx.log.error("engagement maintenance failed for guild %s: %s", guild_id, exc)
        if config.digest_channel is not None:
            actions.extend(await weekly_digest(self, guild_id, now, config, ctx))
        return actions

    async def refresh(self, guild_id: int, now_ts: float, config: EngagementConfig | None = None,
                      max_days: int | None = None, *, final_only: bool = False) -> bool:
        """Write pending rows and bring the daily rollups up to date (False: more days remain).

        `final_only`: stop at the newest day that is final (the timer's rounds; a report also
        rolls up the days still open).
        """
        ctx = self.ctx
        config = config or ctx.config(guild_id) or _DEFAULT
        self.push()
        if self.log is not None:
            await ctx.writer.flush()
        return await rollup(ctx.db, guild_id, ctx.core(guild_id).tz, now_ts,
                            config.conversation_window_minutes * 60, max_days, final_only=final_only)

    async def report(self, guild_id: int, now: datetime, days: int, config: EngagementConfig) -> dict[str, Any]:
        """The full report (with other plugins' figures) for `days` days ending `now`."""
        from plugins.engagement._metrics import full_report

        ctx = self.ctx
        tz = ctx.core(guild_id).tz
        await self.refresh(guild_id, now.timestamp(), config)
        period = period_ending(now, days, tz)
        report = await full_report(ctx.db, guild_id, tz, period, config.open_question_max_age_hours * 3600)
        report["plugins"] = {}
        if ctx.collect_figures is not None:
            start = datetime.fromtimestamp(period.start_ts, now.tzinfo)
            end = datetime.fromtimestamp(period.end_ts, now.tzinfo)
            self.figures_cache[(guild_id, start.timestamp(), end.timestamp())] = key_figures(report)
            try:
                collected = await ctx.collect_figures(guild_id, start, end)
            finally:
                self.figures_cache.clear()
            report["plugins"] = {k: v for k, v in collected.items() if k != ctx.name and isinstance(v, dict)}
        return report

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        """Delete everything logged about a member (rows and open questions)."""
        self.push()
        oq = self.questions.get(guild_id)
        if oq is not None:
            oq.forget_member(user_id)
        if self.log is not None:
            await self.ctx.writer.flush()
        return await forget(self.ctx.db, guild_id, user_id) if self.ctx.db is not None else 0

    # -- reporting --

    @hookimpl
    async def pitchfree_report_figures(self, guild_id: int, start: datetime, end: datetime,
                                       ctx: PluginContext) -> dict[str, Any] | None:
        """Headline engagement figures for another plugin's or the core's report."""
        cached = self.figures_cache.get((guild_id, start.timestamp(), end.timestamp()))
        if cached is not None:
            return cached
        if ctx.db is None:
            return None
        tz = ctx.core(guild_id).tz
        await self.refresh(guild_id, end.timestamp())
        period = Period(local_day(start.timestamp(), tz), local_day(end.timestamp() - 1e-3, tz),
                        start.timestamp(), end.timestamp())
        return key_figures(await compute(ctx.db, guild_id, tz, period, with_daily=False))
