"""The streaming export reader: same result whatever the chunk size, precise errors, bounded buffer."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.replay import ExportError, ExportReader

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
MESSAGE = st.fixed_dictionaries({
    "id": st.integers(1, 2**62).map(str), "type": st.just("Default"),
    "timestamp": st.just("2024-01-01T00:00:00+00:00"), "content": TEXT,
    "author": st.fixed_dictionaries({"id": st.just("5"), "name": TEXT}),
    "n": st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()),
})


def _export(messages, *, indent=2, count=None, extra_after=True) -> dict:
    doc = {"guild": {"id": "1", "name": "g"}, "channel": {"id": "2", "type": "GuildTextChat", "name": "c"},
           "exportedAt": "2024-01-02T00:00:00+00:00", "messages": messages}
    if extra_after:
        doc["messageCount"] = len(messages) if count is None else count
    return doc


def _read(path, chunk):
    reader = ExportReader(path, chunk_size=chunk)
    header = reader.open()
    return reader, header, list(reader.messages())


@settings(max_examples=40, deadline=None)
@given(messages=st.lists(MESSAGE, max_size=8), chunk=st.integers(1, 300), indent=st.sampled_from([None, 0, 2]),
       bom=st.booleans())
def test_round_trip_any_chunk_size(tmp_path_factory, messages, chunk, indent, bom):
    path = tmp_path_factory.mktemp("r") / "e.json"
    text = json.dumps(_export(messages), indent=indent, ensure_ascii=bool(chunk % 2))
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    reader, header, got = _read(path, chunk)
    assert got == messages
    assert header.channel["id"] == "2" and header.exported_at == "2024-01-02T00:00:00+00:00"
    assert reader.message_count == len(messages) and reader.messages_read == len(messages)


def test_keys_in_any_order_and_unknown_keys(tmp_path):
    path = tmp_path / "e.json"
    path.write_text('{"messageCount": 7, "whatever": [1, {"a": 2}], "channel": {"id": "9"},\n'
                    ' "messages": [], "guild": {"id": "3"}}')
    reader, header, got = _read(path, 4)
    assert got == [] and reader.message_count == 7 and header.channel == {"id": "9"}
    assert reader.header.guild == {"id": "3"}


@pytest.mark.parametrize("chunk", [3, 1 << 20])
def test_truncated_file_names_the_position(tmp_path, chunk):
    path = tmp_path / "cut.json"
    text = json.dumps(_export([{"id": str(i), "content": "x" * 10} for i in range(5)]), indent=2)
    path.write_text(text[: text.index('"3"') + 1])
    reader = ExportReader(path, chunk_size=chunk)
    reader.open()
    got = []
    with pytest.raises(ExportError) as info:
        for m in reader.messages():
            got.append(m["id"])
    assert got == ["0", "1", "2"]
    lines = path.read_text().splitlines()
    assert info.value.path == str(path)
    assert info.value.position == f"{len(lines)}:{len(lines[-1]) + 1}"  # just past the end
    assert "end of file" in info.value.message


@pytest.mark.parametrize("chunk", [5, 1 << 20])
def test_syntax_error_position(tmp_path, chunk):
    path = tmp_path / "bad.json"
    path.write_text('{"channel": {"id": "1"},\n "messages": [\n  {"id": "1"},\n  {"id": "2",, "x": 1}\n ]}')
    reader = ExportReader(path, chunk_size=chunk)
    reader.open()
    it = reader.messages()
    assert next(it) == {"id": "1"}
    with pytest.raises(ExportError) as info:
        next(it)
    assert info.value.position == "4:14"


@pytest.mark.parametrize("value", ["1" * 5000, "[" * 100_000 + "]" * 100_000])
def test_values_python_cannot_hold_are_errors_with_a_position(tmp_path, value):
    path = tmp_path / "hostile.json"
    path.write_text('{"messages": [\n {"id": "1"},\n {"id": "2", "n": ' + value + '},\n {"id": "3"}\n]}')
    reader = ExportReader(path, chunk_size=1 << 20)
    reader.open()
    got = []
    with pytest.raises(ExportError) as info:
        for m in reader.messages():
            got.append(m["id"])
    assert got == ["1"]
    assert info.value.position == "3:2" and "unreadable value" in info.value.message


@pytest.mark.parametrize("text,needle", [
    ("", "expected a JSON object"),
    ("[1, 2]", "expected a JSON object"),
    ('{"channel": {"id": "1"}}', "no messages array"),
    ('{"messages": [{"id": "1"}]} trailing', "unexpected data"),
    ('{"messages": {"id": "1"}}', "'['"),
])
def test_structural_errors(tmp_path, text, needle):
    path = tmp_path / "x.json"
    path.write_text(text)
    reader = ExportReader(path, chunk_size=8)
    with pytest.raises(ExportError) as info:
        reader.open()
        list(reader.messages())
    assert needle in str(info.value) and str(path) in str(info.value)


def test_buffer_stays_bounded(tmp_path):
    path = tmp_path / "big.json"
    msgs = [{"id": str(i), "content": "word " * 40} for i in range(20_000)]
    path.write_text(json.dumps(_export(msgs), indent=2))
    reader = ExportReader(path, chunk_size=64 << 10)
    reader.open()
    peak = count = 0
    for _ in reader.messages():
        count += 1
        peak = max(peak, len(reader._buf))
    assert count == 20_000
    assert path.stat().st_size > 20 * peak
    assert peak < 200 << 10


def _merge_trace(paths, monkeypatch, ahead):
    """What the merge yields, with the problems noted by the time each message came out."""
    from bot.replay import _merge

    monkeypatch.setattr(_merge, "_READ_AHEAD", ahead)
    problems = _merge.Problems()
    readers = _merge.open_readers(paths, problems)
    trace = [(ts, mid, seq, problems.bad_records, len(problems.errors), list(problems.samples))
             for ts, mid, _i, seq, _raw in _merge.merged(readers, problems)]
    return trace, problems


def test_reading_ahead_changes_nothing_the_merge_yields_or_notes(tmp_path, monkeypatch):
    def msg(i, minute, **extra):
        return {"id": str(i), "type": "Default", "timestamp": f"2024-01-01T00:{minute:02d}:00+00:00",
                "content": f"m{i}", "author": {"id": "5", "name": "a"}, **extra}

    good = [msg(i, i) for i in range(0, 40, 2)]
    bad = [msg(1, 1), {"id": "3", "type": "Default", "content": "no timestamp", "author": {"id": "5"}},
           *[msg(i, i) for i in range(5, 31, 2)], msg(33, 33, author="not a dict"), msg(35, 35)]
    (tmp_path / "a.json").write_text(json.dumps(_export(good)))
    (tmp_path / "b.json").write_text(json.dumps(_export(bad)))
    cut = json.dumps(_export([msg(100 + i, i) for i in range(12)]))
    (tmp_path / "c.json").write_text(cut[: cut.index('"m107"')])  # truncated inside message 8
    paths = sorted(tmp_path.glob("*.json"))

    one_at_a_time, p1 = _merge_trace(paths, monkeypatch, 1)
    for ahead in (2, 3, 32):
        trace, problems = _merge_trace(paths, monkeypatch, ahead)
        assert trace == one_at_a_time
        assert (problems.errors, problems.samples) == (p1.errors, p1.samples)
    assert p1.bad_records == 2 and len(p1.errors) == 1 and "c.json" in p1.errors[0]
    assert [t[:2] for t in one_at_a_time] == sorted(t[:2] for t in one_at_a_time)
    assert len(one_at_a_time) == 20 + 15 + 7
