"""The reputation ledger: one row per credit with its provenance; totals are always queries.

A row is `active` (counts), `flagged` (held for moderators: suspected credit ring) or
`reversed` (its thanks message was deleted or its reaction removed). The unique index on
(guild, message, giver, receiver, kind) makes crediting idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage import Database, Migration
from plugins.helpful_answers._recent import RecentCredits

MIGRATIONS = [
    Migration(
        1,
        """
        CREATE TABLE helpful_credits (
            id INTEGER PRIMARY KEY,
            guild_id INTEGER NOT NULL,
            giver_id INTEGER NOT NULL,
            receiver_id INTEGER NOT NULL,
            message_id INTEGER,
            channel_id INTEGER,
            kind TEXT NOT NULL,
            points INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'active',
            ts REAL NOT NULL,
            created_at TEXT NOT NULL,
            reason TEXT,
            flag_key TEXT,
            reversed_at TEXT
        );
        CREATE UNIQUE INDEX helpful_credits_once
            ON helpful_credits (guild_id, message_id, giver_id, receiver_id, kind);
        CREATE INDEX helpful_credits_receiver ON helpful_credits (guild_id, receiver_id, ts);
        CREATE INDEX helpful_credits_giver ON helpful_credits (guild_id, giver_id, ts);
        CREATE INDEX helpful_credits_time ON helpful_credits (guild_id, ts);
        CREATE TABLE helpful_state (
            guild_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (guild_id, key)
        );
        """,
        "reputation ledger",
    )
]

_RELOAD_AFTER_S = 7 * 86_400.0  # the copy of recent credits is reloaded once it is this much older than needed

KINDS = ("thanks", "reaction", "mark", "solution", "moderator")


@dataclass(frozen=True, slots=True)
class Credit:
    """One ledger row."""

    id: int
    giver_id: int
    receiver_id: int
    message_id: int | None
    channel_id: int | None
    kind: str
    points: int
    status: str
    ts: float
    reason: str | None


_COLS = "id, giver_id, receiver_id, message_id, channel_id, kind, points, status, ts, reason"
_INSERT_CREDIT = (
    "INSERT INTO helpful_credits (guild_id, giver_id, receiver_id, message_id, channel_id, kind, points, "
    "status, ts, created_at, reason, flag_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)
# A credit for a message exists at most once; a reversed one is revived in place (its status,
# time, points and flag), a live one is left alone and nothing is returned.
_UPSERT_CREDIT = _INSERT_CREDIT + (
    " ON CONFLICT (guild_id, message_id, giver_id, receiver_id, kind) DO UPDATE SET status = excluded.status, "
    "ts = excluded.ts, created_at = excluded.created_at, points = excluded.points, flag_key = excluded.flag_key, "
    "reversed_at = NULL WHERE helpful_credits.status = 'reversed' RETURNING id"
)


class Ledger:
    """Queries and writes on the ledger tables (all SQL of this plugin lives here)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._recent: dict[int, RecentCredits] = {}  # per community (see `_recent`)
        self._writes: dict[int, int] = {}  # per community: a load that saw a write start over is dropped

    def _wrote(self, guild_id: int) -> None:
        """Count a write, so a copy of recent credits loaded across it is not kept."""
        self._writes[guild_id] = self._writes.get(guild_id, 0) + 1

    def _changed(self, guild_id: int) -> None:
        """Drop the in-memory copy of recent credits after a write other than `add`."""
        self._wrote(guild_id)
        self._recent.pop(guild_id, None)

    async def limit_facts(self, guild_id: int, giver_id: int, receiver_id: int, day_since: float,
                          pair_since: float) -> tuple[int, float | None, int]:
        """What the pair cooldown and the daily caps need, from memory after one load.

        (credits the giver gave since `day_since`, when the pair last credited each other either
        way if that was after `pair_since` (else None), credits the receiver got since
        `day_since`). Held (flagged) credits count; reversed and moderator ones do not.
        """
        since = min(day_since, pair_since)
        recent = self._recent.get(guild_id)
        # reloaded when it does not reach back far enough, or holds far more than is asked for
        if recent is None or not recent.covers(since) or since - recent.since > _RELOAD_AFTER_S:
            version = self._writes.get(guild_id, 0)
            rows = await self.db.fetchall(
                "SELECT giver_id, receiver_id, ts FROM helpful_credits WHERE guild_id = ? AND ts > ? "
                "AND status != 'reversed' AND kind != 'moderator'", (guild_id, since))
            recent = RecentCredits(since, [(int(g), int(r), float(t)) for g, r, t in rows])
            if self._writes.get(guild_id, 0) == version:  # no write landed while this was read
                self._recent[guild_id] = recent
        given, last_pair, received = recent.facts(giver_id, receiver_id, day_since)
        return given, last_pair if last_pair is not None and last_pair > pair_since else None, received

    async def add(self, guild_id: int, giver_id: int, receiver_id: int, message_id: int | None,
                  channel_id: int | None, kind: str, points: int, at: datetime, *, status: str = "active",
                  reason: str | None = None, flag_key: str | None = None) -> bool:
        """Insert a credit; False when the same credit exists (a reversed one is revived). One statement."""
        params = (guild_id, giver_id, receiver_id, message_id, channel_id, kind, points, status, at.timestamp(),
                  at.isoformat(), reason, flag_key)
        self._wrote(guild_id)
        if message_id is None:  # never a duplicate (NULLs are distinct in the unique index)
            await self.db.execute(_INSERT_CREDIT, params)
            added = True
        else:
            added = await self.db.fetchone(_UPSERT_CREDIT, params) is not None
        recent = self._recent.get(guild_id)
        if added and recent is not None and kind != "moderator" and status != "reversed":
            recent.add(giver_id, receiver_id, at.timestamp())
        return added

    async def reverse(self, guild_id: int, message_id: int, at: datetime, *, giver_id: int | None = None,
                      kind: str | None = None) -> list[Credit]:
        """Reverse the live credits of a message (optionally one giver's of one kind); return them."""
        sql = (f"SELECT {_COLS} FROM helpful_credits WHERE guild_id = ? AND message_id = ? "
               "AND status != 'reversed' AND kind != 'moderator'")
        params: list = [guild_id, message_id]
        if giver_id is not None:
            sql += " AND giver_id = ?"
            params.append(giver_id)
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        self._changed(guild_id)
        rows = [Credit(*r) for r in await self.db.fetchall(sql, params)]
        for row in rows:
            await self.db.execute("UPDATE helpful_credits SET status = 'reversed', reversed_at = ? WHERE id = ?",
                                  (at.isoformat(), row.id))
        return rows

    async def points(self, guild_id: int, user_id: int, since: float | None = None,
                     until: float | None = None) -> int:
        """A member's active points, optionally within [since, until]."""
        sql = "SELECT COALESCE(SUM(points), 0) FROM helpful_credits WHERE guild_id = ? AND receiver_id = ? " \
              "AND status = 'active'"
        params: list = [guild_id, user_id]
        if since is not None:
            sql += " AND ts > ?"
            params.append(since)
        if until is not None:
            sql += " AND ts <= ?"
            params.append(until)
        return int(await self.db.fetchval(sql, params, 0))

    async def edges_touching(self, guild_id: int, members: tuple[int, ...], since: float) -> list[tuple[int, int]]:
        """(giver, receiver) of live non-moderator credits since `since` given or received by `members`."""
        marks = ",".join("?" * len(members))
        return [(int(r[0]), int(r[1])) for r in await self.db.fetchall(
            f"SELECT giver_id, receiver_id FROM helpful_credits WHERE guild_id = ? AND ts > ? "
            f"AND status != 'reversed' AND kind != 'moderator' AND (giver_id IN ({marks}) OR receiver_id IN ({marks}))",
            (guild_id, since, *members, *members))]

    async def pair_points(self, guild_id: int, giver_id: int, receiver_id: int, since: float) -> tuple[int, bool]:
        """(active points `giver_id` gave `receiver_id` since `since`, whether the receiver credited
        the giver since then), over non-moderator credits: what upgrading within a cooldown needs."""
        rows = await self.db.fetchall(
            "SELECT giver_id, status, points FROM helpful_credits WHERE guild_id = ? AND ts > ? AND kind != 'moderator' "
            "AND status != 'reversed' AND ((giver_id = ? AND receiver_id = ?) OR (giver_id = ? AND receiver_id = ?))",
            (guild_id, since, giver_id, receiver_id, receiver_id, giver_id))
        given = sum(int(p) for g, status, p in rows if int(g) == giver_id and status == "active")
        return given, any(int(g) == receiver_id for g, _, _ in rows)

    async def has_flag(self, guild_id: int, flag_key: str) -> bool:
        """Whether credits were already held under this flag key."""
        return await self.db.fetchval("SELECT 1 FROM helpful_credits WHERE guild_id = ? AND flag_key = ? LIMIT 1",
                                      (guild_id, flag_key)) is not None

    async def release_flagged(self, guild_id: int, flag_key: str) -> list[Credit]:
        """Count held credits of a flagged group (a moderator allowed them); return them."""
        self._changed(guild_id)
        rows = [Credit(*r) for r in await self.db.fetchall(
            f"SELECT {_COLS} FROM helpful_credits WHERE guild_id = ? AND flag_key = ? AND status = 'flagged'",
            (guild_id, flag_key))]
        await self.db.execute("UPDATE helpful_credits SET status = 'active' WHERE guild_id = ? AND flag_key = ? "
                              "AND status = 'flagged'", (guild_id, flag_key))
        return rows

    async def top(self, guild_id: int, since: float | None, until: float | None = None,
                  limit: int = 10) -> list[tuple[int, int]]:
        """(receiver, points) ranked by points within the period (positive totals only)."""
        return [(int(r[0]), int(r[1])) for r in await self.db.fetchall(
            "SELECT receiver_id, SUM(points) AS p FROM helpful_credits WHERE guild_id = ? AND status = 'active' "
            "AND ts > ? AND ts <= ? GROUP BY receiver_id HAVING p > 0 ORDER BY p DESC, MIN(ts) LIMIT ?",
            (guild_id, since if since is not None else float("-inf"),
             until if until is not None else float("inf"), limit))]

    async def rank(self, guild_id: int, points: int) -> int:
        """1 + the number of members with more active points than `points`."""
        higher = await self.db.fetchval(
            "SELECT COUNT(*) FROM (SELECT receiver_id FROM helpful_credits WHERE guild_id = ? AND status = 'active' "
            "GROUP BY receiver_id HAVING SUM(points) > ?)", (guild_id, points), 0)
        return int(higher) + 1

    async def recent(self, guild_id: int, user_id: int, limit: int = 5) -> list[Credit]:
        """A member's latest received credits (any status), newest first."""
        return [Credit(*r) for r in await self.db.fetchall(
            f"SELECT {_COLS} FROM helpful_credits WHERE guild_id = ? AND receiver_id = ? ORDER BY ts DESC, id DESC "
            "LIMIT ?", (guild_id, user_id, limit))]

    async def count_period(self, guild_id: int, since: float, until: float) -> int:
        """Active non-moderator credits in the period."""
        return int(await self.db.fetchval(
            "SELECT COUNT(*) FROM helpful_credits WHERE guild_id = ? AND status = 'active' AND kind != 'moderator' "
            "AND ts > ? AND ts <= ?", (guild_id, since, until), 0))

    async def expiring(self, guild_id: int, after: float, until: float) -> list[int]:
        """Receivers with active credits whose time fell in (after, until]: they left a rolling window."""
        return [int(r[0]) for r in await self.db.fetchall(
            "SELECT DISTINCT receiver_id FROM helpful_credits WHERE guild_id = ? AND status = 'active' "
            "AND ts > ? AND ts <= ?", (guild_id, after, until))]

    async def get_state(self, guild_id: int, key: str) -> str | None:
        """A small persisted value (e.g. the last weekly post)."""
        return await self.db.fetchval("SELECT value FROM helpful_state WHERE guild_id = ? AND key = ?",
                                      (guild_id, key))

    async def set_state(self, guild_id: int, key: str, value: str) -> None:
        """Store a small value."""
        await self.db.execute("INSERT INTO helpful_state (guild_id, key, value) VALUES (?,?,?) "
                              "ON CONFLICT(guild_id, key) DO UPDATE SET value = excluded.value", (guild_id, key, value))
