"""Interactions in the fake: slash commands, context menus, button clicks, and the bot's answers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.fakediscord._model import User
from tests.fakediscord._rest import HttpError

if TYPE_CHECKING:
    from tests.fakediscord._model import Channel, StoredMessage

EPHEMERAL = 1 << 6
# Application command option types (Discord API v10).
OPTION_SUB, OPTION_GROUP, OPTION_USER, OPTION_CHANNEL = 1, 2, 6, 7


@dataclass
class InteractionRecord:
    """An interaction the fake sent, and every answer the bot gave to it."""

    id: int
    token: str
    responses: list[dict[str, Any]] = field(default_factory=list)  # callback bodies
    followups: list[dict[str, Any]] = field(default_factory=list)  # webhook bodies and edits
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait_response(self, timeout: float = 15.0) -> dict[str, Any]:
        """The first callback body (`{"type": 4, "data": {...}}`)."""
        await asyncio.wait_for(self.answered.wait(), timeout)
        return self.responses[0]

    async def wait_text(self, timeout: float = 15.0) -> tuple[str, bool]:
        """(content plus embed text, ephemeral?) of the first visible answer."""
        first = await self.wait_response(timeout)
        data = first.get("data") or {}
        if first.get("type") == 5:  # deferred: the answer arrives as an edit or follow-up
            await _wait(lambda: bool(self.followups), timeout)
            data = self.followups[0]
        ephemeral = bool((data.get("flags") or 0) & EPHEMERAL) or bool(
            ((first.get("data") or {}).get("flags") or 0) & EPHEMERAL)
        return message_text(data), ephemeral


def message_text(data: dict[str, Any]) -> str:
    """Content, embed titles/descriptions and field names/values of a message body, joined."""
    parts = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for f in embed.get("fields") or []:
            parts += [f.get("name", ""), f.get("value", "")]
    return "\n".join(p for p in parts if p)


async def _wait(predicate, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for an interaction follow-up")
        await asyncio.sleep(0.01)


class InteractionMixin:
    """Mixed into FakeDiscord."""

    def _init_interactions(self) -> None:
        self.interactions: dict[int, InteractionRecord] = {}
        self._by_token: dict[str, InteractionRecord] = {}
        add = self.router.add
        add("POST", "/interactions/{interaction_id}/{token}/callback", self._callback)
        add("POST", "/webhooks/{app_id}/{token}", self._followup)
        add("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", self._followup_edit)
        add("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self._followup_get)

    # -- routes --

    async def _callback(self, body, query, interaction_id, token):
        record = self.interactions.get(int(interaction_id))
        if record is None or record.token != token:
            raise HttpError(404, 10062, "Unknown interaction")
        if record.responses:
            raise HttpError(400, 40060, "Interaction has already been acknowledged.")
        record.responses.append(body)
        record.answered.set()
        data = body.get("data") or {}
        message = {"id": str(self.ids.next()), "channel_id": "0", "content": data.get("content") or "",
                   "author": self.bot_user.payload(), "timestamp": "2026-01-01T00:00:00+00:00",
                   "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
                   "mention_roles": [], "attachments": [], "embeds": data.get("embeds") or [],
                   "pinned": False, "type": 20, "flags": data.get("flags") or 0,
                   "components": data.get("components") or []}
        return {"interaction": {"id": str(record.id), "type": 2,
                                "response_message_id": message["id"],
                                "response_message_loading": body.get("type") == 5,
                                "response_message_ephemeral": bool((data.get("flags") or 0) & EPHEMERAL)},
                "resource": {"type": body.get("type"), "message": message}}

    def _record_for(self, token: str) -> InteractionRecord:
        record = self._by_token.get(token)
        if record is None:
            raise HttpError(404, 10015, "Unknown Webhook")
        return record

    async def _followup(self, body, query, app_id, token):
        record = self._record_for(token)
        record.followups.append(body or {})
        return self._webhook_message(body or {})

    async def _followup_edit(self, body, query, app_id, token, message_id):
        record = self._record_for(token)
        record.followups.append(body or {})
        return self._webhook_message(body or {})

    async def _followup_get(self, body, query, app_id, token, message_id):
        self._record_for(token)
        return self._webhook_message({})

    def _webhook_message(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"id": str(self.ids.next()), "channel_id": "0", "content": body.get("content") or "",
                "author": self.bot_user.payload(), "timestamp": "2026-01-01T00:00:00+00:00",
                "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
                "mention_roles": [], "attachments": [], "embeds": body.get("embeds") or [], "pinned": False,
                "type": 0, "flags": body.get("flags") or 0, "components": body.get("components") or []}

    # -- helpers for tests --

    def _interaction_base(self, kind: int, channel: Channel, user: User, data: dict[str, Any],
                          message: dict[str, Any] | None = None) -> tuple[InteractionRecord, dict[str, Any]]:
        record = InteractionRecord(self.ids.next(), self.new_token())
        self.interactions[record.id] = record
        self._by_token[record.token] = record
        payload: dict[str, Any] = {
            "id": str(record.id), "application_id": str(self.application_id), "type": kind, "data": data,
            "channel_id": str(channel.id), "channel": channel.payload(), "token": record.token, "version": 1,
            "locale": "en-US", "entitlements": [], "authorizing_integration_owners": {},
            "app_permissions": str((1 << 50) - 1), "attachment_size_limit": 8_388_608,
        }
        if channel.guild_id is not None:
            guild = self.guilds[channel.guild_id]
            member = guild.members[user.id]
            perms = 0
            for role_id in [guild.id, *member.role_ids]:
                perms |= guild.roles[role_id].permissions
            if user.id == guild.owner_id:
                perms = (1 << 50) - 1
            payload.update(guild_id=str(guild.id), guild_locale="en-US", context=0,
                           member={**member.payload(), "permissions": str(perms)})
            payload["authorizing_integration_owners"] = {"0": str(guild.id)}
        else:
            payload.update(user=user.payload(), context=1)
        if message is not None:
            payload["message"] = message
        return record, payload

    def _find_command(self, name: str, guild_id: int | None, kind: int) -> dict[str, Any]:
        for scope in (guild_id, None):
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and cmd.get("type", 1) == kind:
                    return cmd
        raise AssertionError(f"command {name!r} (type {kind}) was never synced; synced: "
                             f"{ {k: [c['name'] for c in v] for k, v in self.commands.items()} }")

    async def invoke_slash(self, name: str, options: dict[str, Any] | None, user: User,
                           channel: Channel) -> InteractionRecord:
        """`user` runs `/name` (spaces for subcommands) in `channel`; returns the interaction record."""
        words = name.split()
        cmd = self._find_command(words[0], channel.guild_id, 1)
        resolved: dict[str, Any] = {}
        node: dict[str, Any] = cmd
        path_opts: list[dict[str, Any]] = []
        top: list[dict[str, Any]] = path_opts
        for word in words[1:]:
            node = next(o for o in node.get("options", []) if o["name"] == word)
            entry = {"name": word, "type": node["type"], "options": []}
            path_opts.append(entry)
            path_opts = entry["options"]
        for key, value in (options or {}).items():
            spec = next(o for o in node.get("options", []) if o["name"] == key)
            path_opts.append({"name": key, "type": spec["type"], "value": self._option_value(
                spec["type"], value, channel, resolved)})
        data = {"id": cmd["id"], "name": cmd["name"], "type": 1, "options": top}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        if resolved:
            data["resolved"] = resolved
        record, payload = self._interaction_base(2, channel, user, data)
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return record

    def _option_value(self, option_type: int, value: Any, channel: Channel, resolved: dict[str, Any]) -> Any:
        if option_type == OPTION_USER:
            user = value
            resolved.setdefault("users", {})[str(user.id)] = user.payload()
            member = self.guilds[channel.guild_id].members.get(user.id) if channel.guild_id else None
            if member is not None:
                resolved.setdefault("members", {})[str(user.id)] = {**member.payload(with_user=False),
                                                                    "permissions": "0"}
            return str(user.id)
        if option_type == OPTION_CHANNEL:
            resolved.setdefault("channels", {})[str(value.id)] = {**value.payload(), "permissions": "0"}
            return str(value.id)
        return value

    async def invoke_message_context_menu(self, name: str, target: StoredMessage, user: User) -> InteractionRecord:
        """`user` right-clicks `target` > Apps > `name`."""
        channel = self.channels[target.channel_id]
        cmd = self._find_command(name, channel.guild_id, 3)
        data = {"id": cmd["id"], "name": name, "type": 3, "target_id": str(target.id),
                "resolved": {"messages": {str(target.id): self.message_payload(target)}}}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        record, payload = self._interaction_base(2, channel, user, data)
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return record

    async def invoke_user_context_menu(self, name: str, target: User, user: User, channel: Channel) -> InteractionRecord:
        """`user` right-clicks member `target` > Apps > `name`."""
        cmd = self._find_command(name, channel.guild_id, 2)
        resolved: dict[str, Any] = {}
        self._option_value(OPTION_USER, target, channel, resolved)
        data = {"id": cmd["id"], "name": name, "type": 2, "target_id": str(target.id), "resolved": resolved}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        record, payload = self._interaction_base(2, channel, user, data)
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return record

    async def click_button(self, custom_id: str, user: User, message: StoredMessage | None = None) -> InteractionRecord:
        """`user` clicks the button `custom_id` (under `message`, else the last bot message carrying it)."""
        if message is None:
            message = self.message_with_button(custom_id)
        channel = self.channels[message.channel_id]
        data = {"custom_id": custom_id, "component_type": 2}
        record, payload = self._interaction_base(3, channel, user, data, self.message_payload(message))
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return record

    def message_with_button(self, custom_id: str) -> StoredMessage:
        """The latest stored message with a component of that custom_id."""
        for msg in reversed(list(self.messages.values())):
            for row in msg.components:
                for comp in row.get("components", []):
                    if comp.get("custom_id") == custom_id:
                        return msg
        raise AssertionError(f"no message carries a button {custom_id!r}")
