"""The plugin contract: every hook a pitchfree plugin may implement.

Built-in plugins use exactly these hooks, as a third-party plugin would. Implementations may
be plain functions or `async def` (except the declaration hooks, which are called once at
load time and must be plain). Hooks take any subset of the arguments below, by name.
`docs/hooks.md` documents each hook; a test fails when one is missing there.

Event hooks receive `config`: the plugin's config model instance resolved for the event's
guild, channel (and its parent and category), the member's roles and the member, with
overrides applied. They are only called for guilds where the plugin is enabled.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pydantic import BaseModel

    from bot.actions import Action
    from bot.commands import ButtonClick, CommandSpec, Response
    from bot.context import PluginContext
    from bot.events import (
        MemberJoined,
        MemberLeft,
        MessageCreated,
        MessageDeleted,
        MessageEdited,
        ReactionAdded,
        ReactionRemoved,
    )
    from bot.storage import Migration

PROJECT = "pitchfree"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class PitchfreeSpecs:
    """Hook specifications (the methods are never called; they document the contract)."""

    # -- declarations, called once when plugins load (plain functions only) --

    @hookspec
    def pitchfree_config_model(self) -> type[BaseModel] | None:
        """Return the pydantic model of this plugin's `plugins.<name>` config block."""

    @hookspec
    def pitchfree_migrations(self) -> list[Migration]:
        """Return this plugin's numbered SQL migrations."""

    @hookspec
    def pitchfree_commands(self) -> list[CommandSpec]:
        """Return the slash commands and context menus this plugin offers."""

    # -- lifecycle --

    @hookspec
    def pitchfree_startup(self, ctx: PluginContext) -> None:
        """Called once after storage is migrated and config loaded; keep `ctx` for later."""

    @hookspec
    def pitchfree_shutdown(self, ctx: PluginContext) -> None:
        """Called once on shutdown, before the batched writer is flushed and the DB closed."""

    @hookspec
    def pitchfree_config_reloaded(self, guild_id: int, ctx: PluginContext) -> None:
        """A community's config changed; drop anything cached from the old one."""

    # -- events: return actions (or None) --

    @hookspec
    def pitchfree_message(
        self, event: MessageCreated, config: Any, ctx: PluginContext
    ) -> Iterable[Action] | None:
        """A member posted a message."""

    @hookspec
    def pitchfree_message_edit(
        self, event: MessageEdited, config: Any, ctx: PluginContext
    ) -> Iterable[Action] | None:
        """A message was edited."""

    @hookspec
    def pitchfree_message_delete(
        self, event: MessageDeleted, config: Any, ctx: PluginContext
    ) -> Iterable[Action] | None:
        """A message was deleted."""

    @hookspec
    def pitchfree_reaction_add(
        self, event: ReactionAdded, config: Any, ctx: PluginContext
    ) -> Iterable[Action] | None:
        """A member added a reaction."""

    @hookspec
    def pitchfree_reaction_remove(
        self, event: ReactionRemoved, config: Any, ctx: PluginContext
    ) -> Iterable[Action] | None:
        """A member removed a reaction."""

    @hookspec
    def pitchfree_member_join(
        self, event: MemberJoined, config: Any, ctx: PluginContext
    ) -> Iterable[Action] | None:
        """A member joined the guild."""

    @hookspec
    def pitchfree_member_leave(
        self, event: MemberLeft, config: Any, ctx: PluginContext
    ) -> Iterable[Action] | None:
        """A member left the guild."""

    @hookspec
    def pitchfree_tick(
        self, guild_id: int, now: datetime, config: Any, ctx: PluginContext
    ) -> Iterable[Action] | None:
        """Periodic timer for a guild (live: every `tick_seconds`; replay: as time passes)."""

    @hookspec
    def pitchfree_button(
        self, click: ButtonClick, config: Any, ctx: PluginContext
    ) -> Response | None:
        """A moderator clicked a button under an alert this plugin raised."""

    # -- reporting --

    @hookspec
    def pitchfree_report_figures(
        self, guild_id: int, start: datetime, end: datetime, ctx: PluginContext
    ) -> dict[str, Any] | None:
        """Return figures this plugin contributes to engagement reports, keyed by name."""

