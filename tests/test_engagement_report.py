"""/engagement: embed fields, change versus the previous period, PNG chart, other plugins' figures."""

import csv
import io
import json
import struct

from bot.hookspecs import hookimpl
from bot.testing import Harness
from plugins.engagement._commands import parse_period
from plugins.engagement._report import PNG_SIZE, change, to_csv, to_json, to_text

PLUGIN = ("plugins.engagement:Engagement",)
GUILD = {"moderator_roles": [9], "name": "Test Community"}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, checking the signature and chunk type."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    return struct.unpack(">II", data[16:24])


class HelpfulAnswers:
    @hookimpl
    def pitchfree_report_figures(self, guild_id, start, end):
        return {"top_helpers": [{"user_id": 42, "points": 17}, {"user_id": 43, "points": 5}]}


class SelfPromotion:
    @hookimpl
    async def pitchfree_report_figures(self, guild_id, start, end):
        return {"incidents": 3, "removed": 2}


async def chat(h, days_ago_counts):
    """Post `n` messages `d` days before the clock, for each (d, n); clock returns to now."""
    from datetime import timedelta

    now = h.now
    for days_ago, n in sorted(days_ago_counts, reverse=True):
        h.now = now - timedelta(days=days_ago)
        for i in range(n):
            await h.send(f"message {i} of the day", author=h.member(10 + i))
    h.now = now


async def test_engagement_command_fields_change_and_chart():
    plugins = {"helpful_answers": HelpfulAnswers(), "self_promotion": SelfPromotion()}
    async with await Harness.create(builtins=PLUGIN, plugins=plugins, guild_config=GUILD) as h:
        await chat(h, [(10, 2), (3, 4), (0, 3)])  # previous 7 days: 2 messages; this week: 7
        assert (await h.command("engagement", h.member(5))).text.startswith("Only moderators")
        r = await h.command("engagement", h.member(6, roles=[9]), period="7d")
    fields = dict(r.fields)
    assert r.title.startswith("Engagement: Test Community, 2025-12-30 to 2026-01-05 (7 days, UTC)")
    assert fields["Messages"] == "7 (+250% vs previous 7 days)"
    assert fields["Top helpers"] == "<@42> 17 pts, <@43> 5 pts"
    assert fields["Self-promotion incidents"] == "3"
    assert fields["Self promotion"] == "removed 2"
    assert "Engagement" not in fields  # its own figures are not repeated as another plugin's
    assert r.file_name == "engagement.png" and png_size(r.file_bytes) == PNG_SIZE


async def test_bad_period_is_explained():
    async with await Harness.create(builtins=PLUGIN, guild_config=GUILD) as h:
        r = await h.command("engagement", h.member(6, roles=[9]), period="forever")
    assert r.text.startswith("Use a period like")
    assert parse_period("2w", 30) == 14 and parse_period("3m", 30) == 90 and parse_period(None, 30) == 30
    assert parse_period("0", 30) is None and parse_period("999", 30) is None


async def test_text_json_and_csv_renderings():
    async with await Harness.create(builtins=PLUGIN, guild_config=GUILD) as h:
        await chat(h, [(1, 2), (0, 1)])
        report = await h.engine.pm.get_plugin("engagement").report(
            h.guild_id, h.now, 3, h.engine.contexts["engagement"].config(h.guild_id))
    text = to_text(report, "Test Community")
    assert text.splitlines()[0] == "Engagement: Test Community, 2026-01-03 to 2026-01-05 (3 days, UTC)"
    assert "Messages: 3 (new vs previous 3 days)" in text
    assert json.loads(to_json(report))["messages"] == 3
    summary, daily = to_csv(report).split("\n\n")
    assert dict((r[0], r[1]) for r in csv.reader(io.StringIO(summary)))["messages"] == "3"
    assert list(csv.reader(io.StringIO(daily))) == [
        ["date", "messages", "active_members", "median_answer_minutes"],
        ["2026-01-03", "0", "0", ""], ["2026-01-04", "2", "2", ""], ["2026-01-05", "1", "1", ""]]


def test_change_formats():
    assert change("messages", 150, 100) == "+50%"
    assert change("answered_share", 0.8, 0.75) == "+5 pts"
    assert change("messages", 3, 0) == "new"
    assert change("messages", 3, None) == ""
    assert change("messages", 0, 0) == ""
    assert change("messages", 1001, 1000) == "±0%"
    assert change("answered_share", 0.5, 0.75) == "-25 pts"


async def test_weekly_digest_posts_once_a_week():
    guild = {**GUILD, "plugins": {"engagement": {"digest_channel": 777, "digest_weekday": 0, "digest_hour": 9}}}
    async with await Harness.create(builtins=PLUGIN, guild_config=guild) as h:
        await chat(h, [(2, 2)])
        h.now = h.now.replace(hour=8)       # Monday 08:00: not yet
        assert [a for a in await h.tick() if a.kind == "reply"] == []
        h.advance(hours=1)                  # Monday 09:00
        [digest] = [a for a in await h.tick() if a.kind == "reply"]
        assert digest.channel_id == 777 and "**Messages**: 2" in digest.content
        h.advance(days=1)
        assert [a for a in await h.tick() if a.kind == "reply"] == []
        h.advance(days=6)                   # next Monday
        assert len([a for a in await h.tick() if a.kind == "reply"]) == 1
