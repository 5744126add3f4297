"""The writer's multi-row statements and table runs write exactly what row-by-row execution writes."""

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.storage import _multirow
from bot.storage._multirow import ROWS_PER_STATEMENT, runs, statements, target_table

SCHEMA = """
CREATE TABLE a (k INTEGER PRIMARY KEY, v TEXT, n INTEGER DEFAULT 0);
CREATE TABLE b (k INTEGER, v TEXT);
CREATE TABLE c (k INTEGER PRIMARY KEY, total INTEGER);
CREATE TABLE q (g INTEGER, m INTEGER, at REAL, who INTEGER, seen INTEGER DEFAULT 0, PRIMARY KEY (g, m));
CREATE TABLE mem (g INTEGER, u INTEGER, left_at REAL);
"""
INSERT_A = "INSERT OR IGNORE INTO a (k, v) VALUES (?, ?)"
UPSERT_A = "INSERT INTO a (k, v) VALUES (?,?) ON CONFLICT(k) DO UPDATE SET v = excluded.v, n = n + 1"
UPDATE_A = "UPDATE a SET n = n + 10 WHERE k = ?"
INSERT_B = "INSERT INTO b (k, v) VALUES (?,?)"
DELETE_B = "DELETE FROM b WHERE k = ?"
# reads another table: a barrier nothing may move across
SNAPSHOT_C = "INSERT OR REPLACE INTO c (k, total) SELECT ?, COUNT(*) FROM b"
# keyed updates, run in bulk: the first one wins, the last one wins, a condition, a key that is
# not unique (several rows per member), arithmetic on the row itself
INSERT_Q = "INSERT OR IGNORE INTO q (g, m) VALUES (?, ?)"
ANSWER_Q = "UPDATE q SET at = ?, who = ? WHERE g = ? AND m = ? AND at IS NULL"
STAMP_Q = "UPDATE q SET at = ? WHERE g = ? AND m = ?"
SEEN_Q = "UPDATE q SET seen = 1 WHERE g = ? AND m = ? AND who <> ? AND at >= ?"
INSERT_MEM = "INSERT INTO mem (g, u) VALUES (?, ?)"
LEAVE_MEM = "UPDATE mem SET left_at = ? WHERE g = ? AND u = ? AND left_at IS NULL"
BUMP_Q = "UPDATE q SET seen = seen * 2 + ? WHERE m = ? AND g = 1"

ROW = {
    INSERT_A: st.tuples(st.integers(0, 30), st.text(max_size=3)),
    UPSERT_A: st.tuples(st.integers(0, 30), st.text(max_size=3)),
    UPDATE_A: st.tuples(st.integers(0, 30)),
    INSERT_B: st.tuples(st.integers(0, 30), st.text(max_size=3)),
    DELETE_B: st.tuples(st.integers(0, 30)),
    SNAPSHOT_C: st.tuples(st.integers(0, 3)),
    INSERT_Q: st.tuples(st.integers(0, 2), st.integers(0, 4)),
    ANSWER_Q: st.tuples(st.floats(0, 9), st.integers(0, 3), st.integers(0, 2), st.integers(0, 4)),
    STAMP_Q: st.tuples(st.floats(0, 9), st.integers(0, 2), st.integers(0, 4)),
    SEEN_Q: st.tuples(st.integers(0, 2), st.integers(0, 4), st.integers(0, 3), st.floats(0, 9)),
    INSERT_MEM: st.tuples(st.integers(0, 1), st.integers(0, 3)),
    LEAVE_MEM: st.tuples(st.floats(0, 9), st.integers(0, 1), st.integers(0, 3)),
    BUMP_Q: st.tuples(st.integers(0, 3), st.integers(0, 4)),
}
BATCH = st.lists(st.sampled_from(list(ROW)).flatmap(lambda sql: ROW[sql].map(lambda p: (sql, p))), max_size=120)


def _db():
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    return db


def _contents(db):
    return [db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in ("a", "b", "c", "q", "mem")]


def _row_by_row(batch):
    db = _db()
    for sql, params in batch:
        db.execute(sql, params)
    return _contents(db)


def _as_the_writer_does(batch):
    db = _db()
    for sql, rows in runs(batch):
        for statement, params in statements(sql, rows):
            db.executemany(statement, params)
    return _contents(db)


@settings(max_examples=400, deadline=None)
@given(BATCH)
def test_runs_and_statements_write_what_row_by_row_writes(batch):
    assert _as_the_writer_does(batch) == _row_by_row(batch)


UPDATES = st.sampled_from([ANSWER_Q, STAMP_Q, SEEN_Q, LEAVE_MEM, BUMP_Q])
SETUP = [(INSERT_Q, (g, m)) for g in range(3) for m in range(5)] + [(INSERT_MEM, (g, u)) for g in range(2)
                                                                    for u in range(4) for _ in range(2)]


@settings(max_examples=300, deadline=None)
@given(st.lists(UPDATES.flatmap(lambda sql: ROW[sql].map(lambda p: (sql, p))), min_size=1, max_size=700))
def test_keyed_updates_in_bulk_write_what_row_by_row_writes(updates):
    # long runs of one update, keys repeating: several rounds, statements of many rows
    batch = SETUP + sorted(updates, key=lambda pair: pair[0])
    assert _as_the_writer_does(batch) == _row_by_row(batch)


def test_a_keyed_update_run_becomes_rounds_of_few_statements():
    rows = [(float(i), 1, i % 300) for i in range(600)]  # every key twice: two rounds of 300
    out = statements(STAMP_Q, rows)
    assert [(sql.count("(?,?,?)"), len(params)) for sql, params in out] == [(256, 1), (16, 2), (4, 3)] * 2
    assert all(sql.startswith("WITH _pf(") and "FROM _pf WHERE" in sql for sql, _ in out)
    batch = SETUP + [(STAMP_Q, r) for r in rows]
    assert _as_the_writer_does(batch) == _row_by_row(batch)


@pytest.mark.parametrize("sql", [
    "UPDATE q SET at = ? WHERE g = ? OR m = ?",  # not a chain of ANDs
    "UPDATE q SET at = ? WHERE m > ?",  # no key
    "UPDATE q SET at = (SELECT MAX(k) FROM a) WHERE g = ? AND m = ?",  # reads another table
    "UPDATE q SET who = ? WHERE g = ? AND m = ? RETURNING at",
    "UPDATE q SET who = 'x' WHERE g = ? AND m = ?",
    "UPDATE OR IGNORE q SET who = ? WHERE g = ? AND m = ?",
    "UPDATE q SET at = ? WHERE g = ? AND at BETWEEN ? AND ?",
    "UPDATE q SET at = ?3 WHERE g = ? AND m = ?",  # a numbered parameter
    "UPDATE q SET at = :at WHERE g = ? AND m = ?",  # a named one
])
def test_other_updates_run_row_by_row(sql):
    rows = [tuple(range(sql.count("?")))] * 3
    assert statements(sql, rows) == [(sql, rows)]


def test_a_bulk_update_is_not_confused_by_columns_named_like_values_columns():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, column1 INTEGER, column2 INTEGER, _v INTEGER)")
    db.executemany("INSERT INTO t VALUES (?, 0, 0, 0)", [(i,) for i in range(8)])
    sql = "UPDATE t SET column1 = ? WHERE k = ? AND column2 = 0"
    for statement, params in statements(sql, [(i * 10, i) for i in range(8)]):
        db.executemany(statement, params)
    assert db.execute("SELECT column1 FROM t ORDER BY k").fetchall() == [(i * 10,) for i in range(8)]


def test_keys_that_are_not_integers_run_row_by_row():
    # SQLite takes 1, 1.0 and '1' for one key; splitting rounds by Python equality would not
    rows = [(1.0, 1, 1), (2.0, 1, "1"), (3.0, 1, 1)]
    assert statements(STAMP_Q, rows) == [(STAMP_Q, rows)]


def test_without_update_from_keyed_updates_run_row_by_row(monkeypatch):
    monkeypatch.setattr(_multirow, "_UPDATE_FROM", False)
    _multirow._keyed_update.cache_clear()
    try:
        rows = [(float(i), 1, i) for i in range(10)]
        assert statements(STAMP_Q, rows) == [(STAMP_Q, rows)]
    finally:
        _multirow._keyed_update.cache_clear()


def test_a_long_run_becomes_few_statements():
    rows = [(i, f"v{i}") for i in range(2 * ROWS_PER_STATEMENT + 5)]
    out = statements(INSERT_A, rows)
    assert [(sql.count("(?, ?)"), len(params)) for sql, params in out] == [(ROWS_PER_STATEMENT, 2), (4, 1), (1, 1)]
    assert _as_the_writer_does([(INSERT_A, r) for r in rows]) == _row_by_row([(INSERT_A, r) for r in rows])


def test_a_statement_has_few_shapes_whatever_the_batch_sizes():
    # sqlite3 caches prepared statements by text; a large one costs memory, so shapes are few
    texts = {sql for n in range(1, 2000, 7) for sql, _ in statements(INSERT_A, [(i, "v") for i in range(n)])}
    assert len(texts) <= 5


def test_tables_are_grouped_and_barriers_hold():
    batch = [(INSERT_B, (1, "x")), (INSERT_A, (1, "a")), (INSERT_B, (2, "y")), (SNAPSHOT_C, (0,)),
             (INSERT_B, (3, "z")), (INSERT_A, (2, "b"))]
    assert [(sql, len(rows)) for sql, rows in runs(batch)] == [
        (INSERT_B, 2), (INSERT_A, 1), (SNAPSHOT_C, 1), (INSERT_B, 1), (INSERT_A, 1)]


def test_only_plain_writes_have_a_target():
    assert target_table(INSERT_A) == "a"
    assert target_table(UPDATE_A) == "a"
    assert target_table(DELETE_B) == "b"
    assert target_table(SNAPSHOT_C) is None
    assert target_table("SELECT 1") is None
    assert statements(DELETE_B, [(1,), (2,)]) == [(DELETE_B, [(1,), (2,)])]


def test_foreign_keys_are_checked_at_commit_so_a_child_may_come_first():
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript("PRAGMA foreign_keys = ON; CREATE TABLE p (id INTEGER PRIMARY KEY);"
                     "CREATE TABLE ch (id INTEGER, pid INTEGER REFERENCES p(id));")
    batch = [("INSERT INTO ch (id, pid) VALUES (?, ?)", (1, 7)), ("INSERT INTO p (id) VALUES (?)", (7,))]
    db.execute("BEGIN IMMEDIATE")
    db.execute("PRAGMA defer_foreign_keys = ON")
    for sql, rows in runs(batch):
        for statement, params in statements(sql, rows):
            db.executemany(statement, params)
    db.execute("COMMIT")
    assert db.execute("SELECT * FROM ch").fetchall() == [(1, 7)]
