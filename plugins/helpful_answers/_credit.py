"""Deciding whether a credit counts (anti-gaming rules) and turning it into ledger rows and actions."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.actions import Action, AlertButton, Audit, ModAlert
from bot.events import message_link
from plugins.helpful_answers._attribution import Conversations
from plugins.helpful_answers._config import HelpfulAnswersConfig
from plugins.helpful_answers._ledger import Credit, Ledger
from plugins.helpful_answers._rewards import PLUGIN, role_changes, window_start

DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Giver:
    """Who gives credit, with what we know of their tenure."""

    id: int
    is_bot: bool = False
    joined_ts: float | None = None
    messages: int = 0


@dataclass(slots=True)
class Outcome:
    """What one crediting attempt did: actions to run, members credited, refusals by reason."""

    actions: list[Action] = field(default_factory=list)
    credited: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)
    giver_refused: str | None = None


def giver_from(conv: Conversations, user_id: int, *, is_bot: bool = False, joined_ts: float | None = None) -> Giver:
    """A Giver from tracked member stats (the explicit values win when given)."""
    stats = conv.members.get(user_id)
    if stats is None:
        return Giver(user_id, is_bot, joined_ts, 0)
    return Giver(user_id, is_bot or conv.is_bot(user_id), joined_ts if joined_ts is not None else stats.joined_ts,
                 stats.messages)


def giver_problem(config: HelpfulAnswersConfig, giver: Giver, at: datetime) -> str | None:
    """Why this member cannot give credit yet (None when they can)."""
    if giver.is_bot:
        return "bots cannot give credit"
    if config.min_giver_days > 0 and (
            giver.joined_ts is None or (at.timestamp() - giver.joined_ts) / DAY < config.min_giver_days):
        return f"members need {config.min_giver_days:g} days in the server to give credit"
    if giver.messages < config.min_giver_messages:
        return f"members need {config.min_giver_messages} messages to give credit"
    return None


def _who_problem(conv: Conversations, giver: int, receiver: int) -> str | None:
    """Why this receiver can never be credited by this giver (None when they can)."""
    if receiver == giver:
        return "no self-credit"
    if conv.is_bot(receiver):
        return "bots cannot receive credit"
    return None


def _limit_problem(config: HelpfulAnswersConfig, now: float, last_pair: float | None, given_today: int,
                   received_today: int) -> str | None:
    """Pair cooldown and daily caps, checked in that order (None when the credit may go ahead)."""
    if config.pair_cooldown_hours > 0 and last_pair is not None and now - last_pair < config.pair_cooldown_hours * 3600:
        return "pair cooldown"
    if given_today >= config.giver_daily_cap:
        return "giver daily cap"
    if received_today >= config.receiver_daily_cap:
        return "receiver daily cap"
    return None


def _smallest_credit(config: HelpfulAnswersConfig) -> int:
    return min(config.points_thanks, config.points_reaction, config.points_mark, config.points_solution)


class Creditor:
    """Applies the anti-gaming rules and writes credits to the ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._locks: dict[int, asyncio.Lock] = {}

    def _lock(self, guild_id: int) -> asyncio.Lock:
        lock = self._locks.get(guild_id)
        if lock is None:
            lock = self._locks[guild_id] = asyncio.Lock()
        return lock

    async def credit(self, guild_id: int, config: HelpfulAnswersConfig, conv: Conversations, giver: Giver,
                     receivers: list[int], *, message_id: int | None, channel_id: int | None, kind: str,
                     points: int, at: datetime, reason: str | None = None) -> Outcome:
        """Credit each receiver that passes every rule; suspicious groups are held and flagged.

        One crediting at a time per community: live, every event runs as its own task, and two
        thanks checked side by side could both pass a daily cap or a cooldown that only one of
        them may. (Uncontended, the lock costs no wait.)
        """
        out = Outcome()
        out.giver_refused = giver_problem(config, giver, at)
        if out.giver_refused is not None or points <= 0:
            return out
        now = at.timestamp()
        given_today: int | None = None  # read with the first receiver's facts, then counted here
        ws = window_start(config, at)
        async with self._lock(guild_id):
            for receiver in receivers:
                problem = _who_problem(conv, giver.id, receiver)
                if problem is None:
                    given, last_pair, received_today = await self.ledger.limit_facts(
                        guild_id, giver.id, receiver, now - DAY, now - config.pair_cooldown_hours * 3600)
                    if given_today is None:
                        given_today = given
                    problem = _limit_problem(config, now, last_pair, given_today, received_today)
                credit_points, credit_reason = points, reason
                if problem == "pair cooldown" and points > _smallest_credit(config):
                    # "thanks!" then /solved for the same help: the stronger credit tops the earlier
                    # one up to its own points. Credit going back the other way still waits. (One
                    # worth no more than the smallest kind cannot raise anything: no query.)
                    earlier, returned = await self.ledger.pair_points(
                        guild_id, giver.id, receiver, now - config.pair_cooldown_hours * 3600)
                    if not returned and 0 < earlier < points:
                        problem = None
                        credit_points = points - earlier
                        raised = f"raises the {earlier} point(s) given within the pair cooldown to {points}"
                        credit_reason = f"{reason}; {raised}" if reason else raised
                if problem is not None:
                    out.refused[receiver] = problem
                    continue
                flag_key, alert = await self._ring_check(guild_id, config, giver.id, receiver, now)
                status = "flagged" if flag_key else "active"
                before = await self.ledger.points(guild_id, receiver, ws) if status == "active" else 0
                added = await self.ledger.add(guild_id, giver.id, receiver, message_id, channel_id, kind, credit_points,
                                              at, status=status, reason=credit_reason, flag_key=flag_key)
                if not added:
                    out.refused[receiver] = "already credited"
                    continue
                given_today += 1
                if flag_key:
                    out.held.append(receiver)
                    if alert is not None:
                        out.actions.append(_alert(guild_id, alert, flag_key, channel_id, message_id, kind))
                    continue
                out.credited.append(receiver)
                out.actions.append(audit(guild_id, giver.id, receiver, message_id, kind, credit_points))
                out.actions.extend(role_changes(config, guild_id, receiver, before, before + credit_points))
        return out

    async def _ring_check(self, guild_id: int, config: HelpfulAnswersConfig, giver: int, receiver: int,
                          now: float) -> tuple[str | None, str | None]:
        """(flag key, alert text) when giver and receiver (and maybe one more) mostly credit each other.

        The alert text is None when the group was already flagged (one alert per group and window).
        """
        since = now - config.ring_window_days * DAY
        pair = (giver, receiver)
        edges = await self.ledger.edges_touching(guild_id, pair, since) + [pair]
        groups = [(pair, edges)]
        linked: dict[int, set[int]] = {}
        for a, b in edges:
            if a in pair and b not in pair:
                linked.setdefault(b, set()).add(a)
            elif b in pair and a not in pair:
                linked.setdefault(a, set()).add(b)
        thirds = [x for x, ends in linked.items() if len(ends) == 2]
        if thirds:
            third = max(thirds, key=lambda x: sum(1 for e in edges if x in e))
            trio = (giver, receiver, third)
            groups.append((trio, await self.ledger.edges_touching(guild_id, trio, since) + [pair]))
        for group, group_edges in groups:
            if _is_ring(group, group_edges, config):
                key = _flag_key(group, now, config.ring_window_days)
                if await self.ledger.get_state(guild_id, f"allowed:{key}"):
                    return None, None
                if await self.ledger.has_flag(guild_id, key):
                    return key, None
                inside = sum(1 for a, b in group_edges if a in group and b in group)
                names = ", ".join(f"<@{m}>" for m in sorted(group))
                return key, f"{names} gave each other {inside} credits within {config.ring_window_days} days"
        return None, None


def _is_ring(group: tuple[int, ...], edges: list[tuple[int, int]], config: HelpfulAnswersConfig) -> bool:
    members = set(group)
    inside = [(a, b) for a, b in edges if a in members and b in members]
    if len(inside) < config.ring_min_credits:
        return False
    for m in members:
        gave_inside = sum(1 for a, _ in inside if a == m)
        got_inside = sum(1 for _, b in inside if b == m)
        gave_total = sum(1 for a, _ in edges if a == m)
        if gave_inside == 0 or got_inside == 0 or gave_inside / gave_total < config.ring_share:
            return False
    return True


def _flag_key(group: tuple[int, ...], now: float, window_days: int) -> str:
    digest = hashlib.blake2b("-".join(map(str, sorted(group))).encode(), digest_size=8).hexdigest()
    return f"ring:{digest}:{int(now // (window_days * DAY))}"


def _alert(guild_id: int, text: str, flag_key: str, channel_id: int | None, message_id: int | None,
           kind: str) -> ModAlert:
    link = message_link(guild_id, channel_id, message_id) if channel_id and message_id else None
    return ModAlert(
        plugin=PLUGIN, guild_id=guild_id, reason="possible reputation ring", title="Members crediting each other",
        reasons=(text, f"latest credit: {kind}; their credits are held (not counted) until a moderator decides"),
        message_link=link, channel_id=channel_id, message_id=message_id,
        buttons=(AlertButton("Count their credits", "allow", "success"),
                 AlertButton("Keep them held", "discard", "secondary")),
        case_key=flag_key, group_key=flag_key,
    )


def audit(guild_id: int, giver: int, receiver: int, message_id: int | None, kind: str, points: int,
          reason: str | None = None) -> Audit:
    """The `reputation` audit record of a credit (negative points for a reversal)."""
    return Audit(plugin=PLUGIN, guild_id=guild_id, topic="reputation",
                 reason=reason or ("reputation reversed" if points < 0 else "reputation awarded"),
                 data={"giver_id": giver, "receiver_id": receiver, "message_id": message_id, "kind": kind,
                       "points": points})


async def reversal_actions(ledger: Ledger, guild_id: int, config: HelpfulAnswersConfig, rows: list[Credit],
                           at: datetime) -> list[Action]:
    """Audits and role changes for credits that were just reversed."""
    actions: list[Action] = []
    ws = window_start(config, at)
    lost: dict[int, int] = {}
    for row in rows:
        if row.status != "active":
            continue
        actions.append(audit(guild_id, row.giver_id, row.receiver_id, row.message_id, row.kind, -row.points))
        if ws is None or row.ts > ws:
            lost[row.receiver_id] = lost.get(row.receiver_id, 0) + row.points
    for receiver, points in lost.items():
        after = await ledger.points(guild_id, receiver, ws)
        actions.extend(role_changes(config, guild_id, receiver, after + points, after))
    return actions


def period_start(period: str, at: datetime) -> float | None:
    """Start of a leaderboard period: week, month or all (None)."""
    days = {"week": 7, "month": 30}.get(period)
    return (at - timedelta(days=days)).timestamp() if days else None
