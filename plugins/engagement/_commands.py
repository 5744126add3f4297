"""Slash commands: /engagement, /unanswered, /pitchfree forget, /privacy forget-me."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot.actions import Audit
from bot.commands import CommandOption, CommandSpec, Invocation, Permission, Response
from bot.events import message_link
from plugins.engagement._nudge import question_visible

if TYPE_CHECKING:
    from plugins.engagement import Engagement

_PERIOD = re.compile(r"^\s*(\d{1,4})\s*([dwm]?)\s*$", re.IGNORECASE)
_UNIT_DAYS = {"": 1, "d": 1, "w": 7, "m": 30}
_UNANSWERED_LIMIT = 15


def parse_period(value: Any, default: int) -> int | None:
    """'7', '30d', '4w', '3m' -> days (1..366); None when unreadable."""
    if value is None or value == "":
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        days = value
    else:
        match = _PERIOD.match(str(value)[:20])
        if not match:
            return None
        days = int(match.group(1)) * _UNIT_DAYS[match.group(2).lower()]
    return days if 1 <= days <= 366 else None


def _user_id(value: Any) -> int | None:
    if hasattr(value, "id"):
        value = value.id
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    digits = re.sub(r"[<@!>\s]", "", str(value or ""))[:25]
    return int(digits) if digits.isdigit() else None


def command_specs(plugin: Engagement) -> list[CommandSpec]:
    """The plugin's commands, bound to `plugin`."""

    async def engagement(inv: Invocation) -> Response:
        from plugins.engagement._report import lines, title, to_png

        ctx = plugin.ctx
        if ctx.db is None:
            return Response("Engagement reports need the database, which is not configured.")
        config = ctx.config(inv.guild_id) or _default()
        days = parse_period(inv.options.get("period"), config.report_days)
        if days is None:
            return Response("Use a period like `7`, `30d`, `4w` or `3m` (1 to 366 days).")
        report = await plugin.report(inv.guild_id, inv.at, days, config)
        name = ctx.core(inv.guild_id).name
        fields = tuple((label, value[:1024]) for label, value in lines(report, discord=True))
        summary = (f"{report['messages']:,} messages from {report['active_members']['period']:,} active members; "
                   f"change is versus the previous {days} days.")
        return Response(summary, title=title(report, name), fields=fields,
                        file_name="engagement.png", file_bytes=to_png(report, name))

    def unanswered(inv: Invocation) -> Response:
        plugin.settle()
        oq = plugin.questions.get(inv.guild_id)
        now = inv.at.timestamp()
        open_ = sorted(oq.open.values(), key=lambda q: q.asked_at) if oq is not None else []
        if inv.can_view is not None:  # only channels the member can see (unknown ones are left out)
            open_ = [q for q in open_ if question_visible(inv.can_view, q)]
        if not open_:
            return Response("No open questions: everything asked recently got an answer.")
        rows = []
        for q in open_[:_UNANSWERED_LIMIT]:
            minutes = max(0, int((now - q.asked_at) // 60))
            age = f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"
            flag = " (helpers nudged)" if q.nudged else ""
            rows.append(f"• {age} in <#{q.channel_id}>{flag}: {message_link(inv.guild_id, q.channel_id, q.message_id)}")
        more = f"\n…and {len(open_) - _UNANSWERED_LIMIT} more." if len(open_) > _UNANSWERED_LIMIT else ""
        return Response(f"{len(open_)} question(s) without an answer from someone else, oldest first:\n"
                        + "\n".join(rows) + more, title="Unanswered questions")

    async def forget_member(inv: Invocation) -> Response:
        user_id = _user_id(inv.options.get("member"))
        if user_id is None:
            return Response("Pick the member to forget.")
        rows = await plugin.forget_member(inv.guild_id, user_id)
        audit = Audit(plugin="engagement", reason="engagement data forgotten", guild_id=inv.guild_id,
                      topic="engagement.forget", data={"user_id": user_id, "by": inv.user.id, "rows": rows})
        return Response(f"Deleted {rows} logged engagement row(s) about <@{user_id}>.", actions=(audit,))

    async def forget_me(inv: Invocation) -> Response:
        if inv.guild_id is None:
            return Response("Run this inside the server whose data you want deleted.")
        rows = await plugin.forget_member(inv.guild_id, inv.user.id)
        audit = Audit(plugin="engagement", reason="member deleted their engagement data", guild_id=inv.guild_id,
                      topic="engagement.forget", data={"user_id": inv.user.id, "by": inv.user.id, "rows": rows})
        return Response(f"Done: deleted {rows} logged row(s) about you. New messages are still counted "
                        "(metadata only) unless the server turns logging off.", actions=(audit,))

    return [
        CommandSpec("engagement", "Community health: key figures, change and a chart", engagement,
                    Permission.MODERATOR,
                    options=(CommandOption("period", "Days to cover, e.g. 7, 30d, 4w, 3m", "str", required=False),)),
        CommandSpec("unanswered", "Questions still waiting for an answer, with links", unanswered),
        CommandSpec("pitchfree forget", "Delete everything engagement logging holds about a member",
                    forget_member, Permission.ADMIN,
                    options=(CommandOption("member", "The member to forget", "member"),)),
        CommandSpec("privacy forget-me", "Delete the engagement data logged about you", forget_me),
    ]


def _default():
    from plugins.engagement._config import EngagementConfig

    return EngagementConfig()
