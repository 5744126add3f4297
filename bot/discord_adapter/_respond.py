"""Turn a core `Response` into an interaction reply (or follow-up when already deferred)."""

from __future__ import annotations

import io
import logging

import discord

from bot.commands import Response

log = logging.getLogger("pitchfree.discord.respond")


def render(response: Response) -> dict:
    """send_message/followup keyword arguments for a Response."""
    kwargs: dict = {"ephemeral": response.ephemeral, "allowed_mentions": discord.AllowedMentions.none()}
    if response.title or response.fields:
        embed = discord.Embed(title=(response.title or "")[:256] or None, description=response.text[:4000] or None)
        for name, value in response.fields[:25]:
            embed.add_field(name=name[:256] or "-", value=value[:1024] or "-", inline=False)
        kwargs["embed"] = embed
    else:
        kwargs["content"] = response.text[:2000] or "Done."
    if response.file_name and response.file_bytes is not None:
        kwargs["file"] = discord.File(io.BytesIO(response.file_bytes), filename=response.file_name)
    return kwargs


async def send_response(interaction: discord.Interaction, response: Response) -> None:
    """Answer the interaction; logs instead of raising when Discord refuses."""
    try:
        kwargs = render(response)
        if interaction.response.is_done():
            await interaction.followup.send(**kwargs)
        else:
            await interaction.response.send_message(**kwargs)
    except discord.HTTPException as exc:
        log.warning("could not answer interaction %s in guild %s: %s %s", interaction.id,
                    interaction.guild_id, exc.status, exc.text)
