"""The Discord adapter: the only package that imports discord.py.

`runner.run()` backs `pitchfree run`; `runner.create_bot()` builds an engine-backed bot (tests use
it against the fake Discord in `tests/fakediscord`).
"""

from bot.discord_adapter._bot import PitchfreeBot, intents
from bot.discord_adapter._executor import DiscordExecutor
from bot.discord_adapter._invites import InviteResolver

__all__ = ["DiscordExecutor", "InviteResolver", "PitchfreeBot", "intents"]
