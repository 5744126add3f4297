"""The plugin's own tables: decisions, strikes (one per message) and the learned allow list."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime

from bot.events import snowflake_seconds
from bot.storage import BatchedWriter, Database, Migration

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


INSERT_STRIKE = ("INSERT INTO promo_strikes (guild_id, message_id, user_id, at) VALUES (?,?,?,?) "
                 "ON CONFLICT(guild_id, message_id) DO NOTHING")
_MEMBERS_IN_MEMORY = 50_000  # members whose strikes are kept in memory (least recently used dropped)
# Expired strikes a member's book keeps before they are dropped from memory (the database keeps them).
_EXPIRED_KEPT = 16
# Only strikes expired this long ago are dropped: messages arrive a little out of order, and a
# window reaching back before the dropped ones costs a database read.
_DROP_MARGIN_S = 86_400


class PromoStore:
    """Decisions and strikes; enforcement never waits for the database.

    A member's strikes are read once (when their first strike is counted in this process, and
    only if they had strikes stored at start-up) and then kept in memory, without the expired
    ones once there are more than a few (so a persistent offender's book does not grow forever);
    new strikes and decisions are urgent rows of the batched writer,
    committed within a round trip (retried, alerted and spilled like every batched row when the
    database refuses them). Reads that must see them (commands, buttons, reports) settle the
    writer first.
    """

    def __init__(self, db: Database, writer: BatchedWriter | None = None) -> None:
        self.db = db
        self.writer = writer
        # (guild, member) -> {message id: [at, active]}; None values mark a book that could not be
        # read from the database yet (it is read again, and merged, on next use)
        self._books: OrderedDict[tuple[int, int], dict[int, list]] = OrderedDict()
        self._partial: set[tuple[int, int]] = set()
        # books that dropped expired strikes: those struck at or before this time may be missing
        self._horizons: dict[tuple[int, int], float] = {}
        # members with strikes stored before this process started (None: not loaded, read everyone)
        self._stored: set[tuple[int, int]] | None = None

    async def load_members_with_strikes(self) -> None:
        """Note which members have stored strikes, so nobody else's book costs a read."""
        rows = await self.db.fetchall("SELECT DISTINCT guild_id, user_id FROM promo_strikes")
        self._stored = {(guild_id, user_id) for guild_id, user_id in rows}

    async def _write(self, sql: str, params: tuple) -> None:
        if self.writer is not None:
            self.writer.add(sql, params, urgent=True)
        else:
            await self.db.execute(sql, params)

    async def _settled(self) -> None:
        if self.writer is not None:
            await self.writer.settled()

    async def _book(self, guild_id: int, user_id: int, since: float | None = None) -> dict[int, list]:
        """The member's strikes, read from the database on first use.

        `since`: strikes after this time are needed; a book that dropped some of them is read again.
        """
        key = (guild_id, user_id)
        book = self._books.get(key)
        horizon = self._horizons.get(key)
        if horizon is not None and since is not None and since < horizon:
            await self._settled()  # a longer window than before (another decay setting): read them back
        elif book is not None and key not in self._partial:
            self._books.move_to_end(key)
            return book
        if book is None and self._stored is not None and key not in self._stored:
            # no strikes stored before start-up, and every later one went through this book
            self._stored.add(key)  # if the book is dropped, its strikes are in the database
            book = self._books[key] = {}
            self._evict()
            return book
        try:
            # No flush first: this member's strikes are only pending in the writer if their book was
            # dropped (least recently used of 50,000) within the last round trip.
            async with asyncio.timeout(STRIKE_IO_TIMEOUT_S):
                rows = await self.db.fetchall(
                    "SELECT message_id, at, active FROM promo_strikes WHERE guild_id = ? AND user_id = ?",
                    (guild_id, user_id))
        except Exception as exc:  # locked or failing: count what this process knows, read again later
            log.warning("strikes of member %s counted from memory only, the database refused the query: %s",
                        user_id, exc)
            self._partial.add(key)
            rows = []
        else:
            self._partial.discard(key)
        merged = {mid: [at, bool(active)] for mid, at, active in rows}
        if book is not None:
            merged.update(book)  # strikes added while the database could not be read
        if key not in self._partial:
            self._horizons.pop(key, None)
        self._books[key] = merged
        self._evict()
        return merged

    def _evict(self) -> None:
        if len(self._books) > _MEMBERS_IN_MEMORY:
            dropped = self._books.popitem(last=False)[0]
            self._partial.discard(dropped)
            self._horizons.pop(dropped, None)

    async def _struck(self, guild_id: int, message_id: int) -> bool:
        """Whether the database holds a strike for the message (one that left its member's book)."""
        try:
            await self._settled()
            async with asyncio.timeout(STRIKE_IO_TIMEOUT_S):
                return await self.db.fetchone("SELECT 1 FROM promo_strikes WHERE guild_id = ? AND message_id = ?",
                                              (guild_id, message_id)) is not None
        except Exception as exc:  # as when a book cannot be read: count what this process knows
            log.warning("could not check an old strike of message %s, the database refused the query: %s",
                        message_id, exc)
            return False

    def _drop_expired(self, key: tuple[int, int], book: dict[int, list], cutoff: float) -> None:
        """Forget the book's strikes at or before `cutoff` (they stay in the database)."""
        for message_id in [mid for mid, (at, _) in book.items() if at <= cutoff]:
            del book[message_id]
        self._horizons[key] = max(cutoff, self._horizons.get(key, cutoff))

    async def record_decision(self, guild_id: int, message_id: int, user_id: int, channel_id: int | None,
                              case_key: str, at: datetime, score: float, decision: str,
                              signals: Sequence[tuple[str, float]], domains, phrases, *, replace: bool) -> None:
        """Store a decision; a bot decision replaces a member report of the same message."""
        conflict = ("DO UPDATE SET score = excluded.score, decision = excluded.decision, "
                    "signals = excluded.signals, domains = excluded.domains, phrases = excluded.phrases, "
                    "at = excluded.at") if replace else "DO NOTHING"
        await self._write(
            "INSERT INTO promo_decisions (guild_id, message_id, user_id, channel_id, case_key, at, score, "
            "decision, signals, domains, phrases) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
            f"ON CONFLICT(guild_id, message_id) {conflict}",
            (guild_id, message_id, user_id, channel_id, case_key, at.timestamp(), score, decision,
             json.dumps(signals), json.dumps(list(domains)), json.dumps(list(phrases))),
        )

    async def decision(self, guild_id: int, message_id: int) -> dict | None:
        """One stored decision as a dict, or None."""
        await self._settled()
        row = await self.db.fetchone(
            "SELECT user_id, channel_id, case_key, decision, domains, phrases, score FROM promo_decisions "
            "WHERE guild_id = ? AND message_id = ?", (guild_id, message_id))
        if row is None:
            return None
        return {"user_id": row[0], "channel_id": row[1], "case_key": row[2], "decision": row[3],
                "domains": json.loads(row[4]), "phrases": json.loads(row[5]), "score": row[6]}

    async def set_decision(self, guild_id: int, message_id: int, decision: str) -> None:
        """Change what was decided (a confirmed member report becomes an incident)."""
        await self._settled()
        await self.db.execute("UPDATE promo_decisions SET decision = ? WHERE guild_id = ? AND message_id = ?",
                              (decision, guild_id, message_id))

    async def set_feedback(self, guild_id: int, message_id: int, feedback: str) -> None:
        """Remember moderator feedback on a decision."""
        await self._settled()
        await self.db.execute("UPDATE promo_decisions SET feedback = ? WHERE guild_id = ? AND message_id = ?",
                              (feedback, guild_id, message_id))

    async def add_strike(self, guild_id: int, message_id: int, user_id: int, at: datetime) -> bool:
        """Add a strike for a message; False when that message already struck (idempotent)."""
        book = await self._book(guild_id, user_id)
        if message_id in book:
            return False
        horizon = self._horizons.get((guild_id, user_id))
        # Only a message sent before the horizon can have a strike that left the book.
        if horizon is not None and snowflake_seconds(message_id) <= horizon and await self._struck(guild_id, message_id):
            return False
        book[message_id] = [at.timestamp(), True]
        await self._write(INSERT_STRIKE, (guild_id, message_id, user_id, at.timestamp()))
        return True

    async def active_strikes(self, guild_id: int, user_id: int, since: datetime) -> int:
        """Strikes a member collected since `since` that were not pardoned."""
        cutoff = since.timestamp()
        book = await self._book(guild_id, user_id, cutoff)
        drop_until = cutoff - _DROP_MARGIN_S
        active_count = old = 0
        for at, active in book.values():
            if at > cutoff:
                active_count += active
            elif at <= drop_until:
                old += 1
        if old > _EXPIRED_KEPT:
            self._drop_expired((guild_id, user_id), book, drop_until)
        return active_count

    async def strikes_of(self, guild_id: int, user_id: int) -> list[tuple[int, float, int]]:
        """(message id, at, active) of a member's strikes, newest first."""
        await self._settled()
        return await self.db.fetchall(
            "SELECT message_id, at, active FROM promo_strikes WHERE guild_id = ? AND user_id = ? "
            "ORDER BY at DESC LIMIT 25", (guild_id, user_id))

    async def pardon(self, guild_id: int, message_id: int) -> bool:
        """Deactivate the strike of a message; True if there was an active one."""
        in_memory = False
        for (book_guild, _), book in self._books.items():
            entry = book.get(message_id) if book_guild == guild_id else None
            if entry is not None and entry[1]:
                entry[1] = False
                in_memory = True
        await self._settled()
        changed = await self.db.execute(
            "UPDATE promo_strikes SET active = 0 WHERE guild_id = ? AND message_id = ? AND active = 1",
            (guild_id, message_id))
        return changed > 0 or in_memory

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
        await self._settled()
        # Counted by SQLite, so a report over a long period holds a few groups, not every decision.
        period = (guild_id, start.timestamp(), end.timestamp())
        groups = await self.db.fetchall(
            "SELECT decision, substr(COALESCE(feedback, ''), 1, 13) = 'not promotion', COUNT(*) FROM promo_decisions "
            "WHERE guild_id = ? AND at >= ? AND at < ? GROUP BY 1, 2", period)
        figures = {"incidents": 0, "deleted": 0, "timeouts": 0, "observed": 0, "reported": 0,
                   "not_promotion": 0}
        for decision, not_promotion, n in groups:
            if decision == "reported":
                figures["reported"] += n
                continue
            figures["incidents"] += n
            figures["deleted"] += n * ("delete" in decision)
            figures["timeouts"] += n * ("timeout" in decision)
            figures["observed"] += n * (decision == "observe")
            figures["not_promotion"] += n * not_promotion
        by_signal = await self.db.fetchall(
            "SELECT json_extract(s.value, '$[0]'), COUNT(*) FROM promo_decisions AS d, json_each(d.signals) AS s "
            "WHERE d.guild_id = ? AND d.at >= ? AND d.at < ? AND d.decision != 'reported' "
            "GROUP BY 1 ORDER BY 2 DESC, 1", period)
        figures["by_signal"] = dict(by_signal)
        return figures
