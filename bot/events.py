"""Platform-neutral events that plugins observe.

The Discord adapter and the replay command build these from their own sources; plugins never
see discord.py objects. Every event carries `guild_id` and `at`, the moment it happened: plugins
use `at` (never the wall clock) for cooldowns, decay and windows, so replays behave like live runs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot._frozen import frozen

# Code points U+D800..U+DFFF on their own (a str holds astral characters whole, so any of these
# is a lone surrogate): JSON escapes can carry them, but they cannot be encoded as UTF-8, which
# regex engines, SQLite and output files need.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD, so it encodes as UTF-8 (event sources call this)."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")  # only a lone surrogate fails; cheaper than searching for one
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


@frozen
class Member:
    """A guild member as seen when the event happened."""

    id: int
    display_name: str = ""
    role_ids: frozenset[int] = frozenset()
    joined_at: datetime | None = None
    created_at: datetime | None = None
    is_bot: bool = False


@frozen
class Message:
    """A message posted in a guild channel, thread or forum post.

    `channel_id` is where the message was posted (a thread's own id inside threads);
    `parent_channel_id` is the text or forum channel a thread belongs to; `category_id` is the
    category of the top-level channel. `thread_owner_id` is the member who opened the thread
    or forum post, when known; `thread_name` is its title (forum posts ask their question there).
    """

    guild_id: int
    channel_id: int
    message_id: int
    author: Member
    content: str
    created_at: datetime
    parent_channel_id: int | None = None
    category_id: int | None = None
    is_thread: bool = False
    is_forum_post: bool = False
    thread_owner_id: int | None = None
    mention_ids: tuple[int, ...] = ()
    role_mention_ids: tuple[int, ...] = ()
    reply_to_message_id: int | None = None
    reply_to_author_id: int | None = None
    attachment_names: tuple[str, ...] = ()
    embed_urls: tuple[str, ...] = ()
    edited_at: datetime | None = None
    thread_name: str | None = None

    @property
    def root_channel_id(self) -> int:
        """The top-level channel: the parent for thread messages, else the channel itself."""
        return self.parent_channel_id if self.parent_channel_id is not None else self.channel_id

    @property
    def jump_url(self) -> str:
        """A Discord link to this message."""
        return message_link(self.guild_id, self.channel_id, self.message_id)


DISCORD_EPOCH_MS = 1420070400000  # Discord ids (snowflakes) count milliseconds from 2015-01-01


def snowflake_seconds(snowflake: int) -> float:
    """When a Discord id was created, in Unix seconds (an id that is no snowflake reads as 2015)."""
    return ((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000


def snowflake_time(snowflake: int) -> datetime:
    """When a Discord id was created (account creation time for a user id)."""
    return datetime.fromtimestamp(snowflake_seconds(snowflake), UTC)


def message_link(guild_id: int, channel_id: int, message_id: int) -> str:
    """Build the https://discord.com/channels/... link for a message."""
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


@frozen
class MessageCreated:
    """A new message was posted."""

    message: Message

    @property
    def guild_id(self) -> int:
        """The message's guild."""
        return self.message.guild_id

    @property
    def at(self) -> datetime:
        """When the message was posted."""
        return self.message.created_at

    @property
    def event_id(self) -> str:
        """A stable id, used for idempotency and in logs."""
        return f"message:{self.message.message_id}"


@frozen
class MessageEdited:
    """A message's content changed; `before` is None when the old version was not cached."""

    after: Message
    at: datetime
    before: Message | None = None

    @property
    def guild_id(self) -> int:
        """The message's guild."""
        return self.after.guild_id

    @property
    def event_id(self) -> str:
        """A stable id, used for idempotency and in logs."""
        return f"edit:{self.after.message_id}:{self.at.timestamp():.3f}"


@frozen
class MessageDeleted:
    """A message was deleted (by its author, a moderator or a bot)."""

    guild_id: int
    channel_id: int
    message_id: int
    at: datetime
    author_id: int | None = None

    @property
    def event_id(self) -> str:
        """A stable id, used for idempotency and in logs."""
        return f"delete:{self.message_id}"


@frozen
class ReactionAdded:
    """`user_id` reacted with `emoji` to a message written by `message_author_id`."""

    guild_id: int
    channel_id: int
    message_id: int
    user_id: int
    emoji: str
    at: datetime
    message_author_id: int | None = None
    user_is_bot: bool = False

    @property
    def event_id(self) -> str:
        """A stable id, used for idempotency and in logs."""
        return f"reaction+:{self.message_id}:{self.user_id}:{self.emoji}:{self.at.timestamp():.3f}"


@frozen
class ReactionRemoved:
    """`user_id` removed their `emoji` reaction from a message."""

    guild_id: int
    channel_id: int
    message_id: int
    user_id: int
    emoji: str
    at: datetime
    message_author_id: int | None = None

    @property
    def event_id(self) -> str:
        """A stable id, used for idempotency and in logs."""
        return f"reaction-:{self.message_id}:{self.user_id}:{self.emoji}:{self.at.timestamp():.3f}"


@frozen
class MemberJoined:
    """A member joined the guild."""

    guild_id: int
    member: Member
    at: datetime

    @property
    def event_id(self) -> str:
        """A stable id, used for idempotency and in logs."""
        return f"join:{self.member.id}:{self.at.timestamp():.0f}"


@frozen
class MemberLeft:
    """A member left (or was removed from) the guild."""

    guild_id: int
    user_id: int
    at: datetime

    @property
    def event_id(self) -> str:
        """A stable id, used for idempotency and in logs."""
        return f"leave:{self.user_id}:{self.at.timestamp():.0f}"


Event = (
    MessageCreated
    | MessageEdited
    | MessageDeleted
    | ReactionAdded
    | ReactionRemoved
    | MemberJoined
    | MemberLeft
)
