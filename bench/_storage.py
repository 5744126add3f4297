"""Storage stages: batched write throughput, and the report query over many logged messages."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bot.storage import BatchedWriter, Database, Migration

_TABLE = [Migration(1, """
CREATE TABLE bench_log (
    guild_id INTEGER NOT NULL, channel_id INTEGER NOT NULL, author_id INTEGER NOT NULL,
    at REAL NOT NULL, is_reply INTEGER NOT NULL, has_link INTEGER NOT NULL, length_bucket INTEGER NOT NULL
);
""")]
_INSERT = "INSERT INTO bench_log VALUES (?,?,?,?,?,?,?)"


async def writes_per_second(rows: int) -> float:
    """Rows per second through the BatchedWriter into a file database, flushes included."""
    with tempfile.TemporaryDirectory(prefix="pitchfree-bench-") as tmp:
        db = await Database.open(Path(tmp) / "w.db")
        await db.migrate("bench", _TABLE)
        writer = BatchedWriter(db, max_rows=1000, max_delay_ms=1000)
        writer.start()
        start = time.perf_counter()
        for i in range(rows):
            writer.add(_INSERT, (1, i % 12, i % 400, 1_700_000_000.0 + i, i & 1, 0, 2))
            if i % 1000 == 999:
                await writer.flush()
        await writer.close()
        elapsed = time.perf_counter() - start
        await db.close()
        return rows / elapsed


async def run(args: argparse.Namespace) -> dict[str, float]:
    """Print and return the storage figures."""
    rows = 50_000 if args.quick else 300_000
    rate = await writes_per_second(rows)
    print(f"\nstorage: batched writes {rate:,.0f} rows/s ({rows} rows, file DB, WAL)")
    figures = {"writes_per_s": rate}
    from plugins.engagement._bench import fill, report_times

    n = args.report_rows or (200_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory(prefix="pitchfree-bench-") as tmp:
        path = Path(tmp) / "report.db"
        fill_s = await fill(path, n)
        times = await report_times(path)
    print(f"storage: filled {n:,} logged messages over a year in {fill_s:.1f} s")
    for label, seconds in times.items():
        print(f"storage:   {label}: {seconds:.2f} s")
    figures["report_s"] = times["report 30 days (rollups current)"]
    figures["report_cold_rollup_s"] = times["first rollup (cold, whole year)"]
    print(f"storage: 30-day report over {n:,} logged messages: {figures['report_s']:.2f} s (target < 2 s)")
    return figures
