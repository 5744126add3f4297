"""Render an engagement report as text, JSON, CSV or a PNG chart."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from plugins.engagement._metrics import key_figures

PNG_SIZE = (1000, 600)  # pixels: 10 x 6 inches at 100 dpi
_PCT_FIGURES = ("conversation_ratio", "answered_share")


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def _num(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def change(name: str, now: Any, before: Any) -> str:
    """'+12%' for counts, '+3 pts' for shares, '' when there is nothing to compare."""
    if now is None or before is None or (now == 0 and before == 0):
        return ""
    if name in _PCT_FIGURES:
        points = round((now - before) * 100)
        return f"{points:+d} pts" if points else "±0 pts"
    if before == 0:
        return "new"
    percent = round((now - before) / before * 100)
    return f"{percent:+d}%" if percent else "±0%"


def _vs(report: dict, name: str) -> str:
    prev = report.get("previous")
    if not prev:
        return ""
    delta = change(name, key_figures(report)[name], prev.get(name))
    return f" ({delta} vs previous {report['period']['days']} days)" if delta else ""


def _channel(cid: int, discord: bool) -> str:
    return f"<#{cid}>" if discord else f"#{cid}"


def _user(uid: int, discord: bool) -> str:
    return f"<@{uid}>" if discord else f"user {uid}"


def lines(report: dict[str, Any], *, discord: bool = False) -> list[tuple[str, str]]:
    """(label, value) pairs: the fields of the /engagement embed and the lines of the text report."""
    a, q, n, r = report["active_members"], report["questions"], report["new_members"], report["retention"]
    out = [
        ("Messages", f"{report['messages']:,}{_vs(report, 'messages')}"),
        ("Active members", f"{a['period']:,} in the period{_vs(report, 'active_members')}; "
                           f"{_num(a['daily_avg'])} per day on average{_vs(report, 'daily_active_avg')}; "
                           f"{a['weekly']:,} in the last 7 days, {a['monthly']:,} in the last 30"),
        ("New members", f"{n['joined']:,} joined{_vs(report, 'new_members')}, {n['posted_within_7_days']:,} "
                        f"posted within 7 days ({_pct(n['activation_rate'])}); {n['left']:,} left"),
        ("Retention", f"{r['retained']:,} of {r['cohort']:,} members who reached 30 days in the period "
                      f"were still active ({_pct(r['rate'])})"),
        ("Conversation", f"{_pct(report['conversation_ratio'])} of messages were replies, in threads or got "
                         f"a reply{_vs(report, 'conversation_ratio')}"),
        ("Questions", f"{q['asked']:,} asked{_vs(report, 'questions')}; {q['answered']:,} answered: "
                      f"{_pct(q['answered_share'])}{_vs(report, 'answered_share')}"
                      + (f"; {q['solved_by_asker']:,} solved by the asker" if q.get("solved_by_asker") else "")),
        ("Time to first answer", f"median {_num(q['median_answer_minutes'])} min"
                                 f"{_vs(report, 'median_answer_minutes')}, p90 {_num(q['p90_answer_minutes'])} min"),
        ("Unanswered now", f"{q['unanswered_now']:,}"),
    ]
    if report["busiest_channels"]:
        out.append(("Busiest channels", ", ".join(
            f"{_channel(c['channel_id'], discord)} {c['messages']:,} ({_pct(c['share'])})"
            for c in report["busiest_channels"])))
    for plugin, figures in sorted(report.get("plugins", {}).items()):
        out.extend(_plugin_lines(plugin, figures, discord))
    return out


def _plugin_lines(plugin: str, figures: dict, discord: bool) -> list[tuple[str, str]]:
    out = []
    helpers = figures.get("top_helpers")
    if isinstance(helpers, list) and helpers:
        out.append(("Top helpers", ", ".join(
            f"{_user(h.get('user_id'), discord)} {_num(h.get('points'))} pts"
            for h in helpers[:5] if isinstance(h, dict))))
    if "incidents" in figures:
        out.append(("Self-promotion incidents" if plugin == "self_promotion" else f"{plugin} incidents",
                    _num(figures["incidents"])))
    others = [f"{k.replace('_', ' ')} {_num(v)}" for k, v in figures.items()
              if k not in ("top_helpers", "incidents") and isinstance(v, int | float) and not isinstance(v, bool)]
    if others:
        out.append((plugin.replace("_", " ").capitalize(), ", ".join(others)))
    return out


def title(report: dict[str, Any], name: str | None = None) -> str:
    """'Engagement: <community>, <start> to <end>'."""
    p = report["period"]
    return (f"Engagement: {name or 'guild ' + str(report['guild_id'])}, {p['start']} to {p['end']} "
            f"({p['days']} days, {report['timezone']})")


def to_text(report: dict[str, Any], name: str | None = None) -> str:
    """A plain-text report."""
    body = "\n".join(f"{label}: {value}" for label, value in lines(report))
    return f"{title(report, name)}\n{body}\n"


def to_json(report: dict[str, Any]) -> str:
    """The report as indented JSON."""
    return json.dumps(report, indent=2, sort_keys=True) + "\n"


def to_csv(report: dict[str, Any]) -> str:
    """Two CSV blocks: `metric,value,previous`, a blank line, then one row per day."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["metric", "value", "previous"])
    prev = report.get("previous", {})
    for name, value in key_figures(report).items():
        w.writerow([name, "" if value is None else value, "" if prev.get(name) is None else prev[name]])
    w.writerow(["unanswered_now", report["questions"]["unanswered_now"], ""])
    w.writerow(["solved_by_asker", report["questions"].get("solved_by_asker", 0), ""])
    out.write("\n")
    w.writerow(["date", "messages", "active_members", "median_answer_minutes"])
    for d in report.get("daily", []):
        m = d["median_answer_minutes"]
        w.writerow([d["date"], d["messages"], d["active_members"], "" if m is None else m])
    return out.getvalue()


def to_png(report: dict[str, Any], name: str | None = None) -> bytes:
    """A 1000x600 chart: daily messages and active members; median time to first answer."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    daily = report.get("daily", [])
    days = list(range(len(daily)))
    labels = [d["date"][5:] for d in daily]
    fig = Figure(figsize=(PNG_SIZE[0] / 100, PNG_SIZE[1] / 100), dpi=100)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    top.bar(days, [d["messages"] for d in daily], color="#9db4d8", label="messages")
    top.set_ylabel("messages")
    twin = top.twinx()
    twin.plot(days, [d["active_members"] for d in daily], color="#c0392b", marker=".", label="active members")
    twin.set_ylabel("active members")
    twin.set_ylim(bottom=0)
    top.set_title(title(report, name), fontsize=10)
    top.legend(loc="upper left", fontsize=8)
    twin.legend(loc="upper right", fontsize=8)
    answered = [(i, d["median_answer_minutes"]) for i, d in enumerate(daily) if d["median_answer_minutes"] is not None]
    if answered:
        bottom.plot([i for i, _ in answered], [m for _, m in answered], color="#27ae60", marker="o")
    bottom.set_ylabel("median min to answer")
    bottom.set_ylim(bottom=0)
    step = max(1, len(days) // 10)
    bottom.set_xticks(days[::step], labels[::step], fontsize=8)
    fig.subplots_adjust(left=0.08, right=0.92, top=0.92, bottom=0.08, hspace=0.1)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()


def render(report: dict[str, Any], fmt: str, name: str | None = None) -> bytes:
    """Render in one of text, json, csv, png."""
    if fmt == "png":
        return to_png(report, name)
    if fmt == "json":
        return to_json(report).encode()
    if fmt == "csv":
        return to_csv(report).encode()
    return to_text(report, name).encode()
