"""The replay's record builder: which case, message and member each action record points at."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from bot import events as ev
from bot.actions import Audit, ModAlert, React, RecordCase, Timeout
from bot.replay._output import Collector, figure_lines, summary

AT = datetime(2025, 1, 1, tzinfo=UTC)


def _event(mid=50, author=7, content="buy my thing"):
    return ev.MessageCreated(ev.Message(guild_id=1, channel_id=2, message_id=mid, author=ev.Member(id=author),
                                        content=content, created_at=AT))


def _records(buf):
    return [json.loads(line) for line in buf.getvalue().splitlines()]


def test_records_take_case_of_same_plugin_and_fill_targets_from_the_event():
    buf = io.StringIO()
    c = Collector(buf)
    case = RecordCase(plugin="promo", reason="looks like an ad", guild_id=1, case_key="promo:50", user_id=7,
                      decision="timeout", channel_id=2, message_id=50, score=1.5, signals=(("link", 0.5),))
    c.handle([case, Timeout(plugin="promo", reason="strike 2", guild_id=1, user_id=7, seconds=600),
              React(plugin="thanks", reason="credited", guild_id=1, channel_id=2, message_id=50, emoji="x"),
              Audit(plugin="thanks", reason="r", guild_id=1, topic="reputation",
                    data={"giver_id": 7, "receiver_id": 8, "message_id": 49, "kind": "reply", "points": 2}),
              Audit(plugin="thanks", reason="r", guild_id=1, topic="other", data={"x": 1})], _event(), AT)
    timeout, react, rep, other = _records(buf)
    assert timeout["message_id"] == 50 and timeout["author_id"] == 7 and timeout["seconds"] == 600
    assert timeout["reasons"] == ["looks like an ad"] and timeout["score"] == 1.5
    assert timeout["signals"] == [["link", 0.5]] and timeout["case_key"] == "promo:50"
    assert react["reasons"] == ["credited"] and "case_key" not in react and react["author_id"] == 7
    assert (rep["type"], rep["giver_id"], rep["receiver_id"], rep["points"]) == ("reputation", 7, 8, 2)
    assert other["type"] == "audit" and other["topic"] == "other"
    lines = summary(c, {7: "Seven", 8: "Eight"}, {2: "general"})
    text = "\n".join(lines)
    assert "Seven (7): timeout ×1" in text and '#general' in text and "buy my thing" in text
    assert "Eight (8): +2 from Seven" in text and "thanks: react ×1" in text


def test_tick_actions_have_no_message_and_alert_reasons_are_kept():
    buf = io.StringIO()
    c = Collector(buf)
    c.handle([ModAlert(plugin="eng", reason="r", guild_id=1, title="unanswered", reasons=("no reply in 2 h",),
                       channel_id=3, message_id=9, author_id=4, score=None)], None, AT)
    (rec,) = _records(buf)
    assert (rec["message_id"], rec["channel_id"], rec["author_id"]) == (9, 3, 4)
    assert rec["reasons"] == ["no reply in 2 h"] and rec["title"] == "unanswered"


def test_figure_lines_are_readable():
    lines = figure_lines({"top": [{"user_id": 5, "points": 3}], "share": 0.12345, "ids": list(range(20))},
                         names={5: "Five"})
    assert lines[0] == "    top:" and "user_id: Five (5)" in lines[1] and "points: 3" in lines[2]
    assert "    share: 0.123" in lines and any("(20 in all)" in line for line in lines)
