"""Turn export records into the neutral events the engine dispatches.

All lookup tables are bounded: recent message ids (for de-duplication and reply authors) live in two
generations of dicts, names and members in capped maps, so memory does not grow with the export.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import events as ev
from bot._frozen import builder_of
from bot.replay._merge import parse_timestamp
from bot.replay._reader import ExportReader

THREAD_KINDS = frozenset({"GuildPublicThread", "GuildPrivateThread", "GuildNewsThread"})
MESSAGE_KINDS = frozenset({"Default", "Reply", "ChatInputCommand", "ContextMenuCommand"})
RECENT_IDS = 100_000  # per generation: replies to older messages may lose their author
MAX_NAMES = 500_000
_BOUNDARY = frozenset(" \t\n,.!?:;)]}>'\"")
_EVERYONE = ("everyone", "here")
_MAX_AT_SIGNS = 50  # bounded work on pathological content
# Built through their mutable twins (see bot._frozen.builder_of), as the Discord adapter does:
# this runs for every record of an export.
_MESSAGE, _MessageTwin = ev.Message, builder_of(ev.Message)
_CREATED, _CreatedTwin = ev.MessageCreated, builder_of(ev.MessageCreated)
_fill_message = _MessageTwin.__init__
_new = object.__new__


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """Where one export file's messages were posted."""

    guild_id: int
    channel_id: int
    name: str
    parent_channel_id: int | None
    category_id: int | None
    is_thread: bool
    forum_parent: bool | None  # None: unknown, decided from the first message


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def channel_infos(readers: list[ExportReader]) -> tuple[list[ChannelInfo | None], list[str]]:
    """Describe each file's channel from the headers (None and a problem when it can't be used)."""
    meta = {}
    for r in readers:
        cid = _int(r.header.channel.get("id"))
        if cid is not None:
            meta[cid] = r.header.channel
    infos: list[ChannelInfo | None] = []
    problems = []
    for r in readers:
        ch, guild = r.header.channel, r.header.guild
        cid, gid = _int(ch.get("id")), _int(guild.get("id"))
        if cid is None:
            problems.append(f"{r.name}: the export has no channel id; file skipped")
            infos.append(None)
            continue
        if gid is None or gid == 0:
            problems.append(f"{r.name}: not a server channel (direct messages or no guild id); file skipped")
            infos.append(None)
            continue
        kind = ch.get("type") or ""
        is_thread = kind in THREAD_KINDS
        parent = _int(ch.get("categoryId")) if is_thread else None
        category = _int(ch.get("categoryId")) if not is_thread else None
        forum: bool | None = None
        if is_thread and parent in meta:
            category = _int(meta[parent].get("categoryId"))
            forum = meta[parent].get("type") == "GuildForum"
        infos.append(ChannelInfo(gid, cid, ev.valid_text(str(ch.get("name") or cid)), parent, category, is_thread,
                                 forum))
    return infos, problems


class Converter:
    """Stateful converter: call `convert()` with merged records, oldest first."""

    def __init__(self, infos: list[ChannelInfo | None]) -> None:
        self.infos = infos
        self._forum: dict[int, bool] = {}
        self._owner: dict[int, int] = {}
        self._recent: dict[int, int] = {}
        self._older: dict[int, int] = {}
        self._members: dict[str, tuple[str, Any, ev.Member]] = {}
        self._joined: dict[int, datetime] = {}
        self.user_names: dict[str, int] = {}
        self.role_names: dict[str, int] = {}
        self.display: dict[int, str] = {}
        self.messages = 0
        self.first_message_at: datetime | None = None
        self.duplicates = 0
        self.joins = 0
        self.reactions = 0
        self.skipped_kinds: Counter[str] = Counter()

    # -- members and names --

    def _member(self, author: dict) -> ev.Member:
        aid = author.get("id")
        name = author.get("nickname") or author.get("name") or ""
        roles = author.get("roles")
        cached = self._members.get(aid)
        if cached is not None and cached[0] == name and cached[1] == roles:
            return cached[2]
        uid = int(aid)
        role_ids = frozenset(i for i in (_int(r.get("id")) for r in roles or () if isinstance(r, dict))
                             if i is not None)
        member = ev.Member(id=uid, display_name=ev.valid_text(str(name)), role_ids=role_ids,
                           joined_at=self._joined.get(uid),
                           created_at=ev.snowflake_time(uid), is_bot=bool(author.get("isBot")))
        if len(self._members) > MAX_NAMES:
            self._members.clear()
        self._members[aid] = (name, roles, member)
        self._learn_user(author, uid)
        for r in roles or ():
            if isinstance(r, dict) and r.get("name") and _int(r.get("id")) is not None:
                self.role_names[str(r["name"]).lower()] = int(r["id"])
        return member

    def _learn_user(self, user: dict, uid: int) -> None:
        if len(self.user_names) > MAX_NAMES:
            self.user_names.clear()
        for key in ("nickname", "name"):
            value = user.get(key)
            if value:
                self.user_names[str(value).lower()] = uid
        if len(self.display) > MAX_NAMES:
            self.display.clear()
        self.display[uid] = ev.valid_text(str(user.get("nickname") or user.get("name") or uid))

    def _text_mentions(self, content: str) -> tuple[list[int], list[int]]:
        """Users and roles named as `@DisplayName` in rendered content (longest known name wins)."""
        users: list[int] = []
        roles: list[int] = []
        i = content.find("@")
        n = len(content)
        budget = _MAX_AT_SIGNS
        while i >= 0 and budget:
            budget -= 1
            start = i + 1
            stop = min(n, start + 32)
            for end in range(stop, start, -1):
                if end < n and content[end] not in _BOUNDARY:
                    continue
                key = content[start:end].lower()
                if key in _EVERYONE:
                    break
                uid = self.user_names.get(key)
                if uid is not None:
                    users.append(uid)
                    break
                rid = self.role_names.get(key)
                if rid is not None:
                    roles.append(rid)
                    break
            i = content.find("@", start)
        return users, roles

    # -- records --

    def _seen(self, mid: int, author_id: int) -> bool:
        if mid in self._recent or mid in self._older:
            return True
        if len(self._recent) >= RECENT_IDS:
            self._older = self._recent
            self._recent = {}
        self._recent[mid] = author_id
        return False

    def _reply_author(self, mid: int) -> int | None:
        found = self._recent.get(mid)
        return found if found is not None else self._older.get(mid)

    def convert(self, ts: datetime, mid: int, index: int, raw: dict) -> list[ev.Event]:
        """Events for one record: a message (plus reactions with known users), a join, or nothing."""
        info = self.infos[index]
        if info is None:
            return []
        author = raw["author"]
        kind = raw.get("type") or "Default"
        if kind not in MESSAGE_KINDS:
            if kind == "GuildMemberJoin":
                return self._join(info, ts, mid, author)
            self.skipped_kinds[kind] += 1
            return []
        member = self._member(author)
        if self._seen(mid, member.id):
            self.duplicates += 1
            return []
        self.messages += 1
        if self.first_message_at is None or ts < self.first_message_at:
            self.first_message_at = ts
        message = self._message(info, ts, mid, raw, member)
        event = _new(_CreatedTwin)
        event.message = message  # its only field, as the Discord adapter sets it
        event.__class__ = _CREATED
        reactions = raw.get("reactions")
        if reactions:
            out: list[ev.Event] = [event]
            self._reactions(out, message, reactions)
            return out
        return [event]

    def _join(self, info: ChannelInfo, ts: datetime, mid: int, author: dict) -> list[ev.Event]:
        if self._seen(mid, _int(author.get("id")) or 0):
            self.duplicates += 1
            return []
        uid = int(author["id"])
        if len(self._joined) > MAX_NAMES:
            self._joined.clear()
        self._joined[uid] = ts
        self._members.pop(author.get("id"), None)
        member = self._member(author)
        self.joins += 1
        return [ev.MemberJoined(info.guild_id, member, ts)]

    def _message(self, info: ChannelInfo, ts: datetime, mid: int, raw: dict, member: ev.Member) -> ev.Message:
        content = raw.get("content")
        if not isinstance(content, str):
            content = ""
        elif not content.isascii():
            content = ev.valid_text(content)
        mention_ids: tuple[int, ...] = ()
        role_ids: tuple[int, ...] = ()
        mentions = raw.get("mentions")
        if mentions:
            ids = []
            for user in mentions:
                uid = _int(user.get("id")) if isinstance(user, dict) else None
                if uid is not None and uid not in ids:
                    ids.append(uid)
                    self._learn_user(user, uid)
            mention_ids = tuple(ids)
        if "@" in content:
            users, roles = self._text_mentions(content)
            if users:
                mention_ids = tuple(dict.fromkeys((*mention_ids, *users)))
            role_ids = tuple(dict.fromkeys(roles))
        reply_id = reply_author = None
        ref = raw.get("reference")
        if isinstance(ref, dict) and ref.get("type", "Default") != "Forward":
            reply_id = _int(ref.get("messageId"))
            if reply_id is not None:
                reply_author = self._reply_author(reply_id)
        forum = owner = None
        if info.is_thread:
            forum = self._forum.get(info.channel_id)
            if forum is None:
                forum = info.forum_parent if info.forum_parent is not None else mid == info.channel_id
                self._forum[info.channel_id] = forum
                self._owner[info.channel_id] = member.id
            owner = self._owner.get(info.channel_id)
        attachments = raw.get("attachments")
        names = tuple(ev.valid_text(str(a.get("fileName") or "")) for a in attachments
                      if isinstance(a, dict)) if attachments else ()
        embeds = raw.get("embeds")
        urls = tuple(ev.valid_text(str(e["url"])) for e in embeds
                     if isinstance(e, dict) and e.get("url")) if embeds else ()
        edited = raw.get("timestampEdited")
        edited_at = None
        if edited:
            try:
                edited_at = parse_timestamp(edited)
            except (TypeError, ValueError):
                edited_at = None
        # positional, in field order: the cheapest way to build the event (see bot/_frozen.py)
        message = _new(_MessageTwin)
        _fill_message(
            message, info.guild_id, info.channel_id, mid, member, content, ts, info.parent_channel_id,
            info.category_id, info.is_thread, bool(forum), owner, mention_ids, role_ids,
            reply_id, reply_author, names, urls, edited_at, info.name if info.is_thread else None,
        )
        message.__class__ = _MESSAGE
        return message

    def _reactions(self, out: list[ev.Event], message: ev.Message, reactions: list) -> None:
        """Reactions that list their users become ReactionAdded at the message's time; counts alone don't."""
        for reaction in reactions:
            if not isinstance(reaction, dict):
                continue
            users = reaction.get("users")
            if not users:
                continue
            emoji = reaction.get("emoji")
            name = (emoji.get("name") or emoji.get("code") or "") if isinstance(emoji, dict) else emoji or ""
            name = ev.valid_text(str(name))
            for user in users:
                uid = _int(user.get("id")) if isinstance(user, dict) else None
                if uid is None:
                    continue
                self.reactions += 1
                out.append(ev.ReactionAdded(
                    message.guild_id, message.channel_id, message.message_id, uid, name, message.created_at,
                    message.author.id, bool(user.get("isBot")),
                ))
