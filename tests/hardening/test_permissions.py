"""Permissions through the fake Discord: every moderator/admin command and alert button is refused
for members (also one whose role merely has a moderator role's *name*, and in a DM), and the bot
never acts on members above its own role.
"""

from __future__ import annotations

import pytest

from bot import actions as act
from bot import events as ev
from bot.commands import CommandKind, Permission
from tests.e2e._probe import Probe
from tests.e2e._util import wait_for_outcomes
from tests.hardening.conftest import write_guild_config

pytestmark = pytest.mark.e2e

REFUSALS = ("only moderators", "only admins", "only works inside a server")


def _options(spec, world) -> dict:
    values = {"member": world.bob, "channel": world.general, "int": 1, "float": 1.0, "bool": True}
    options = {}
    for o in spec.options:
        if not o.required:
            continue
        options[o.name] = o.choices[0] if o.choices else values.get(o.type, "x")
    return options


async def _invoke(fake, world, spec, user, channel):
    if spec.kind is CommandKind.SLASH:
        return await fake.invoke_slash(spec.name, _options(spec, world), user, channel)
    if spec.kind is CommandKind.MESSAGE_MENU:
        target = await fake.send_message(world.general, world.bob, "a message to right-click")
        return await fake.invoke_message_context_menu(spec.name, target, user)
    return await fake.invoke_user_context_menu(spec.name, world.bob, user, channel)


def _non_interaction_calls(fake, since: int) -> list[str]:
    return [f"{c.method} {c.path}" for c in fake.calls[since:]
            if not c.path.startswith(("/interactions/", "/webhooks/"))]


async def test_every_privileged_command_is_refused_for_members(fake, world, config_dir, plugin_runner):
    lookalike_role = fake.add_role(world.guild, "Moderator", 2)  # same name, not the configured role
    lookalike = fake.add_member(world.guild, "lookalike", roles=(world.member_role, lookalike_role), days=100)
    bot = await plugin_runner.start()
    privileged = [spec for _, spec in bot.engine.commands() if spec.permission is not Permission.EVERYONE]
    assert len(privileged) >= 8, [s.name for s in privileged]  # core + every built-in's mod/admin commands
    for user in (world.alice, lookalike):
        for spec in privileged:
            since = len(fake.calls)
            record = await _invoke(fake, world, spec, user, world.general)
            text, ephemeral = await record.wait_text()
            assert ephemeral and any(r in text.lower() for r in REFUSALS), (spec.name, user.username, text)
            assert _non_interaction_calls(fake, since) == [], (spec.name, user.username)
    mod_only = next(s for s in privileged if s.permission is Permission.MODERATOR and s.kind is CommandKind.SLASH)
    record = await _invoke(fake, world, mod_only, world.mod, world.general)  # the real role does work
    text, _ = await record.wait_text()
    assert not any(r in text.lower() for r in REFUSALS), text


async def test_privileged_commands_are_refused_in_a_dm(fake, world, plugin_runner):
    bot = await plugin_runner.start()
    fake.commands[None] = fake.commands[world.guild.id]  # as if the commands had been synced globally
    dm = fake.dm_channel(world.mod)  # even a moderator of the server: a DM has no server roles
    for _, spec in bot.engine.commands():
        if spec.permission is Permission.EVERYONE or spec.kind is not CommandKind.SLASH:
            continue
        since = len(fake.calls)
        record = await fake.invoke_slash(spec.name, _options(spec, world), world.mod, dm)
        text, _ = await record.wait_text()
        # a `member` option cannot even be resolved outside a server: discord.py refuses it first
        assert any(r in text.lower() for r in (*REFUSALS, "could not be run")), (spec.name, text)
        assert _non_interaction_calls(fake, since) == [], spec.name


async def test_alert_buttons_are_refused_for_members_and_lookalikes(fake, world, config_dir, plugin_runner):
    lookalike_role = fake.add_role(world.guild, "Moderator", 2)
    lookalike = fake.add_member(world.guild, "lookalike", roles=(lookalike_role,), days=100)
    write_guild_config(config_dir, world.guild.id, {"plugins": {"self_promotion": {"alert_every_case": True}}})
    bot = await plugin_runner.start()
    spammer = await fake.member_join(world.guild, "fresh", account_days=0)
    await fake.send_message(world.general, spammer, "join my server discord.gg/permcheck")
    (alert,) = await fake.wait_for_call("POST", rf"^/channels/{world.mod_log.id}/messages$")
    buttons = [c["custom_id"] for row in alert.json["components"] for c in row["components"]]
    assert len(buttons) == 3
    case_before = await wait_for_outcomes(bot.engine, world.guild.id, buttons[0].split(":", 3)[3])
    for user in (world.alice, lookalike, spammer):
        for custom_id in buttons:
            since = len(fake.calls)
            record = await fake.click_button(custom_id, user)
            text, ephemeral = await record.wait_text()
            assert ephemeral and "only moderators" in text.lower(), (custom_id, user.username, text)
            assert _non_interaction_calls(fake, since) == [], (custom_id, user.username)
    case_after = await bot.engine.cases.get(world.guild.id, buttons[0].split(":", 3)[3])
    assert case_after == case_before  # no feedback recorded, status unchanged


def _punish(role_id: int):
    def script(event):
        if not isinstance(event, ev.MessageCreated) or "punish" not in event.message.content:
            return []
        m = event.message
        common = {"plugin": "probe", "reason": "test", "guild_id": m.guild_id}
        return [act.Timeout(user_id=m.author.id, seconds=60, **common),
                act.AddRole(user_id=m.author.id, role_id=role_id, **common),
                act.RemoveRole(user_id=m.author.id, role_id=role_id, **common),
                act.RecordCase(case_key=f"probe:{m.message_id}", user_id=m.author.id, decision="punish", **common)]
    return script


def _member_calls(fake, user_id: int) -> list[str]:
    return [f"{c.method} {c.path}" for c in fake.calls if f"/members/{user_id}" in c.path and c.method != "GET"]


async def test_the_bot_never_acts_on_members_above_its_own_role(fake, world, plugin_runner):
    bot_role = world.guild.roles[world.guild.members[fake.bot_user.id].role_ids[0]]
    peer = fake.add_member(world.guild, "peer", roles=(bot_role,), days=100)  # top role equal to the bot's
    owner = fake.users[world.guild.owner_id]
    bot = await plugin_runner.start(Probe(_punish(world.member_role.id)))
    for user in (world.boss, peer, owner):
        msg = await fake.send_message(world.general, user, "punish me")
        case = await wait_for_outcomes(bot.engine, world.guild.id, f"probe:{msg.id}")
        statuses = {o["action"]: o["status"] for o in case.outcomes}
        assert statuses == {"timeout": "skipped", "add_role": "skipped", "remove_role": "skipped"}, \
            (user.username, case.outcomes)
        assert _member_calls(fake, user.id) == []
    # the same actions on an ordinary member do go through (the check is not refusing everything)
    msg = await fake.send_message(world.general, world.alice, "punish me")
    case = await wait_for_outcomes(bot.engine, world.guild.id, f"probe:{msg.id}")
    assert {o["status"] for o in case.outcomes} == {"ok"}
    # self-promotion by a member above the bot: the message may go, the member is never timed out
    for i in range(3):
        promo = await fake.send_message(world.general, world.boss, f"join my server discord.gg/boss{i} right now")
        case = await wait_for_outcomes(bot.engine, world.guild.id, f"self_promotion:{promo.id}")
    assert any(o["action"] == "timeout" and o["status"] == "skipped" for o in case.outcomes), case.outcomes
    assert _member_calls(fake, world.boss.id) == []
