"""The plugin's own tables: decisions, strikes (one per message) and the learned allow list."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from datetime import datetime

from bot.storage import Database, Migration

log = logging.getLogger("pitchfree.self_promotion.store")

STRIKE_IO_TIMEOUT_S = 1.0  # a locked database must not hold enforcement up (hooks time out at 5 s)

MIGRATIONS = [
    Migration(
        1,
        """
        CREATE TABLE promo_decisions (
            guild_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            channel_id INTEGER,
            case_key TEXT NOT NULL,
            at REAL NOT NULL,
            score REAL,
            decision TEXT NOT NULL,
            signals TEXT NOT NULL DEFAULT '[]',
            domains TEXT NOT NULL DEFAULT '[]',
            phrases TEXT NOT NULL DEFAULT '[]',
            feedback TEXT,
            PRIMARY KEY (guild_id, message_id)
        );
        CREATE INDEX promo_decisions_by_time ON promo_decisions (guild_id, at);
        CREATE TABLE promo_strikes (
            guild_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            at REAL NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (guild_id, message_id)
        );
        CREATE INDEX promo_strikes_by_user ON promo_strikes (guild_id, user_id, at);
        CREATE TABLE promo_learned (
            guild_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            added_by INTEGER,
            at REAL NOT NULL,
            PRIMARY KEY (guild_id, kind, value)
        );
        """,
        "self-promotion decisions, strikes and learned allow list",
    ),
    Migration(
        2,
        """
        CREATE TABLE promo_members (
            guild_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            seen INTEGER NOT NULL,
            plain INTEGER NOT NULL,
            PRIMARY KEY (guild_id, user_id)
        );
        """,
        "message counts behind the trust gate, kept across restarts",
    ),
]

SAVE_MEMBER = (
    "INSERT INTO promo_members (guild_id, user_id, seen, plain) VALUES (?,?,?,?) "
    "ON CONFLICT(guild_id, user_id) DO UPDATE SET seen = excluded.seen, plain = excluded.plain"
)


class PromoStore:
    """Rare writes only: called when a message is flagged, reported or reviewed."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # strikes the database refused (locked, disk full): kept here and counted until written
        self._unsaved: dict[tuple[int, int], tuple[int, float]] = {}

    async def record_decision(self, guild_id: int, message_id: int, user_id: int, channel_id: int | None,
                              case_key: str, at: datetime, score: float, decision: str,
                              signals: list[tuple[str, float]], domains, phrases, *, replace: bool) -> None:
        """Store a decision; a bot decision replaces a member report of the same message."""
        conflict = ("DO UPDATE SET score = excluded.score, decision = excluded.decision, "
                    "signals = excluded.signals, domains = excluded.domains, phrases = excluded.phrases, "
                    "at = excluded.at") if replace else "DO NOTHING"
        await self._best_effort(
            "INSERT INTO promo_decisions (guild_id, message_id, user_id, channel_id, case_key, at, score, "
            "decision, signals, domains, phrases) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
            f"ON CONFLICT(guild_id, message_id) {conflict}",
            (guild_id, message_id, user_id, channel_id, case_key, at.timestamp(), score, decision,
             json.dumps(signals), json.dumps(list(domains)), json.dumps(list(phrases))),
        )

    async def decision(self, guild_id: int, message_id: int) -> dict | None:
        """One stored decision as a dict, or None."""
        row = await self.db.fetchone(
            "SELECT user_id, channel_id, case_key, decision, domains, phrases, score FROM promo_decisions "
            "WHERE guild_id = ? AND message_id = ?", (guild_id, message_id))
        if row is None:
            return None
        return {"user_id": row[0], "channel_id": row[1], "case_key": row[2], "decision": row[3],
                "domains": json.loads(row[4]), "phrases": json.loads(row[5]), "score": row[6]}

    async def set_decision(self, guild_id: int, message_id: int, decision: str) -> None:
        """Change what was decided (a confirmed member report becomes an incident)."""
        await self.db.execute("UPDATE promo_decisions SET decision = ? WHERE guild_id = ? AND message_id = ?",
                              (decision, guild_id, message_id))

    async def set_feedback(self, guild_id: int, message_id: int, feedback: str) -> None:
        """Remember moderator feedback on a decision."""
        await self.db.execute("UPDATE promo_decisions SET feedback = ? WHERE guild_id = ? AND message_id = ?",
                              (feedback, guild_id, message_id))

    async def add_strike(self, guild_id: int, message_id: int, user_id: int, at: datetime) -> bool:
        """Add a strike for a message; False when that message already struck (idempotent).

        If the database refuses the write, the strike is kept in memory (so moderation goes on)
        and written with the next strike that gets through.
        """
        if (guild_id, message_id) in self._unsaved:
            return False
        try:
            await asyncio.wait_for(self._write_unsaved(), STRIKE_IO_TIMEOUT_S)
            return await asyncio.wait_for(self._insert_strike(guild_id, message_id, user_id, at.timestamp()),
                                          STRIKE_IO_TIMEOUT_S)
        except Exception as exc:
            log.warning("strike for message %s kept in memory, the database refused it: %s", message_id, exc)
            self._unsaved[(guild_id, message_id)] = (user_id, at.timestamp())
            return True

    async def _insert_strike(self, guild_id: int, message_id: int, user_id: int, at: float) -> bool:
        row = await self.db.fetchone(
            "INSERT INTO promo_strikes (guild_id, message_id, user_id, at) VALUES (?,?,?,?) "
            "ON CONFLICT(guild_id, message_id) DO NOTHING RETURNING message_id",
            (guild_id, message_id, user_id, at))
        return row is not None

    async def _write_unsaved(self) -> None:
        for (guild_id, message_id), (user_id, at) in list(self._unsaved.items()):
            await self._insert_strike(guild_id, message_id, user_id, at)
            del self._unsaved[(guild_id, message_id)]

    async def _best_effort(self, sql: str, params: tuple) -> None:
        try:
            await asyncio.wait_for(self.db.execute(sql, params), STRIKE_IO_TIMEOUT_S)
        except Exception as exc:  # a decision row is a report detail; the strike and case matter more
            log.warning("promo decision not stored: %s", exc)

    async def active_strikes(self, guild_id: int, user_id: int, since: datetime) -> int:
        """Strikes a member collected since `since` that were not pardoned (unsaved ones included)."""
        cutoff = since.timestamp()
        unsaved = sum(1 for (g, _), (u, at) in self._unsaved.items() if g == guild_id and u == user_id and at > cutoff)
        try:
            stored = int(await asyncio.wait_for(self.db.fetchval(
                "SELECT COUNT(*) FROM promo_strikes WHERE guild_id = ? AND user_id = ? AND active = 1 AND at > ?",
                (guild_id, user_id, cutoff), 0), STRIKE_IO_TIMEOUT_S))
        except Exception as exc:
            log.warning("strike count from memory only, the database refused the query: %s", exc)
            stored = 0
        return stored + unsaved

    async def strikes_of(self, guild_id: int, user_id: int) -> list[tuple[int, float, int]]:
        """(message id, at, active) of a member's strikes, newest first."""
        return await self.db.fetchall(
            "SELECT message_id, at, active FROM promo_strikes WHERE guild_id = ? AND user_id = ? "
            "ORDER BY at DESC LIMIT 25", (guild_id, user_id))

    async def pardon(self, guild_id: int, message_id: int) -> bool:
        """Deactivate the strike of a message; True if there was an active one."""
        return await self.db.execute(
            "UPDATE promo_strikes SET active = 0 WHERE guild_id = ? AND message_id = ? AND active = 1",
            (guild_id, message_id)) > 0

    async def learn(self, guild_id: int, kind: str, value: str, by: int, at: datetime) -> None:
        """Add a learned allow-list entry (kind `domain` or `phrase`)."""
        await self.db.execute(
            "INSERT INTO promo_learned (guild_id, kind, value, added_by, at) VALUES (?,?,?,?,?) "
            "ON CONFLICT DO NOTHING", (guild_id, kind, value, by, at.timestamp()))

    async def members(self) -> list[tuple[int, int, int, int]]:
        """Saved (guild, member, messages seen, link-free messages) counts."""
        return await self.db.fetchall("SELECT guild_id, user_id, seen, plain FROM promo_members")

    async def learned(self) -> list[tuple[int, str, str]]:
        """Every learned entry: (guild id, kind, value)."""
        return await self.db.fetchall("SELECT guild_id, kind, value FROM promo_learned")

    async def figures(self, guild_id: int, start: datetime, end: datetime) -> dict:
        """Incidents, deletions, observations, reports, reversals and counts by signal in a period."""
        rows = await self.db.fetchall(
            "SELECT decision, signals, feedback FROM promo_decisions WHERE guild_id = ? AND at >= ? AND at < ?",
            (guild_id, start.timestamp(), end.timestamp()))
        by_signal: Counter[str] = Counter()
        figures = {"incidents": 0, "deleted": 0, "timeouts": 0, "observed": 0, "reported": 0,
                   "not_promotion": 0}
        for decision, signals, feedback in rows:
            if decision == "reported":
                figures["reported"] += 1
                continue
            figures["incidents"] += 1
            figures["deleted"] += "delete" in decision
            figures["timeouts"] += "timeout" in decision
            figures["observed"] += decision == "observe"
            figures["not_promotion"] += (feedback or "").startswith("not promotion")
            for name, _weight in json.loads(signals):
                by_signal[name] += 1
        figures["by_signal"] = dict(by_signal.most_common())
        return figures
