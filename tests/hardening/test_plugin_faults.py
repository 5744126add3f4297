"""Plugin faults through the fake Discord: a plugin that raises, hangs or returns garbage.

The built-in plugins keep moderating and `/pitchfree status` names each faulty plugin with its
last error.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.hookspecs import hookimpl

pytestmark = pytest.mark.e2e


class Raises:
    @hookimpl
    def pitchfree_message(self, event, config, ctx):
        raise ZeroDivisionError("raiser divided by zero")


class Hangs:
    @hookimpl
    async def pitchfree_message(self, event, config, ctx):
        await asyncio.sleep(3600)


class Garbage:
    @hookimpl
    def pitchfree_message(self, event, config, ctx):
        return ["not an action", 42]


class NotIterable:
    @hookimpl
    def pitchfree_message(self, event, config, ctx):
        return 3.14


async def test_faulty_plugins_are_isolated_and_reported_in_status(fake, world, plugin_runner):
    faulty = {"raiser": Raises(), "hanger": Hangs(), "garbage": Garbage(), "scalar": NotIterable()}
    bot = await plugin_runner.start(extra=faulty, hook_timeout_s=0.2)
    spammer = await fake.member_join(world.guild, "fresh", account_days=0)
    legit = await fake.send_message(world.general, world.alice, "good morning everyone")
    promo = await fake.send_message(world.general, spammer, "join my server discord.gg/spamwave now")
    # self_promotion still removes the promotion despite four broken neighbours
    await fake.wait_until(lambda: promo.deleted, timeout=10, what="the promotion deleted")
    await fake.wait_until(lambda: len(bot.engine.status()["faults"]) == 4, timeout=10, what="four faults")
    assert not legit.deleted

    faults = bot.engine.status()["faults"]
    assert "divided by zero" in faults["raiser"]["last_error"]
    assert "timed out" in faults["hanger"]["last_error"].lower() or "timeout" in faults["hanger"]["last_error"].lower()
    assert "str" in faults["garbage"]["last_error"]
    assert "float" in faults["scalar"]["last_error"]
    assert not {"self_promotion", "helpful_answers", "engagement"} & set(faults)

    status = await fake.invoke_slash("pitchfree status", {}, world.mod, world.general)
    text, ephemeral = await status.wait_text()
    assert ephemeral
    for name in faulty:
        assert f"**{name}**" in text
    assert "divided by zero" in text
    # still working afterwards: a second message is handled, the hang did not wedge anything
    again = await fake.send_message(world.general, spammer, "free nitro at discord.gg/spamwave2")
    await fake.wait_until(lambda: again.deleted, timeout=10, what="the second promotion deleted")
