"""Hardening fixtures: the e2e fake Discord and world, and a runner that loads the built-in plugins."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.discord_adapter._bot import PitchfreeBot
from bot.plugins import BUILTIN_PLUGINS
from tests.e2e.conftest import (
    BotRunner,
    _quiet_discord_logs,
    config_dir,
    fake,
    world,
)
from tests.e2e.conftest import probe as probe

__all__ = ["_quiet_discord_logs", "config_dir", "fake", "world"]


class PluginRunner(BotRunner):
    """Like the e2e runner, but with the built-in plugins (and optional extra ones) loaded."""

    async def start(self, probe=None, *, builtins=BUILTIN_PLUGINS, **options) -> PitchfreeBot:
        """Start the bot with the built-in plugins, plus `probe` and `extra` when given."""
        return await super().start(probe, builtins=builtins, **options)


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
