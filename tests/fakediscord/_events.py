"""Test helpers that make members act: messages, edits, deletes, reactions, joins, gateway faults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.fakediscord import _gateway as gw
from tests.fakediscord._model import Channel, Guild, StoredMessage, User, iso


class EventsMixin:
    """Mixed into FakeDiscord."""

    # -- messages --

    def message_payload(self, msg: StoredMessage) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(msg.id), "channel_id": str(msg.channel_id), "author": msg.author.payload(),
            "content": msg.content, "timestamp": iso(msg.timestamp),
            "edited_timestamp": iso(msg.edited_at) if msg.edited_at else None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
            "embeds": msg.embeds, "pinned": False, "type": 19 if msg.reply_to else 0, "flags": msg.flags,
            "components": msg.components,
        }
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
            member = self.guilds[msg.guild_id].members.get(msg.author.id)
            if member is not None:
                data["member"] = member.payload(with_user=False)
        if msg.reply_to is not None:
            data["message_reference"] = {"type": 0, "message_id": str(msg.reply_to),
                                         "channel_id": str(msg.channel_id),
                                         "guild_id": str(msg.guild_id) if msg.guild_id else None}
            target = self.messages.get(msg.reply_to)
            data["referenced_message"] = self.message_payload(target) if target and not target.deleted else None
        return data

    def store_message(self, channel_id: int, author: User, content: str, *, reply_to: int | None = None,
                      embeds: list | None = None, components: list | None = None, flags: int = 0) -> StoredMessage:
        channel = self.channels[channel_id]
        msg = StoredMessage(self.ids.next(), channel_id, channel.guild_id, author, content, datetime.now(UTC),
                            reply_to, embeds=embeds or [], components=components or [], flags=flags)
        self.messages[msg.id] = msg
        return msg

    async def send_message(self, channel: Channel | int, author: User, content: str, *,
                           reply_to: int | None = None, mentions: tuple[User, ...] = ()) -> StoredMessage:
        """A member posts a message: stored, then MESSAGE_CREATE on the gateway."""
        channel_id = channel if isinstance(channel, int) else channel.id
        msg = self.store_message(channel_id, author, content, reply_to=reply_to)
        payload = self.message_payload(msg)
        if mentions:
            payload["mentions"] = [u.payload() for u in mentions]
        await self.gateway.dispatch("MESSAGE_CREATE", payload)
        return msg

    async def edit_message(self, msg: StoredMessage, content: str) -> None:
        msg.content, msg.edited_at = content, datetime.now(UTC)
        await self.gateway.dispatch("MESSAGE_UPDATE", self.message_payload(msg))

    async def delete_message(self, msg: StoredMessage) -> None:
        msg.deleted = True
        data = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
        if msg.guild_id:
            data["guild_id"] = str(msg.guild_id)
        await self.gateway.dispatch("MESSAGE_DELETE", data)

    async def add_reaction(self, msg: StoredMessage, user: User, emoji: str) -> None:
        guild = self.guilds[msg.guild_id]
        member = guild.members[user.id]
        await self.gateway.dispatch("MESSAGE_REACTION_ADD", {
            "user_id": str(user.id), "channel_id": str(msg.channel_id), "message_id": str(msg.id),
            "guild_id": str(msg.guild_id), "member": member.payload(), "type": 0, "burst": False,
            "emoji": {"id": None, "name": emoji}, "message_author_id": str(msg.author.id),
        })

    async def member_join(self, guild: Guild, name: str, *, account_days: float = 0.0) -> User:
        """A new member joins now; their account is `account_days` old."""
        user = self.add_member(guild, name, days=0, account_days=account_days)
        member = guild.members[user.id]
        await self.gateway.dispatch("GUILD_MEMBER_ADD", {**member.payload(), "guild_id": str(guild.id)})
        return user

    # -- gateway faults --

    async def send_reconnect(self) -> None:
        """Op 7: the client should reconnect and RESUME."""
        await self.gateway.send_op(gw.RECONNECT)

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Op 9: with resumable=False the client must IDENTIFY again (a new session)."""
        sessions = self.gateway.live_sessions()
        await self.gateway.send_op(gw.INVALID_SESSION, resumable)
        if not resumable:
            for session in sessions:
                session.ended = True

    async def drop_connection(self) -> None:
        await self.gateway.drop_connections()
