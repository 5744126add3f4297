"""One aiosqlite connection per process, WAL mode, numbered migrations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger("pitchfree.storage")

# sqlite3 binds int, float and str directly, but looks every other parameter up in its adapter
# registry; for None and bool that lookup misses and two failing attribute lookups follow. That
# made a None or a True cost about six times what an int costs to bind, and binding is most of
# what the writer thread does while it holds the GIL (the event loop waits meanwhile). These
# adapters are found by the first lookup and give what sqlite3 binds anyway: NULL, and 1 or 0.
sqlite3.register_adapter(type(None), {}.get)  # `{}.get(None)` is None (a C call): bound as NULL
sqlite3.register_adapter(bool, int)


class StorageError(Exception):
    """A storage problem with a message an operator can act on."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered schema change. Versions start at 1 and are applied in order, once."""

    version: int
    sql: str
    description: str = ""


_VERSIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_versions (
    owner TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (datetime('now'))
)
"""


class Database:
    """The process's single SQLite connection. All SQL is parameterised."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        self._tx_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Open (or create) the database, check it is healthy and set WAL/foreign keys."""
        path = str(path)
        if path != ":memory:":
            parent = Path(path).expanduser().resolve().parent
            if not parent.is_dir():
                raise StorageError(f"database directory does not exist: {parent}")
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open database {path}: {exc}") from exc
        db = cls(conn, path)
        try:
            await conn.execute("PRAGMA busy_timeout = 5000")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            row = await (await conn.execute("PRAGMA quick_check")).fetchone()
            if row is None or row[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {row[0] if row else '?'}")
            await conn.execute(_VERSIONS_TABLE)
        except sqlite3.Error as exc:
            await conn.close()
            raise StorageError(
                f"database {path} is not usable ({exc}). Hint: if the file is corrupt, stop the "
                f"bot, move it aside (keep it for recovery with `sqlite3 {path} .recover`) and "
                "start again to create a fresh database."
            ) from exc
        return db

    async def close(self) -> None:
        """Close the connection."""
        await self._conn.close()

    async def schema_version(self, owner: str) -> int:
        """The last migration version applied for `owner` (0 when none)."""
        row = await self.fetchone("SELECT version FROM schema_versions WHERE owner = ?", (owner,))
        return int(row[0]) if row else 0

    async def migrate(self, owner: str, migrations: Iterable[Migration]) -> list[int]:
        """Apply `owner`'s pending migrations in order, each atomically; return versions applied."""
        ordered = sorted(migrations, key=lambda m: m.version)
        versions = [m.version for m in ordered]
        if len(set(versions)) != len(versions) or any(v < 1 for v in versions):
            raise StorageError(f"{owner}: migration versions must be unique and >= 1: {versions}")
        current = await self.schema_version(owner)
        applied = []
        for migration in ordered:
            if migration.version <= current:
                continue
            async with self.transaction():
                for statement in _split_statements(migration.sql):
                    await self._conn.execute(statement)
                await self._conn.execute(
                    "INSERT INTO schema_versions (owner, version) VALUES (?, ?) "
                    "ON CONFLICT(owner) DO UPDATE SET version = excluded.version, "
                    "applied_at = datetime('now')",
                    (owner, migration.version),
                )
            applied.append(migration.version)
            log.info("migrated %s to version %d", owner, migration.version)
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run statements atomically; concurrent transactions are serialised."""
        async with self._tx_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                try:
                    await self._conn.execute("COMMIT")
                except BaseException:  # never leave the shared connection inside a dead transaction
                    with contextlib.suppress(sqlite3.Error):
                        await self._conn.execute("ROLLBACK")
                    raise

    async def write_runs(self, runs: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> None:
        """Run `(sql, parameter rows)` pairs in one transaction, as one job on the connection's thread.

        The batched writer's flush. Done statement by statement through aiosqlite it would cost
        a round trip to the connection's thread per statement, each waiting for the event loop
        to turn and for the GIL to change hands: under load (a spam wave, a replay) that, not
        SQLite, limits how fast rows are written. Foreign-key checks are deferred to the commit
        (the writer groups rows by table). Falls back to one call per statement when aiosqlite's
        internals are not the ones this was written against.
        """
        job = getattr(self._conn, "_execute", None)
        raw = getattr(self._conn, "_conn", None)
        if job is None or not isinstance(raw, sqlite3.Connection):
            async with self.transaction() as conn:
                await conn.execute("PRAGMA defer_foreign_keys = ON")
                for sql, rows in runs:
                    await conn.executemany(sql, rows)
            return
        async with self._tx_lock:
            await job(_write_runs, raw, runs)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return lastrowid (inserts) or rowcount."""
        async with self._tx_lock:
            cursor = await self._conn.execute(sql, params)
            result = cursor.lastrowid if sql.lstrip()[:6].upper() == "INSERT" else cursor.rowcount
            await cursor.close()
            return int(result or 0)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for many parameter rows in a single transaction."""
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """All rows of a query."""
        # one job on the connection's thread: no half-read cursor can block a concurrent COMMIT
        rows = await self._conn.execute_fetchall(sql, params)
        return [tuple(r) for r in rows]

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        """The first row of a query, or None."""
        rows = await self._conn.execute_fetchall(sql, params)
        return tuple(rows[0]) if rows else None

    async def fetchval(self, sql: str, params: Sequence[Any] = (), default: Any = None) -> Any:
        """The first column of the first row, or `default`."""
        row = await self.fetchone(sql, params)
        return row[0] if row is not None else default


def _write_runs(conn: sqlite3.Connection, runs: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> None:
    """`Database.write_runs` on the connection's own thread."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for sql, rows in runs:
            conn.executemany(sql, rows)
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise


def _split_statements(sql: str) -> list[str]:
    """Split a migration script into complete statements (sqlite3.complete_statement aware)."""
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
