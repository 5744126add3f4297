"""Multi-row INSERTs and UPDATEs: write a run of rows with one statement step per block, not one per row.

Why it matters more than the statement count suggests: Python's sqlite3 releases the GIL
around every statement step and must take it back afterwards. While the event loop is busy
(a spam wave, a replay), taking it back waits for the loop's thread to give it up, about one
switch interval (5 ms) per step. A writer stepping once per row then falls hopelessly
behind; stepping once per `ROWS_PER_STATEMENT` rows it keeps up.

Plain `INSERT ... VALUES` runs become `VALUES (...), (...)` statements. Simple keyed UPDATE
runs become `WITH ... AS (VALUES ...) UPDATE ... FROM` statements, applied in rounds so that no two rows
of a round can touch the same table row (see `_keyed_update`).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from operator import itemgetter
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

# `UPDATE table SET ... WHERE a = ? AND b <> ? AND c IS NULL ...`: the shape written in bulk.
_UPDATE = re.compile(r"^\s*UPDATE\s+(\w+)\s+SET\s+(.+?)\s+WHERE\s+(.+?)\s*$", re.IGNORECASE | re.DOTALL)
_CONDITION = re.compile(
    r"^\s*(\w+)\s*(?:(=|<>|!=|<=|>=|<|>)\s*(\?|-?\d+(?:\.\d+)?)|IS\s+(?:NOT\s+)?NULL)\s*$", re.IGNORECASE)
_AND = re.compile(r"\s+AND\s+", re.IGNORECASE)
# subqueries, RETURNING, quotes, and numbered or named parameters (only plain `?` are rewritten)
_UNSAFE = re.compile(r"\bSELECT\b|\bRETURNING\b|['\";]|\?\d|[:@$][A-Za-z_]", re.IGNORECASE)
# UPDATE ... FROM arrived in SQLite 3.33.
_UPDATE_FROM = sqlite3.sqlite_version_info >= (3, 33, 0)


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
    is the same. A simple keyed UPDATE is applied in bulk (see `_keyed_update`). Anything else
    (INSERT ... SELECT, DELETE) is returned unchanged.

    Statements hold a fixed number of rows (`ROWS_PER_STATEMENT`, then a quarter of that, and
    so on down to one row), so a statement has at most five shapes: sqlite3 caches prepared
    statements by their text, and a large one costs memory.
    """
    if len(rows) < 2:
        return [(sql, list(rows))]
    shape = _shape(sql)
    if shape is not None:
        return _blocks(sql, rows, shape[3], _statement)
    update = _keyed_update(sql)
    if update is None:
        return [(sql, list(rows))]
    keys, size = update
    rounds = _rounds(rows, keys)
    if rounds is None:
        return [(sql, list(rows))]
    return [pair for one_round in rounds for pair in _blocks(sql, one_round, size, _update_statement)]


def _blocks(sql: str, rows: Sequence[Sequence[Any]], size: int, statement_of) -> list[tuple[str, list[Sequence[Any]]]]:
    """Rows in statements of `size`, then a quarter of that, down to single rows (`sql` itself)."""
    out: list[tuple[str, list[Sequence[Any]]]] = []
    flat = chain.from_iterable
    start, total = 0, len(rows)
    while start < total:
        end = start + (total - start) // size * size
        if end > start:
            if size == 1:
                out.append((sql, list(rows[start:end])))
            else:
                out.append((statement_of(sql, size), [tuple(flat(rows[i:i + size])) for i in range(start, end, size)]))
            start = end
        size = max(1, size // 4)
    return out


@lru_cache(maxsize=256)
def _keyed_update(sql: str) -> tuple[tuple[int, ...], int] | None:
    """(positions of the key parameters, rows per statement) of an UPDATE that can run in bulk, else None.

    The WHERE clause must be a chain of ANDed comparisons of a column with `?` or a number (or
    `IS [NOT] NULL`), at least one of them `column = ?`: those parameters are the row's key. A
    table row an update changes then holds its key's values, so updates with different keys
    change different table rows. No subqueries, quotes or RETURNING.
    """
    m = _UPDATE.match(sql)
    if m is None or not _UPDATE_FROM or _UNSAFE.search(sql):
        return None
    before = m.group(2).count("?")  # parameters in the SET clause come first
    keys = []
    for condition in _AND.split(m.group(3)):
        c = _CONDITION.match(condition)
        if c is None:
            return None
        if c.group(3) == "?":
            if c.group(2) == "=":
                keys.append(before)
            before += 1
    if not keys:
        return None
    return tuple(keys), max(1, min(ROWS_PER_STATEMENT, MAX_VARIABLES // sql.count("?")))


@lru_cache(maxsize=512)
def _update_statement(sql: str, rows: int) -> str:
    """The keyed UPDATE reading its parameters from `rows` VALUES rows: `?` number n becomes `_pf._pf<n>`.

    The VALUES rows are a common table expression with columns of its own names, so that no
    column of the updated table can be taken for one of them.
    """
    m = _UPDATE.match(sql)
    count = sql.count("?")
    parts = iter(range(1, count + 1))
    assignments, conditions = (re.sub(r"\?", lambda _: f"_pf._pf{next(parts)}", m.group(i)) for i in (2, 3))
    names = ",".join(f"_pf{n}" for n in range(1, count + 1))
    one = "(" + ",".join("?" * count) + ")"
    return (f"WITH _pf({names}) AS (VALUES {','.join([one] * rows)}) "
            f"UPDATE {m.group(1)} SET {assignments} FROM _pf WHERE {conditions}")


def _rounds(rows: Sequence[Sequence[Any]], keys: tuple[int, ...]) -> list[list[Sequence[Any]]] | None:
    """Rows split into rounds, the n-th row of each key in round n; None when a key is not all integers.

    Within a round no two rows can change the same table row, so a round may run as one
    statement; a key's rows keep their order across rounds. Keys must be integers (or NULL):
    SQLite would take `1`, `1.0` and `'1'` for one key where Python sees three.
    """
    key_of = itemgetter(*keys)
    row_keys = list(map(key_of, rows))
    values = chain.from_iterable(row_keys) if len(keys) > 1 else row_keys
    if not set(map(type, values)) <= _KEY_TYPES:
        return None
    if len(set(row_keys)) == len(row_keys):
        return [list(rows)]  # the usual case: no key twice, one round
    count: dict[Any, int] = {}
    out: list[list[Sequence[Any]]] = []
    for key, row in zip(row_keys, rows, strict=True):
        n = count.get(key, 0)
        count[key] = n + 1
        if n == len(out):
            out.append([])
        out[n].append(row)
    return out


_KEY_TYPES = frozenset({int, type(None)})
