"""Question figures are counted and ranked by SQLite, and match working through every question."""

from __future__ import annotations

import math
import random
import statistics
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.storage import Database
from plugins.engagement._log import MIGRATIONS
from plugins.engagement._metrics import Period, compute
from plugins.engagement._rollup import day_start, local_day

TZ = ZoneInfo("Europe/Berlin")
START = datetime(2026, 3, 20, tzinfo=UTC).timestamp()  # the period spans the change to summer time
DAYS = 14


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "eng.db")
    await database.migrate("engagement", MIGRATIONS)
    yield database
    await database.close()


def by_hand(questions, period: Period) -> dict:
    """The figures worked out from every question in turn, as before SQLite ranked them."""
    asked = [q for q in questions if period.start_ts <= q[1] < period.end_ts and not q[5]]
    delays, alone, daily = [], 0, {}
    for author, asked_at, answered_at, answerer, _, _ in asked:
        if answered_at is None or answered_at > period.end_ts:
            continue
        if answerer == author:
            alone += 1
            continue
        delays.append((answered_at - asked_at) / 60)
        day = local_day(asked_at, TZ)
        daily.setdefault(day, []).append((answered_at - asked_at) / 60)
    ordered = sorted(delays)
    return {
        "asked": len(asked), "answered": len(delays), "solved_by_asker": alone,
        "median": round(statistics.median(delays), 1) if delays else None,
        "p90": round(ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)], 1) if delays else None,
        "daily": {d: round(statistics.median(v), 1) for d, v in daily.items()},
    }


@pytest.mark.parametrize(("seed", "count"), [(1, 0), (2, 1), (3, 2), (4, 7), (5, 400), (6, 401)])
async def test_question_figures_match_working_through_every_question(db, seed, count):
    rng = random.Random(seed)
    questions = []
    for i in range(count):
        author = rng.randrange(5)
        asked_at = START + rng.uniform(-2, DAYS + 1) * 86400  # some outside the period
        answered_at = asked_at + rng.expovariate(1 / 1800) if rng.random() < 0.7 else None
        answerer = rng.choice([author, None, author + 1, author + 2])
        questions.append((author, asked_at, answered_at, answerer, i, rng.random() < 0.1))
    await db.executemany(
        "INSERT INTO eng_questions (guild_id, message_id, channel_id, root_channel_id, author_id, asked_at, "
        "answered_at, answerer_id, deleted) VALUES (1, ?, 9, 9, ?, ?, ?, ?, ?)",
        [(i, author, asked_at, answered_at, answerer, deleted)
         for author, asked_at, answered_at, answerer, i, deleted in questions])
    first = local_day(START, TZ)
    end_ts = day_start(first + DAYS, TZ) - 7200  # the period ends two hours before midnight
    period = Period(first, local_day(end_ts - 1e-3, TZ), START, end_ts)
    report = await compute(db, 1, TZ, period)
    want = by_hand(questions, period)
    q = report["questions"]
    assert (q["asked"], q["answered"], q["solved_by_asker"]) == (want["asked"], want["answered"],
                                                                 want["solved_by_asker"])
    assert (q["median_answer_minutes"], q["p90_answer_minutes"]) == (want["median"], want["p90"])
    daily = {local_day(datetime.fromisoformat(d["date"]).replace(tzinfo=TZ).timestamp() + 43200, TZ):
             d["median_answer_minutes"] for d in report["daily"]}
    assert {d: m for d, m in daily.items() if m is not None} == want["daily"]
