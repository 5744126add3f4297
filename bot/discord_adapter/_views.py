"""Persistent alert buttons: any `pf:<plugin>:<action>:<case key>` click goes to `engine.click`."""

from __future__ import annotations

import logging

import discord

from bot.commands import ButtonClick, Response, parse_custom_id
from bot.discord_adapter._convert import member_of
from bot.discord_adapter._respond import send_response

log = logging.getLogger("pitchfree.discord.buttons")


class AlertButton(discord.ui.DynamicItem[discord.ui.Button], template=r"pf:[a-z][a-z0-9_]*:[^:]+:.+"):
    """Rebuilt from its custom_id on every click, so buttons work after restarts."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(custom_id=custom_id))
        self.custom_id = custom_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match, /):
        """discord.py calls this for every matching click."""
        return cls(item.custom_id)

    async def callback(self, interaction: discord.Interaction) -> None:
        """Route the click to the engine and answer the moderator ephemerally."""
        await handle_click(interaction, self.custom_id)


async def handle_click(interaction: discord.Interaction, custom_id: str) -> None:
    """Build a ButtonClick, ask the engine, reply with its response; never raise."""
    parsed = parse_custom_id(custom_id)
    engine = getattr(interaction.client, "engine", None)
    try:
        if parsed is None or engine is None or interaction.guild_id is None:
            response = Response("This button is not handled here.")
        else:
            plugin, action, case_key = parsed
            click = ButtonClick(
                guild_id=interaction.guild_id, channel_id=interaction.channel_id or 0,
                user=member_of(interaction.user), plugin=plugin, action=action, case_key=case_key,
                at=interaction.created_at, is_guild_admin=interaction.permissions.administrator,
            )
            log.info("button %s by user %s in guild %s", custom_id, interaction.user.id, interaction.guild_id)
            response = await engine.click(click)
    except Exception:
        log.exception("button %s failed in guild %s", custom_id, interaction.guild_id)
        response = Response("Sorry, that button failed. The error was logged.")
    await send_response(interaction, response)
