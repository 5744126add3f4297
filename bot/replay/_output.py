"""Replay output: JSON Lines records as decisions happen, and a readable summary at the end."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TextIO

from bot import events as ev
from bot.actions import (
    Action,
    AddRole,
    Audit,
    DeleteMessage,
    ModAlert,
    PrivateNotice,
    React,
    RecordCase,
    RemoveRole,
    Reply,
    TagThread,
    Timeout,
)

# Cases kept (two generations of this many) so later actions on the same message find their
# reasons; they come within the same event or a few ticks, and a case holds its signals and text.
_RECENT_CASES = 5_000
_MAX_MEMBERS_SHOWN = 25
_DECISIONS_SHOWN = 5
MODERATION_KINDS = frozenset({"delete_message", "timeout", "private_notice", "mod_alert"})
_EXCERPT = 90


# `json.dumps(record, default=str, ensure_ascii=False)` without building an encoder per record
_encode = json.JSONEncoder(default=str, ensure_ascii=False).encode


def _targets(action: Action) -> tuple[int | None, int | None, int | None]:
    """(message id, channel id, member id) an action is about, where it says so itself."""
    if isinstance(action, DeleteMessage):
        return action.message_id, action.channel_id, action.author_id
    if isinstance(action, ModAlert):
        return action.message_id, action.channel_id, action.author_id
    if isinstance(action, React):
        return action.message_id, action.channel_id, None
    if isinstance(action, Reply):
        return action.reply_to_message_id, action.channel_id, None
    if isinstance(action, PrivateNotice | Timeout | AddRole | RemoveRole):
        return None, None, action.user_id
    if isinstance(action, TagThread):
        return None, action.thread_id, None
    return None, None, None


def _detail(action: Action) -> dict[str, Any]:
    if isinstance(action, Timeout):
        return {"seconds": action.seconds}
    if isinstance(action, Reply | PrivateNotice):
        return {"content": action.content}
    if isinstance(action, AddRole | RemoveRole):
        return {"role_id": action.role_id}
    if isinstance(action, React):
        return {"emoji": action.emoji}
    if isinstance(action, TagThread):
        return {"tag_name": action.tag_name}
    if isinstance(action, ModAlert):
        return {"title": action.title}
    return {}


def _event_targets(event: ev.Event | None) -> tuple[int | None, int | None, int | None]:
    if isinstance(event, ev.MessageCreated):
        m = event.message
        return m.message_id, m.channel_id, m.author.id
    if isinstance(event, ev.ReactionAdded):
        return event.message_id, event.channel_id, event.user_id
    if isinstance(event, ev.MemberJoined):
        return None, None, event.member.id
    return None, None, None


class Collector:
    """Consumes the actions of each dispatch: writes JSON Lines and keeps summary tallies."""

    def __init__(self, out: TextIO | None) -> None:
        self.out = out
        self.records = 0
        self._cases: dict[tuple[str, int], RecordCase] = {}
        self._older_cases: dict[tuple[str, int], RecordCase] = {}
        self.by_member: dict[int | None, Counter[str]] = defaultdict(Counter)
        self.decisions: dict[int | None, dict[Any, dict]] = defaultdict(dict)
        self.more: Counter[int | None] = Counter()
        self.by_plugin: Counter[str] = Counter()
        self.other: Counter[tuple[str, str]] = Counter()
        self.other_reasons: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self.points: Counter[int] = Counter()
        self.givers: dict[int, Counter[int]] = defaultdict(Counter)
        self.kinds: dict[int, Counter[str]] = defaultdict(Counter)
        self.audits: Counter[str] = Counter()

    def _write(self, record: dict[str, Any]) -> None:
        self.records += 1
        if self.out is not None:
            self.out.write(_encode(record) + "\n")

    def _case_for(self, plugin: str, message_id: int | None) -> RecordCase | None:
        if message_id is None:
            return None
        key = (plugin, message_id)
        return self._cases.get(key) or self._older_cases.get(key)

    def handle(self, actions: Iterable[Action], event: ev.Event | None, at: datetime) -> None:
        """Record one batch of actions (from one event or one tick)."""
        actions = list(actions)
        batch_cases: dict[str, RecordCase] = {}
        for action in actions:
            if isinstance(action, RecordCase):
                batch_cases.setdefault(action.plugin, action)
                if action.message_id is not None:
                    if len(self._cases) >= _RECENT_CASES:
                        self._older_cases, self._cases = self._cases, {}
                    self._cases[(action.plugin, action.message_id)] = action
        default = _event_targets(event)
        stamp = at.isoformat()
        for action in actions:
            if isinstance(action, RecordCase):
                continue
            if isinstance(action, Audit):
                self._audit(action, at)
                continue
            self._action(action, event, default, batch_cases.get(action.plugin), at, stamp)

    def _action(self, action: Action, event: ev.Event | None, default: tuple, batch_case: RecordCase | None,
                at: datetime, stamp: str) -> None:
        message_id, channel_id, author_id = _targets(action)
        case = self._case_for(action.plugin, message_id)
        if case is None and batch_case is not None and author_id in (None, batch_case.user_id):
            case = batch_case
        if case is not None:
            message_id = message_id if message_id is not None else case.message_id
            channel_id = channel_id if channel_id is not None else case.channel_id
            author_id = author_id if author_id is not None else case.user_id
        if message_id is None and channel_id is None and author_id in (None, default[2]):
            message_id, channel_id = default[0], default[1]
        if author_id is None and message_id == default[0]:
            author_id = default[2]
        excerpt = None
        if default[0] is not None and message_id == default[0] and isinstance(event, ev.MessageCreated):
            excerpt = event.message.content[:_EXCERPT] + ("…" if len(event.message.content) > _EXCERPT else "")
        if case is not None:
            reasons, score = [case.reason], case.score
        elif isinstance(action, ModAlert) and action.reasons:
            reasons, score = list(action.reasons), action.score
        else:
            reasons, score = [action.reason], getattr(action, "score", None)
        record = {
            "type": "action", "plugin": action.plugin, "action": action.kind, "guild_id": action.guild_id,
            "message_id": message_id, "channel_id": channel_id, "author_id": author_id,
            "reasons": reasons, "score": score, "at": stamp,
        }
        if case is not None:
            record["case_key"] = case.case_key
            record["signals"] = [list(s) for s in case.signals]
        record.update(_detail(action))
        self._write(record)
        if action.kind not in MODERATION_KINDS:
            key = (action.plugin, action.kind)
            self.other[key] += 1
            tally = self.other_reasons[key]
            if reasons[0] in tally or len(tally) < 20:
                tally[reasons[0]] += 1
            return
        self.by_plugin[action.plugin] += 1
        self.by_member[author_id][action.kind] += 1
        self._remember(author_id, message_id, channel_id, action, reasons, at, excerpt)

    def _remember(self, author_id, message_id, channel_id, action, reasons, at, excerpt) -> None:
        """Keep the first few decisions per member, grouped by message, for the summary."""
        decisions = self.decisions[author_id]
        key = message_id if message_id is not None else (action.plugin, at)
        entry = decisions.get(key)
        if entry is None:
            if len(decisions) >= _DECISIONS_SHOWN:
                self.more[author_id] += 1
                return
            entry = decisions[key] = {"at": at, "channel_id": channel_id, "excerpt": excerpt,
                                      "kinds": [], "reasons": []}
        if action.kind not in entry["kinds"]:
            entry["kinds"].append(action.kind)
        for reason in reasons:
            if reason not in entry["reasons"]:
                entry["reasons"].append(reason)

    def _audit(self, action: Audit, at: datetime) -> None:
        data = action.data
        if action.topic != "reputation":
            self.audits[action.topic] += 1
            self._write({"type": "audit", "plugin": action.plugin, "topic": action.topic,
                         "guild_id": action.guild_id, "reason": action.reason, "data": data,
                         "at": at.isoformat()})
            return
        record = {"type": "reputation", "plugin": action.plugin, "guild_id": action.guild_id,
                  "giver_id": data.get("giver_id"), "receiver_id": data.get("receiver_id"),
                  "message_id": data.get("message_id"), "kind": data.get("kind"),
                  "points": data.get("points"), "at": at.isoformat()}
        self._write(record)
        receiver = record["receiver_id"]
        points = record["points"] if isinstance(record["points"], int | float) else 0
        self.points[receiver] += points
        self.givers[receiver][record["giver_id"]] += 1
        self.kinds[receiver][str(record["kind"])] += 1

    def report(self, guild_id: int, start: datetime | None, end: datetime | None,
               figures: dict[str, Any], stats: dict[str, Any]) -> None:
        """The final record of one community: every plugin's report figures and replay counts."""
        self._write({"type": "report", "guild_id": guild_id,
                     "start": start.isoformat() if start else None, "end": end.isoformat() if end else None,
                     "figures": figures, "stats": stats})


def _name(display: dict[int, str], uid: int | None) -> str:
    if uid is None:
        return "(no member)"
    return f"{display.get(uid, '?')} ({uid})"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _times(counter: Counter[str]) -> str:
    return ", ".join(f"{k} ×{n}" for k, n in counter.most_common())


def summary(collector: Collector, display: dict[int, str], channels: dict[int, str]) -> list[str]:
    """Readable lines: moderation decisions by member, then reputation."""
    lines = []
    total = sum(collector.by_plugin.values())
    members = sorted(collector.by_member.items(), key=lambda kv: (-sum(kv[1].values()), kv[0] or 0))
    lines.append(f"Moderation: what would have happened: {total} action(s) on {len(members)} member(s)"
                 + (f" [{_times(collector.by_plugin)}]" if total else ""))
    for uid, kinds in members[:_MAX_MEMBERS_SHOWN]:
        lines.append(f"  {_name(display, uid)}: {_times(kinds)}")
        for entry in collector.decisions[uid].values():
            where = f"#{channels.get(entry['channel_id'], entry['channel_id'])} " if entry["channel_id"] else ""
            lines.append(f"    - {where}{entry['at']:%Y-%m-%d %H:%M}: {', '.join(entry['kinds'])}"
                         + (f" — \"{_one_line(entry['excerpt'])}\"" if entry["excerpt"] else ""))
            for reason in entry["reasons"]:
                lines.append(f"        why: {_one_line(reason)[:300]}")
        if collector.more[uid]:
            lines.append(f"    - … and {collector.more[uid]} more decision(s) (use --json for all)")
    if len(members) > _MAX_MEMBERS_SHOWN:
        lines.append(f"  … and {len(members) - _MAX_MEMBERS_SHOWN} more member(s) (use --json for all)")
    ranked = collector.points.most_common()
    lines.append("")
    lines.append(f"Reputation awarded: {sum(collector.points.values())} point(s) to {len(ranked)} member(s)")
    for uid, points in ranked[:_MAX_MEMBERS_SHOWN]:
        givers = ", ".join(display.get(g, str(g)) for g, _ in collector.givers[uid].most_common(5))
        more = len(collector.givers[uid]) - 5
        lines.append(f"  {_name(display, uid)}: +{points:g} from {givers}" + (f" and {more} more" if more > 0 else "")
                     + f" [{_times(collector.kinds[uid])}]")
    if len(ranked) > _MAX_MEMBERS_SHOWN:
        lines.append(f"  … and {len(ranked) - _MAX_MEMBERS_SHOWN} more member(s)")
    if collector.other:
        lines.append("")
        lines.append(f"Other actions: {sum(collector.other.values())}")
        for (plugin, kind), n in collector.other.most_common():
            reasons = "; ".join(_one_line(r)[:80] for r, _ in collector.other_reasons[(plugin, kind)].most_common(3))
            lines.append(f"  {plugin}: {kind} ×{n}" + (f" — {reasons}" if reasons else ""))
    if collector.audits:
        lines.append(f"Other audit records: {_times(collector.audits)}")
    return lines


def figure_lines(value: Any, indent: int = 4, limit: int = 15, names: dict[int, str] | None = None) -> list[str]:
    """Nested figures as indented `key: value` lines (long lists are cut; member ids get names)."""
    pad = " " * indent
    names = names or {}
    if isinstance(value, dict):
        out = []
        for key, item in value.items():
            if isinstance(item, dict | list | tuple) and item:
                out.append(f"{pad}{key}:")
                out += figure_lines(item, indent + 2, limit, names)
            elif str(key).endswith(("user_id", "member_id", "giver_id", "receiver_id")) and item in names:
                out.append(f"{pad}{key}: {names[item]} ({item})")
            else:
                out.append(f"{pad}{key}: {_scalar(item)}")
        return out
    if isinstance(value, list | tuple):
        if all(not isinstance(v, dict | list | tuple) for v in value):
            shown = ", ".join(_scalar(v) for v in value[:limit])
            return [f"{pad}{shown}" + (f", … ({len(value)} in all)" if len(value) > limit else "")]
        out = []
        for item in value[:limit]:
            sub = figure_lines(item, indent + 2, limit, names)
            if sub:
                out.append(f"{pad}- {sub[0].strip()}")
                out += sub[1:]
        if len(value) > limit:
            out.append(f"{pad}… ({len(value)} in all)")
        return out
    return [f"{pad}{_scalar(value)}"]


def _scalar(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
