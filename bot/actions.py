"""Frozen dataclasses for what a plugin may ask the bot to do.

Plugins return actions from their hooks; the engine hands them to an `Executor` (the Discord
adapter in production, `RecordingExecutor` in tests and replays). Every action names the
plugin that asked for it and a human-readable reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """Base of every action: who asked and why."""

    plugin: str
    reason: str
    guild_id: int

    @property
    def kind(self) -> str:
        """Short machine name of the action, e.g. `delete_message`."""
        return _KIND_NAMES[type(self)]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteMessage(Action):
    """Delete a message."""

    channel_id: int
    message_id: int
    author_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply(Action):
    """Post a message in a channel, optionally as a reply to `reply_to_message_id`."""

    channel_id: int
    content: str
    reply_to_message_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivateNotice(Action):
    """Tell a member something privately (a DM; falls back to `fallback_channel_id`)."""

    user_id: int
    content: str
    fallback_channel_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeout(Action):
    """Time a member out for `seconds`."""

    user_id: int
    seconds: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AddRole(Action):
    """Give a member a role."""

    user_id: int
    role_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveRole(Action):
    """Take a role from a member."""

    user_id: int
    role_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class React(Action):
    """Add the bot's own reaction to a message."""

    channel_id: int
    message_id: int
    emoji: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TagThread(Action):
    """Apply a forum tag (by name, e.g. "Solved") to a forum post; unknown tags are skipped."""

    thread_id: int
    tag_name: str


@dataclass(frozen=True, slots=True)
class AlertButton:
    """A button under a moderator alert; clicks go back to the plugin that raised the alert.

    `action` is the plugin's own verb (e.g. `not_promotion`); `style` is one of
    primary, secondary, success, danger.
    """

    label: str
    action: str
    style: str = "secondary"


@dataclass(frozen=True, slots=True, kw_only=True)
class ModAlert(Action):
    """Post an alert in the community's mod-log channel."""

    title: str
    reasons: tuple[str, ...] = ()
    message_link: str | None = None
    channel_id: int | None = None
    message_id: int | None = None
    author_id: int | None = None
    score: float | None = None
    taken: tuple[str, ...] = ()
    buttons: tuple[AlertButton, ...] = ()
    case_key: str | None = None
    group_key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordCase(Action):
    """Persist a moderation decision in the core `cases` table.

    `case_key` is unique per guild (e.g. `self_promotion:<message id>`), which makes recording
    idempotent: the same event processed twice yields one case.
    """

    case_key: str
    user_id: int
    decision: str
    channel_id: int | None = None
    message_id: int | None = None
    score: float | None = None
    signals: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        # The case is stored, then shown in replays: a generator (or a list) given as `signals`
        # must be read twice, so it is kept as a tuple of (name, weight) tuples.
        if type(self.signals) is not tuple:
            object.__setattr__(self, "signals", tuple(tuple(pair) for pair in self.signals))


@dataclass(frozen=True, slots=True, kw_only=True)
class Audit(Action):
    """An informational record with no effect on Discord (e.g. reputation awarded).

    Replays write these to their JSON Lines output under `topic`.
    """

    topic: str
    data: dict[str, Any] = field(default_factory=dict)


_KIND_NAMES: dict[type, str] = {
    DeleteMessage: "delete_message",
    Reply: "reply",
    PrivateNotice: "private_notice",
    Timeout: "timeout",
    AddRole: "add_role",
    RemoveRole: "remove_role",
    React: "react",
    TagThread: "tag_thread",
    ModAlert: "mod_alert",
    RecordCase: "record_case",
    Audit: "audit",
}

ACTION_TYPES: tuple[type[Action], ...] = tuple(_KIND_NAMES)
