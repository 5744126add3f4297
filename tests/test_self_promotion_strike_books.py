"""A member's strike book keeps only what can still count; the database keeps every strike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.events import DISCORD_EPOCH_MS
from plugins.self_promotion import _store
from plugins.self_promotion._store import PromoStore

GUILD, MEMBER = 1, 42
DECAY = timedelta(days=30)
START = datetime(2026, 1, 5, 12, tzinfo=UTC)


def snowflake(at: datetime, n: int = 0) -> int:
    """A Discord id for a message sent at `at`."""
    return ((int(at.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22) + n


@pytest.fixture
def store(promo_store):
    return promo_store


async def _weekly_strikes(store: PromoStore, weeks: int) -> list[int]:
    """A strike every week, each counted against the 30-day window as enforcement does."""
    ids = []
    for week in range(weeks):
        at = START + timedelta(weeks=week)
        ids.append(snowflake(at, week))
        assert await store.add_strike(GUILD, ids[-1], MEMBER, at)
        active = await store.active_strikes(GUILD, MEMBER, at - DECAY)
        assert active == min(week + 1, 5)  # the strikes of the last 30 days: at most 5 weekly ones
    return ids


async def test_a_persistent_offenders_book_stays_small_while_every_strike_is_stored(store):
    await _weekly_strikes(store, 104)
    book = store._books[(GUILD, MEMBER)]
    # what counts (5 weeks), a day of margin, and at most _EXPIRED_KEPT expired ones
    assert len(book) <= 5 + 1 + _store._EXPIRED_KEPT
    assert await store.db.fetchval("SELECT COUNT(*) FROM promo_strikes WHERE user_id = ?", (MEMBER,)) == 104


async def test_a_message_whose_strike_left_the_book_is_not_struck_twice(store):
    ids = await _weekly_strikes(store, 60)
    assert ids[0] not in store._books[(GUILD, MEMBER)]
    now = START + timedelta(weeks=60)
    assert not await store.add_strike(GUILD, ids[0], MEMBER, now)  # a moderator confirming an old alert
    assert await store.active_strikes(GUILD, MEMBER, now - DECAY) == 4


async def test_a_new_message_is_struck_without_asking_the_database(store, monkeypatch):
    await _weekly_strikes(store, 60)
    asked = []
    real = store.db.fetchone
    monkeypatch.setattr(store.db, "fetchone", lambda *a: asked.append(a) or real(*a))
    now = START + timedelta(weeks=60)
    assert await store.add_strike(GUILD, snowflake(now, 999), MEMBER, now)
    assert asked == []
    assert await store.active_strikes(GUILD, MEMBER, now - DECAY) == 5


async def test_a_longer_window_reads_the_dropped_strikes_back(store):
    await _weekly_strikes(store, 60)
    now = START + timedelta(weeks=59)
    assert await store.active_strikes(GUILD, MEMBER, now - timedelta(days=365)) == 53  # weeks 7..59
    assert len(store._books[(GUILD, MEMBER)]) == 60
    await store.pardon(GUILD, snowflake(START + timedelta(weeks=58), 58))
    assert await store.active_strikes(GUILD, MEMBER, now - timedelta(days=365)) == 52


async def test_strikes_a_little_out_of_order_never_cost_a_read(store, monkeypatch):
    monkeypatch.setattr(_store, "_EXPIRED_KEPT", 0)  # drop at every count, up to the latest window
    await _weekly_strikes(store, 60)
    asked = []
    real = store.db.fetchall
    monkeypatch.setattr(store.db, "fetchall", lambda *a: asked.append(a) or real(*a))
    now = START + timedelta(weeks=59)
    assert await store.active_strikes(GUILD, MEMBER, now - DECAY - timedelta(minutes=5)) == 5
    assert asked == []
