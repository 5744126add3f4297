"""REST endpoints of the fake, following the Discord API v10 shapes discord.py reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tests.fakediscord._model import DM, PUBLIC_THREAD
from tests.fakediscord._rest import HttpError

if TYPE_CHECKING:
    from tests.fakediscord._server import FakeDiscord

BULK_DELETE_MAX_AGE = timedelta(days=14)


def _perm_str(value) -> str | None:
    """Discord answers permission bitsets as strings."""
    return None if value is None else str(value)


def install_routes(fake: FakeDiscord) -> None:
    """Register every endpoint on the fake's router."""
    add = fake.router.add

    async def get_me(body, query):
        return fake.bot_user.payload()

    async def get_application(body, query):
        owner = next(iter(fake.users.values()))
        return {"id": str(fake.application_id), "name": "pitchfree", "icon": None, "description": "",
                "bot_public": True, "bot_require_code_grant": False, "owner": owner.payload(),
                "verify_key": "0" * 64, "flags": 0, "team": None, "summary": "",
                "interactions_endpoint_url": None, "bot": fake.bot_user.payload()}

    async def overwrite_commands(body, query, app_id, guild_id=None):
        key = int(guild_id) if guild_id else None
        synced = []
        for cmd in body or []:
            synced.append({"description": "", "options": [], "type": 1, "nsfw": False, **cmd, "id": str(fake.ids.next()), "application_id": str(app_id),
                           "guild_id": guild_id, "version": str(fake.ids.next()),
                           "default_member_permissions": _perm_str(cmd.get("default_member_permissions"))})
        fake.commands[key] = synced
        return synced

    async def get_commands(body, query, app_id, guild_id=None):
        return fake.commands.get(int(guild_id) if guild_id else None, [])

    async def get_channel(body, query, channel_id):
        return fake.channel(channel_id).payload()

    async def edit_channel(body, query, channel_id):
        channel = fake.channel(channel_id)
        if "applied_tags" in body:
            if channel.type != PUBLIC_THREAD:
                raise HttpError(400, 50024, "Cannot execute action on this channel type")
            channel.applied_tags = [int(t) for t in body["applied_tags"]]
        if "name" in body:
            channel.name = body["name"]
        return channel.payload()

    async def create_message(body, query, channel_id):
        channel = fake.channel(channel_id)
        if channel.type == DM and not channel.recipient.dms_open:
            raise HttpError(403, 50007, "Cannot send messages to this user")
        body = body or {}
        ref = (body.get("message_reference") or {}).get("message_id")
        msg = fake.store_message(channel.id, fake.bot_user, body.get("content") or "",
                                 reply_to=int(ref) if ref else None, embeds=body.get("embeds") or [],
                                 components=body.get("components") or [], flags=body.get("flags") or 0)
        payload = fake.message_payload(msg)
        if channel.guild_id is not None:
            await fake.gateway.dispatch("MESSAGE_CREATE", payload)
        return payload

    async def edit_message(body, query, channel_id, message_id):
        msg = _message(channel_id, message_id)
        if "content" in body:
            msg.content = body["content"] or ""
        if "embeds" in body:
            msg.embeds = body["embeds"] or []
        if "components" in body:
            msg.components = body["components"] or []
        msg.edited_at = datetime.now(UTC)
        return fake.message_payload(msg)

    async def get_message(body, query, channel_id, message_id):
        return fake.message_payload(_message(channel_id, message_id))

    async def delete_message(body, query, channel_id, message_id):
        msg = _message(channel_id, message_id)
        msg.deleted = True
        data = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
            await fake.gateway.dispatch("MESSAGE_DELETE", data)

    async def bulk_delete(body, query, channel_id):
        ids = [int(i) for i in body.get("messages", [])]
        if not 2 <= len(ids) <= 100:
            raise HttpError(400, 50016, "You must provide at least 2 and fewer than 100 messages to delete")
        now = datetime.now(UTC)
        for i in ids:
            msg = fake.messages.get(i)
            if msg is not None and now - msg.timestamp > BULK_DELETE_MAX_AGE:
                raise HttpError(400, 50034, "You can only bulk delete messages that are under 14 days old")
        for i in ids:
            if i in fake.messages:
                fake.messages[i].deleted = True
        channel = fake.channel(channel_id)
        if channel.guild_id is not None:
            await fake.gateway.dispatch("MESSAGE_DELETE_BULK", {
                "ids": [str(i) for i in ids], "channel_id": str(channel.id), "guild_id": str(channel.guild_id)})

    async def add_own_reaction(body, query, channel_id, message_id, emoji):
        _message(channel_id, message_id)

    async def get_member(body, query, guild_id, user_id):
        return fake.member(guild_id, user_id).payload()

    async def edit_member(body, query, guild_id, user_id):
        member = fake.member(guild_id, user_id)
        if "communication_disabled_until" in body:
            member.communication_disabled_until = body["communication_disabled_until"]
        if "roles" in body:
            member.role_ids = [int(r) for r in body["roles"]]
        await _member_updated(guild_id, member)
        return member.payload()

    async def add_role(body, query, guild_id, user_id, role_id):
        member = fake.member(guild_id, user_id)
        if int(role_id) not in fake.guild(guild_id).roles:
            raise HttpError(404, 10011, "Unknown Role")
        if int(role_id) not in member.role_ids:
            member.role_ids.append(int(role_id))
            await _member_updated(guild_id, member)

    async def remove_role(body, query, guild_id, user_id, role_id):
        member = fake.member(guild_id, user_id)
        if int(role_id) in member.role_ids:
            member.role_ids.remove(int(role_id))
            await _member_updated(guild_id, member)

    async def create_dm(body, query):
        user = fake.users.get(int(body["recipient_id"]))
        if user is None:
            raise HttpError(404, 10013, "Unknown User")
        return fake.dm_channel(user).payload()

    async def get_invite(body, query, code):
        guild_id = fake.invites.get(code)
        if guild_id is None:
            raise HttpError(404, 10006, "Unknown Invite")
        guild = fake.guild(guild_id)
        channel = next(iter(guild.channels.values()))
        return {"code": code, "type": 0, "guild": {"id": str(guild.id), "name": guild.name, "splash": None,
                                                   "banner": None, "description": None, "icon": None,
                                                   "features": [], "verification_level": 0,
                                                   "vanity_url_code": None, "nsfw_level": 0},
                "channel": {"id": str(channel.id), "name": channel.name, "type": channel.type}}

    async def _member_updated(guild_id, member):
        await fake.gateway.dispatch("GUILD_MEMBER_UPDATE", {**member.payload(), "guild_id": str(guild_id)})

    def _message(channel_id, message_id):
        fake.channel(channel_id)
        msg = fake.messages.get(int(message_id))
        if msg is None or msg.deleted or msg.channel_id != int(channel_id):
            raise HttpError(404, 10008, "Unknown Message")
        return msg

    add("GET", "/users/@me", get_me)
    add("GET", "/oauth2/applications/@me", get_application)
    add("GET", "/applications/@me", get_application)
    add("PUT", "/applications/{app_id}/commands", overwrite_commands)
    add("GET", "/applications/{app_id}/commands", get_commands)
    add("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", overwrite_commands)
    add("GET", "/applications/{app_id}/guilds/{guild_id}/commands", get_commands)
    add("GET", "/channels/{channel_id}", get_channel)
    add("PATCH", "/channels/{channel_id}", edit_channel)
    add("POST", "/channels/{channel_id}/messages", create_message)
    add("POST", "/channels/{channel_id}/messages/bulk-delete", bulk_delete)
    add("GET", "/channels/{channel_id}/messages/{message_id}", get_message)
    add("PATCH", "/channels/{channel_id}/messages/{message_id}", edit_message)
    add("DELETE", "/channels/{channel_id}/messages/{message_id}", delete_message)
    add("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", add_own_reaction)
    add("GET", "/guilds/{guild_id}/members/{user_id}", get_member)
    add("PATCH", "/guilds/{guild_id}/members/{user_id}", edit_member)
    add("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", add_role)
    add("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", remove_role)
    add("POST", "/users/@me/channels", create_dm)
    add("GET", "/invites/{code}", get_invite)
