"""A third-party plugin installed through the `pitchfree.plugins` entry point."""

from __future__ import annotations

import importlib
import sys
import textwrap

import pytest

from bot.app import build_engine
from bot.config import ConfigError
from bot.events import Member, Message, MessageCreated
from bot.executor import RecordingExecutor
from bot.testing import START

PLUGIN_SOURCE = textwrap.dedent('''
    from bot.actions import Reply
    from bot.config import StrictModel
    from bot.hookspecs import hookimpl

    class Config(StrictModel):
        greeting: str = "hello"

    class Greeter:
        @hookimpl
        def pitchfree_config_model(self):
            return Config

        @hookimpl
        def pitchfree_message(self, event, config):
            m = event.message
            return [Reply(plugin="greeter", reason="greet", guild_id=m.guild_id,
                          channel_id=m.channel_id, content=config.greeting)]
''')


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    """Install a real distribution (dist-info with entry_points.txt) on sys.path."""
    site = tmp_path / "site"
    (site / "greeter_pkg").mkdir(parents=True)
    (site / "greeter_pkg" / "__init__.py").write_text(PLUGIN_SOURCE)
    dist = site / "greeter_pkg-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: greeter-pkg\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[pitchfree.plugins]\ngreeter = greeter_pkg:Greeter\n")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield
    sys.modules.pop("greeter_pkg", None)


def config_dir(tmp_path, guild_yaml: str):
    cfg = tmp_path / "cfg"
    (cfg / "guilds").mkdir(parents=True)
    (cfg / "default.yaml").write_text("language: en\n")
    (cfg / "guilds" / "9.yaml").write_text(guild_yaml)
    return cfg


async def test_entry_point_plugin_receives_events_with_its_config(tmp_path, installed_plugin):
    executor = RecordingExecutor()
    engine, report = await build_engine(
        executor, config_dir=config_dir(tmp_path, "plugins:\n  greeter:\n    greeting: hi there\n"),
        db_path=":memory:", builtins=())
    assert report.ok and "greeter" in engine.plugin_names()
    msg = Message(guild_id=9, channel_id=1, message_id=2, author=Member(3), content="x", created_at=START)
    await engine.dispatch(MessageCreated(msg))
    assert [(a.kind, a.content) for a in executor.actions] == [("reply", "hi there")]
    await engine.stop()


async def test_entry_point_plugin_config_is_validated(tmp_path, installed_plugin):
    cfg = config_dir(tmp_path, "plugins:\n  greeter:\n    greting: typo\n")
    with pytest.raises(ConfigError, match="config directory not found"):
        await build_engine(RecordingExecutor(), config_dir=cfg.parent / "missing", db_path=None, builtins=())
    engine, report = await build_engine(RecordingExecutor(), config_dir=cfg, db_path=None, builtins=())
    assert [str(p).split(": ", 1)[1] for p in report.problems] == [
        "plugins.greeter.greting: unknown key 'greting' (did you mean 'greeting'?)"
    ]
    await engine.stop()
