"""The optional weekly digest: last 7 days' report posted to a channel, once per ISO week."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.actions import Action, Reply
from bot.context import PluginContext
from plugins.engagement._report import lines, title
from plugins.engagement._rollup import get_state, set_state

if TYPE_CHECKING:
    from plugins.engagement import Engagement
    from plugins.engagement._config import EngagementConfig


async def weekly_digest(plugin: Engagement, guild_id: int, now: datetime, config: EngagementConfig,
                        ctx: PluginContext) -> list[Action]:
    """The digest post, at the first tick on or after the configured weekday and hour each week."""
    local = now.astimezone(ctx.core(guild_id).tz)
    if (local.weekday(), local.hour) < (config.digest_weekday, config.digest_hour):
        return []
    year, week, _ = local.isocalendar()
    key = f"{year}-W{week:02d}"
    if guild_id not in plugin.digest_week:
        plugin.digest_week[guild_id] = await get_state(ctx.db, guild_id, "digest_week") or ""
    if plugin.digest_week[guild_id] == key:
        return []
    plugin.digest_week[guild_id] = key
    await set_state(ctx.db, guild_id, "digest_week", key)
    report = await plugin.report(guild_id, now, 7, config)
    name = ctx.core(guild_id).name
    text = f"**{title(report, name)}**\n" + "\n".join(f"**{k}**: {v}" for k, v in lines(report, discord=True))
    return [Reply(plugin="engagement", reason="weekly engagement digest", guild_id=guild_id,
                  channel_id=config.digest_channel, content=text[:1990])]
