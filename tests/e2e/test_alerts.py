"""Moderator alerts: an embed with persistent buttons that reach the owning plugin, even after a restart."""

from __future__ import annotations

import pytest

from bot import actions as act
from bot import events as ev
from bot.commands import button_custom_id
from tests.e2e._probe import Probe
from tests.e2e._util import wait_for_outcomes

pytestmark = pytest.mark.e2e


def _alert_on_promo(event):
    if not isinstance(event, ev.MessageCreated) or "promo" not in event.message.content:
        return []
    m = event.message
    key = f"probe:{m.message_id}"
    common = {"plugin": "probe", "reason": "looks like self-promotion", "guild_id": m.guild_id}
    return [
        act.RecordCase(case_key=key, user_id=m.author.id, decision="alerted", **common),
        act.ModAlert(title="Possible self-promotion", reasons=("invite link", "new account"),
                     message_link=m.jump_url, channel_id=m.channel_id, message_id=m.message_id,
                     author_id=m.author.id, score=0.87, taken=("deleted",), case_key=key,
                     buttons=(act.AlertButton("Not promotion", "not_promotion", "success"),
                              act.AlertButton("Timeout 1h", "timeout_1h", "danger")), **common),
    ]


async def test_alert_embed_and_buttons_work_after_a_restart(fake, world, runner):
    await runner.start(Probe(_alert_on_promo))
    promo = await fake.send_message(world.general, world.bob, "join my promo server")
    (alert_call,) = await fake.wait_for_call("POST", rf"^/channels/{world.mod_log.id}/messages$")
    embed = alert_call.json["embeds"][0]
    assert embed["title"] == "Possible self-promotion"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Reasons"] == "• invite link\n• new account"
    assert fields["Message"].endswith(f"/{world.guild.id}/{world.general.id}/{promo.id}")
    assert str(world.bob.id) in fields["Author"] and fields["Score"] == "0.87"
    assert fields["Action taken"] == "deleted"
    key = f"probe:{promo.id}"
    buttons = [c for row in alert_call.json["components"] for c in row["components"]]
    assert [(b["label"], b["custom_id"]) for b in buttons] == [
        ("Not promotion", button_custom_id("probe", "not_promotion", key)),
        ("Timeout 1h", button_custom_id("probe", "timeout_1h", key)),
    ]

    await runner.stop()
    restarted = Probe()
    await runner.start(restarted)
    assert fake.gateway.identifies == 2  # a new process, a new gateway session

    member_click = await fake.click_button(button_custom_id("probe", "not_promotion", key), world.alice)
    text, ephemeral = await member_click.wait_text()
    assert ephemeral and "only moderators" in text.lower()
    assert restarted.clicks == []

    mod_click = await fake.click_button(button_custom_id("probe", "not_promotion", key), world.mod)
    text, ephemeral = await mod_click.wait_text()
    assert ephemeral and text == f"not_promotion done for {key}"
    (click,) = restarted.clicks
    assert (click.plugin, click.action, click.case_key) == ("probe", "not_promotion", key)
    assert click.user.id == world.mod.id and click.guild_id == world.guild.id
    assert click.channel_id == world.mod_log.id


async def test_alert_without_mod_log_channel_is_skipped_and_recorded(fake, world, runner, config_dir):
    (config_dir / "guilds" / f"{world.guild.id}.yaml").write_text(f"moderator_roles: [{world.mod_role.id}]\n")
    await runner.start(Probe(_alert_on_promo))
    promo = await fake.send_message(world.general, world.bob, "promo again")
    case = await wait_for_outcomes(runner.bot.engine, world.guild.id, f"probe:{promo.id}")
    assert case.outcomes == [{"action": "mod_alert", "status": "skipped", "error": "no mod_log_channel configured"}]
    assert fake.calls_to("POST", r"/messages$") == []
