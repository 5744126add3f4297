"""Hardening fixtures: the e2e fake Discord and world, and a runner that loads the built-in plugins."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

from bot.discord_adapter._bot import PitchfreeBot
from bot.discord_adapter.runner import create_bot
from bot.plugins import BUILTIN_PLUGINS
from tests.e2e.conftest import (
    TOKEN,
    BotRunner,
    _assert_loopback,
    _quiet_discord_logs,
    config_dir,
    fake,
    world,
)
from tests.e2e.conftest import probe as probe

__all__ = ["_quiet_discord_logs", "config_dir", "fake", "world"]


class PluginRunner(BotRunner):
    """Like the e2e runner, but with the built-in plugins (and optional extra ones) loaded."""

    async def start(self, probe=None, *, tick_seconds: float = 3600, builtins=BUILTIN_PLUGINS,
                    extra: dict | None = None, client_options: dict | None = None, **options) -> PitchfreeBot:
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


def write_guild_config(config_dir: Path, guild_id: int, extra: dict) -> None:
    """Merge `extra` into the community's YAML file."""
    path = config_dir / "guilds" / f"{guild_id}.yaml"
    data = yaml.safe_load(path.read_text()) or {}
    data.update(extra)
    path.write_text(yaml.safe_dump(data))


@pytest.fixture
async def plugin_runner(fake, config_dir: Path, tmp_path: Path):
    run = PluginRunner(fake, config_dir, str(tmp_path / "pitchfree.db"))
    try:
        yield run
    finally:
        await run.stop()
