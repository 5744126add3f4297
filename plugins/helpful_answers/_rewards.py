"""Rewards: threshold roles as points change, and the weekly "helpers of the week" post."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from bot.actions import Action, AddRole, RemoveRole, Reply
from plugins.helpful_answers._config import HelpfulAnswersConfig

if TYPE_CHECKING:
    from plugins.helpful_answers._ledger import Ledger

PLUGIN = "helpful_answers"


def desired_roles(config: HelpfulAnswersConfig, points: int) -> set[int]:
    """Threshold roles a member with `points` should hold."""
    reached = sorted((t for t in config.role_thresholds if points >= t.points), key=lambda t: t.points)
    if not reached:
        return set()
    if config.keep_lower_roles:
        return {t.role_id for t in reached}
    return {reached[-1].role_id}


def role_changes(config: HelpfulAnswersConfig, guild_id: int, user_id: int, before: int,
                 after: int) -> list[Action]:
    """AddRole/RemoveRole actions for a member whose points moved from `before` to `after`."""
    if not config.role_thresholds or before == after:
        return []
    had, wants = desired_roles(config, before), desired_roles(config, after)
    actions: list[Action] = []
    for role_id in sorted(wants - had):
        actions.append(AddRole(plugin=PLUGIN, guild_id=guild_id, user_id=user_id, role_id=role_id,
                               reason=f"reputation reached {after} points"))
    for role_id in sorted(had - wants):
        actions.append(RemoveRole(plugin=PLUGIN, guild_id=guild_id, user_id=user_id, role_id=role_id,
                                  reason=f"reputation fell to {after} points"))
    return actions


def window_start(config: HelpfulAnswersConfig, at: datetime) -> float | None:
    """Start of the rolling window that role points count from (None = all time)."""
    if config.rolling_window_days is None:
        return None
    return (at - timedelta(days=config.rolling_window_days)).timestamp()


def week_key(local: datetime) -> str:
    """ISO year-week of a local time, e.g. `2026-W02`."""
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_post(config: HelpfulAnswersConfig, guild_id: int, top: list[tuple[int, int]]) -> Reply | None:
    """The helpers-of-the-week message, or None when nobody was credited."""
    if config.weekly_post_channel is None or not top:
        return None
    lines = [f"{i}. <@{user_id}> ({points} point{'s' if points != 1 else ''})"
             for i, (user_id, points) in enumerate(top, 1)]
    content = "**Helpers of the week**: thank you for answering questions!\n" + "\n".join(lines)
    return Reply(plugin=PLUGIN, guild_id=guild_id, channel_id=config.weekly_post_channel, content=content,
                 reason="weekly helpers post")


async def expire_roles(ledger: Ledger, config: HelpfulAnswersConfig, guild_id: int, now: datetime,
                       last_check: float | None) -> list[Action]:
    """RemoveRole for members whose points left the rolling window since the last check."""
    # After a restart, look back a day (a repeated RemoveRole is harmless).
    previous = last_check if last_check is not None else now.timestamp() - 86_400
    window = config.rolling_window_days * 86_400
    after, until = previous - window, now.timestamp() - window
    actions: list[Action] = []
    for user_id in await ledger.expiring(guild_id, after, until):
        current = await ledger.points(guild_id, user_id, until)
        expired = await ledger.points(guild_id, user_id, after, until)
        actions.extend(role_changes(config, guild_id, user_id, current + expired, current))
    return actions


async def weekly_actions(ledger: Ledger, config: HelpfulAnswersConfig, guild_id: int, now: datetime,
                         tz: tzinfo) -> list[Action]:
    """The weekly helpers post, once per ISO week on the configured weekday."""
    local = now.astimezone(tz)
    if local.weekday() != config.weekly_post_weekday:
        return []
    key = week_key(local)
    if await ledger.get_state(guild_id, "weekly_post") == key:
        return []
    await ledger.set_state(guild_id, "weekly_post", key)
    top = await ledger.top(guild_id, (now - timedelta(days=7)).timestamp(), now.timestamp(), config.weekly_top)
    post = weekly_post(config, guild_id, top)
    return [post] if post is not None else []
