"""The core `cases` table: every moderation decision, its outcome and moderator feedback."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage._batch import BatchedWriter
from bot.storage._database import Database, Migration

CASES_MIGRATIONS = [
    Migration(
        1,
        """
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            guild_id INTEGER NOT NULL,
            case_key TEXT NOT NULL,
            plugin TEXT NOT NULL,
            user_id INTEGER NOT NULL,
            channel_id INTEGER,
            message_id INTEGER,
            decision TEXT NOT NULL,
            reason TEXT NOT NULL,
            score REAL,
            signals TEXT NOT NULL DEFAULT '[]',
            outcomes TEXT NOT NULL DEFAULT '[]',
            status TEXT NOT NULL DEFAULT 'open',
            feedback TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (guild_id, case_key)
        );
        CREATE INDEX cases_by_user ON cases (guild_id, user_id, created_at);
        """,
        "moderation cases",
    )
]


@dataclass(frozen=True, slots=True)
class Case:
    """One stored moderation decision."""

    id: int
    guild_id: int
    case_key: str
    plugin: str
    user_id: int
    channel_id: int | None
    message_id: int | None
    decision: str
    reason: str
    score: float | None
    signals: list
    outcomes: list
    status: str
    feedback: str | None
    created_at: str


_COLUMNS = (
    "id, guild_id, case_key, plugin, user_id, channel_id, message_id, decision, reason, score, "
    "signals, outcomes, status, feedback, created_at"
)


def _row_to_case(row: tuple) -> Case:
    values = list(row)
    values[10] = json.loads(values[10])
    values[11] = json.loads(values[11])
    return Case(*values)


class CaseStore:
    """Read and write cases; recording is idempotent on (guild, case_key)."""

    def __init__(self, db: Database, writer: BatchedWriter | None = None) -> None:
        self._db = db
        # Cases recorded through `writer` are committed by it; reads settle it first.
        self._writer = writer

    async def _settled(self) -> None:
        if self._writer is not None:
            await self._writer.settled()

    def record_soon(self, **fields: Any) -> None:
        """Queue a case (`insert_statement`) as an urgent batched row; the caller does not wait."""
        if self._writer is None:
            raise RuntimeError("record_soon needs a batched writer")
        sql, params = self.insert_statement(**fields)
        self._writer.add(sql, params, urgent=True)

    @staticmethod
    def insert_statement(*, guild_id: int, case_key: str, plugin: str, user_id: int, decision: str, reason: str,
                         at: datetime, channel_id: int | None = None, message_id: int | None = None,
                         score: float | None = None, signals: tuple[tuple[str, float], ...] = (),
                         outcomes: list[dict] | None = None) -> tuple[str, tuple]:
        """The idempotent INSERT of a case as (sql, params): a case with the same key (a replayed event) is kept."""
        return (
            "INSERT INTO cases (guild_id, case_key, plugin, user_id, channel_id, message_id, "
            "decision, reason, score, signals, outcomes, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(guild_id, case_key) DO NOTHING",
            (
                guild_id, case_key, plugin, user_id, channel_id, message_id, decision, reason,
                score, json.dumps([list(s) for s in signals]), json.dumps(outcomes or []), at.isoformat(),
            ),
        )

    async def add_outcomes(self, guild_id: int, case_key: str, outcomes: list[dict]) -> None:
        """Append execution outcomes (what was done, what failed) to a case."""
        await self._settled()
        row = await self._db.fetchone(
            "SELECT outcomes FROM cases WHERE guild_id = ? AND case_key = ?", (guild_id, case_key)
        )
        if row is None:
            return
        merged = json.loads(row[0]) + outcomes
        await self._db.execute(
            "UPDATE cases SET outcomes = ? WHERE guild_id = ? AND case_key = ?",
            (json.dumps(merged), guild_id, case_key),
        )

    async def set_status(
        self, guild_id: int, case_key: str, status: str, feedback: str | None = None
    ) -> bool:
        """Set a case's status (open, confirmed, pardoned) with optional moderator feedback."""
        await self._settled()
        changed = await self._db.execute(
            "UPDATE cases SET status = ?, feedback = COALESCE(?, feedback) "
            "WHERE guild_id = ? AND case_key = ?",
            (status, feedback, guild_id, case_key),
        )
        return changed > 0

    async def get(self, guild_id: int, case_key: str) -> Case | None:
        """One case by key."""
        await self._settled()
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM cases WHERE guild_id = ? AND case_key = ?",
            (guild_id, case_key),
        )
        return _row_to_case(row) if row else None

    async def get_by_id(self, guild_id: int, case_id: int) -> Case | None:
        """One case by its number."""
        await self._settled()
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM cases WHERE guild_id = ? AND id = ?", (guild_id, case_id)
        )
        return _row_to_case(row) if row else None

    async def for_user(self, guild_id: int, user_id: int, limit: int = 20) -> list[Case]:
        """A member's most recent cases, newest first."""
        await self._settled()
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM cases WHERE guild_id = ? AND user_id = ? "
            "ORDER BY id DESC LIMIT ?",
            (guild_id, user_id, limit),
        )
        return [_row_to_case(r) for r in rows]
