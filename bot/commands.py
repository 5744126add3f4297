"""Platform-neutral slash commands, context menus and alert-button clicks.

Plugins declare `CommandSpec`s through the `pitchfree_commands` hook; the Discord adapter turns
them into application commands, and the engine runs them after checking the invoker against
the community's configured moderator/admin roles (the server side of the permission model).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.actions import Action
from bot.events import Member


class Permission(StrEnum):
    """Who may run a command."""

    EVERYONE = "everyone"
    MODERATOR = "moderator"
    ADMIN = "admin"


class CommandKind(StrEnum):
    """How the command appears in Discord."""

    SLASH = "slash"
    MESSAGE_MENU = "message"  # right-click a message > Apps
    USER_MENU = "user"  # right-click a member > Apps


@dataclass(frozen=True, slots=True)
class CommandOption:
    """One option of a slash command. `type` is str, int, float, bool, member or channel."""

    name: str
    description: str
    type: str = "str"
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Invocation:
    """A member ran a command. `options` holds the parsed option values by name.

    `is_guild_admin` is Discord's own (server-computed) Administrator permission bit for the
    invoker; `target_message_*` / `target_user_id` are set for context-menu commands.
    `can_view(channel_id)`: whether the invoker can see a channel or thread (None when unknown);
    the adapter fills it, and it is None where there is no Discord (replay, tests).
    """

    guild_id: int | None
    channel_id: int
    user: Member
    at: datetime
    options: dict[str, Any] = field(default_factory=dict)
    is_guild_admin: bool = False
    target_message_id: int | None = None
    target_message_author_id: int | None = None
    target_message_content: str | None = None
    target_user_id: int | None = None
    can_view: Callable[[int], bool | None] | None = None


@dataclass(frozen=True, slots=True)
class Response:
    """What the invoker sees. Moderator commands reply ephemerally by default.

    `file_name`/`file_bytes` attach one file (e.g. a PNG chart); `actions` are executed too.
    """

    text: str
    ephemeral: bool = True
    title: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    file_name: str | None = None
    file_bytes: bytes | None = None
    actions: tuple[Action, ...] = ()


Handler = Callable[[Invocation], "Response | Awaitable[Response]"]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A command a plugin offers. `name` may have spaces for groups: `"promo explain"`."""

    name: str
    description: str
    handler: Handler
    permission: Permission = Permission.EVERYONE
    kind: CommandKind = CommandKind.SLASH
    options: tuple[CommandOption, ...] = ()


@dataclass(frozen=True, slots=True)
class ButtonClick:
    """A moderator clicked a button under an alert raised by a plugin.

    `custom_id` has the stable form `pf:<plugin>:<action>:<case key>` so it survives restarts.
    """

    guild_id: int
    channel_id: int
    user: Member
    plugin: str
    action: str
    case_key: str
    at: datetime
    is_guild_admin: bool = False


def button_custom_id(plugin: str, action: str, case_key: str) -> str:
    """Build the stable custom_id of an alert button (Discord caps custom_id at 100 chars)."""
    custom_id = f"pf:{plugin}:{action}:{case_key}"
    if len(custom_id) > 100:
        raise ValueError(f"button custom_id too long: {custom_id!r}")
    return custom_id


def parse_custom_id(custom_id: str) -> tuple[str, str, str] | None:
    """Split a custom_id built by `button_custom_id`; None if it is not one of ours."""
    parts = custom_id.split(":", 3)
    if len(parts) != 4 or parts[0] != "pf":
        return None
    return parts[1], parts[2], parts[3]
