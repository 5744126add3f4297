"""Benchmarks: `python -m plugins.engagement._bench [--rows 1000000]` (not part of the test suite).

Measures the per-message logging cost on the hot path, then fills a database with synthetic
rows spread over a year and times the first rollup and the report.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import ConfigStore
from bot.context import PluginContext
from bot.events import Member, Message, MessageCreated
from bot.storage import BatchedWriter, Database
from plugins.engagement import Engagement, EngagementConfig
from plugins.engagement._log import INSERT_QUESTION, MIGRATIONS
from plugins.engagement._metrics import full_report, period_ending
from plugins.engagement._rollup import rollup

GUILD = 1
TEXTS = ("thanks, that worked", "How do I configure the webhook for this?", "lol", "see https://example.org/docs",
         "I think the problem is in your config file, check the indentation of the plugins block",
         "good morning everyone", "does anyone know a library for this", "+1")
_FILL = ("INSERT INTO eng_messages (guild_id, message_id, channel_id, thread_id, author_id, ts, reply_to_message, "
         "reply_to_author, mentions, has_link, is_question, length_bucket, content, got_reply) "
         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")


async def hot_path(n: int = 200_000) -> float:
    """Microseconds per message for Engagement.pitchfree_message with a real BatchedWriter."""
    db = await Database.open(":memory:")
    writer = BatchedWriter(db, max_rows=10**9)
    store = ConfigStore(None, {})
    store.load()  # built-in defaults
    ctx = PluginContext("engagement", store, db, writer)
    plugin = Engagement()
    plugin.attach(ctx)
    config = EngagementConfig()
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    members = [Member(i) for i in range(50)]
    events = [MessageCreated(Message(GUILD, 100 + i % 7, i, members[i % 50], TEXTS[i % len(TEXTS)],
                                     t0 + timedelta(seconds=i), reply_to_message_id=i - 1 if i % 3 == 0 else None,
                                     reply_to_author_id=(i - 1) % 50 if i % 3 == 0 else None))
              for i in range(1, 20_001)]
    hook = plugin.pitchfree_message
    best = float("inf")
    for _ in range(max(1, n // len(events))):  # best round: the machine may be shared
        start = time.perf_counter()
        for event in events:
            hook(event, config)
        plugin.settle()
        best = min(best, time.perf_counter() - start)
        plugin.log.push()
        writer._pending.clear()
    elapsed, done = best, len(events)
    await db.close()
    return elapsed / done * 1e6


async def fill(path: Path, rows: int) -> float:
    """Insert `rows` synthetic messages (and their questions) over 365 days; return seconds."""
    db = await Database.open(path)
    await db.migrate("engagement", MIGRATIONS)
    rng = random.Random(7)
    end = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    start = end - 365 * 86400
    step = (end - start) / rows
    t = time.perf_counter()
    batch, questions = [], []
    for i in range(rows):
        ts = start + i * step
        author = rng.randrange(2000)
        reply = i - rng.randrange(1, 20) if i > 20 and rng.random() < 0.3 else None
        is_q = rng.random() < 0.15
        batch.append((GUILD, i, rng.randrange(20), None, author, ts, reply, None, 0, 0, is_q, 1, None,
                      rng.random() < 0.2))
        if is_q:
            questions.append((GUILD, i, 0, 0, author, ts, ts + 1800, 0))
        if len(batch) == 50_000:
            await db.executemany(_FILL, batch)
            batch = []
    if batch:
        await db.executemany(_FILL, batch)
    await db.executemany(INSERT_QUESTION, questions)
    await db.execute("UPDATE eng_questions SET answered_at = asked_at + (message_id % 97) * 60, answerer_id = 1 "
                     "WHERE message_id % 5 <> 0")
    await db.close()
    return time.perf_counter() - t


async def report_times(path: Path) -> dict[str, float]:
    """Seconds for the first rollup, a 30-day and a 365-day report, and a refresh + report."""
    tz = ZoneInfo("Europe/Berlin")
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    db = await Database.open(path)
    out = {}
    t = time.perf_counter()
    await rollup(db, GUILD, tz, now.timestamp(), 3600)
    out["first rollup (cold, whole year)"] = time.perf_counter() - t
    for days in (30, 365):
        t = time.perf_counter()
        await full_report(db, GUILD, tz, period_ending(now, days, tz))
        out[f"report {days} days (rollups current)"] = time.perf_counter() - t
    t = time.perf_counter()
    await rollup(db, GUILD, tz, now.timestamp(), 3600)
    await full_report(db, GUILD, tz, period_ending(now, 30, tz))
    out["incremental rollup + 30-day report"] = time.perf_counter() - t
    await db.close()
    from bot.report_cli import _build

    for fmt in ("text", "png"):
        t = time.perf_counter()
        await _build(str(path), GUILD, 30, fmt, date(2025, 12, 31), tz, None, None)
        out[f"pitchfree report --days 30 --format {fmt} (open, rollup, report, render)"] = time.perf_counter() - t
    return out


async def main(rows: int) -> None:
    """Run both benchmarks and print the numbers."""
    print(f"hot path: {await hot_path():.2f} µs/message")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        print(f"filled {rows:,} messages in {await fill(path, rows):.1f} s")
        for label, seconds in (await report_times(path)).items():
            print(f"{label}: {seconds:.3f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    asyncio.run(main(parser.parse_args().rows))
