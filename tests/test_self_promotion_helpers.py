"""Shared helpers for the self_promotion tests."""

from __future__ import annotations

from bot.actions import RecordCase
from bot.testing import Harness

PLUGIN = "plugins.self_promotion:SelfPromotion"
MOD_ROLE = 900
MOD_LOG = 555


def guild(**block) -> dict:
    """A guild file with a moderator role and the given self_promotion block."""
    return {"moderator_roles": [MOD_ROLE], "mod_log_channel": MOD_LOG, "plugins": {"self_promotion": block}}


async def harness(**block) -> Harness:
    """A harness running only the self_promotion plugin."""
    return await Harness.create(builtins=(PLUGIN,), guild_config=guild(**block))


async def regular(h: Harness, member_id: int, messages: int = 6):
    """A member 100 days in the server who has already chatted `messages` times."""
    member = h.member(member_id, days_in_server=100)
    for i in range(messages):
        await h.send(f"just chatting about the game, round {i}", author=member)
    return member


def case(actions) -> RecordCase | None:
    """The RecordCase among actions, if any."""
    return next((a for a in actions if isinstance(a, RecordCase)), None)


def signal_names(actions) -> set[str]:
    """Names of the signals on the recorded case (empty when nothing was flagged)."""
    found = case(actions)
    return {name for name, _ in found.signals} if found else set()
