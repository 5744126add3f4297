"""Nudges in the helpers channel through real discord.py: questions from channels the helpers
cannot see are left out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml

pytestmark = pytest.mark.e2e

VIEW_CHANNEL = 1 << 10


async def test_the_helpers_channel_leaves_out_questions_the_helper_role_cannot_see(fake, world, runner, config_dir):
    helper = fake.add_role(world.guild, "Helper", 3)
    helpers = fake.add_channel(world.guild, "helpers")
    staff = fake.add_channel(world.guild, "staff")
    staff.overwrites = [
        {"id": str(world.guild.id), "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)},
        {"id": str(world.mod_role.id), "type": 0, "allow": str(VIEW_CHANNEL), "deny": "0"},
    ]
    path = config_dir / "guilds" / f"{world.guild.id}.yaml"
    guild = yaml.safe_load(path.read_text())
    guild["plugins"] = {"engagement": {"helpers_channel": helpers.id, "helper_role": helper.id}}
    path.write_text(yaml.safe_dump(guild))
    await runner.start(builtins=("plugins.engagement:Engagement",))
    public = await fake.send_message(world.general, world.alice, "How do I change my nickname here?")
    private = await fake.send_message(staff, world.mod, "Why did the ban appeal bot stop posting?")
    await fake.wait_until(lambda: runner.bot.engine.events_processed >= 2, what="both questions")

    await runner.bot.engine.tick(datetime.now(UTC) + timedelta(minutes=40))
    (nudge,) = await fake.wait_for_call("POST", rf"^/channels/{helpers.id}/messages$")
    text = nudge.json["content"]
    assert text.startswith(f"<@&{helper.id}> 1 question is")
    assert f"/{world.general.id}/{public.id}" in text and f"/{staff.id}/{private.id}" not in text
