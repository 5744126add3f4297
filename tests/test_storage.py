"""Migrations, the batched writer (flush, retry, spill) and start-up on a corrupt file."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.storage import BatchedWriter, Database, Migration, StorageError, restore_spill

MIGRATIONS = [
    Migration(1, "CREATE TABLE rows (id INTEGER PRIMARY KEY, v TEXT NOT NULL);"),
    Migration(2, "ALTER TABLE rows ADD COLUMN n INTEGER DEFAULT 0;\nCREATE INDEX rows_v ON rows (v);"),
]
INSERT = "INSERT INTO rows (v) VALUES (?)"


async def open_db(path) -> Database:
    db = await Database.open(path)
    await db.migrate("test", MIGRATIONS)
    return db


async def until(condition, *, tries: int = 100, delay: float = 0.01) -> None:
    """Poll `condition()` (plain or async) until it is true or `tries` run out; the caller asserts."""
    for _ in range(tries):
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        await asyncio.sleep(delay)


async def _count(db, test: str) -> bool:
    """Whether the number of rows passes `test` (e.g. ">= 20")."""
    return bool(await db.fetchval(f"SELECT COUNT(*) {test} FROM rows"))


async def test_migrations_apply_once_in_order(tmp_path):
    path = tmp_path / "a.db"
    db = await Database.open(path)
    assert await db.migrate("test", MIGRATIONS) == [1, 2]
    assert await db.migrate("test", MIGRATIONS) == []
    assert await db.schema_version("test") == 2
    assert await db.fetchval("PRAGMA journal_mode") == "wal"
    assert await db.fetchval("PRAGMA foreign_keys") == 1
    await db.close()
    db = await Database.open(path)
    more = MIGRATIONS + [Migration(3, "ALTER TABLE rows ADD COLUMN w TEXT;")]
    assert await db.migrate("test", more) == [3]
    await db.close()


async def test_failed_migration_rolls_back(tmp_path):
    db = await Database.open(tmp_path / "b.db")
    bad = [Migration(1, "CREATE TABLE ok1 (x INTEGER);\nCREATE TABLE broken (;")]
    with pytest.raises(sqlite3.Error):
        await db.migrate("bad", bad)
    assert await db.schema_version("bad") == 0
    assert await db.fetchone("SELECT name FROM sqlite_master WHERE name = 'ok1'") is None
    with pytest.raises(StorageError, match="unique"):
        await db.migrate("dup", [Migration(1, "SELECT 1;"), Migration(1, "SELECT 2;")])
    await db.close()


async def test_writer_add_many_keeps_order_with_single_rows(tmp_path):
    db = await open_db(tmp_path / "m.db")
    writer = BatchedWriter(db, max_rows=5, max_delay_ms=10_000)
    writer.add(INSERT, ("a",))
    writer.add_many(INSERT, [("b",), ("c",), ("d",)])
    writer.add_many(INSERT, [])
    writer.add(INSERT, ("e",))
    assert writer.pending == 5 and writer._wake.is_set()  # a full batch wakes the flusher
    await writer.close()
    assert [r[0] for r in await db.fetchall("SELECT v FROM rows ORDER BY id")] == ["a", "b", "c", "d", "e"]
    with pytest.raises(RuntimeError, match="closed"):
        writer.add_many(INSERT, [("f",)])
    await db.close()


async def test_writer_flushes_by_size_and_time_and_on_close(tmp_path):
    db = await open_db(tmp_path / "c.db")
    writer = BatchedWriter(db, max_rows=10, max_delay_ms=50)
    writer.start()
    for i in range(25):
        writer.add(INSERT, (f"r{i}",))
    await until(lambda: _count(db, ">= 20"))
    assert await db.fetchval("SELECT COUNT(*) FROM rows") >= 20
    for i in range(25, 28):
        writer.add(INSERT, (f"r{i}",))
    await writer.close()
    rows = [r[0] for r in await db.fetchall("SELECT v FROM rows ORDER BY id")]
    assert rows == [f"r{i}" for i in range(28)]
    await db.close()


class FlakyDb:
    """Wraps a Database; its transactions fail while `failing` is set."""

    def __init__(self, db):
        self.db, self.failing, self.attempts = db, True, 0

    async def write_runs(self, runs):
        self.attempts += 1
        if self.failing:
            raise sqlite3.OperationalError("database or disk is full")
        return await self.db.write_runs(runs)


async def test_failed_flush_is_retried_not_dropped(tmp_path):
    db = await open_db(tmp_path / "d.db")
    flaky = FlakyDb(db)
    failures = []
    writer = BatchedWriter(flaky, max_rows=1000, max_delay_ms=10, on_failure=lambda e, n: failures.append(n))
    writer.start()
    for i in range(5):
        writer.add(INSERT, (f"x{i}",))
    await until(lambda: flaky.attempts >= 3, tries=200)
    assert writer.failures >= 2 and writer.pending == 5 and failures[0] == 5
    flaky.failing = False
    await writer.close()
    assert [r[0] for r in await db.fetchall("SELECT v FROM rows ORDER BY id")] == [f"x{i}" for i in range(5)]
    await db.close()


async def test_unwritable_rows_spill_and_come_back(tmp_path):
    db = await open_db(tmp_path / "e.db")
    flaky = FlakyDb(db)
    writer = BatchedWriter(flaky, max_rows=1000, max_delay_ms=10)
    for i in range(3):
        writer.add(INSERT, (f"s{i}",))
    spill = tmp_path / "e.db.pending.jsonl"
    await writer.close(attempts=2, spill_path=spill)
    assert spill.exists() and await db.fetchval("SELECT COUNT(*) FROM rows") == 0
    assert await restore_spill(db, spill) == 3
    assert not spill.exists()
    assert [r[0] for r in await db.fetchall("SELECT v FROM rows ORDER BY id")] == ["s0", "s1", "s2"]
    await db.close()


async def test_corrupt_file_fails_with_hint(tmp_path):
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError) as info:
        await Database.open(path)
    assert "corrupt" in str(info.value) and ".recover" in str(info.value)


async def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(StorageError, match="does not exist"):
        await Database.open(tmp_path / "nope" / "x.db")


async def test_sources_hand_over_rows_at_every_flush(tmp_path):
    db = await open_db(tmp_path / "f.db")
    writer = BatchedWriter(db, max_rows=1000, max_delay_ms=10)
    held = [("h0",), ("h1",)]

    def drain():
        while held:
            writer.add(INSERT, held.pop(0))

    def broken():
        raise RuntimeError("source bug")

    writer.add_source(broken)
    writer.add_source(drain)
    writer.add(INSERT, ("direct",))
    assert await writer.flush() is True
    assert [r[0] for r in await db.fetchall("SELECT v FROM rows ORDER BY id")] == ["direct", "h0", "h1"]
    held.append(("late",))
    await writer.close()
    assert await db.fetchval("SELECT COUNT(*) FROM rows WHERE v = 'late'") == 1
    await db.close()


async def test_urgent_rows_are_committed_at_once_but_wait_out_a_failure_backoff(tmp_path):
    db = await open_db(tmp_path / "u.db")
    writer = BatchedWriter(db, max_rows=1000, max_delay_ms=60_000)
    writer.start()
    writer.add(INSERT, ("urgent",), urgent=True)
    await until(lambda: _count(db, "= 1"))
    assert await db.fetchval("SELECT COUNT(*) FROM rows") == 1  # long before the 60 s delay
    writer._failing = True  # as after a failed flush: urgent rows do not cut the backoff short
    writer.add(INSERT, ("later",), urgent=True)
    assert not writer._wake.is_set()
    writer._failing = False
    await writer.close()
    await db.close()


async def test_a_reader_that_gives_up_does_not_cancel_the_write(tmp_path):
    db = await open_db(tmp_path / "r.db")
    writer = BatchedWriter(db, max_rows=1000, max_delay_ms=60_000)
    writer.add(INSERT, ("kept",))
    async with writer._flush_lock:  # a flush is busy: the reader has to wait, and times out
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await writer.settled()
    await until(lambda: writer.pending == 0)
    assert [r[0] for r in await db.fetchall("SELECT v FROM rows")] == ["kept"]  # the shielded flush went on
    await writer.close()
    await db.close()


async def test_urgent_flushes_leave_sources_to_the_timed_flush(tmp_path):
    db = await open_db(tmp_path / "s.db")
    writer = BatchedWriter(db, max_rows=1000, max_delay_ms=300)
    drained = []
    writer.add_source(lambda: drained.append(writer.add(INSERT, ("from a source",))))
    writer.start()
    writer.add(INSERT, ("urgent",), urgent=True)
    await until(lambda: _count(db, "= 1"), tries=50, delay=0.005)
    assert [r[0] for r in await db.fetchall("SELECT v FROM rows")] == ["urgent"] and drained == []
    await until(lambda: drained)  # the timed flush asks the source
    await asyncio.sleep(0.05)
    assert drained and "from a source" in [r[0] for r in await db.fetchall("SELECT v FROM rows")]
    await writer.close()
    await db.close()


async def test_a_flush_is_one_job_on_the_connection_thread(tmp_path):
    db = await open_db(tmp_path / "j.db")
    jobs = []
    real_job = db._conn._execute

    async def counting(fn, *args, **kwargs):
        jobs.append(getattr(fn, "__name__", fn))
        return await real_job(fn, *args, **kwargs)

    db._conn._execute = counting
    writer = BatchedWriter(db, max_rows=100_000)
    for i in range(3000):
        writer.add(INSERT, (f"v{i}",))
    assert await writer.flush()
    assert jobs == ["_write_runs"]
    db._conn._execute = real_job
    assert await db.fetchval("SELECT COUNT(*) FROM rows") == 3000
    await db.close()


async def test_write_runs_without_aiosqlite_internals_still_writes_atomically(tmp_path):
    db = await open_db(tmp_path / "k.db")
    real = db._conn

    class PublicOnly:
        """The aiosqlite connection seen through its public API only."""

        def __getattr__(self, name):
            if name in ("_execute", "_conn"):
                raise AttributeError(name)
            return getattr(real, name)

    db._conn = PublicOnly()
    await db.write_runs([(INSERT, [("a",), ("b",)])])
    with pytest.raises(sqlite3.OperationalError):
        await db.write_runs([(INSERT, [("c",)]), ("INSERT INTO missing (v) VALUES (?)", [("d",)])])
    db._conn = real
    assert [r[0] for r in await db.fetchall("SELECT v FROM rows ORDER BY id")] == ["a", "b"]
    await db.close()


async def test_urgent_rows_wait_for_the_batch_when_wakes_are_off(tmp_path):
    db = await open_db(tmp_path / "u.db")
    writer = BatchedWriter(db, max_rows=1000, max_delay_ms=60_000)
    writer.wake_for_urgent = False
    writer.start()
    writer.add(INSERT, ("urgent",), urgent=True)
    await asyncio.sleep(0.05)
    assert writer.pending == 1 and writer.rows_written == 0
    writer.wake_for_urgent = True
    writer.add(INSERT, ("urgent too",), urgent=True)
    await until(lambda: writer.rows_written == 2)
    assert writer.rows_written == 2
    await writer.close()
    await db.close()


async def test_write_runs_rolls_back_everything_when_a_statement_fails(tmp_path):
    db = await open_db(tmp_path / "r.db")
    with pytest.raises(sqlite3.OperationalError):
        await db.write_runs([(INSERT, [("c",)]), ("INSERT INTO missing (v) VALUES (?)", [("d",)])])
    await db.write_runs([(INSERT, [("e",)])])  # the connection is usable afterwards
    assert [r[0] for r in await db.fetchall("SELECT v FROM rows")] == ["e"]
    await db.close()


async def test_none_and_bools_are_stored_as_null_and_integers(tmp_path):
    # The adapters that make None and bool cheap to bind must not change what is stored.
    db = await Database.open(str(tmp_path / "t.db"))
    await db.execute("CREATE TABLE v (a, b, c)")
    await db.write_runs([("INSERT INTO v (a, b, c) VALUES (?, ?, ?)", [(None, True, False), (1, 2.5, "x")])])
    rows = await db.fetchall("SELECT typeof(a), a, typeof(b), b, typeof(c), c FROM v ORDER BY rowid")
    await db.close()
    assert rows == [("null", None, "integer", 1, "integer", 0), ("integer", 1, "real", 2.5, "text", "x")]
    # found by the registry's first lookup (the slow path they replace gives the same values)
    assert sqlite3.adapters[(type(None), sqlite3.PrepareProtocol)](None) is None
    assert sqlite3.adapters[(bool, sqlite3.PrepareProtocol)](True) == 1
