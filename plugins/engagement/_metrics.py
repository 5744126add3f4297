"""Community health figures over a period of local days, read from rollups and question rows."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.storage import Database
from plugins.engagement._rollup import day_start, local_day

ACTIVATION_DAYS = 7
RETENTION_DAYS = 30


@dataclass(frozen=True, slots=True)
class Period:
    """Local days `start_day..end_day` (date ordinals, inclusive); timestamps bound the data read."""

    start_day: int
    end_day: int
    start_ts: float
    end_ts: float

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return self.end_day - self.start_day + 1

    def previous(self, tz: ZoneInfo) -> Period:
        """The period of the same length just before this one."""
        end = self.start_day - 1
        start = end - self.days + 1
        return Period(start, end, day_start(start, tz), day_start(end + 1, tz))


def period_ending(now: datetime, days: int, tz: ZoneInfo) -> Period:
    """The `days` local days ending today (today counts up to `now`)."""
    end = local_day(now.timestamp(), tz)
    start = end - days + 1
    return Period(start, end, day_start(start, tz), min(now.timestamp(), day_start(end + 1, tz)))


def _iso(day: int) -> str:
    return date.fromordinal(day).isoformat()


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# Questions asked in a period (guild, start, end), and the answer times of those asked in
# (guild, start, end) and answered by the period's end by someone other than the asker (an answer
# with no answerer, a thanked success, counts). One range on asked_at each, so the index bounds it.
_ASKED_IN = "guild_id = ? AND asked_at >= ? AND asked_at < ? AND deleted = 0"
_ANSWER_SECONDS = (f"SELECT answered_at - asked_at AS t FROM eng_questions WHERE {_ASKED_IN} "
                   "AND answered_at <= ? AND answerer_id IS NOT author_id")


async def compute(db: Database, guild_id: int, tz: ZoneInfo, period: Period,
                  open_max_age_s: float = 72 * 3600, with_daily: bool = True) -> dict[str, Any]:
    """All engagement figures for one period (rollups must be up to date)."""
    g, s, e = guild_id, period.start_day, period.end_day
    row = await db.fetchone(
        "SELECT COALESCE(SUM(messages), 0), COALESCE(SUM(conversational), 0), COALESCE(SUM(questions), 0) "
        "FROM eng_daily_channel WHERE guild_id = ? AND day BETWEEN ? AND ?", (g, s, e))
    messages, conversational, _ = row
    active = {
        "daily_avg": None, "weekly": 0, "monthly": 0, "period": 0,
    }
    for key, first in (("weekly", e - 6), ("monthly", e - 29), ("period", s)):
        active[key] = await db.fetchval(
            "SELECT COUNT(DISTINCT user_id) FROM eng_daily_member WHERE guild_id = ? AND day BETWEEN ? AND ?",
            (g, first, e), 0)
    per_day = dict(await db.fetchall(
        "SELECT day, COUNT(*) FROM eng_daily_member WHERE guild_id = ? AND day BETWEEN ? AND ? GROUP BY day",
        (g, s, e)))
    active["daily_avg"] = round(sum(per_day.values()) / period.days, 2)

    joined, activated = await db.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(EXISTS (SELECT 1 FROM eng_daily_member d WHERE d.guild_id = j.guild_id "
        "AND d.user_id = j.user_id AND d.day BETWEEN j.jd AND j.jd + ?)), 0) FROM (SELECT guild_id, user_id, "
        "MIN(join_day) AS jd FROM eng_members WHERE guild_id = ? AND join_day <= ? GROUP BY user_id "
        "HAVING jd BETWEEN ? AND ?) j",
        (ACTIVATION_DAYS - 1, g, e, s, e))
    cohort, retained = await db.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(EXISTS (SELECT 1 FROM eng_daily_member d WHERE d.guild_id = j.guild_id "
        "AND d.user_id = j.user_id AND d.day BETWEEN j.jd + ? AND ?)), 0) FROM (SELECT guild_id, user_id, "
        "MIN(join_day) AS jd FROM eng_members WHERE guild_id = ? AND join_day <= ? GROUP BY user_id "
        "HAVING jd BETWEEN ? AND ?) j",
        (RETENTION_DAYS, e, g, e - RETENTION_DAYS, s - RETENTION_DAYS, e - RETENTION_DAYS))
    # Leave events also cover members who joined before the bot, but are pruned after
    # raw_retention_days; the members table keeps the leaves of the joins it logged.
    left = await db.fetchval(
        "SELECT COUNT(*) FROM (SELECT user_id FROM eng_events WHERE guild_id = ? AND ts >= ? AND ts < ? "
        "AND kind = 'leave' UNION SELECT user_id FROM eng_members WHERE guild_id = ? AND left_at >= ? AND left_at < ?)",
        (g, period.start_ts, period.end_ts, g, period.start_ts, period.end_ts), 0)

    # Counted and ranked by SQLite: a report over a long period never holds every question. The
    # asker closing their own question ("nvm, figured it out") is logged with themselves as the
    # answerer: solved, but not an answer from someone else.
    asked_in = (g, period.start_ts, period.end_ts)
    asked, solved_alone, answered = await db.fetchone(
        f"SELECT COUNT(*), COALESCE(SUM(answered_at <= ? AND answerer_id = author_id), 0), "
        f"COALESCE(SUM(answered_at <= ? AND answerer_id IS NOT author_id), 0) FROM eng_questions WHERE {_ASKED_IN}",
        (period.end_ts, period.end_ts, *asked_in))
    median_minutes = p90_minutes = None
    if answered:
        # the middle one or two answer times and the nearest-rank p90, from one sort
        low, high, p90_rank = (answered - 1) // 2, answered // 2, max(0, math.ceil(0.9 * answered) - 1)
        at_rank = dict(await db.fetchall(
            f"SELECT k, t FROM (SELECT ROW_NUMBER() OVER (ORDER BY t) - 1 AS k, t FROM ({_ANSWER_SECONDS})) "
            "WHERE k IN (?, ?, ?)",
            (*asked_in, period.end_ts, low, high, p90_rank)))
        median_minutes = (at_rank[low] / 60 + at_rank[high] / 60) / 2 if low != high else at_rank[low] / 60
        p90_minutes = at_rank[p90_rank] / 60
    unanswered_now = await db.fetchval(
        f"SELECT COUNT(*) FROM eng_questions WHERE {_ASKED_IN} AND (answered_at IS NULL OR answered_at > ?)",
        (g, period.end_ts - open_max_age_s, period.end_ts, period.end_ts), 0)

    channels = await db.fetchall(
        "SELECT channel_id, SUM(messages) AS n FROM eng_daily_channel WHERE guild_id = ? AND day BETWEEN ? AND ? "
        "GROUP BY channel_id ORDER BY n DESC, channel_id LIMIT 5", (g, s, e))
    report: dict[str, Any] = {
        "guild_id": g,
        "timezone": str(tz),
        "period": {"start": _iso(s), "end": _iso(e), "days": period.days},
        "messages": messages,
        "active_members": active,
        "new_members": {"joined": joined, "posted_within_7_days": activated,
                        "activation_rate": _rate(activated, joined), "left": left},
        "retention": {"cohort": cohort, "retained": retained, "rate": _rate(retained, cohort)},
        "conversation_ratio": _rate(conversational, messages),
        "questions": {
            "asked": asked, "answered": answered, "answered_share": _rate(answered, asked),
            "median_answer_minutes": round(median_minutes, 1) if answered else None,
            "p90_answer_minutes": round(p90_minutes, 1) if answered else None,
            "unanswered_now": unanswered_now, "solved_by_asker": solved_alone,
        },
        "busiest_channels": [{"channel_id": c, "messages": n, "share": _rate(n, messages)} for c, n in channels],
    }
    if with_daily:
        by_day = dict(await db.fetchall(
            "SELECT day, SUM(messages) FROM eng_daily_channel WHERE guild_id = ? AND day BETWEEN ? AND ? GROUP BY day",
            (g, s, e)))
        starts = [day_start(d, tz) for d in range(s, e + 2)]
        report["daily"] = []
        for i, d in enumerate(range(s, e + 1)):  # one day's answer times at a time
            day = (g, max(starts[i], period.start_ts), min(starts[i + 1], period.end_ts), period.end_ts)
            seconds = await db.fetchall(_ANSWER_SECONDS, day)
            report["daily"].append(
                {"date": _iso(d), "messages": by_day.get(d, 0), "active_members": per_day.get(d, 0),
                 "median_answer_minutes": round(statistics.median(t / 60 for (t,) in seconds), 1) if seconds else None})
    return report


KEY_FIGURES = (
    ("messages", ("messages",)),
    ("active_members", ("active_members", "period")),
    ("daily_active_avg", ("active_members", "daily_avg")),
    ("new_members", ("new_members", "joined")),
    ("conversation_ratio", ("conversation_ratio",)),
    ("questions", ("questions", "asked")),
    ("answered_share", ("questions", "answered_share")),
    ("median_answer_minutes", ("questions", "median_answer_minutes")),
)


def key_figures(report: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers of a report, flat."""
    out = {}
    for name, path in KEY_FIGURES:
        value: Any = report
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        out[name] = value
    return out


async def full_report(db: Database, guild_id: int, tz: ZoneInfo, period: Period,
                      open_max_age_s: float = 72 * 3600) -> dict[str, Any]:
    """The report for `period` with the previous period's key figures under `previous`."""
    report = await compute(db, guild_id, tz, period, open_max_age_s)
    prev_period = period.previous(tz)
    previous = await compute(db, guild_id, tz, prev_period, open_max_age_s, with_daily=False)
    report["previous"] = {"start": _iso(prev_period.start_day), "end": _iso(prev_period.end_day),
                          **key_figures(previous)}
    return report
