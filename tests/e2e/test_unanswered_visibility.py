"""/unanswered through real discord.py: a member never sees questions from channels hidden from them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

VIEW_CHANNEL = 1 << 10


async def test_unanswered_hides_questions_in_channels_the_member_cannot_see(fake, world, runner):
    staff = fake.add_channel(world.guild, "staff")
    staff.overwrites = [
        {"id": str(world.guild.id), "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)},
        {"id": str(world.mod_role.id), "type": 0, "allow": str(VIEW_CHANNEL), "deny": "0"},
    ]
    await runner.start(builtins=("plugins.engagement:Engagement",))
    await fake.send_message(world.general, world.alice, "How do I change my nickname here?")
    await fake.send_message(staff, world.mod, "Why did the ban appeal bot stop posting?")
    await fake.wait_until(lambda: runner.bot.engine.events_processed >= 2, what="both questions")

    as_member = await fake.invoke_slash("unanswered", {}, world.alice, world.general)
    text, _ = await as_member.wait_text()
    assert f"<#{world.general.id}>" in text and f"<#{staff.id}>" not in text
    assert "\n1 question(s) without an answer" in text

    as_mod = await fake.invoke_slash("unanswered", {}, world.mod, world.general)
    text, _ = await as_mod.wait_text()
    assert f"<#{world.general.id}>" in text and f"<#{staff.id}>" in text
