"""Slash commands and context menus: synced with default permissions, checked server-side."""

from __future__ import annotations

import asyncio

import pytest

from bot.discord_adapter import _commands

pytestmark = pytest.mark.e2e

MANAGE_MESSAGES = str(1 << 13)


def _synced(fake, guild_id: int) -> dict[str, dict]:
    return {c["name"]: c for c in fake.commands[guild_id]}


async def test_commands_are_synced_to_the_configured_guild(fake, world, runner, probe):
    await runner.start(probe)
    synced = _synced(fake, world.guild.id)
    assert set(synced) == {"probe", "pitchfree", "Report to mods"}
    # the core group holds moderator and admin commands: hidden from members by default
    assert synced["pitchfree"]["default_member_permissions"] == MANAGE_MESSAGES
    assert synced["pitchfree"]["dm_permission"] is False  # guild only
    # `probe ping` is for everyone, so the group cannot be hidden; the server-side check remains
    assert synced["probe"]["default_member_permissions"] is None
    purge = next(o for o in synced["probe"]["options"] if o["name"] == "purge")
    options = {o["name"]: o for o in purge["options"]}
    assert options["member"]["type"] == 6 and options["member"]["required"]
    assert options["count"]["type"] == 4 and not options["count"].get("required", False)
    assert [c["value"] for c in options["mode"]["choices"]] == ["soft", "hard"]
    assert synced["Report to mods"]["type"] == 3
    assert fake.calls_to("PUT", r"^/applications/\d+/commands$") == []  # nothing global


async def test_member_is_refused_a_moderator_command_and_nothing_happens(fake, world, runner, probe):
    await runner.start(probe)
    calls_before = len(fake.calls)
    refused = await fake.invoke_slash("probe purge", {"member": world.bob, "count": 3}, world.alice, world.general)
    text, ephemeral = await refused.wait_text()
    assert ephemeral and "only moderator" in text.lower()
    assert probe.invocations == []
    assert [c.path for c in fake.calls[calls_before:]] == [f"/interactions/{refused.id}/{refused.token}/callback"]

    allowed = await fake.invoke_slash("probe purge", {"member": world.bob, "count": 3, "mode": "hard"},
                                      world.mod, world.general)
    text, ephemeral = await allowed.wait_text()
    assert ephemeral and text == f"purged 3 from {world.bob.id}"
    (name, inv), = probe.invocations
    assert name == "probe purge"
    assert inv.options == {"member": world.bob.id, "count": 3, "mode": "hard"}
    assert inv.user.id == world.mod.id and world.mod_role.id in inv.user.role_ids
    assert inv.guild_id == world.guild.id and inv.channel_id == world.general.id


async def test_admin_commands_need_the_admin_role(fake, world, runner, probe):
    await runner.start(probe)
    as_mod = await fake.invoke_slash("pitchfree config check", {}, world.mod, world.general)
    text, ephemeral = await as_mod.wait_text()
    assert ephemeral and "only admin" in text.lower()
    as_admin = await fake.invoke_slash("pitchfree config check", {}, world.admin, world.general)
    text, ephemeral = await as_admin.wait_text()
    assert ephemeral and "valid" in text
    status = await fake.invoke_slash("pitchfree status", {}, world.mod, world.general)
    text, ephemeral = await status.wait_text()
    assert ephemeral and "probe" in text and "Uptime" in text


async def test_everyone_commands_and_message_context_menu(fake, world, runner, probe):
    await runner.start(probe)
    ping = await fake.invoke_slash("probe ping", {}, world.alice, world.general)
    text, ephemeral = await ping.wait_text()
    assert text == "pong" and not ephemeral
    target = await fake.send_message(world.general, world.bob, "something odd")
    report = await fake.invoke_message_context_menu("Report to mods", target, world.alice)
    text, _ = await report.wait_text()
    assert text == f"reported {target.id}"
    inv = probe.invocations[-1][1]
    assert (inv.target_message_id, inv.target_message_author_id, inv.target_message_content) == (
        target.id, world.bob.id, "something odd")


async def test_a_failing_handler_gives_a_friendly_ephemeral_error(fake, world, runner, probe):
    await runner.start(probe)
    broken = await fake.invoke_slash("probe boom", {}, world.alice, world.general)
    text, ephemeral = await broken.wait_text()
    assert ephemeral and "failed" in text and "logged" in text
    # the bot keeps serving commands
    again = await fake.invoke_slash("probe purge", {"member": world.bob}, world.mod, world.general)
    text, _ = await again.wait_text()
    assert text == f"purged 1 from {world.bob.id}"


async def test_slow_commands_are_deferred_then_answered(fake, world, runner, probe, monkeypatch):
    monkeypatch.setattr(_commands, "DEFER_AFTER_S", 0.05)
    await runner.start(probe)
    slow = await fake.invoke_slash("probe slow", {}, world.alice, world.general)
    first = await slow.wait_response()
    assert first["type"] == 5 and first["data"]["flags"] & 64  # "thinking…", ephemeral
    text, ephemeral = await slow.wait_text()
    assert ephemeral and "Slow result" in text and "finally" in text and "took" in text


async def test_a_community_file_added_later_gets_its_commands_on_reload(fake, world, runner, probe, config_dir):
    await runner.start(probe)
    other = fake.add_guild("Second Community", bot_role_position=10)
    assert other.id not in fake.commands
    (config_dir / "guilds" / f"{other.id}.yaml").write_text("{}\n")
    reload = await fake.invoke_slash("pitchfree config reload", {}, world.admin, world.general)
    text, ephemeral = await reload.wait_text()
    assert ephemeral and "reloaded" in text.lower()
    for _ in range(100):
        if other.id in fake.commands:
            break
        await asyncio.sleep(0.05)
    assert set(_synced(fake, other.id)) == {"probe", "pitchfree", "Report to mods"}
    syncs = len(fake.calls_to("PUT", rf"^/applications/\d+/guilds/{world.guild.id}/commands$"))
    again = await fake.invoke_slash("pitchfree config reload", {}, world.admin, world.general)
    await again.wait_text()
    # communities already synced are not synced again
    assert len(fake.calls_to("PUT", rf"^/applications/\d+/guilds/{world.guild.id}/commands$")) == syncs
