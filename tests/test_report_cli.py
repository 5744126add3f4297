"""`pitchfree report` from the command line."""

import asyncio
import json
import struct

import pytest
import yaml

from bot.cli import main
from bot.storage import Database
from bot.testing import Harness

PLUGIN = ("plugins.engagement:Engagement",)
GUILD_ID = 1


@pytest.fixture
async def db_path(tmp_path):
    path = tmp_path / "pf.db"
    async with await Harness.create(builtins=PLUGIN, guild_config={}, db=str(path)) as h:
        a, b = h.member(10), h.member(11)
        await h.send("How do I enable the logs?", author=a)          # 2026-01-05 12:00 UTC
        h.advance(minutes=12)
        await h.send("use --verbose", author=b, reply_to=h.last)
        h.advance(hours=13)                                           # 2026-01-06 01:12 UTC
        await h.send("thanks, works now", author=a)
    return path


@pytest.fixture
def config_dir(tmp_path):
    d = tmp_path / "config"
    (d / "guilds").mkdir(parents=True)
    (d / "default.yaml").write_text(yaml.safe_dump({"language": "en"}))
    (d / "guilds" / f"{GUILD_ID}.yaml").write_text(yaml.safe_dump({"timezone": "America/New_York",
                                                                    "name": "CLI Community"}))
    return d


def run(capsys, *args):
    code = main(["report", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_missing_database_is_one_clear_line(tmp_path, capsys):
    code, out, err = run(capsys, "--db", str(tmp_path / "nope.db"), "--guild", "1")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [f"pitchfree report: database not found: {tmp_path / 'nope.db'}"]


def test_database_without_engagement_data(tmp_path, capsys):
    path = tmp_path / "empty.db"

    async def create():
        await (await Database.open(path)).close()

    asyncio.run(create())
    code, _, err = run(capsys, "--db", str(path), "--guild", "1")
    assert code == 2 and "no engagement data" in err


def test_text_report_in_utc(db_path, tmp_path, capsys):
    code, out, _ = run(capsys, "--db", str(db_path), "--guild", "1", "--days", "7", "--until", "2026-01-06",
                       "--config-dir", str(tmp_path / "absent"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Engagement: guild 1, 2025-12-31 to 2026-01-06 (7 days, UTC)"
    assert "Messages: 3 (new vs previous 7 days)" in lines
    assert "Time to first answer: median 12.0 min, p90 12.0 min" in lines


def test_json_uses_the_community_timezone(db_path, config_dir, capsys):
    code, out, _ = run(capsys, "--db", str(db_path), "--guild", "1", "--days", "2", "--until", "2026-01-05",
                       "--format", "json", "--config-dir", str(config_dir))
    assert code == 0
    report = json.loads(out)
    assert report["timezone"] == "America/New_York"
    # 01:12 UTC on the 6th is still the 5th in New York
    assert [(d["date"], d["messages"]) for d in report["daily"]] == [("2026-01-04", 0), ("2026-01-05", 3)]
    assert report["questions"]["answered_share"] == 1.0


def test_csv_and_png_files(db_path, tmp_path, capsys):
    csv_out, png_out = tmp_path / "r.csv", tmp_path / "r.png"
    assert run(capsys, "--db", str(db_path), "--guild", "1", "--days", "3", "--until", "2026-01-06",
               "--format", "csv", "--out", str(csv_out))[0] == 0
    daily = csv_out.read_text().split("\n\n")[1].splitlines()
    assert daily[1:] == ["2026-01-04,0,0,", "2026-01-05,2,2,12.0", "2026-01-06,1,1,"]
    assert run(capsys, "--db", str(db_path), "--guild", "1", "--format", "png", "--out", str(png_out))[0] == 0
    data = png_out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (1000, 600)


def test_bad_arguments(db_path, capsys):
    assert run(capsys, "--db", str(db_path), "--guild", "1", "--days", "0")[0] == 2
    code, _, err = run(capsys, "--db", str(db_path), "--guild", "1", "--until", "yesterday")
    assert code == 2 and "--until" in err


def test_rebuild_picks_up_imported_history(db_path, capsys):
    args = ("--db", str(db_path), "--guild", "1", "--days", "30", "--until", "2026-01-20", "--format", "json")
    assert json.loads(run(capsys, *args)[1])["messages"] == 3

    async def import_old_row():
        db = await Database.open(db_path)
        await db.execute("INSERT INTO eng_messages (guild_id, message_id, channel_id, author_id, ts) "
                         "VALUES (1, 5, 100, 12, ?)", (1767225600.0,))  # 2026-01-01, already final
        await db.close()

    asyncio.run(import_old_row())
    assert json.loads(run(capsys, *args)[1])["messages"] == 3
    assert json.loads(run(capsys, *args, "--rebuild")[1])["messages"] == 4
