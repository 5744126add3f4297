"""Slash commands and the "Mark as helpful" context menu."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.actions import Action, TagThread
from bot.commands import CommandKind, CommandOption, CommandSpec, Invocation, Permission, Response
from plugins.helpful_answers._credit import Outcome, audit, giver_from, period_start
from plugins.helpful_answers._rewards import PLUGIN, role_changes, window_start

if TYPE_CHECKING:
    from plugins.helpful_answers import HelpfulAnswers

MAX_ADJUST = 1000
SOLVED_LOOKBACK_S = 30 * 86_400  # a forum post's answers may be days old


def _user_id(value: Any) -> int | None:
    value = getattr(value, "id", value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().strip("<@!>").isdigit():
        return int(value.strip().strip("<@!>"))
    return None


def _ago(ts: float, at: datetime) -> str:
    seconds = max(0, at.timestamp() - ts)
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    if seconds < 86_400:
        return f"{int(seconds // 3600)}h ago"
    return f"{int(seconds // 86_400)}d ago"


def _explain(outcome: Outcome, what: str) -> str:
    if outcome.giver_refused:
        return f"Not counted: {outcome.giver_refused}."
    parts = []
    if outcome.credited:
        parts.append(f"{what} credited to " + ", ".join(f"<@{u}>" for u in outcome.credited) + ".")
    if outcome.held:
        parts.append("Held for moderator review.")
    for user_id, reason in outcome.refused.items():
        parts.append(f"Not counted for <@{user_id}>: {reason}.")
    return " ".join(parts) or "Nothing to credit."


def command_specs(plugin: HelpfulAnswers) -> list[CommandSpec]:
    """The commands, bound to the plugin instance."""

    def unavailable(inv: Invocation) -> Response | None:
        if inv.guild_id is None:
            return Response("This command only works inside a server.")
        if plugin.ledger is None:
            return Response("Reputation is not available (no storage).")
        return None

    async def rep(inv: Invocation) -> Response:
        if (problem := unavailable(inv)) is not None:
            return problem
        user_id = _user_id(inv.options.get("member")) or inv.user.id
        config = plugin.config(inv.guild_id)
        total = await plugin.ledger.points(inv.guild_id, user_id)
        rank = await plugin.ledger.rank(inv.guild_id, total)
        lines = [f"<@{user_id}> has **{total}** reputation point{'s' if total != 1 else ''} (rank #{rank})."]
        ws = window_start(config, inv.at)
        if ws is not None:
            recent_points = await plugin.ledger.points(inv.guild_id, user_id, ws)
            lines.append(f"{recent_points} of them in the last {config.rolling_window_days} days (used for roles).")
        credits = await plugin.ledger.recent(inv.guild_id, user_id, 5)
        if credits:
            lines.append("Recent credits:")
            for c in credits:
                status = "" if c.status == "active" else f" ({c.status})"
                lines.append(f"• {c.points:+d} {c.kind} from <@{c.giver_id}>, {_ago(c.ts, inv.at)}{status}")
        return Response("\n".join(lines), title="Reputation")

    async def leaderboard(inv: Invocation) -> Response:
        if (problem := unavailable(inv)) is not None:
            return problem
        period = str(inv.options.get("period") or "week").lower()
        if period not in ("week", "month", "all"):
            return Response("Pick a period: week, month or all.")
        top = await plugin.ledger.top(inv.guild_id, period_start(period, inv.at), inv.at.timestamp(), 10)
        if not top:
            return Response("No credits in this period yet.", title=f"Top helpers ({period})")
        rows = [f"{i}. <@{u}>: {p}" for i, (u, p) in enumerate(top, 1)]
        return Response("\n".join(rows), title=f"Top helpers ({period})")

    async def adjust(inv: Invocation, sign: int) -> Response:
        if (problem := unavailable(inv)) is not None:
            return problem
        user_id = _user_id(inv.options.get("member"))
        try:
            points = int(inv.options.get("points"))
        except (TypeError, ValueError):
            points = 0
        reason = str(inv.options.get("reason") or "").strip()[:300]
        if user_id is None or not 1 <= points <= MAX_ADJUST or not reason:
            return Response(f"Usage: member, points (1-{MAX_ADJUST}) and a reason.")
        config = plugin.config(inv.guild_id)
        ws = window_start(config, inv.at)
        before = await plugin.ledger.points(inv.guild_id, user_id, ws)
        delta = sign * points
        await plugin.ledger.add(inv.guild_id, inv.user.id, user_id, None, inv.channel_id, "moderator", delta,
                                inv.at, reason=reason)
        record = audit(inv.guild_id, inv.user.id, user_id, None, "moderator", delta, f"moderator adjustment: {reason}")
        actions: list[Action] = [record, *role_changes(config, inv.guild_id, user_id, before, before + delta)]
        total = await plugin.ledger.points(inv.guild_id, user_id)
        verb = "Gave" if sign > 0 else "Took"
        return Response(f"{verb} {points} point(s) {'to' if sign > 0 else 'from'} <@{user_id}> ({reason}). "
                        f"Total now {total}.", actions=tuple(actions))

    async def give(inv: Invocation) -> Response:
        return await adjust(inv, 1)

    async def take(inv: Invocation) -> Response:
        return await adjust(inv, -1)

    async def mark(inv: Invocation) -> Response:
        if (problem := unavailable(inv)) is not None:
            return problem
        receiver, message_id = inv.target_message_author_id, inv.target_message_id
        if receiver is None or message_id is None:
            return Response("Use this on a message (Apps > Mark as helpful).")
        if receiver == inv.user.id:
            return Response("You cannot mark your own message as helpful.")
        config = plugin.config(inv.guild_id)
        conv = plugin.conversation(inv.guild_id, config)
        if inv.user.is_bot or conv.is_bot(receiver):
            return Response("Bots neither give nor receive reputation.")
        solution = conv.is_forum_post(inv.channel_id) and conv.thread_owner(inv.channel_id) == inv.user.id
        return await _credit_cmd(inv, [receiver], solution, message_id, "Marked as helpful")

    async def solved(inv: Invocation) -> Response:
        if (problem := unavailable(inv)) is not None:
            return problem
        config = plugin.config(inv.guild_id)
        conv = plugin.conversation(inv.guild_id, config)
        owner = conv.thread_owner(inv.channel_id)
        if owner is None or not conv.is_forum_post(inv.channel_id):
            return Response("Use /solved inside a forum post (I have not seen this post's messages).")
        if owner != inv.user.id and not plugin.ctx.is_moderator(inv.guild_id, inv.user):
            return Response("Only the post's author (or a moderator) can mark it solved.")
        member = _user_id(inv.options.get("member"))
        receivers = [member] if member is not None else conv.helpers_for(
            owner, inv.channel_id, inv.at, SOLVED_LOOKBACK_S, config.max_receivers)
        receivers = [r for r in receivers if r != owner and not conv.is_bot(r)]
        if not receivers:
            tag = _tag(inv, config)
            return Response("Marked solved; no answer from another member to credit.", actions=tag)
        return await _credit_cmd(inv, receivers, True, None, "Solution")

    async def _credit_cmd(inv: Invocation, receivers: list[int], solution: bool, message_id: int | None,
                          what: str) -> Response:
        config = plugin.config(inv.guild_id)
        conv = plugin.conversation(inv.guild_id, config)
        giver = giver_from(conv, inv.user.id, is_bot=inv.user.is_bot,
                           joined_ts=inv.user.joined_at.timestamp() if inv.user.joined_at else None)
        kind = "solution" if solution else "mark"
        # One solution credit per post and helper: the post (thread) id is the credited "message".
        source = inv.channel_id if solution else message_id
        outcome = await plugin.creditor.credit(
            inv.guild_id, config, conv, giver, receivers, message_id=source, channel_id=inv.channel_id, kind=kind,
            points=config.points_solution if solution else config.points_mark, at=inv.at,
            reason=f"message {message_id}" if solution and message_id else None)
        if outcome.credited or outcome.held:
            plugin.remember_credit(inv.guild_id, source)
        actions = list(outcome.actions)
        if solution:
            actions.extend(_tag(inv, config))
        return Response(_explain(outcome, what), actions=tuple(actions))

    def _tag(inv: Invocation, config) -> tuple[Action, ...]:
        if not config.solved_tag:
            return ()
        return (TagThread(plugin=PLUGIN, guild_id=inv.guild_id, thread_id=inv.channel_id,
                          tag_name=config.solved_tag, reason="forum post solved"),)

    member_opt = CommandOption("member", "The member", "member", required=True)
    return [
        CommandSpec("rep show", "Your (or a member's) reputation: total, rank and recent credits", rep,
                    options=(CommandOption("member", "Whose reputation", "member", required=False),)),
        CommandSpec("leaderboard", "Top helpers this week, this month or of all time", leaderboard,
                    options=(CommandOption("period", "Period", "str", required=False,
                                           choices=("week", "month", "all")),)),
        CommandSpec("rep give", "Give reputation points (logged with your reason)", give, Permission.MODERATOR,
                    options=(member_opt, CommandOption("points", "Points to give", "int"),
                             CommandOption("reason", "Why", "str"))),
        CommandSpec("rep take", "Take reputation points (logged with your reason)", take, Permission.MODERATOR,
                    options=(member_opt, CommandOption("points", "Points to take", "int"),
                             CommandOption("reason", "Why", "str"))),
        CommandSpec("Mark as helpful", "Credit this message's author for helping you", mark,
                    kind=CommandKind.MESSAGE_MENU),
        CommandSpec("solved", "Mark your forum post solved and credit who helped", solved,
                    options=(CommandOption("member", "Who solved it (default: the latest helpers)", "member",
                                           required=False),)),
    ]
