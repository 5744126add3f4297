"""The fake's world: guilds, roles, channels, members and messages, as Discord API v10 payloads."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000

# Channel types (Discord API v10).
TEXT, DM, CATEGORY, PUBLIC_THREAD, FORUM = 0, 1, 4, 11, 15

ALL_PERMISSIONS = (1 << 50) - 1
ADMINISTRATOR = 1 << 3


class Snowflakes:
    """Time-based ids, like Discord's, so discord.py derives sensible `created_at` values."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def next(self, ago_s: float = 0.0) -> int:
        """A new unique id whose timestamp is `ago_s` seconds in the past."""
        ms = int((time.time() - ago_s) * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)


def iso(dt: datetime) -> str:
    """Discord's ISO 8601 timestamps."""
    return dt.astimezone(UTC).isoformat()


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    dms_open: bool = True

    def payload(self) -> dict[str, Any]:
        return {"id": str(self.id), "username": self.username, "global_name": self.username,
                "discriminator": "0", "avatar": None, "bot": self.bot, "public_flags": 0}


@dataclass
class Role:
    id: int
    name: str
    position: int
    permissions: int = 0

    def payload(self) -> dict[str, Any]:
        return {"id": str(self.id), "name": self.name, "position": self.position,
                "permissions": str(self.permissions), "color": 0, "hoist": False, "managed": False,
                "mentionable": True, "flags": 0}


@dataclass
class Member:
    user: User
    role_ids: list[int]
    joined_at: datetime
    communication_disabled_until: str | None = None

    def payload(self, with_user: bool = True) -> dict[str, Any]:
        data = {"roles": [str(r) for r in self.role_ids], "joined_at": iso(self.joined_at),
                "deaf": False, "mute": False, "flags": 0, "nick": None, "pending": False,
                "communication_disabled_until": self.communication_disabled_until}
        if with_user:
            data["user"] = self.user.payload()
        return data


@dataclass
class Channel:
    id: int
    name: str
    type: int = TEXT
    guild_id: int | None = None
    parent_id: int | None = None
    owner_id: int | None = None
    position: int = 0
    available_tags: list[dict[str, Any]] = field(default_factory=list)
    applied_tags: list[int] = field(default_factory=list)
    recipient: User | None = None
    overwrites: list[dict[str, Any]] = field(default_factory=list)  # Discord's permission_overwrites

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": str(self.id), "type": self.type, "name": self.name,
                                "position": self.position, "permission_overwrites": self.overwrites, "nsfw": False,
                                "parent_id": str(self.parent_id) if self.parent_id else None,
                                "flags": 0}
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.type == FORUM:
            data["available_tags"] = self.available_tags
        if self.type == PUBLIC_THREAD:
            data.update(owner_id=str(self.owner_id) if self.owner_id else None, applied_tags=[str(t) for t in self.applied_tags],
                        message_count=0, member_count=1, rate_limit_per_user=0,
                        thread_metadata={"archived": False, "auto_archive_duration": 1440,
                                         "archive_timestamp": iso(datetime.now(UTC)), "locked": False})
        if self.type == DM and self.recipient is not None:
            data = {"id": str(self.id), "type": DM, "recipients": [self.recipient.payload()],
                    "last_message_id": None}
        return data


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        """GUILD_CREATE data: roles, channels, threads and members."""
        normal = [c for c in self.channels.values() if c.type != PUBLIC_THREAD]
        threads = [c for c in self.channels.values() if c.type == PUBLIC_THREAD]
        return {
            "id": str(self.id), "name": self.name, "icon": None, "owner_id": str(self.owner_id),
            "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "features": [], "mfa_level": 0, "system_channel_flags": 0,
            "premium_tier": 0, "preferred_locale": "en-US", "nsfw_level": 0, "large": False,
            "unavailable": False, "member_count": len(self.members), "emojis": [], "stickers": [],
            "roles": [r.payload() for r in self.roles.values()],
            "channels": [c.payload() for c in normal],
            "threads": [c.payload() for c in threads],
            "members": [m.payload() for m in self.members.values()],
            "voice_states": [], "presences": [], "stage_instances": [], "guild_scheduled_events": [],
            "joined_at": iso(datetime.now(UTC)), "premium_progress_bar_enabled": False,
        }


@dataclass
class StoredMessage:
    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str
    timestamp: datetime
    reply_to: int | None = None
    edited_at: datetime | None = None
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    deleted: bool = False
