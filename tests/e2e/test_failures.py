"""Discord errors are logged, recorded on the case, and never stop the bot."""

from __future__ import annotations

import logging

import pytest

from bot import actions as act
from bot import events as ev
from tests.e2e._probe import Probe
from tests.e2e._util import wait_for_outcomes

pytestmark = pytest.mark.e2e


def _moderate(fallback: bool):
    def script(event):
        if not isinstance(event, ev.MessageCreated) or "spam" not in event.message.content:
            return []
        m = event.message
        common = {"plugin": "probe", "reason": "spam", "guild_id": m.guild_id}
        return [
            act.RecordCase(case_key=f"probe:{m.message_id}", user_id=m.author.id, decision="removed", **common),
            act.DeleteMessage(channel_id=m.channel_id, message_id=m.message_id, **common),
            act.PrivateNotice(user_id=m.author.id, content="Your message was removed.",
                              fallback_channel_id=m.channel_id if fallback else None, **common),
            act.Timeout(user_id=m.author.id, seconds=3600, **common),
        ]
    return script


def _outcomes(case) -> dict[str, tuple[str, str | None]]:
    return {o["action"]: (o["status"], o["error"]) for o in case.outcomes}


async def test_403_on_delete_and_closed_dms_are_logged_recorded_and_survived(fake, world, runner, caplog):
    probe = Probe(_moderate(fallback=True))
    await runner.start(probe)
    fake.fail("DELETE", rf"^/channels/{world.general.id}/messages/\d+$", 403, code=50013,
              message="Missing Permissions", times=1)
    caplog.set_level(logging.INFO, logger="pitchfree")
    first = await fake.send_message(world.general, world.shy, "spam spam")
    case = await wait_for_outcomes(runner.bot.engine, world.guild.id, f"probe:{first.id}")
    outcomes = _outcomes(case)
    assert outcomes["delete_message"] == ("failed", "403 (code 50013) Missing Permissions")
    assert outcomes["private_notice"] == ("ok", f"DMs closed: posted in channel {world.general.id}")
    assert outcomes["timeout"] == ("ok", None)
    failed_log = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("delete_message failed" in line and str(world.guild.id) in line for line in failed_log)
    dm_attempts = fake.calls_to("POST", r"^/channels/\d+/messages$", status=403)
    assert len(dm_attempts) == 1  # the DM was tried first
    fallback = [c for c in fake.calls_to("POST", rf"^/channels/{world.general.id}/messages$", status=200)]
    assert fallback and fallback[-1].json["content"].startswith(f"<@{world.shy.id}> ")

    # the bot keeps running: the next message is processed and its delete goes through
    second = await fake.send_message(world.general, world.bob, "more spam")
    case = await wait_for_outcomes(runner.bot.engine, world.guild.id, f"probe:{second.id}")
    assert _outcomes(case)["delete_message"] == ("ok", None)
    assert fake.messages[second.id].deleted and not fake.messages[first.id].deleted


async def test_closed_dms_without_fallback_fail_cleanly(fake, world, runner):
    await runner.start(Probe(_moderate(fallback=False)))
    msg = await fake.send_message(world.general, world.shy, "spam")
    case = await wait_for_outcomes(runner.bot.engine, world.guild.id, f"probe:{msg.id}")
    assert _outcomes(case)["private_notice"] == ("failed", "403 (code 50007) Cannot send messages to this user")
    assert _outcomes(case)["delete_message"] == ("ok", None)


async def test_members_above_the_bot_are_skipped_with_a_reason(fake, world, runner):
    await runner.start(Probe(_moderate(fallback=True)))
    msg = await fake.send_message(world.general, world.boss, "spam from the boss")
    case = await wait_for_outcomes(runner.bot.engine, world.guild.id, f"probe:{msg.id}")
    status, reason = _outcomes(case)["timeout"]
    assert status == "skipped" and "Boss" in reason
    assert fake.calls_to("PATCH", rf"^/guilds/{world.guild.id}/members/") == []


async def test_rate_limits_are_waited_out(fake, world, runner):
    await runner.start(Probe(_moderate(fallback=True)))
    fake.fail("DELETE", r"^/channels/\d+/messages/\d+$", 429, retry_after=0.05, times=2)
    msg = await fake.send_message(world.general, world.bob, "spam")
    case = await wait_for_outcomes(runner.bot.engine, world.guild.id, f"probe:{msg.id}")
    assert _outcomes(case)["delete_message"] == ("ok", None)
    assert [c.status for c in fake.calls_to("DELETE", rf"/messages/{msg.id}$")] == [429, 429, 204]


async def test_role_actions_check_the_hierarchy(fake, world, runner):
    def script(event):
        if not isinstance(event, ev.MessageCreated):
            return []
        m = event.message
        common = {"plugin": "probe", "reason": "roles", "guild_id": m.guild_id}
        return [act.RecordCase(case_key=f"probe:{m.message_id}", user_id=m.author.id, decision="roles", **common),
                act.AddRole(user_id=m.author.id, role_id=world.mod_role.id, **common),
                act.AddRole(user_id=m.author.id, role_id=world.high_role.id, **common),
                act.RemoveRole(user_id=m.author.id, role_id=world.member_role.id, **common)]
    await runner.start(Probe(script))
    msg = await fake.send_message(world.general, world.alice, "hi")
    case = await wait_for_outcomes(runner.bot.engine, world.guild.id, f"probe:{msg.id}")
    statuses = [(o["action"], o["status"]) for o in case.outcomes]
    assert statuses == [("add_role", "ok"), ("add_role", "skipped"), ("remove_role", "ok")]
    assert world.guild.members[world.alice.id].role_ids == [world.mod_role.id]


async def test_uncached_members_are_fetched_before_acting(fake, world, runner):
    await runner.start(Probe(_moderate(fallback=True)))
    late = fake.add_member(world.guild, "late", roles=(world.member_role,))  # never announced to the bot
    msg = await fake.send_message(world.general, late, "spam from someone new")
    case = await wait_for_outcomes(runner.bot.engine, world.guild.id, f"probe:{msg.id}")
    assert _outcomes(case)["timeout"] == ("ok", None)
    assert fake.calls_to("GET", rf"^/guilds/{world.guild.id}/members/{late.id}$")
    assert fake.guilds[world.guild.id].members[late.id].communication_disabled_until is not None
