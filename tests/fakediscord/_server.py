"""FakeDiscord: an aiohttp server on 127.0.0.1 that real discord.py talks to, plus test helpers."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from tests.fakediscord import _gateway as gw
from tests.fakediscord._events import EventsMixin
from tests.fakediscord._interactions import InteractionMixin
from tests.fakediscord._model import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    CATEGORY,
    DM,
    FORUM,
    PUBLIC_THREAD,
    TEXT,
    Channel,
    Guild,
    Member,
    Role,
    Snowflakes,
    StoredMessage,
    User,
)
from tests.fakediscord._rest import (
    API_PREFIX,
    Call,
    FailRule,
    HttpError,
    Router,
    error_response,
    json_response,
    read_body,
)
from tests.fakediscord._routes import install_routes


class FakeDiscord(EventsMixin, InteractionMixin):
    """A loopback Discord: REST under /api/v10, the gateway at /, an in-memory world, recorded calls.

    Build the world (`add_guild`, `add_role`, `add_channel`, `add_thread`, `add_member`), start the
    bot, then drive it: `send_message`, `edit_message`, `delete_message`, `add_reaction`,
    `member_join`, `invoke_slash`, `invoke_message_context_menu`, `invoke_user_context_menu`,
    `click_button`. Assert with `calls` / `calls_to` / `wait_for_call` / `wait_until`.
    Faults: `fail(...)` (403/404/429 with retry_after, optionally global), `send_reconnect()`,
    `invalidate_session()`, `drop_connection()`, and on `gateway`: `ack_heartbeats = False`,
    `heartbeat_interval_ms`, `resume_gate` (hold RESUMEs), `replay_overlap` (re-send already
    delivered events on RESUME); counters `identifies`, `resumes`, `replayed`.
    """

    def __init__(self) -> None:
        self.ids = Snowflakes()
        self.bot_user = User(self.ids.next(), "pitchfree", bot=True)
        self.application_id = self.bot_user.id
        self.users: dict[int, User] = {self.bot_user.id: self.bot_user}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, StoredMessage] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # guild id (None: global) -> synced
        self.calls: list[Call] = []
        self.fail_rules: list[FailRule] = []
        self.invites: dict[str, int] = {}
        self.gateway = gw.Gateway(self._ready_payload, self._guild_payloads, self._members_chunk)
        self.router = Router()
        install_routes(self)
        self._init_interactions()
        self._call_event = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- server lifecycle --

    async def start(self) -> FakeDiscord:
        """Listen on 127.0.0.1, on an ephemeral port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._handle_rest)
        app.router.add_get("/", self.gateway.handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        """Stop the server."""
        self.gateway.end_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    async def _handle_rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await read_body(request)
        query = dict(request.query)
        rule = self._failing(request.method, path)
        if rule is not None:
            response = error_response(rule.status, rule.code, rule.message, rule.retry_after, rule.is_global)
        else:
            handler, params = self.router.match(request.method, path)
            if handler is None:
                response = error_response(404, 0, f"fake: no route for {request.method} {path}")
            else:
                try:
                    result = await handler(body, query=query, **params)
                    response = json_response(None, 204) if result is None else json_response(result)
                except HttpError as exc:
                    response = error_response(exc.status, exc.code, exc.message)
        self.calls.append(Call(request.method, path, body, query, response.status, files))
        self._call_event.set()
        return response

    def _failing(self, method: str, path: str) -> FailRule | None:
        for rule in self.fail_rules:
            if rule.method in (method, "*") and rule.pattern.search(path):
                if rule.times is not None and rule.hits >= rule.times:
                    continue
                rule.hits += 1
                return rule
        return None

    # -- failure injection and assertions --

    def fail(self, method: str, path_regex: str, status: int, *, code: int = 0, message: str = "",
             retry_after: float = 0.05, times: int | None = 1, is_global: bool = False) -> FailRule:
        """Answer matching requests (method or "*") with `status` (403/404/429...), `times` times (None: always)."""
        rule = FailRule(method, re.compile(path_regex), status, code, message or f"fake failure {status}",
                        retry_after, times, is_global)
        self.fail_rules.append(rule)
        return rule

    def calls_to(self, method: str, path_regex: str, *, status: int | None = None) -> list[Call]:
        """Recorded calls whose method and path match (optionally only with a given status)."""
        pattern = re.compile(path_regex)
        return [c for c in self.calls if c.method == method and pattern.search(c.path)
                and (status is None or c.status == status)]

    async def wait_for_call(self, method: str, path_regex: str, *, count: int = 1, status: int | None = None,
                            timeout: float = 15.0) -> list[Call]:
        """Wait until at least `count` matching calls were recorded; return them."""
        return await self.wait_until(lambda: len(self.calls_to(method, path_regex, status=status)) >= count,
                                     timeout, lambda: self.calls_to(method, path_regex, status=status),
                                     f"{count} x {method} {path_regex}")

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 15.0,
                         result: Callable[[], Any] | None = None, what: str = "condition") -> Any:
        """Poll `predicate` (cheaply, every 10 ms) until true; fail with a clear message on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() > deadline:
                recent = "\n".join(f"  {c.method} {c.path} -> {c.status}" for c in self.calls[-15:])
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; last calls:\n{recent}")
            await asyncio.sleep(0.01)
        return result() if result else True

    # -- building the world --

    def add_user(self, name: str, *, bot: bool = False, dms_open: bool = True, account_days: float = 365) -> User:
        """A user whose account (its snowflake id) was created `account_days` ago."""
        user = User(self.ids.next(ago_s=account_days * 86400), name, bot=bot, dms_open=dms_open)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str = "Test Community", *, bot_permissions: int = ALL_PERMISSIONS & ~ADMINISTRATOR,
                  bot_role_position: int = 10) -> Guild:
        """A guild with @everyone, a bot role and the bot as a member."""
        guild_id = self.ids.next()
        owner = self.add_user("owner")
        guild = Guild(guild_id, name, owner.id)
        guild.roles[guild_id] = Role(guild_id, "@everyone", 0, permissions=0x400 | 0x800 | 0x40)
        self.guilds[guild_id] = guild
        bot_role = self.add_role(guild, "pitchfree", bot_role_position, bot_permissions)
        guild.members[owner.id] = Member(owner, [], datetime.now(UTC) - timedelta(days=900))
        guild.members[self.bot_user.id] = Member(self.bot_user, [bot_role.id], datetime.now(UTC))
        return guild

    def add_role(self, guild: Guild, name: str, position: int, permissions: int = 0) -> Role:
        role = Role(self.ids.next(), name, position, permissions)
        guild.roles[role.id] = role
        return role

    def add_channel(self, guild: Guild, name: str, *, type: int = TEXT, parent: Channel | None = None,
                    owner: User | None = None, tags: tuple[str, ...] = ()) -> Channel:
        """A text channel, category, forum (with tags) or thread (give `parent`)."""
        channel = Channel(self.ids.next(), name, type, guild.id, parent.id if parent else None,
                          owner.id if owner else None, len(guild.channels))
        if type == FORUM:
            channel.available_tags = [{"id": str(self.ids.next()), "name": t, "moderated": False,
                                       "emoji_id": None, "emoji_name": None} for t in tags]
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def add_thread(self, guild: Guild, parent: Channel, name: str, owner: User) -> Channel:
        return self.add_channel(guild, name, type=PUBLIC_THREAD, parent=parent, owner=owner)

    def add_member(self, guild: Guild, name: str, *, roles: tuple[Role, ...] = (), days: float = 30,
                   dms_open: bool = True, user: User | None = None, account_days: float = 365) -> User:
        """A member who joined `days` ago."""
        user = user or self.add_user(name, dms_open=dms_open, account_days=max(account_days, days))
        guild.members[user.id] = Member(user, [r.id for r in roles], datetime.now(UTC) - timedelta(days=days))
        return user

    # -- gateway payloads --

    def _ready_payload(self, session_id: str) -> dict[str, Any]:
        return {
            "v": 10, "user": {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(g), "unavailable": True} for g in self.guilds],
            "session_id": session_id, "session_type": "normal",
            "resume_gateway_url": self.gateway_url, "shard": [0, 1],
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [], "relationships": [], "presences": [], "guild_join_requests": [],
            "geo_ordered_rtc_regions": [], "user_settings": {},
        }

    def _guild_payloads(self) -> list[dict[str, Any]]:
        return [g.payload() for g in self.guilds.values()]

    def _members_chunk(self, guild_id: int) -> dict[str, Any]:
        guild = self.guilds[guild_id]
        return {"guild_id": str(guild_id), "members": [m.payload() for m in guild.members.values()],
                "chunk_index": 0, "chunk_count": 1, "not_found": [], "presences": []}

    async def wait_ready(self, timeout: float = 20.0) -> None:
        """Wait until a client identified and got READY and GUILD_CREATE."""
        await asyncio.wait_for(self.gateway.ready.wait(), timeout)

    # -- used by routes --

    def channel(self, channel_id: int | str) -> Channel:
        channel = self.channels.get(int(channel_id))
        if channel is None:
            raise HttpError(404, 10003, "Unknown Channel")
        return channel

    def guild(self, guild_id: int | str) -> Guild:
        guild = self.guilds.get(int(guild_id))
        if guild is None:
            raise HttpError(404, 10004, "Unknown Guild")
        return guild

    def member(self, guild_id: int | str, user_id: int | str) -> Member:
        member = self.guild(guild_id).members.get(int(user_id))
        if member is None:
            raise HttpError(404, 10007, "Unknown Member")
        return member

    def dm_channel(self, user: User) -> Channel:
        for channel in self.channels.values():
            if channel.type == DM and channel.recipient is user:
                return channel
        channel = Channel(self.ids.next(), "", DM, recipient=user)
        self.channels[channel.id] = channel
        return channel

    def new_token(self) -> str:
        return secrets.token_urlsafe(24)


__all__ = ["CATEGORY", "FORUM", "PUBLIC_THREAD", "TEXT", "FakeDiscord"]
