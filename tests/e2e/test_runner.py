"""`pitchfree run`: clean shutdown on SIGTERM, no token in logs; the invite resolver service."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import discord
import pytest

from bot.discord_adapter.runner import create_bot, serve
from tests.e2e._probe import Probe
from tests.e2e.conftest import ROOT, TOKEN

pytestmark = pytest.mark.e2e


async def test_run_shuts_down_cleanly_on_sigterm(fake, world, config_dir, tmp_path):
    db = tmp_path / "bot.db"
    env = {**os.environ, "DISCORD_TOKEN": TOKEN, "FAKE_DISCORD_API": fake.api_base,
           "FAKE_DISCORD_GATEWAY": fake.gateway_url, "PYTHONPATH": str(ROOT), "PITCHFREE_TICK_SECONDS": "3600"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.e2e._launch", "run", "--config-dir", str(config_dir), "--db", str(db), cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        await fake.wait_ready(timeout=30)
        await fake.wait_until(lambda: world.guild.id in fake.commands, timeout=30, what="command sync")
        proc.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
    text = output.decode()
    assert proc.returncode == 0, text
    assert "shutting down" in text and "stopped" in text
    assert "start-up objects frozen, young generation collected every 50000 allocations" in text
    assert TOKEN not in text
    assert db.exists() and not (tmp_path / "bot.db.pending.jsonl").exists()


async def test_serve_stops_taking_events_and_closes_the_engine(fake, world, config_dir, tmp_path):
    probe = Probe()
    bot = await create_bot(config_dir=config_dir, db_path=str(tmp_path / "x.db"), builtins=(),
                           entry_points=False, extra_plugins={"probe": probe}, tick_seconds=3600,
                           client_options={"guild_ready_timeout": 0.05})
    stop = asyncio.Event()
    task = asyncio.create_task(serve(bot, TOKEN, stop))
    await fake.wait_until(bot.is_ready, timeout=20, what="bot ready")
    await fake.send_message(world.general, world.alice, "one")
    await fake.wait_until(lambda: len(probe.events) == 1, what="first message")
    stop.set()
    assert await asyncio.wait_for(task, 20) == 0
    assert bot.is_closed() and not bot.accepting
    await bot.feed(probe.events[0])  # events arriving after shutdown are ignored, not crashed on
    assert len(probe.events) == 1


async def test_invite_resolver_resolves_and_caches(fake, world, runner, probe):
    bot = await runner.start(probe)
    fake.invites["abcDEF"] = world.guild.id
    resolver = bot.engine.services["invite_resolver"]
    results = await asyncio.gather(resolver("abcDEF"), resolver("abcDEF"))
    assert results == [world.guild.id, world.guild.id]
    assert await resolver("abcDEF") == world.guild.id
    assert await resolver("nope") is None
    assert len(fake.calls_to("GET", r"^/invites/abcDEF$")) == 1
    assert resolver.cached("nope") == (True, None)
    # Discord failing to answer is not "invalid": it raises and nothing is cached
    fake.fail("GET", r"^/invites/down$", 403, code=50001, times=None)
    with pytest.raises(discord.HTTPException):
        await resolver("down")
    assert resolver.cached("down") == (False, None)


async def test_timers_tick_for_each_configured_guild(fake, world, runner, probe):
    await runner.start(probe, tick_seconds=0.05)
    await fake.wait_until(lambda: len(probe.ticks) >= 2, what="two ticks")
    assert {guild_id for guild_id, _ in probe.ticks} == {world.guild.id}
