"""Open questions in memory (bounded) and the "don't ignore them" nudges."""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.actions import Action, Audit, Reply
from bot.events import Message, message_link

PLUGIN = "engagement"


@dataclass(slots=True)
class OpenQuestion:
    """A question nobody else has answered yet."""

    message_id: int
    channel_id: int
    root_channel_id: int
    author_id: int
    asked_at: float
    due: float | None  # when to nudge; None when its channel is not monitored
    own_thread: bool = False
    nudged: bool = False
    first_reply_at: float | None = None  # when someone else first posted in its channel, not asking


class OpenQuestions:
    """One community's open questions, indexed by asker and by thread for O(1) answer checks.

    A question older than `max_age_s` (the community's `open_question_max_age_hours`) at a
    message's time can no longer be answered by that message, whether or not the timer has
    dropped it yet (`expire`): so what a message answers never depends on when the timer ran.
    """

    def __init__(self, max_age_s: float) -> None:
        self.max_age_s = max_age_s
        self.open: dict[int, OpenQuestion] = {}  # insertion order = asked order
        self.by_asker: dict[int, list[int]] = {}
        self.by_thread: dict[int, list[int]] = {}
        self.last_in_channel: dict[int, int] = {}  # channel id -> its latest open question
        self.asked_in: dict[int, dict[int, int]] = {}  # channel id -> {asker: open questions there}
        self.awaiting_reply: dict[int, list[int]] = {}  # channel id -> open questions nobody else posted after
        self._due: list[tuple[float, int]] = []  # heap of (due time, question id)
        self._overdue: dict[int, None] = {}  # past due, not nudged yet (kept while rate-limited)
        self.nudge_times: deque[float] = deque()

    def __len__(self) -> int:
        return len(self.open)

    def add(self, q: OpenQuestion, limit: int) -> None:
        """Track a question, dropping the oldest when more than `limit` are open."""
        if q.message_id in self.open:
            return
        while len(self.open) >= limit:
            self.remove(next(iter(self.open)))
        self.open[q.message_id] = q
        self.by_asker.setdefault(q.author_id, []).append(q.message_id)
        # A thread started from a message has the message's id; a forum post or thread the
        # asker opened is "its thread" too.
        self.by_thread.setdefault(q.message_id, []).append(q.message_id)
        if q.own_thread:
            self.by_thread.setdefault(q.channel_id, []).append(q.message_id)
        self.last_in_channel[q.channel_id] = q.message_id
        askers = self.asked_in.setdefault(q.channel_id, {})
        askers[q.author_id] = askers.get(q.author_id, 0) + 1
        if q.first_reply_at is None:
            self.awaiting_reply.setdefault(q.channel_id, []).append(q.message_id)
        if q.due is not None and not q.nudged:
            heapq.heappush(self._due, (q.due, q.message_id))

    def overdue(self, now_ts: float, limit: int) -> list[OpenQuestion]:
        """Up to `limit` open, not yet nudged questions past their deadline, oldest deadline first.

        With `limit` 0 the deadlines are only drained (nobody is nudged). Stale entries are
        dropped as they are met, so a tick costs O(stale + limit), not O(open questions).
        """
        heap = self._due
        overdue = self._overdue
        while heap and heap[0][0] <= now_ts:
            qid = heapq.heappop(heap)[1]
            if limit:
                overdue[qid] = None
        found: list[OpenQuestion] = []
        stale = []
        for qid in overdue:
            if len(found) >= limit:
                break
            q = self.open.get(qid)
            if q is None or q.nudged:
                stale.append(qid)
            else:
                found.append(q)
        for qid in stale:
            del overdue[qid]
        return found

    def remove(self, message_id: int) -> OpenQuestion | None:
        """Stop tracking a question; return it if it was open."""
        q = self.open.pop(message_id, None)
        if q is None:
            return None
        _discard(self.by_asker, q.author_id, message_id)
        _discard(self.by_thread, q.message_id, message_id)
        if q.own_thread:
            _discard(self.by_thread, q.channel_id, message_id)
        if q.first_reply_at is None:
            _discard(self.awaiting_reply, q.channel_id, message_id)
        if self.last_in_channel.get(q.channel_id) == message_id:
            del self.last_in_channel[q.channel_id]
        askers = self.asked_in.get(q.channel_id)
        if askers is not None:
            left = askers.get(q.author_id, 1) - 1
            if left:
                askers[q.author_id] = left
            else:
                askers.pop(q.author_id, None)
                if not askers:
                    del self.asked_in[q.channel_id]
        return q

    def replied(self, channel_id: int, uid: int, ts: float) -> None:
        """Note `ts` as the first reply to the channel's waiting questions that `uid` did not ask."""
        waiting = self.awaiting_reply.get(channel_id)
        if waiting is None:
            return
        open_ = self.open
        own = []
        for qid in waiting:
            q = open_[qid]
            if q.author_id == uid:
                own.append(qid)
            else:
                q.first_reply_at = ts
        if own:
            self.awaiting_reply[channel_id] = own
        else:
            del self.awaiting_reply[channel_id]

    def answered_by(self, m: Message, follow_up_s: float = 0.0, is_question: bool = False) -> list[int] | None:
        """Ids of open questions that `m` answers: someone else replies, mentions the asker, posts
        in its thread or, within `follow_up_s` seconds, posts next in its channel (not a question)."""
        open_ = self.open
        by_asker = self.by_asker
        author = m.author.id
        found: list[int] | None = None
        rid = m.reply_to_message_id
        if rid is not None:
            q = open_.get(rid)
            if q is not None and q.author_id != author:
                found = [rid]
        ra = m.reply_to_author_id
        if ra is not None and ra != author and ra in by_asker:
            found = self._asker_hits(ra, m, found)
        for uid in m.mention_ids:
            if uid != author and uid in by_asker:
                found = self._asker_hits(uid, m, found)
        ids = self.by_thread.get(m.channel_id)
        if ids:
            for qid in ids:
                q = open_.get(qid)
                if q is not None and q.author_id != author and (found is None or qid not in found):
                    found = (found or []) + [qid]
        if follow_up_s and not is_question:
            qid = self.last_in_channel.get(m.channel_id)
            q = open_.get(qid) if qid is not None else None
            if (q is not None and q.author_id != author and (found is None or qid not in found)
                    and m.created_at.timestamp() - q.asked_at <= follow_up_s):
                found = (found or []) + [qid]
        return found

    def acknowledged(self, asker: int, channel_id: int, answer_id: int | None = None) -> list[int]:
        """The asker's open questions in this channel that an acknowledgement of someone's help
        there answers: "thanks @B, that fixed it", or a ✅ on B's message. With `answer_id` (the
        message replied to or reacted to), only questions asked before it (ids grow with time)."""
        ids = self.by_asker.get(asker)
        if not ids:
            return []
        open_ = self.open
        return [qid for qid in ids if (q := open_.get(qid)) is not None and q.channel_id == channel_id
                and (answer_id is None or qid < answer_id)]

    def has_open_in(self, asker: int, channel_id: int, ts: float) -> bool:
        """Whether the asker has a question asked in this channel that is still open at time `ts`."""
        oldest = ts - self.max_age_s
        open_ = self.open
        for qid in reversed(self.by_asker.get(asker, ())):  # newest first: usually the first one in the channel
            q = open_.get(qid)
            if q is not None and q.channel_id == channel_id and q.asked_at >= oldest:
                return True
        return False

    def drop_due(self, message_id: int) -> None:
        """Take a question off the list of those waiting to be nudged (it stays open)."""
        self._overdue.pop(message_id, None)

    def has_due(self, now_ts: float) -> bool:
        """Whether a tracked question is past its deadline and not nudged (or waits for the rate limit)."""
        return bool(self._overdue) or (bool(self._due) and self._due[0][0] <= now_ts)

    def asked_in_channel(self, asker: int, channel_id: int) -> list[int]:
        """The asker's open questions asked in this channel, or whose thread it is."""
        ids = self.acknowledged(asker, channel_id)
        open_ = self.open
        for qid in self.by_thread.get(channel_id, ()):
            if qid not in ids and (q := open_.get(qid)) is not None and q.author_id == asker:
                ids.append(qid)
        return ids

    def _asker_hits(self, asker: int, m: Message, found: list[int] | None) -> list[int] | None:
        root = m.parent_channel_id if m.parent_channel_id is not None else m.channel_id
        for qid in self.by_asker[asker]:
            q = self.open.get(qid)
            if q is not None and q.root_channel_id == root and (found is None or qid not in found):
                found = (found or []) + [qid]
        return found

    def forget_member(self, user_id: int) -> None:
        """Drop every question asked by a member."""
        for qid in list(self.by_asker.get(user_id, ())):
            self.remove(qid)

    def expire(self, oldest: float) -> list[int]:
        """Stop tracking questions asked before `oldest`; return their ids.

        `open` is in the order questions were asked, so the scan stops at the first young one.
        """
        gone = []
        for qid, q in self.open.items():
            if q.asked_at >= oldest:
                break
            gone.append(qid)
        for qid in gone:
            self.remove(qid)
        return gone


def _discard(index: dict[int, list[int]], key: int, value: int) -> None:
    ids = index.get(key)
    if ids is not None:
        if value in ids:
            ids.remove(value)
        if not ids:
            del index[key]


def in_quiet_hours(now: datetime, tz: ZoneInfo, start: int | None, end: int | None) -> bool:
    """Whether `now` falls in the quiet hours [start, end) of the community (may wrap midnight)."""
    if start is None or end is None or start == end:
        return False
    hour = now.astimezone(tz).hour
    return start <= hour < end if start < end else hour >= start or hour < end


def nudges_on(config) -> bool:
    """Whether the community has nudges switched on at all."""
    return (config.helpers_channel is not None or config.nudge_in_asker_channel) and config.max_nudges_per_hour > 0


def nudge_budget(oq: OpenQuestions, now_ts: float, config) -> int:
    """Nudge messages the rolling hour still allows (older sending times are forgotten)."""
    times = oq.nudge_times
    while times and times[0] <= now_ts - 3600:
        times.popleft()
    return config.max_nudges_per_hour - len(times)


def nudges_wait_for(pending: list[tuple[Message, Any]], oq: OpenQuestions | None, guild_id: int, now: datetime,
                    config, tz: ZoneInfo, settings_of: Callable[[Any], Any]) -> bool:
    """Whether this timer round's nudges could differ once the waiting messages (`pending`, with
    their resolved configs) are settled: only then must they be settled first.

    With nudges off, nothing can differ. With them on, a waiting question may already be past
    its deadline, or a waiting answer may close a tracked question that is due and could be
    nudged now (not in quiet hours, within the hourly limit). Expiry cannot differ: a message
    never answers a question older than the max age at its own time (see `OpenQuestions`).
    """
    if not nudges_on(config):
        return False
    now_ts = now.timestamp()
    last = None
    nudge_s = 0.0
    for m, c in pending:
        if m.guild_id != guild_id:
            continue
        if c is not last:
            last, nudge_s = c, settings_of(c).nudge_s
        if m.created_at.timestamp() + nudge_s <= now_ts:
            return True
    return (oq is not None and oq.has_due(now_ts) and nudge_budget(oq, now_ts, config) > 0
            and not in_quiet_hours(now, tz, config.quiet_hours_start, config.quiet_hours_end))


def question_visible(can_view: Callable[[int], bool | None], q: OpenQuestion) -> bool:
    """Whether `can_view(channel id)` (None: not known) lets a question be shown. A thread the bot
    no longer caches (an archived forum post) counts as its parent; an unknown channel as hidden."""
    seen = can_view(q.channel_id)
    if seen is None and q.root_channel_id != q.channel_id:
        seen = can_view(q.root_channel_id)
    return bool(seen)


def audience(visible_to: Callable[[int, int, int | None], bool | None], guild_id: int,
             role_id: int | None) -> Callable[[OpenQuestion], bool]:
    """Whether a question's channel is visible to the role a helpers-channel nudge addresses
    (@everyone when `role_id` is None), by `question_visible`."""

    def can_view(channel_id: int) -> bool | None:
        return visible_to(guild_id, channel_id, role_id)

    def visible(q: OpenQuestion) -> bool:
        try:
            return question_visible(can_view, q)
        except Exception:  # the adapter could not tell: keep the question out, as for an unknown channel
            return False

    return visible


def due_nudges(oq: OpenQuestions, guild_id: int, now: datetime, config, tz: ZoneInfo,
               visible: Callable[[OpenQuestion], bool] | None = None) -> tuple[list[Action], list[int]]:
    """Actions nudging helpers about overdue questions (rate-limited, quiet hours); and their ids.

    `visible(question)`, when given, keeps questions from channels the helpers cannot see out of
    the helpers channel (they stay open, and are not nudged).
    """
    now_ts = now.timestamp()
    nudging = config.helpers_channel is not None or config.nudge_in_asker_channel
    # always called, so the deadline heap is drained even when nobody is nudged
    limit = max(config.max_questions_per_nudge, config.max_nudges_per_hour) if nudging else 0
    due = oq.overdue(now_ts, limit)
    if not due or in_quiet_hours(now, tz, config.quiet_hours_start, config.quiet_hours_end):
        return [], []
    budget = nudge_budget(oq, now_ts, config)
    if budget <= 0:
        return [], []
    times = oq.nudge_times
    ping = f"<@&{config.helper_role}> " if config.helper_role else ""
    actions: list[Action] = []
    nudged: list[int] = []
    if config.helpers_channel is not None:
        if visible is not None:
            due = _visible_due(oq, due, visible, now_ts, limit)
            if not due:
                return [], []
        batch = due[: config.max_questions_per_nudge]
        lines = [f"• <#{q.channel_id}> asked {_age(now_ts - q.asked_at)} ago: "
                 f"{message_link(guild_id, q.channel_id, q.message_id)}" for q in batch]
        noun = "question is" if len(batch) == 1 else "questions are"
        content = f"{ping}{len(batch)} {noun} still waiting for an answer:\n" + "\n".join(lines)
        actions.append(Reply(plugin=PLUGIN, reason="unanswered questions", guild_id=guild_id,
                             channel_id=config.helpers_channel, content=content))
        times.append(now_ts)
        nudged = [q.message_id for q in batch]
    elif config.nudge_in_asker_channel:
        for q in due[:budget]:
            actions.append(Reply(plugin=PLUGIN, reason="unanswered question", guild_id=guild_id,
                                 channel_id=q.channel_id, reply_to_message_id=q.message_id,
                                 content=f"{ping}This question has been waiting {_age(now_ts - q.asked_at)} "
                                         "for an answer. Can anyone help?"))
            times.append(now_ts)
            nudged.append(q.message_id)
    else:
        return [], []
    for qid in nudged:
        q = oq.open[qid]
        q.nudged = True
        actions.append(Audit(plugin=PLUGIN, reason="unanswered question nudge", guild_id=guild_id,
                             topic="engagement.nudge",
                             data={"message_id": qid, "channel_id": q.channel_id, "author_id": q.author_id,
                                   "waited_minutes": round((now_ts - q.asked_at) / 60, 1)}))
    return actions, nudged


def _visible_due(oq: OpenQuestions, due: list[OpenQuestion], visible: Callable[[OpenQuestion], bool],
                 now_ts: float, limit: int) -> list[OpenQuestion]:
    """The due questions the helpers can see, up to `limit`; hidden ones are taken off the due list,
    so however many there are they never crowd the visible ones out."""
    shown: list[OpenQuestion] = []
    while due:
        hidden = False
        for q in due:
            if visible(q):
                shown.append(q)
            else:
                oq.drop_due(q.message_id)
                hidden = True
        if not hidden:
            break
        seen = {q.message_id for q in shown}
        due = [q for q in oq.overdue(now_ts, limit) if q.message_id not in seen]
    return shown


def _age(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"
