"""discord.py objects and raw gateway payloads -> the core's neutral events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord

from bot import events as ev
from bot._frozen import builder_of

_FORWARD = discord.MessageReferenceType.forward  # forwards carry a reference too; they are not replies
_Message = discord.Message
_Member = discord.Member
_TextChannel = discord.TextChannel
_Thread = discord.Thread
_Forum = discord.ForumChannel


def now() -> datetime:
    """The adapter's clock, for events Discord sends without a timestamp (deletes, reactions)."""
    return datetime.now(UTC)


_DISCORD_EPOCH_MS = ev.DISCORD_EPOCH_MS
_EMPTY: frozenset[int] = frozenset()
snowflake_time = ev.snowflake_time  # cheaper than discord.utils.snowflake_time


_MEMBER_CACHE_SIZE = 20_000
_members: dict[int, tuple[object, str, datetime | None, ev.Member]] = {}


def member_of(user: discord.Member | discord.User | discord.abc.User) -> ev.Member:
    """A neutral member; plain users (DMs, departed members) have no roles or join date.

    discord.py builds a new Member for every message, so the neutral one is cached by id and
    reused while roles, display name and join date are unchanged.
    """
    if type(user) is _Member:
        # What `display_name`, `id` and `bot` return, without their property calls (a Member's
        # user fields are properties reading its `_user`): this runs for every gateway message.
        account = user._user
        roles = user._roles  # SnowflakeList of role ids, without @everyone
        name = user.nick or account.global_name or account.name
        joined = user.joined_at
        user_id = account.id
    else:
        account = user
        roles = getattr(user, "_roles", None)
        name = user.display_name
        joined = getattr(user, "joined_at", None)
        user_id = user.id
    cached = _members.get(user_id)
    if cached is not None and cached[1] == name and cached[2] == joined and cached[0] == roles:
        return cached[3]
    member = ev.Member(
        user_id,
        ev.valid_text(name),
        frozenset(roles) if roles else _EMPTY,
        joined,
        snowflake_time(user_id),
        account.bot,
    )
    if len(_members) >= _MEMBER_CACHE_SIZE:
        _members.clear()
    _members[user_id] = (roles[:] if roles is not None else None, name, joined, member)  # SnowflakeList has no copy()
    return member


def _channel_scope(channel) -> tuple[int | None, int | None, bool, bool, int | None]:
    """(parent id, category id, is thread, is forum post, thread owner) for a message's channel."""
    if isinstance(channel, discord.Thread):
        parent = channel.parent
        return (channel.parent_id, getattr(parent, "category_id", None), True,
                isinstance(parent, discord.ForumChannel), channel.owner_id)
    return None, getattr(channel, "category_id", None), False, False, None


_REPLY_TYPES = (discord.MessageType.reply, discord.MessageType.default)
# Built through their mutable twins (see bot._frozen.builder_of), filled field by field (a class
# call takes CPython's slower `tp_init` path): this runs for every gateway message.
_MESSAGE, _MessageTwin = ev.Message, builder_of(ev.Message)
_CREATED, _CreatedTwin = ev.MessageCreated, builder_of(ev.MessageCreated)
_new = object.__new__
_fromtimestamp = datetime.fromtimestamp
# A message's time from its id: the minute's datetime (kept while messages arrive within it) plus
# two precomputed offsets. `datetime.fromtimestamp(t, UTC)` costs about twice as much: it builds a
# naive datetime, then asks the time zone to convert it.
_SECONDS = tuple(timedelta(seconds=s) for s in range(60))
_MILLIS = tuple(timedelta(milliseconds=ms) for ms in range(1000))
_minute: list[tuple[int, datetime]] = [(0, datetime.fromtimestamp(0, UTC))]


def created(msg: discord.Message, state_lookup=None) -> ev.MessageCreated | None:
    """MESSAGE_CREATE -> MessageCreated (None outside guilds). `state_lookup(id)` finds cached reply targets.

    The message is built field by field on its twin, in this one call: this runs for every
    gateway message.
    """
    guild = msg.guild
    guild_id = guild.id if guild is not None else getattr(msg, "guild_id", None)
    if guild_id is None:
        return None
    channel = msg.channel
    if type(channel) is _TextChannel:  # `_channel_scope` for the usual case, without the call
        parent_id = owner_id = None
        category_id = channel.category_id
        is_thread = is_forum = False
    else:
        parent_id, category_id, is_thread, is_forum, owner_id = _channel_scope(channel)
    reply_id = reply_author = None
    ref = msg.reference
    if ref is not None and ref.message_id is not None and msg.type in _REPLY_TYPES:
        reply_id = ref.message_id
        target = ref.resolved if isinstance(ref.resolved, discord.Message) else None
        if target is None and state_lookup is not None:
            target = state_lookup(reply_id)
        if target is not None:
            reply_author = target.author.id
    mentions = msg.mentions
    attachments = msg.attachments
    embeds = msg.embeds
    content = msg.content
    if not content.isascii():
        content = ev.valid_text(content)
    message_id = msg.id
    # the message's time: the minute's datetime (kept, see `_minute`) plus the seconds and milliseconds
    minute, since_minute = divmod((message_id >> 22) + _DISCORD_EPOCH_MS, 60_000)
    cached = _minute[0]
    if cached[0] != minute:
        cached = _minute[0] = (minute, _fromtimestamp(minute * 60, UTC))
    # every field set by name on the twin (slot stores, no `__init__` call); a test checks that
    # the result equals an `ev.Message` built the ordinary way
    message = _new(_MessageTwin)
    message.guild_id = guild_id
    message.channel_id = channel.id
    message.message_id = message_id
    author = msg.author
    if type(author) is _Member:  # `member_of`'s cache hit without the call
        account = author._user
        known = _members.get(account.id)
        if (known is None or known[1] != (author.nick or account.global_name or account.name)
                or known[2] != author.joined_at or known[0] != author._roles):
            known = None
    else:
        known = None
    message.author = known[3] if known is not None else member_of(author)
    message.content = content
    message.created_at = cached[1] + _SECONDS[since_minute // 1000] + _MILLIS[since_minute % 1000]
    message.parent_channel_id = parent_id
    message.category_id = category_id
    message.is_thread = is_thread
    message.is_forum_post = is_forum
    message.thread_owner_id = owner_id
    message.mention_ids = tuple(u.id for u in mentions) if mentions else ()
    message.role_mention_ids = tuple(msg.raw_role_mentions) if "<@&" in content else ()
    message.reply_to_message_id = reply_id
    message.reply_to_author_id = reply_author
    message.attachment_names = tuple(ev.valid_text(a.filename) for a in attachments) if attachments else ()
    message.embed_urls = tuple(ev.valid_text(e.url) for e in embeds if e.url) if embeds else ()
    message.edited_at = msg._edited_timestamp  # `edited_at` without the property call
    message.thread_name = ev.valid_text(channel.name) if is_thread else None
    message.__class__ = _MESSAGE
    event = _new(_CreatedTwin)
    event.message = message  # its only field: no `__init__` call
    event.__class__ = _CREATED
    return event


def message_of(msg: discord.Message, state_lookup=None) -> ev.Message | None:
    """A neutral message, or None outside guilds (see `created`)."""
    event = created(msg, state_lookup)
    return event.message if event is not None else None


def edited(payload: discord.RawMessageUpdateEvent, state_lookup=None) -> ev.MessageEdited | None:
    """MESSAGE_UPDATE -> MessageEdited, when the content actually changed."""
    after = message_of(payload.message, state_lookup)
    if after is None:
        return None
    cached = payload.cached_message
    before = message_of(cached, state_lookup) if cached is not None else None
    if before is not None and before.content == after.content:
        return None  # embed unfurls and pins also arrive as updates
    return ev.MessageEdited(after=after, at=after.edited_at or now(), before=before)


def deleted(payload: discord.RawMessageDeleteEvent) -> ev.MessageDeleted | None:
    """MESSAGE_DELETE -> MessageDeleted (author known only when the message was cached)."""
    if payload.guild_id is None:
        return None
    cached = payload.cached_message
    return ev.MessageDeleted(payload.guild_id, payload.channel_id, payload.message_id, now(),
                             cached.author.id if cached is not None else None)


def bulk_deleted(payload: discord.RawBulkMessageDeleteEvent) -> list[ev.MessageDeleted]:
    """MESSAGE_DELETE_BULK -> one MessageDeleted per message."""
    if payload.guild_id is None:
        return []
    at = now()
    authors = {m.id: m.author.id for m in payload.cached_messages}
    return [ev.MessageDeleted(payload.guild_id, payload.channel_id, mid, at, authors.get(mid))
            for mid in payload.message_ids]


def reaction(payload: discord.RawReactionActionEvent, message_author_lookup=None
             ) -> ev.ReactionAdded | ev.ReactionRemoved | None:
    """MESSAGE_REACTION_ADD/REMOVE -> ReactionAdded/ReactionRemoved."""
    if payload.guild_id is None:
        return None
    author_id = payload.message_author_id
    if author_id is None and message_author_lookup is not None:
        author_id = message_author_lookup(payload.message_id)
    emoji = ev.valid_text(str(payload.emoji))
    if payload.event_type == "REACTION_ADD":
        member = payload.member
        return ev.ReactionAdded(payload.guild_id, payload.channel_id, payload.message_id, payload.user_id,
                                emoji, now(), author_id, member.bot if member is not None else False)
    return ev.ReactionRemoved(payload.guild_id, payload.channel_id, payload.message_id, payload.user_id,
                              emoji, now(), author_id)


def joined(member: discord.Member) -> ev.MemberJoined:
    """GUILD_MEMBER_ADD -> MemberJoined."""
    return ev.MemberJoined(member.guild.id, member_of(member), member.joined_at or now())


def left(payload: discord.RawMemberRemoveEvent) -> ev.MemberLeft:
    """GUILD_MEMBER_REMOVE -> MemberLeft."""
    return ev.MemberLeft(payload.guild_id, payload.user.id, now())
