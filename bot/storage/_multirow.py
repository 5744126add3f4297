"""Multi-row INSERTs: write a run of rows with one statement step per block, not one per row.

Why it matters more than the statement count suggests: Python's sqlite3 releases the GIL
around every statement step and must take it back afterwards. While the event loop is busy
(a spam wave, a replay), taking it back waits for the loop's thread to give it up, about one
switch interval (5 ms) per step. A writer stepping once per row then falls hopelessly
behind; stepping once per `ROWS_PER_STATEMENT` rows it keeps up.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from typing import Any

ROWS_PER_STATEMENT = 256
# SQLite's bound on `?` parameters per statement: 999 before 3.32, 32766 since.
MAX_VARIABLES = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999

# `INSERT ... VALUES (?, ..., ?)`, optionally followed by an upsert clause, and nothing else.
_INSERT_VALUES = re.compile(
    r"^(\s*INSERT\b[^?;]*?\bVALUES\s*)(\(\s*\?(?:\s*,\s*\?)*\s*\))(\s+ON\s+CONFLICT\b[^?;]*)?\s*$",
    re.IGNORECASE | re.DOTALL,
)


# The table a plain write goes to; a statement that reads another table (SELECT) has none.
_TARGET = re.compile(
    r"^\s*(?:(?:INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+([\w.\"`\[\]]+)",
    re.IGNORECASE,
)
_READS = re.compile(r"\bSELECT\b", re.IGNORECASE)


@lru_cache(maxsize=256)
def target_table(sql: str) -> str | None:
    """The table a write statement changes, or None when it also reads (or is not a plain write)."""
    m = _TARGET.match(sql)
    if m is None or _READS.search(sql):
        return None
    return m.group(1).strip('"`[]').lower()


def runs(batch: Sequence[tuple[str, Sequence[Any]]]) -> list[tuple[str, list[Sequence[Any]]]]:
    """The batch as `(sql, rows)` runs to execute in order, as few as keeps its meaning.

    Rows for one table keep their order; the tables are written one after another, in the
    order they first appear. A statement that reads another table (or is not a plain
    INSERT, UPDATE or DELETE) is a barrier: nothing moves across it. The writer's transaction
    defers foreign-key checks to its commit, so a child row written before its parent is fine.
    """
    out: list[tuple[str, list[Sequence[Any]]]] = []
    tables: dict[str, list[tuple[str, list[Sequence[Any]]]]] = {}  # table -> its runs, in order
    current: str | None = None
    rows: list[Sequence[Any]] = []
    for sql, params in batch:
        if sql is not current and sql != current:  # a new run (most batches are long runs)
            if rows:
                _place(out, tables, current, rows)
            current, rows = sql, []
        rows.append(params)
    if rows:
        _place(out, tables, current, rows)
    _append_runs(out, tables)
    return out


def _place(out: list, tables: dict[str, list[tuple[str, list[Sequence[Any]]]]], sql: str,
           rows: list[Sequence[Any]]) -> None:
    """File a run of rows under its table, or (a barrier) write out everything so far, then it."""
    table = target_table(sql)
    if table is None:
        _append_runs(out, tables)
        tables.clear()
        out.append((sql, rows))
        return
    runs_of_table = tables.setdefault(table, [])
    if runs_of_table and runs_of_table[-1][0] == sql:
        runs_of_table[-1][1].extend(rows)
    else:
        runs_of_table.append((sql, rows))


def _append_runs(out: list, tables: dict[str, list[tuple[str, list[Sequence[Any]]]]]) -> None:
    for table_runs in tables.values():
        out.extend(table_runs)


@lru_cache(maxsize=256)
def _shape(sql: str) -> tuple[str, str, str, int] | None:
    """(head, one row's placeholders, tail, rows per statement), or None when not a plain INSERT."""
    m = _INSERT_VALUES.match(sql)
    if m is None:
        return None
    head, one, tail = m.group(1), m.group(2), m.group(3) or ""
    per_row = one.count("?")
    return head, one, tail, max(1, min(ROWS_PER_STATEMENT, MAX_VARIABLES // per_row))


@lru_cache(maxsize=512)
def _statement(sql: str, rows: int) -> str:
    head, one, tail, _ = _shape(sql)
    return f"{head}{','.join([one] * rows)}{tail}"


def statements(sql: str, rows: Sequence[Sequence[Any]]) -> list[tuple[str, list[Sequence[Any]]]]:
    """`(statement, parameter rows)` pairs whose `executemany` does what `executemany(sql, rows)` does.

    A plain `INSERT ... VALUES (?, ...)` (upsert clause allowed) becomes statements of many
    rows each; SQLite applies their rows in order, conflict clauses row by row, so the result
    is the same. Anything else (UPDATE, INSERT ... SELECT) is returned unchanged.

    Statements hold a fixed number of rows (`ROWS_PER_STATEMENT`, then a quarter of that, and
    so on down to one row), so a statement has at most five shapes: sqlite3 caches prepared
    statements by their text, and a large one costs memory.
    """
    shape = _shape(sql) if len(rows) > 1 else None
    if shape is None:
        return [(sql, list(rows))]
    size = shape[3]
    out: list[tuple[str, list[Sequence[Any]]]] = []
    flat = chain.from_iterable
    start, total = 0, len(rows)
    while start < total:
        end = start + (total - start) // size * size
        if end > start:
            if size == 1:
                out.append((sql, list(rows[start:end])))
            else:
                out.append((_statement(sql, size), [tuple(flat(rows[i:i + size])) for i in range(start, end, size)]))
            start = end
        size = max(1, size // 4)
    return out
