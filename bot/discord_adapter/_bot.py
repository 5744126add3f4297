"""The discord.py client: minimal intents, gateway events -> engine, commands, buttons, timers."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.discord_adapter import _convert as conv
from bot.discord_adapter._commands import install, on_tree_error
from bot.discord_adapter._invites import InviteResolver
from bot.discord_adapter._views import AlertButton

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger("pitchfree.discord")
_DEFAULT_TYPE = discord.MessageType.default
_REPLY_TYPE = discord.MessageType.reply  # the other usual type: neither is a system message


def intents() -> discord.Intents:
    """Only what the plugins need: guilds, members, guild messages, message content, reactions."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.members = True
    wanted.guild_messages = True
    wanted.message_content = True
    wanted.guild_reactions = True
    return wanted


class PitchfreeBot(commands.Bot):
    """Feeds gateway events to the engine; `shutdown()` stops taking events and stops the engine."""

    def __init__(self, engine: Engine, *, sync_global: bool = False, tick_seconds: float = 30.0,
                 reidentify_delay: float = 5.0, **client_options) -> None:
        options = {"chunk_guilds_at_startup": False, "max_messages": 5000,
                   "allowed_mentions": discord.AllowedMentions.none(), **client_options}
        super().__init__(command_prefix=commands.when_mentioned, intents=intents(), help_command=None, **options)
        self.engine = engine
        self.sync_global = sync_global
        self.tick_seconds = tick_seconds
        self.reidentify_delay = reidentify_delay
        self.accepting = True
        self.synced = asyncio.Event()
        self.skipped_commands: list[str] = []
        self._inflight = 0
        self._drained: asyncio.Event | None = None  # created by shutdown() while events are in flight
        self._tick_task: asyncio.Task | None = None
        self._stopped = False
        self._synced_guilds: set[int] = set()
        engine.reload_listeners.append(self._sync_new_guilds)
        engine.services["invite_resolver"] = InviteResolver(self)
        engine.services["guild_ids"] = lambda: {g.id for g in self.guilds}
        engine.services["channel_visible_to"] = self._visible_to

    async def setup_hook(self) -> None:
        """Register commands and persistent buttons, sync commands, start the timer."""
        self.tree.on_error = on_tree_error
        self.skipped_commands = install(self.tree, self.engine)
        self.add_dynamic_items(AlertButton)
        await self.sync_commands()
        self._tick_task = asyncio.create_task(self._tick_loop(), name="pitchfree-tick")

    async def sync_commands(self) -> None:
        """Sync to each configured guild (immediate) or globally (can take up to an hour to show)."""
        try:
            if self.sync_global:
                synced = await self.tree.sync()
                log.info("synced %d global commands", len(synced))
            for guild_id in ([] if self.sync_global else self.engine.config.guild_ids()):
                await self._sync_guild(guild_id)
        except discord.HTTPException as exc:
            log.error("command sync failed: %s %s", exc.status, exc.text)
        finally:
            self.synced.set()

    async def _sync_guild(self, guild_id: int) -> None:
        guild = discord.Object(guild_id)
        self.tree.copy_global_to(guild=guild)
        try:
            synced = await self.tree.sync(guild=guild)
            self._synced_guilds.add(guild_id)
            log.info("synced %d commands to guild %s", len(synced), guild_id)
        except discord.HTTPException as exc:
            log.error("command sync failed for guild %s: %s %s (is the bot in that server, "
                      "invited with the applications.commands scope?)", guild_id, exc.status, exc.text)

    async def _sync_new_guilds(self, report) -> None:
        """After a config reload: sync commands to communities whose file is new (or failed before)."""
        if self.sync_global or not self.is_ready():
            return
        for guild_id in self.engine.config.guild_ids():
            if guild_id not in self._synced_guilds:
                await self._sync_guild(guild_id)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Wait before re-identifying after an invalid session (Discord rate-limits IDENTIFY)."""
        if not initial:
            await asyncio.sleep(self.reidentify_delay)

    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            if not self.accepting:
                return
            try:
                await self.engine.tick()
            except Exception:
                log.exception("tick failed")

    # -- feeding the engine --

    async def feed(self, event) -> None:
        """Dispatch one neutral event, tracking in-flight work for a clean shutdown."""
        pending = self._submit(event)
        if pending is not None:
            await self._in_flight(event, pending)

    def _submit(self, event):
        """Hand an event to the engine: None when it is settled already (no coroutine, nothing in
        flight: the usual message), else the engine's work left to await (see `_in_flight`)."""
        if event is None or not self.accepting:
            return None
        try:
            return self.engine.handle(event)  # `dispatch`, without a coroutine for the usual event
        except Exception:
            self._log_failure(event)
            return None

    async def _in_flight(self, event, pending) -> None:
        """Await the rest of an event's work, counted as in flight until it ends (see `shutdown`)."""
        self._inflight += 1
        try:
            await pending
        except Exception:
            self._log_failure(event)
        finally:
            self._inflight -= 1
            if self._inflight == 0 and self._drained is not None:
                self._drained.set()

    @staticmethod
    def _log_failure(event) -> None:
        log.exception("dispatch failed for %s in guild %s", getattr(event, "event_id", "?"),
                      getattr(event, "guild_id", "?"))

    def _visible_to(self, guild_id: int, channel_id: int, role_id: int | None) -> bool | None:
        """Whether a role (@everyone when None) may view a cached channel or thread; None when unknown.

        Only the members of a private thread can see it, so no role can.
        """
        guild = self.get_guild(guild_id)
        if guild is None:
            return None
        role = guild.get_role(role_id) if role_id is not None else guild.default_role
        channel = guild.get_channel_or_thread(channel_id)
        if role is None or channel is None:
            return None
        if isinstance(channel, discord.Thread):
            if channel.is_private():
                return False
            channel = channel.parent
            if channel is None:
                return None
        return channel.permissions_for(role).view_channel

    def _cached_message(self, message_id: int) -> discord.Message | None:
        return self._connection._get_message(message_id)

    def _author_of(self, message_id: int) -> int | None:
        msg = self._cached_message(message_id)
        return msg.author.id if msg is not None else None

    async def on_message(self, message: discord.Message) -> None:
        kind = message.type
        if kind is not _DEFAULT_TYPE and kind is not _REPLY_TYPE and message.is_system():
            return  # "X joined"/"pinned a message" notices (ordinary messages and replies skip the call)
        event = conv.created(message, self._cached_message)
        if event is None or not self.accepting:
            return
        user = self._connection.user
        if user is not None and event.message.author.id == user.id:
            return  # our own messages (the converted author's id: no property call)
        # `feed` without its coroutine, and `_submit` inlined, for the usual message: this runs
        # for every message, and most are settled at once (nothing in flight)
        try:
            pending = self.engine.handle(event)
        except Exception:
            self._log_failure(event)
            return
        if pending is not None:
            await self._in_flight(event, pending)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if self.user is not None and payload.message.author.id == self.user.id:
            return
        await self.feed(conv.edited(payload, self._cached_message))

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self.feed(conv.deleted(payload))

    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        for event in conv.bulk_deleted(payload):
            await self.feed(event)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if self.user is not None and payload.user_id == self.user.id:
            return
        await self.feed(conv.reaction(payload, self._author_of))

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self.feed(conv.reaction(payload, self._author_of))

    async def on_member_join(self, member: discord.Member) -> None:
        await self.feed(conv.joined(member))

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        await self.feed(conv.left(payload))

    async def on_ready(self) -> None:
        log.info("connected as %s (%s) to %d guild(s)", self.user, self.user.id if self.user else "?",
                 len(self.guilds))

    async def on_resumed(self) -> None:
        log.info("gateway session resumed")

    # -- shutdown --

    async def shutdown(self, drain_timeout: float = 10.0) -> None:
        """Stop taking events, let in-flight ones finish, disconnect, then stop the engine (once)."""
        if self._stopped:
            return
        self._stopped = True
        self.accepting = False
        if self._tick_task is not None:
            self._tick_task.cancel()
        if self._inflight:
            self._drained = asyncio.Event()
        try:
            if self._drained is not None:
                await asyncio.wait_for(self._drained.wait(), drain_timeout)
        except TimeoutError:
            log.warning("shutdown: %d event(s) still in flight after %.0fs", self._inflight, drain_timeout)
        if not self.is_closed():
            await self.close()
        await self.engine.stop()
