"""Fixtures: a fake Discord on 127.0.0.1, a small community in it, and the real bot pointed at it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

import discord
import pytest
import yaml
import yarl

from bot.discord_adapter._bot import PitchfreeBot
from bot.discord_adapter.runner import create_bot
from tests.e2e._probe import Probe
from tests.fakediscord import FORUM, Channel, FakeDiscord, Guild, Role, User

TOKEN = "fake-token-e2e.NOT-A-REAL-TOKEN"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class World:
    """The community the e2e tests play in."""

    guild: Guild
    general: Channel
    mod_log: Channel
    forum: Channel
    post: Channel
    member_role: Role
    mod_role: Role
    admin_role: Role
    high_role: Role
    alice: User
    bob: User
    mod: User
    admin: User
    boss: User
    shy: User


def _build_world(fake: FakeDiscord) -> World:
    guild = fake.add_guild("E2E Community", bot_role_position=10)
    member_role = fake.add_role(guild, "Member", 1)
    mod_role = fake.add_role(guild, "Moderator", 5)
    admin_role = fake.add_role(guild, "Admin", 6)
    high_role = fake.add_role(guild, "Boss", 20)
    category = fake.add_channel(guild, "Community", type=4)
    general = fake.add_channel(guild, "general", parent=category)
    mod_log = fake.add_channel(guild, "mod-log")
    forum = fake.add_channel(guild, "help", type=FORUM, tags=("Solved", "Question"))
    alice = fake.add_member(guild, "alice", roles=(member_role,), days=40)
    bob = fake.add_member(guild, "bob", roles=(member_role,), days=3)
    mod = fake.add_member(guild, "mod", roles=(member_role, mod_role), days=400)
    admin = fake.add_member(guild, "admin", roles=(admin_role,), days=500)
    boss = fake.add_member(guild, "boss", roles=(high_role,), days=600)
    shy = fake.add_member(guild, "shy", roles=(member_role,), days=10, dms_open=False)
    post = fake.add_thread(guild, forum, "How do I?", alice)
    return World(guild, general, mod_log, forum, post, member_role, mod_role, admin_role, high_role,
                 alice, bob, mod, admin, boss, shy)


@pytest.fixture
async def fake():
    """A started fake Discord; discord.py is pointed at it for this test only."""
    server = await FakeDiscord().start()
    old_base, old_gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = server.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)
    try:
        yield server
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway
        await server.close()


@pytest.fixture
def world(fake: FakeDiscord) -> World:
    return _build_world(fake)


@pytest.fixture
def config_dir(tmp_path: Path, world: World) -> Path:
    """default.yaml plus the community's file with moderator/admin roles and the mod-log channel."""
    (tmp_path / "guilds").mkdir()
    (tmp_path / "default.yaml").write_text(yaml.safe_dump({"language": "en"}))
    (tmp_path / "guilds" / f"{world.guild.id}.yaml").write_text(yaml.safe_dump({
        "moderator_roles": [world.mod_role.id], "admin_roles": [world.admin_role.id],
        "mod_log_channel": world.mod_log.id,
    }))
    return tmp_path


def _assert_loopback() -> None:
    base = discord.http.Route.BASE
    gateway = str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    if not base.startswith("http://127.0.0.1:") or not gateway.startswith("ws://127.0.0.1:"):
        raise RuntimeError(f"refusing to start: discord.py points at {base} / {gateway}, not the fake")


class BotRunner:
    """Starts the real bot against the fake and stops it cleanly."""

    def __init__(self, fake: FakeDiscord, config_dir: Path, db_path: str) -> None:
        self.fake = fake
        self.config_dir = config_dir
        self.db_path = db_path
        self.bot: PitchfreeBot | None = None
        self._task: asyncio.Task | None = None

    async def start(self, probe: Probe | None = None, *, tick_seconds: float = 3600, builtins: tuple = (),
                    extra: dict | None = None, client_options: dict | None = None, **options) -> PitchfreeBot:
        """Build a fresh engine + bot with `probe` as plugin `probe`; wait for READY and command sync."""
        _assert_loopback()
        self.fake.gateway.ready.clear()
        plugins = dict(extra or {})
        if probe is not None:
            plugins["probe"] = probe
        bot = await create_bot(config_dir=self.config_dir, db_path=self.db_path, builtins=builtins,
                               entry_points=False, extra_plugins=plugins, tick_seconds=tick_seconds,
                               client_options={"guild_ready_timeout": 0.05, "reidentify_delay": 0.05,
                                               **(client_options or {})}, **options)
        self.bot = bot
        self._task = asyncio.create_task(bot.start(TOKEN))
        waiter = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({waiter, self._task}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
        if waiter not in done:
            waiter.cancel()
            if self._task.done():
                self._task.result()
            raise AssertionError("bot did not become ready")
        await asyncio.wait_for(bot.synced.wait(), 20)
        return bot

    async def stop(self) -> None:
        if self.bot is None:
            return
        bot, self.bot = self.bot, None
        await bot.shutdown()
        await asyncio.wait_for(self._task, 20)


@pytest.fixture
async def runner(fake: FakeDiscord, config_dir: Path, tmp_path: Path):
    run = BotRunner(fake, config_dir, str(tmp_path / "pitchfree.db"))
    try:
        yield run
    finally:
        await run.stop()


@pytest.fixture
def probe() -> Probe:
    return Probe()


@pytest.fixture(autouse=True)
def _quiet_discord_logs():
    logging.getLogger("discord").setLevel(logging.WARNING)
    yield
