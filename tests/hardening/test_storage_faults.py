"""Storage faults: a full disk, a database locked by another process, a corrupt file at start-up.

The bot keeps moderating, holds and retries its batched writes, tells moderators once, and
never crashes; a corrupt database stops `pitchfree run` with a clear message and a hint.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys

import pytest

from bot.storage import Database
from tests.e2e.conftest import ROOT, TOKEN

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
STORAGE_ALERT = "pitchfree cannot write to its database"


class FullDisk:
    """Wraps the aiosqlite connection: while `full`, every write fails like SQLITE_FULL."""

    def __init__(self, conn) -> None:
        self._conn = conn
        self.full = True
        self.refused = 0

    def _check(self, sql: str) -> None:
        if self.full and sql.lstrip()[:7].upper().startswith(WRITES):
            self.refused += 1
            raise sqlite3.OperationalError("database or disk is full")

    async def execute(self, sql, params=()):
        self._check(sql)
        return await self._conn.execute(sql, params)

    async def executemany(self, sql, rows):
        self._check(sql)
        return await self._conn.executemany(sql, rows)

    def __getattr__(self, name):
        return getattr(self._conn, name)


async def _wait_rows(engine, sql: str, wanted: set, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        have = {r[0] for r in await engine.db.fetchall(sql)}
        if wanted <= have:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{len(wanted - have)} of {len(wanted)} rows missing for {sql!r}")
        await asyncio.sleep(0.05)


def _alerts(fake, world) -> list[str]:
    return [str(c.json) for c in fake.calls_to("POST", rf"^/channels/{world.mod_log.id}/messages$")]


async def _promos(fake, world, tag: str, n: int):
    fresh = [await fake.member_join(world.guild, f"{tag}{i}", account_days=0) for i in range(n)]
    return [await fake.send_message(world.general, u, f"join my server discord.gg/{tag}{i} now")
            for i, u in enumerate(fresh)]


async def test_a_full_disk_keeps_moderation_going_and_alerts_once(fake, world, plugin_runner):
    bot = await plugin_runner.start(writer_max_delay_ms=100)
    engine = bot.engine
    disk = FullDisk(engine.db._conn)
    engine.db._conn = disk
    legit = [await fake.send_message(world.general, world.alice, f"normal chat {i}") for i in range(20)]
    promos = await _promos(fake, world, "full", 5)
    await fake.wait_until(lambda: all(p.deleted for p in promos), timeout=15, what="promotions deleted on a full disk")
    await fake.wait_until(lambda: engine.writer.failures >= 2, timeout=10, what="writer retries")
    await fake.wait_until(lambda: any(STORAGE_ALERT in a for a in _alerts(fake, world)), timeout=10,
                          what="a storage alert")
    assert sum(STORAGE_ALERT in a for a in _alerts(fake, world)) == 1  # once, not per failed flush
    assert engine.writer.pending >= len(legit)  # held in memory, not dropped
    assert not any(m.deleted for m in legit)
    # space is freed: the held rows are written by the next retry
    disk.full = False
    await _wait_rows(engine, "SELECT message_id FROM eng_messages", {m.id for m in legit + promos})
    await _wait_rows(engine, "SELECT message_id FROM cases", {p.id for p in promos})  # retried via the writer
    # strikes held in memory are written with the next strike that gets through
    late = await _promos(fake, world, "after", 1)
    await _wait_rows(engine, "SELECT message_id FROM promo_strikes", {p.id for p in promos + late})
    assert engine.status()["faults"] == {}


async def test_a_database_locked_by_another_process_delays_but_loses_nothing(fake, world, plugin_runner):
    bot = await plugin_runner.start(writer_max_delay_ms=100)
    engine = bot.engine
    locker = await asyncio.create_subprocess_exec(
        sys.executable, "-c",
        "import sqlite3, sys, time\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('BEGIN EXCLUSIVE')\n"
        "print('locked', flush=True)\n"
        "time.sleep(float(sys.argv[2]))\n"
        "db.execute('ROLLBACK')\n",
        plugin_runner.db_path, "6", stdout=asyncio.subprocess.PIPE)
    try:
        assert (await asyncio.wait_for(locker.stdout.readline(), 10)).strip() == b"locked"
        legit = [await fake.send_message(world.general, world.alice, f"chat while locked {i}") for i in range(10)]
        promos = await _promos(fake, world, "locked", 4)
        await fake.wait_until(lambda: all(p.deleted for p in promos), timeout=30,
                              what="promotions deleted while the database is locked")
        await asyncio.wait_for(locker.wait(), 20)
    finally:
        if locker.returncode is None:
            locker.kill()
    await _wait_rows(engine, "SELECT message_id FROM eng_messages", {m.id for m in legit + promos})
    await _wait_rows(engine, "SELECT message_id FROM cases", {p.id for p in promos})
    late = await _promos(fake, world, "unlocked", 1)  # strikes held in memory go with the next one
    await _wait_rows(engine, "SELECT message_id FROM promo_strikes", {p.id for p in promos + late})
    assert engine.status()["faults"] == {}


@pytest.mark.parametrize("garbage", [b"this is not a database at all" * 200, b"SQLite format 3\x00" + b"\xff" * 8192],
                         ids=["not-sqlite", "damaged-header"])
async def test_pitchfree_run_refuses_a_corrupt_database_with_a_hint(fake, world, config_dir, tmp_path, garbage):
    db = tmp_path / "bot.db"
    db.write_bytes(garbage)
    env = {**os.environ, "DISCORD_TOKEN": TOKEN, "FAKE_DISCORD_API": fake.api_base,
           "FAKE_DISCORD_GATEWAY": fake.gateway_url, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.e2e._launch", "run", "--config-dir", str(config_dir), "--db", str(db),
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(proc.communicate(), 30)
    text = output.decode()
    assert proc.returncode == 2, text
    assert "cannot start" in text and str(db) in text and "Hint" in text and ".recover" in text
    assert "Traceback" not in text
    assert fake.gateway.identifies == 0  # it never connected
    assert db.read_bytes() == garbage  # and did not touch the file


async def test_a_failed_commit_does_not_wedge_the_connection(tmp_path):
    """Regression: a COMMIT that failed left the shared connection inside a dead transaction, so every
    later write failed ("cannot start a transaction within a transaction") until a restart."""
    db = await Database.open(tmp_path / "x.db")
    try:
        await db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        await db.execute("CREATE TABLE child (pid INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)")
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO child VALUES (42)")  # only checked at COMMIT
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO parent VALUES (1)")
        await db.execute("INSERT INTO child VALUES (1)")
        assert await db.fetchval("SELECT COUNT(*) FROM child") == 1  # the failed row was rolled back
    finally:
        await db.close()


async def test_strike_style_writes_and_batched_commits_interleave_safely(tmp_path):
    """Single statements (`INSERT ... RETURNING`, reads) between batched commits on one connection.

    Commands and buttons do this while the writer commits (strikes themselves now go through the
    writer); neither side may see the other's half-finished transaction or fail.
    """
    db = await Database.open(tmp_path / "x.db")
    try:
        await db.execute("CREATE TABLE t (x INTEGER)")
        await db.execute("CREATE TABLE s (id INTEGER PRIMARY KEY, u INTEGER)")

        async def striker(k):
            for i in range(100):
                sql = "INSERT INTO s (id, u) VALUES (?, ?) ON CONFLICT(id) DO NOTHING RETURNING id"
                assert await db.fetchone(sql, (k * 1000 + i, k)) == (k * 1000 + i,)
                await db.fetchval("SELECT COUNT(*) FROM s WHERE u = ?", (k,))

        async def writer():
            for i in range(150):
                async with db.transaction() as conn:
                    await conn.executemany("INSERT INTO t VALUES (?)", [(i,)] * 3)
                await asyncio.sleep(0)

        await asyncio.gather(writer(), *(striker(k) for k in range(10)))
        assert await db.fetchval("SELECT COUNT(*) FROM t") == 450
        assert await db.fetchval("SELECT COUNT(*) FROM s") == 1000
    finally:
        await db.close()
