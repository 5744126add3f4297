"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture
async def promo_store(tmp_path):
    """self_promotion's store on a migrated file database (no batched writer: rows go straight in)."""
    from bot.storage import Database
    from plugins.self_promotion._store import MIGRATIONS, PromoStore

    db = await Database.open(tmp_path / "promo.db")
    await db.migrate("self_promotion", MIGRATIONS)
    yield PromoStore(db)
    await db.close()


def pytest_sessionfinish(session, exitstatus):
    """Stop database threads a failing test left running, so pytest exits instead of hanging.

    aiosqlite runs each connection on a non-daemon thread; a test that fails before closing its
    database would otherwise keep the interpreter (and CI) waiting forever.
    """
    import sys
    import threading

    from aiosqlite import core

    worker = getattr(core, "_connection_worker_thread", None)
    for thread in threading.enumerate():
        if worker is not None and getattr(thread, "_target", None) is worker:
            sys.__stderr__.write(f"\nconftest: stopping a database thread a test left open ({thread.name})\n")
            thread._args[0].put_nowait((None, lambda: core._STOP_RUNNING_SENTINEL))
            thread.join(timeout=5)
