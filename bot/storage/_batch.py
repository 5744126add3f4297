"""A batched writer for high-volume rows (engagement logging).

`add()` is synchronous and O(1) so plugins can call it on the hot path. Rows are written in
one transaction when `max_rows` are pending or `max_delay_ms` has passed, and on close.
A failed flush keeps the rows (in order) and retries with backoff; nothing is dropped. If the
database still refuses them at shutdown, they are spilled to `<db>.pending.jsonl` and written
back on the next start. Loss window on a hard kill: rows added since the last flush
(at most `max_rows` rows or `max_delay_ms` of traffic).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any

from bot.storage._database import Database
from bot.storage._multirow import runs, statements

log = logging.getLogger("pitchfree.storage.batch")


class BatchedWriter:
    """Buffers `(sql, params)` rows and writes them in batches."""

    def __init__(
        self,
        db: Database,
        *,
        max_rows: int = 1000,
        max_delay_ms: int = 1000,
        max_retry_delay_s: float = 30.0,
        on_failure: Callable[[Exception, int], None] | None = None,
    ) -> None:
        self._db = db
        self.max_rows = max_rows
        self.max_delay_ms = max_delay_ms
        self.max_retry_delay_s = max_retry_delay_s
        self._on_failure = on_failure
        self._pending: list[tuple[str, Sequence[Any]]] = []
        self._sources: list[Callable[[], None]] = []
        self._flush_lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        self._wake = asyncio.Event()
        self._closed = False
        self.failures = 0
        self._in_flight = 0  # rows of the batch being written right now
        self._failing = False  # the last flush failed: wait for the backoff, even for urgent rows
        self.rows_written = 0
        self.last_error: str | None = None
        # Live, urgent rows (moderation records) are committed within a round trip. A replay
        # turns this off: nothing there is live, and one flush per decision would pace it.
        self.wake_for_urgent = True

    @property
    def pending(self) -> int:
        """Rows not written yet (queued, or in the batch being written)."""
        return len(self._pending) + self._in_flight

    def add(self, sql: str, params: Sequence[Any], *, urgent: bool = False) -> None:
        """Queue one row; wakes the flusher when the batch is full.

        `urgent` rows (moderation records) wake it at once: they are committed within a database
        round trip instead of `max_delay_ms`, without the caller waiting for it.
        """
        if self._closed:
            raise RuntimeError("BatchedWriter is closed")
        self._pending.append((sql, params))
        if (urgent and self.wake_for_urgent and not self._failing) or len(self._pending) >= self.max_rows:
            self._wake.set()

    async def settled(self) -> None:
        """Write what is pending before a read that must see it (rare: commands, buttons, reports).

        If the database refuses the write the rows stay queued (and retried); the read then
        sees the database as it is.
        """
        if self._pending or self._sources:
            # shielded: a reader that gives up (a timeout) must not cancel a commit half-way
            await asyncio.shield(self.flush())

    def add_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Queue rows sharing one statement (a plugin's buffered block), in order."""
        if self._closed:
            raise RuntimeError("BatchedWriter is closed")
        self._pending.extend(zip(repeat(sql), rows))
        if len(self._pending) >= self.max_rows:
            self._wake.set()

    def add_source(self, drain: Callable[[], None]) -> None:
        """Call `drain()` at the start of every flush, to hand over rows a plugin buffers itself.

        A plugin that groups its rows by statement (so each batch costs one `executemany` per
        statement) registers its hand-over here; its rows then share the writer's loss window.
        """
        self._sources.append(drain)

    def start(self) -> None:
        """Start the background flusher (needs a running event loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="batched-writer")

    async def _run(self) -> None:
        period = self.max_delay_ms / 1000
        delay = period
        last_full = time.monotonic()
        while not self._closed:
            # Wait for the next full flush (every `max_delay_ms`, or the backoff after a failure);
            # urgent rows wake the writer sooner for a flush of what is queued, without asking
            # the sources (plugins settling their blocks) to hand over theirs.
            wait = delay if self._failing else max(0.0, last_full + delay - time.monotonic())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            self._wake.clear()
            full = self._failing or len(self._pending) >= self.max_rows or time.monotonic() - last_full >= delay
            if await self.flush(drain_sources=full):
                delay = period
            else:
                delay = min(max(delay * 2, 0.05), self.max_retry_delay_s)
            if full:
                last_full = time.monotonic()

    async def flush(self, *, drain_sources: bool = True) -> bool:
        """Write everything pending now; on failure keep the rows and return False.

        `drain_sources=False` writes only what is queued, leaving plugins' buffered blocks alone.
        """
        async with self._flush_lock:
            if drain_sources and not self._closed:
                self._drain_sources()
            if not self._pending:
                return True
            batch, self._pending = self._pending, []
            self._in_flight = len(batch)
            try:
                await self._db.write_runs(_statements(batch))
            except asyncio.CancelledError:
                # keep the batch rather than lose it (a commit cut short may have landed: the
                # inserts are idempotent, only an event row could be written twice)
                self._pending[:0] = batch
                raise
            except Exception as exc:
                self._pending[:0] = batch
                self._failing = True
                self.failures += 1
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("batched write of %d rows failed (%s); will retry", len(batch), exc)
                if self._on_failure is not None:
                    self._on_failure(exc, len(self._pending))
                return False
            finally:
                self._in_flight = 0
            self._failing = False
            self.rows_written += len(batch)
            return True

    def _drain_sources(self) -> None:
        for drain in self._sources:
            try:
                drain()
            except Exception:  # a broken source must not stop other rows being written
                log.exception("a batched-writer source failed to hand over its rows")

    async def close(self, *, attempts: int = 5, spill_path: str | Path | None = None) -> None:
        """Stop the flusher and write everything; spill to a file if the DB keeps failing."""
        self._drain_sources()
        self._closed = True
        self._wake.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        delay = 0.05
        for _ in range(attempts):
            if await self.flush():
                return
            await asyncio.sleep(delay)
            delay *= 2
        if spill_path is None:
            raise RuntimeError(f"{len(self._pending)} rows could not be written: {self.last_error}")
        spill(spill_path, self._pending)
        log.error("%d unwritten rows spilled to %s", len(self._pending), spill_path)
        self._pending = []


def spill(path: str | Path, rows: list[tuple[str, Sequence[Any]]]) -> None:
    """Append rows to a JSON Lines spill file, fsynced."""
    with open(path, "a", encoding="utf-8") as fh:
        for sql, params in rows:
            fh.write(json.dumps({"sql": sql, "params": list(params), "t": time.time()}) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


async def restore_spill(db: Database, path: str | Path) -> int:
    """Write back rows spilled by a previous run, then remove the file; return the count."""
    path = Path(path)
    if not path.exists():
        return 0
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
            rows.append((record["sql"], tuple(record["params"])))
        except (ValueError, KeyError, TypeError):
            log.warning("skipping unreadable line in %s", path)
    await db.write_runs(_statements(rows))
    path.unlink()
    log.info("restored %d spilled rows from %s", len(rows), path)
    return len(rows)


def _statements(batch: list[tuple[str, Sequence[Any]]]) -> list[tuple[str, list[Sequence[Any]]]]:
    """The batch as few statements as keep its meaning (see `_multirow`)."""
    return [pair for sql, rows in runs(batch) for pair in statements(sql, rows)]
