"""Replay fixture exports through the engine with a small test plugin; assert on JSONL and exit codes."""

from __future__ import annotations

import io
import json
import sys
import time
from datetime import datetime
from pathlib import Path

from pydantic import Field

from bot import events as ev
from bot.actions import Audit, DeleteMessage, ModAlert, PrivateNotice, RecordCase
from bot.config import StrictModel
from bot.hookspecs import hookimpl
from bot.replay import run_replay

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
ODD = FIXTURES / "odd"
BROKEN = FIXTURES / "broken"


class WordFilterConfig(StrictModel):
    word: str = Field(default="badword", description="The banned word.")


class WordFilter:
    """Deletes messages containing a word; thanks in a reply give the replied author a point."""

    def __init__(self) -> None:
        self.messages: list[ev.Message] = []
        self.joins: list[ev.MemberJoined] = []
        self.reactions: list[ev.ReactionAdded] = []
        self.ticks: list[datetime] = []

    @hookimpl
    def pitchfree_config_model(self):
        return WordFilterConfig

    @hookimpl
    def pitchfree_message(self, event, config, ctx):
        m = event.message
        self.messages.append(m)
        if config.word in m.content:
            return [
                RecordCase(plugin="wordfilter", reason="contains a banned word", guild_id=m.guild_id,
                           case_key=f"wordfilter:{m.message_id}", user_id=m.author.id, decision="delete",
                           channel_id=m.channel_id, message_id=m.message_id, score=0.9,
                           signals=(("banned_word", 0.9),)),
                DeleteMessage(plugin="wordfilter", reason="banned word", guild_id=m.guild_id,
                              channel_id=m.channel_id, message_id=m.message_id, author_id=m.author.id),
                PrivateNotice(plugin="wordfilter", reason="warn", guild_id=m.guild_id, user_id=m.author.id,
                              content="please don't"),
            ]
        if "thanks" in m.content.lower() and m.reply_to_author_id:
            return [Audit(plugin="wordfilter", reason="thanks", guild_id=m.guild_id, topic="reputation",
                          data={"giver_id": m.author.id, "receiver_id": m.reply_to_author_id,
                                "message_id": m.reply_to_message_id, "kind": "reply", "points": 1})]
        return None

    @hookimpl
    def pitchfree_member_join(self, event, config, ctx):
        self.joins.append(event)

    @hookimpl
    def pitchfree_reaction_add(self, event, config, ctx):
        self.reactions.append(event)

    @hookimpl
    def pitchfree_tick(self, guild_id, now, config, ctx):
        self.ticks.append(now)
        if len(self.ticks) == 1:
            return [ModAlert(plugin="wordfilter", reason="first tick", guild_id=guild_id, title="tick",
                             reasons=("timer fired",))]
        return None

    @hookimpl
    def pitchfree_report_figures(self, guild_id, start, end, ctx):
        return {"messages_seen": sum(1 for m in self.messages if start <= m.created_at < end)}


async def _replay(tmp_path: Path, *paths: Path, plugin: WordFilter | None = None, builtins=(), **kwargs):
    plugin = plugin or WordFilter()
    out, err = io.StringIO(), io.StringIO()
    jsonl = tmp_path / "out.jsonl"
    (tmp_path / "conf").mkdir(exist_ok=True)
    code = await run_replay([str(p) for p in paths], config_dir=str(tmp_path / "conf"), json_out=str(jsonl),
                            builtins=builtins, entry_points=False, extra_plugins={"wordfilter": plugin},
                            stdout=out, stderr=err, **kwargs)
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    return code, records, out.getvalue(), err.getvalue(), plugin


async def test_odd_exports_replay_cleanly(tmp_path):
    code, records, out, err, plugin = await _replay(tmp_path, ODD / "general.json", ODD / "help-thread.json")
    # the message without a timestamp is bad input: reported, skipped, exit code 1
    assert code == 1
    assert "general.json:" in err and "missing field 'timestamp'" in err
    ids = [m.message_id for m in plugin.messages]
    assert ids == sorted(ids, key=lambda i: next(m.created_at for m in plugin.messages if m.message_id == i))
    assert ids.count(5003) == 1  # duplicated id processed once
    assert {5002, 5003, 5004, 5006, 5007, 6000, 6001, 6002} == set(ids)
    deletes = [r for r in records if r["type"] == "action" and r["action"] == "delete_message"]
    assert len(deletes) == 1
    d = deletes[0]
    assert (d["plugin"], d["message_id"], d["channel_id"], d["author_id"]) == ("wordfilter", 5003, 2001, 12)
    assert d["reasons"] == ["contains a banned word"] and d["score"] == 0.9
    notice = next(r for r in records if r["type"] == "action" and r["action"] == "private_notice")
    assert notice["message_id"] == 5003 and notice["author_id"] == 12 and notice["score"] == 0.9
    assert not [r for r in records if r.get("action") in ("record_case", "audit")]
    reps = [r for r in records if r["type"] == "reputation"]
    assert [(r["giver_id"], r["receiver_id"], r["message_id"]) for r in reps] == [(12, 11, 5002), (12, 11, 6001)]
    assert records[-1]["type"] == "report"
    assert records[-1]["figures"] == {"wordfilter": {"messages_seen": 8}}
    assert records[-1]["stats"]["duplicates"] == 1
    assert "messageCount=42" in out


async def test_events_carry_export_details(tmp_path):
    _, _, _, _, plugin = await _replay(tmp_path, ODD)
    by_id = {m.message_id: m for m in plugin.messages}
    assert by_id[5004].reply_to_message_id == 5002 and by_id[5004].reply_to_author_id == 11
    # "@Ann" and "@Helpers" rendered as text, no mentions array
    assert by_id[5006].mention_ids == (11,) and by_id[5006].role_mention_ids == (77,)
    assert by_id[5006].attachment_names == ("shot.png",)
    assert by_id[5006].embed_urls == ("https://example.org/page",)
    assert by_id[5007].mention_ids == (13,)
    assert by_id[5002].author.role_ids == frozenset({77}) and by_id[5002].author.display_name == "Ann"
    assert by_id[5002].author.joined_at == datetime.fromisoformat("2024-03-01T09:00:00+00:00")
    assert by_id[5003].author.role_ids == frozenset()  # old export: no roles
    thread_msg = by_id[6001]
    assert thread_msg.is_thread and thread_msg.parent_channel_id == 2500 and thread_msg.channel_id == 6000
    assert thread_msg.is_forum_post and thread_msg.thread_owner_id == 12
    assert thread_msg.thread_name == "How do I parse dates?" and by_id[5002].thread_name is None
    assert by_id[6000].edited_at is not None
    assert [j.member.id for j in plugin.joins] == [11]
    # reactions with users become events; counts without users do not
    assert [(r.message_id, r.user_id, r.emoji, r.message_author_id) for r in plugin.reactions] == [(6001, 12, "✅", 11)]


async def test_ticks_follow_message_time(tmp_path):
    code, records, _, _, plugin = await _replay(tmp_path, ODD / "help-thread.json")
    assert code == 0
    minutes = [t.strftime("%H:%M:%S") for t in plugin.ticks]
    # boundaries crossed at 09:02:40 -> no, 09:04:30 -> 09:04; then once at exportedAt
    assert minutes == ["09:04:00", "12:00:00"]
    tick_action = next(r for r in records if r["type"] == "action" and r["action"] == "mod_alert")
    assert tick_action["reasons"] == ["timer fired"] and tick_action["message_id"] is None


async def test_bad_files_are_reported_and_others_processed(tmp_path):
    code, records, _, err, plugin = await _replay(tmp_path, BROKEN / "truncated.json", ODD / "help-thread.json",
                                                  BROKEN / "malformed.json")
    assert code == 1
    assert "truncated.json:19:95: unexpected end of file" in err
    assert "malformed.json:11:5: expected ',' or ']'" in err
    assert {6000, 6001, 6002, 6100} <= {m.message_id for m in plugin.messages}
    assert records[-1]["type"] == "report"


async def test_clean_input_exits_zero_and_usage_errors_two(tmp_path):
    code, *_ = await _replay(tmp_path, ODD / "help-thread.json")
    assert code == 0
    err = io.StringIO()
    assert await run_replay([str(tmp_path / "missing.json")], stderr=err, builtins=(), entry_points=False) == 2
    assert "missing.json" in err.getvalue()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert await run_replay([str(empty)], stderr=io.StringIO(), builtins=(), entry_points=False) == 2
    assert await run_replay([str(ODD)], guild_config=str(tmp_path / "nope.yaml"), stderr=io.StringIO(),
                            builtins=(), entry_points=False) == 2


async def test_guild_config_and_summary(tmp_path):
    guild = tmp_path / "guild.yaml"
    guild.write_text("name: Fixture\nplugins:\n  wordfilter:\n    enabled: false\n")
    code, records, out, _, plugin = await _replay(tmp_path, ODD / "help-thread.json", guild_config=str(guild))
    assert code == 0 and plugin.messages == []
    assert records[-1]["figures"] == {}
    guild.write_text("plugins:\n  wordfilter:\n    word: parse\n")
    code, records, out, _, plugin = await _replay(tmp_path, ODD / "help-thread.json", guild_config=str(guild))
    assert [r["message_id"] for r in records if r.get("action") == "delete_message"] == [6000]
    guild.write_text("plugins:\n  wordfilter:\n    wrd: parse\n")
    code, *_ = await _replay(tmp_path, ODD / "help-thread.json", guild_config=str(guild))
    assert code == 1
    code, records, out, _, _ = await _replay(tmp_path, ODD, BROKEN)
    assert "bob (12): delete_message ×1, private_notice ×1" in out
    assert "contains a banned word" in out
    assert "Ann (11): +2 from bob" in out
    assert "messages_seen: " in out


async def test_db_option_keeps_the_database(tmp_path):
    db = tmp_path / "replay.db"
    code, *_ = await _replay(tmp_path, ODD / "help-thread.json", db=str(db))
    assert code == 0 and db.exists()


async def test_progress_bar_on_stderr_only_when_asked(tmp_path):
    from bot.replay import ExportReader
    from bot.replay._run import _Progress

    _, _, out, err, _ = await _replay(tmp_path, ODD / "help-thread.json", progress=True)
    assert "replay [" not in out and "\r" in err
    _, _, _, err, _ = await _replay(tmp_path, ODD / "help-thread.json")  # StringIO is not a terminal
    assert "\r" not in err
    reader = ExportReader(ODD / "help-thread.json")
    reader.bytes_read = reader.size // 2
    stream = io.StringIO()
    bar = _Progress(stream, [reader])
    bar.last = 0.0
    bar.update(5000)
    assert "replay [" in stream.getvalue() and "50%" in stream.getvalue() and "5,000 messages" in stream.getvalue()


def test_cli_entry_point(tmp_path, capsys):
    from bot.cli import main

    out = tmp_path / "o.jsonl"
    conf = tmp_path / "conf"
    conf.mkdir()
    code = main(["replay", str(ODD / "help-thread.json"), "--config-dir", str(conf), "--json", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    assert "Read 3 message(s) in 1 file(s)" in captured.out
    assert json.loads(out.read_text().splitlines()[-1])["type"] == "report"
    assert main(["replay", str(tmp_path / "nothing-here")]) == 2


async def test_demo_export_replays_cleanly(tmp_path):
    root = Path(__file__).parent.parent / "examples"
    from bot.plugins import BUILTIN_PLUGINS

    code, records, out, err, plugin = await _replay(tmp_path, root / "export", builtins=BUILTIN_PLUGINS,
                                                    guild_config=str(root / "guild.yaml"))
    assert code == 0, err
    stats = records[-1]["stats"]
    assert stats["files"] == 6 and stats["bad_records"] == 0 and stats["duplicates"] == 0
    assert stats["member_joins"] >= 10 and stats["reactions"] >= 5
    # the newcomer's link lands in three different channels within a few minutes
    rico = [m for m in plugin.messages if "rico-growth.io" in m.content]
    assert len({m.channel_id for m in rico}) == 3
    assert (rico[-1].created_at - rico[0].created_at).total_seconds() < 600
    assert all(m.author.joined_at is not None for m in rico)
    forum = [m for m in plugin.messages if m.is_forum_post]
    assert forum and all(m.thread_owner_id == forum[0].author.id for m in forum)
    thanks = [m for m in plugin.messages if m.reply_to_author_id and "thank" in m.content.lower()]
    assert len(thanks) >= 3
    assert records[-1]["start"].startswith("2025-03-01")


async def test_demo_shows_the_jobs_of_the_builtin_plugins(tmp_path):
    import pytest

    from bot.plugins import BUILTIN_PLUGINS

    loaded = {spec.partition(":")[0].rsplit(".", 1)[-1] for spec in BUILTIN_PLUGINS}
    if not loaded & {"self_promotion", "helpful_answers", "engagement"}:
        pytest.skip("the built-in plugins are not wired in yet")
    root = Path(__file__).parent.parent / "examples"
    jsonl = tmp_path / "demo.jsonl"
    out = io.StringIO()
    code = await run_replay([str(root / "export")], guild_config=str(root / "guild.yaml"), json_out=str(jsonl),
                            entry_points=False, stdout=out, stderr=io.StringIO(), progress=False)
    assert code == 0
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    if "self_promotion" in loaded:
        invites = {int(m["id"]) for f in (root / "export").glob("*.json")
                   for m in json.loads(f.read_text(encoding="utf-8"))["messages"] if "discord.gg/" in m["content"]}
        deleted = {r["message_id"] for r in records if r["type"] == "action" and r["action"] == "delete_message"}
        assert invites and invites <= deleted, "the invite spammer's messages would be deleted"
    if "helpful_answers" in loaded:
        assert any(r["type"] == "reputation" for r in records), "some thanks would be credited"
    for plugin in loaded & {"self_promotion", "helpful_answers", "engagement"}:
        assert plugin in records[-1]["figures"]


def test_text_mentions_are_bounded_and_exact():
    from bot.replay import Converter

    conv = Converter([])
    conv.user_names.update({"ann": 1, "cy long name": 2, "cy": 3})
    conv.role_names["helpers"] = 9
    assert conv._text_mentions("hi @Cy Long Name, and @cy! @everyone @Helpers @nobody") == ([2, 3], [9])
    assert conv._text_mentions("mail me at ann@example.org") == ([], [])
    started = time.perf_counter()
    conv._text_mentions("@" * 200_000 + " @ann")
    assert time.perf_counter() - started < 0.5


async def test_a_replay_waits_for_a_backlogged_writer_without_changing_its_results(tmp_path, monkeypatch):
    import bot.replay._run as run
    from bench._replay import write_export
    from bot.app import SHIPPED_CONFIG_DIR
    from bot.storage import BatchedWriter

    export = tmp_path / "export"
    export.mkdir()
    write_export(export, 3000)
    flushes = []
    real_flush = BatchedWriter.flush

    async def counting_flush(self):
        flushes.append(sys._getframe(1).f_code.co_name)  # who waits for this flush
        return await real_flush(self)

    results = []
    for backlog in (10**9, 100):  # never waits / waits every 512 records
        monkeypatch.setattr(run, "_WRITER_BACKLOG", backlog)
        monkeypatch.setattr(BatchedWriter, "flush", counting_flush)
        flushes.clear()
        jsonl = tmp_path / f"out-{backlog}.jsonl"
        code = await run.run_replay([str(export)], config_dir=str(SHIPPED_CONFIG_DIR), json_out=str(jsonl),
                                    db=str(tmp_path / f"r-{backlog}.db"), entry_points=False,
                                    stdout=io.StringIO(), stderr=io.StringIO(), progress=False)
        assert code == 0
        records = [json.loads(line) for line in jsonl.read_text().splitlines()]
        results.append([r for r in records if r["type"] != "report"] + [records[-1]["figures"]])
        waited = flushes.count("_drive_records")  # the replay's loop itself waited for the writer
        assert waited == 0 if backlog == 10**9 else waited >= 3
    assert results[0] == results[1]


async def test_the_drive_alone_gets_a_short_switch_interval_rarer_garbage_collections_and_frozen_start_up(tmp_path):
    # the writer's thread takes the GIL back after each SQLite step; at 5 ms it falls behind
    import gc

    from bot._collector import THRESHOLDS as _GC_THRESHOLDS

    seen = []

    class Probe(WordFilter):
        @hookimpl
        def pitchfree_message(self, event, config, ctx):
            seen.append((sys.getswitchinterval(), gc.get_threshold()[0], gc.get_freeze_count() > 0))

    before, gc_before = sys.getswitchinterval(), gc.get_threshold()
    code, *_ = await _replay(tmp_path, ODD / "help-thread.json", plugin=Probe())
    assert code == 0 and seen
    assert set(seen) == {(min(before, 0.0005), _GC_THRESHOLDS[0], True)}
    assert _GC_THRESHOLDS[0] > gc_before[0]
    assert (sys.getswitchinterval(), gc.get_threshold()) == (before, gc_before)
    assert gc.get_freeze_count() == 0


async def test_lone_surrogates_in_an_export_neither_fault_a_plugin_nor_jam_the_writer(tmp_path):
    export = tmp_path / "surrogates.json"
    header = {"guild": {"id": "1", "name": "G"}, "channel": {"id": "2", "type": "GuildTextChat", "name": "general"}}
    author = {"id": "10", "name": "new\ud800comer", "isBot": False}
    texts = ["hi all \ud800", "sub to my youtube channel https://youtube.com/@me \ud800",
             "check out my channel twitch.tv/me\udfff and subscribe"]  # RE2 decides this one
    messages = [{"id": str(100 + i), "type": "Default", "timestamp": f"2026-01-05T12:0{i}:00+00:00",
                 "content": text, "author": author} for i, text in enumerate(texts)]
    other = {"id": "11", "name": "regular", "nickname": 12345, "isBot": False}  # an odd export: not a string
    messages[0]["reactions"] = [{"emoji": {"name": "x\ud800"}, "count": 1, "users": [other]}]
    messages.append({"id": "103", "type": "Default", "timestamp": "2026-01-05T12:09:00+00:00", "content": "ok",
                     "author": other})
    texts.append("ok")
    export.write_text(json.dumps({**header, "messages": messages}), encoding="utf-8")  # ASCII: \ud800 escapes
    guild = tmp_path / "guild.yaml"
    guild.write_text("plugins:\n  engagement:\n    keep_content: true\n")
    db = tmp_path / "replay.db"
    code, records, out, err, _ = await _replay(tmp_path, export, builtins=("plugins.self_promotion:SelfPromotion",
                                               "plugins.engagement:Engagement"), guild_config=str(guild), db=str(db))
    assert code == 0 and "failed" not in err, err
    deleted = {r["message_id"] for r in records if r.get("action") == "delete_message"}
    assert deleted == {101, 102}  # both pitches are moderated (before: a plugin fault spared the second)
    import sqlite3

    with sqlite3.connect(db) as conn:  # and the writer stored every row, text and reaction included
        kept = [r[0] for r in conn.execute("SELECT content FROM eng_messages ORDER BY message_id")]
        reactions = [r[0] for r in conn.execute("SELECT detail FROM eng_events WHERE kind = 'reaction'")]
    assert kept == [t.replace("\ud800", "\ufffd").replace("\udfff", "\ufffd") for t in texts]
    assert reactions == ["x\ufffd"]
    assert "new\ufffdcomer" in out


class GeneratorSignals(WordFilter):
    """WordFilter whose case gives its signals as a generator (a plugin API user may)."""

    @hookimpl
    def pitchfree_message(self, event, config, ctx):
        actions = WordFilter.pitchfree_message(self, event, config, ctx)
        if actions and isinstance(actions[0], RecordCase):
            case = actions[0]
            actions[0] = RecordCase(plugin=case.plugin, reason=case.reason, guild_id=case.guild_id,
                                    case_key=case.case_key, user_id=case.user_id, decision=case.decision,
                                    channel_id=case.channel_id, message_id=case.message_id, score=case.score,
                                    signals=((name, w) for name, w in [("banned_word", 0.9)]))
        return actions


async def test_a_case_whose_signals_are_a_generator_is_stored_and_shown_with_them(tmp_path):
    db = tmp_path / "replay.db"
    code, records, *_ = await _replay(tmp_path, ODD / "general.json", plugin=GeneratorSignals(), db=str(db))
    deletes = [r for r in records if r.get("action") == "delete_message"]
    assert deletes and deletes[0]["signals"] == [["banned_word", 0.9]]
    import sqlite3

    with sqlite3.connect(db) as conn:
        assert [json.loads(r[0]) for r in conn.execute("SELECT signals FROM cases")] == [[["banned_word", 0.9]]]


async def test_converting_ahead_gives_the_same_replay_and_the_same_notes(tmp_path, monkeypatch):
    from bot.replay import _run

    def export(channel, messages):
        return {"guild": {"id": "1", "name": "g"}, "channel": {"id": str(channel), "type": "GuildTextChat",
                                                             "name": f"c{channel}"}, "messages": messages}

    def msg(i, minute, content="hi", author="11"):
        return {"id": str(i), "type": "Default", "timestamp": f"2024-01-01T{minute // 60:02d}:{minute % 60:02d}:00Z",
                "content": content, "author": {"id": author, "name": f"u{author}"}}

    a, b = [], []
    for i in range(60):
        content = "badword here" if i % 7 == 0 else "thanks" if i % 5 == 0 else f"chat {i}"
        a.append(msg(1000 + i, 2 * i, content))
        if i % 9 == 4:
            b.append({"id": str(2000 + i), "type": "Default", "content": "no timestamp", "author": {"id": "12"}})
        elif i % 11 == 3:
            b.append(msg(2000 + i, 2 * i + 1, author="not-a-number"))  # the converter refuses it
        else:
            b.append(msg(2000 + i, 2 * i + 1, "badword" if i % 4 == 0 else "hello", author="12"))
    (tmp_path / "exp").mkdir()
    (tmp_path / "exp" / "a.json").write_text(json.dumps(export(2001, a)))
    (tmp_path / "exp" / "b.json").write_text(json.dumps(export(2002, b)))

    runs = []
    sizes = []
    converted = _run._converted

    def spy(*args):
        for block in converted(*args):
            sizes.append(len(block))
            yield block

    monkeypatch.setattr(_run, "_converted", spy)
    for ahead in (1, 3, 64):
        monkeypatch.setattr(_run, "_CONVERT_AHEAD", ahead)
        sizes.clear()
        run_dir = tmp_path / f"run{ahead}"
        run_dir.mkdir()
        code, records, out, err, plugin = await _replay(run_dir, tmp_path / "exp")
        records[-1]["stats"].pop("seconds")
        out = "\n".join(line for line in out.splitlines() if not line.startswith("Read "))
        runs.append((code, records, out, err, [m.message_id for m in plugin.messages], plugin.ticks))
        assert max(sizes) == ahead  # the blocks really were this long
    assert runs[0] == runs[1] == runs[2]
    code, records, _, err, seen, ticks = runs[0]
    assert code == 1 and "missing field 'timestamp'" in err and "skipped: ValueError" in err
    # notes in record order: the converter's refusal (b.json, 3rd record) before the reader's (5th)
    assert err.index("skipped: ValueError") < err.index("missing field")
    assert len(seen) == 60 + 60 - 7 - 5 and len(ticks) >= 60
    assert sum(r.get("action") == "delete_message" for r in records) > 10
