"""Daily rollups per community, pruning of raw rows, and forgetting a member."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.storage import Database

_GRACE_S = 3600  # late rows (batched writes, slow answers) may still land this long after a day ends

_CHANNEL_ROLLUP = """
INSERT INTO eng_daily_channel (guild_id, day, channel_id, messages, questions, conversational, replies, links)
SELECT ?, ?, m.channel_id, COUNT(*), SUM(m.is_question),
       SUM(m.reply_to_message IS NOT NULL OR m.thread_id IS NOT NULL OR m.got_reply),
       SUM(m.reply_to_message IS NOT NULL), SUM(m.has_link)
FROM eng_messages m WHERE m.guild_id = ? AND m.ts >= ? AND m.ts < ? AND m.deleted = 0
GROUP BY m.channel_id
"""
_MEMBER_ROLLUP = """
INSERT INTO eng_daily_member (guild_id, day, user_id, messages)
SELECT ?, ?, author_id, COUNT(*) FROM eng_messages
WHERE guild_id = ? AND ts >= ? AND ts < ? AND deleted = 0 GROUP BY author_id
"""


def local_day(ts: float, tz: ZoneInfo) -> int:
    """The date ordinal of a UTC timestamp in the community's timezone."""
    return datetime.fromtimestamp(ts, UTC).astimezone(tz).date().toordinal()


def day_start(day: int, tz: ZoneInfo) -> float:
    """UTC timestamp of local midnight starting `day` (a date ordinal)."""
    return datetime.combine(date.fromordinal(day), time(0), tzinfo=tz).timestamp()


async def get_state(db: Database, guild_id: int, key: str) -> str | None:
    """A persisted per-community value."""
    return await db.fetchval("SELECT value FROM eng_state WHERE guild_id = ? AND key = ?", (guild_id, key))


async def set_state(db: Database, guild_id: int, key: str, value: str) -> None:
    """Persist a per-community value."""
    await db.execute(
        "INSERT INTO eng_state (guild_id, key, value) VALUES (?,?,?) "
        "ON CONFLICT(guild_id, key) DO UPDATE SET value = excluded.value", (guild_id, key, value))


def final_day(now_ts: float, window_s: float, tz: ZoneInfo) -> int:
    """The newest day that is final at `now_ts`: it ended more than the window plus an hour ago."""
    return local_day(now_ts - window_s - _GRACE_S, tz) - 1


async def rollup(db: Database, guild_id: int, tz: ZoneInfo, now_ts: float, window_s: float,
                 max_days: int | None = None, *, final_only: bool = False) -> bool:
    """Recompute daily rollups from the first non-final day through today; False if `max_days` cut it short.

    A day becomes final (never recomputed, so its raw rows may be pruned) once it ended more
    than the conversation window plus an hour ago. `final_only` stops at the newest final day.
    """
    final = await get_state(db, guild_id, "rollup_final")
    if final is not None:
        start = int(final) + 1
    else:
        first = await db.fetchval("SELECT MIN(ts) FROM eng_messages WHERE guild_id = ?", (guild_id,))
        if first is None:
            return True
        start = local_day(first, tz)
    last = await db.fetchval("SELECT MAX(ts) FROM eng_messages WHERE guild_id = ?", (guild_id,))
    end = max(local_day(now_ts, tz), local_day(last, tz) if last is not None else 0)
    if final_only:
        end = min(end, final_day(now_ts, window_s, tz))
        if end < start:
            return True
    stop = end if max_days is None else min(end, start + max_days - 1)
    new_final = None
    async with db.transaction() as conn:
        for day in range(start, stop + 1):
            s, e = day_start(day, tz), day_start(day + 1, tz)
            await conn.execute("DELETE FROM eng_daily_channel WHERE guild_id = ? AND day = ?", (guild_id, day))
            await conn.execute("DELETE FROM eng_daily_member WHERE guild_id = ? AND day = ?", (guild_id, day))
            await conn.execute(_CHANNEL_ROLLUP, (guild_id, day, guild_id, s, e))
            await conn.execute(_MEMBER_ROLLUP, (guild_id, day, guild_id, s, e))
            if e + window_s + _GRACE_S <= now_ts:
                new_final = day
        if new_final is not None:
            await conn.execute(
                "INSERT INTO eng_state (guild_id, key, value) VALUES (?, 'rollup_final', ?) "
                "ON CONFLICT(guild_id, key) DO UPDATE SET value = excluded.value", (guild_id, str(new_final)))
    return stop >= end


async def reset_rollups(db: Database, guild_id: int) -> None:
    """Forget which days are final so the next rollup recomputes every day that still has raw rows."""
    await db.execute("DELETE FROM eng_state WHERE guild_id = ? AND key = 'rollup_final'", (guild_id,))


async def prune(db: Database, guild_id: int, tz: ZoneInfo, now_ts: float, config, clear_all_content: bool) -> int:
    """Delete raw rows past retention (never from days not yet rolled up); return rows deleted."""
    # whole local days only, so that a rebuild from the raw rows never sees a partial day
    cutoff = day_start(local_day(now_ts - config.raw_retention_days * 86400, tz), tz)
    final = await get_state(db, guild_id, "rollup_final")
    cutoff = min(cutoff, day_start(int(final) + 1, tz)) if final is not None else float("-inf")
    deleted = await db.execute("DELETE FROM eng_messages WHERE guild_id = ? AND ts < ?", (guild_id, cutoff))
    deleted += await db.execute("DELETE FROM eng_events WHERE guild_id = ? AND ts < ?", (guild_id, cutoff))
    deleted += await db.execute("DELETE FROM eng_questions WHERE guild_id = ? AND asked_at < ?",
                                (guild_id, now_ts - config.question_retention_days * 86400))
    if config.keep_content or clear_all_content:
        content_cutoff = now_ts - config.content_retention_days * 86400 if config.keep_content else now_ts + 1
        await db.execute("UPDATE eng_messages SET content = NULL WHERE guild_id = ? AND ts < ? "
                         "AND content IS NOT NULL", (guild_id, content_cutoff))
    return deleted


async def forget(db: Database, guild_id: int, user_id: int) -> int:
    """Delete everything logged about a member; return the rows removed.

    Per-channel daily counts are anonymous and kept; references to the member in other
    members' rows (reply targets, answerer, reacted-to author) are cleared.
    """
    removed = 0
    async with db.transaction() as conn:
        for sql in (
            "DELETE FROM eng_messages WHERE guild_id = ? AND author_id = ?",
            "DELETE FROM eng_events WHERE guild_id = ? AND user_id = ?",
            "DELETE FROM eng_members WHERE guild_id = ? AND user_id = ?",
            "DELETE FROM eng_questions WHERE guild_id = ? AND author_id = ?",
            "DELETE FROM eng_daily_member WHERE guild_id = ? AND user_id = ?",
        ):
            cursor = await conn.execute(sql, (guild_id, user_id))
            removed += cursor.rowcount
        for sql in (
            "UPDATE eng_messages SET reply_to_author = NULL WHERE guild_id = ? AND reply_to_author = ?",
            "UPDATE eng_events SET other_user_id = NULL WHERE guild_id = ? AND other_user_id = ?",
            "UPDATE eng_questions SET answerer_id = NULL WHERE guild_id = ? AND answerer_id = ?",
        ):
            await conn.execute(sql, (guild_id, user_id))
    return removed
