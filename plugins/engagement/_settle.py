"""Settling queued messages: the log pass and the question pass (see Engagement.settle)."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.events import Message, MessageEdited
from plugins.engagement._config import EngagementConfig
from plugins.engagement._followups import (
    SOLVED_ALONE,
    closing,
    is_bump,
    may_close,
    may_say_solved,
    says_solved,
)
from plugins.engagement._log import MARK_QUESTION, LogBuffer
from plugins.engagement._nudge import OpenQuestion, OpenQuestions
from plugins.engagement._questions import ME_TOO, build_detector
from plugins.engagement._rollup import final_day, local_day


class Settings:
    """What settling a message needs from one resolved config, looked up once per config."""

    __slots__ = ("is_question", "follow_up_s", "log_messages", "window_s", "keep_content", "content_max_chars",
                 "monitor_questions", "nudge_s", "max_open_questions", "help_forums")

    def __init__(self, config: EngagementConfig) -> None:
        self.is_question = build_detector(config.question_languages, config.question_patterns,
                                          config.min_question_chars)
        self.follow_up_s = config.follow_up_answer_minutes * 60
        self.log_messages = config.log_messages
        self.window_s = config.conversation_window_minutes * 60
        self.keep_content = config.keep_content
        self.content_max_chars = config.content_max_chars
        self.monitor_questions = config.monitor_questions
        self.nudge_s = config.nudge_after_minutes * 60
        self.max_open_questions = config.max_open_questions
        self.help_forums = frozenset(config.help_forums)


_NOBODY: frozenset[int] = frozenset()


def log_block(block: list[tuple[Message, EngagementConfig]], log: LogBuffer | None,
              settings_of: Callable[[EngagementConfig], Settings],
              questions: dict[int, OpenQuestions] | None = None) -> list[tuple]:
    """Pass 1: a metadata row per message; returns (message, settings, ts, is question) for pass 2.

    Only messages pass 2 has to look at are returned: questions, messages that can answer one
    (replies, mentions, thread posts, or any message when follow-ups count), and an asker's
    message in the channel of their open question (`questions`) that may say it is solved, and
    any message in a channel with a question nobody else has posted after yet (its first reply).
    `is question` is None where it was not needed (logging off for that channel), and
    (kind, log row) for a possible bump ("anyone?") or "solved" statement from someone who may
    have an open question there: only pass 2 knows whether they still have one at that point.
    """
    asked_here: dict[int, set[int]] = {}  # channel -> askers of this block's questions there
    asked_in: dict[int, dict[int, int]] = {}  # channel -> askers of the open questions there
    awaiting: dict[int, list[int]] = {}  # channel -> open questions nobody else posted after yet
    open_: dict[int, OpenQuestion] = {}
    # channel -> askers of questions there nobody else has posted after, as far as this pass can
    # tell (never fewer than pass 2 finds): a message from anyone else may be their first reply
    waiting: dict[int, set[int]] = {}
    oq: OpenQuestions | None = None
    last_gid = None
    facts: list[tuple] = []
    add_fact = facts.append
    add_row = log.messages.append if log is not None else None
    add_reply = log.got_reply.append if log is not None else None
    last_config = c = None
    for m, config in block:
        if config is not last_config:
            last_config, c = config, settings_of(config)
            is_question, logging_on, follow_up, window_s = c.is_question, c.log_messages, c.follow_up_s, c.window_s
            keep, max_chars = c.keep_content, c.content_max_chars
        ts = m.created_at.timestamp()
        rid = m.reply_to_message_id
        parent = m.parent_channel_id
        # only thread posts can be in a question's thread (a thread started from a message has its id)
        may_answer = rid is not None or parent is not None or follow_up or m.mention_ids or m.is_thread
        if not logging_on:
            if may_answer:
                add_fact((m, c, ts, None))
            continue
        content = m.content
        is_q = is_question(content)
        if not is_q and m.thread_name is not None and m.message_id == m.channel_id:
            # a forum post's opening message: the question is often in its title
            is_q = m.parent_channel_id in c.help_forums or is_question(m.thread_name)
        uid = m.author.id
        gid = m.guild_id
        if questions is not None and gid != last_gid:
            last_gid = gid
            oq = questions.get(gid)
            asked_in = oq.asked_in if oq is not None else {}
            awaiting = oq.awaiting_reply if oq is not None else {}
            open_ = oq.open if oq is not None else {}
        chan = m.channel_id
        if is_q or not may_answer:
            # whether the author may have an open question in this channel: one open when the
            # block began, or one asked in the block (pass 2 knows for sure, in message order)
            mine = uid in asked_in.get(chan, _NOBODY) or uid in asked_here.get(chan, _NOBODY)
        unreplied = waiting.get(chan)
        if unreplied is None:
            qids = awaiting.get(chan)
            unreplied = waiting[chan] = {open_[q].author_id for q in qids} if qids else set()
        if is_q:
            local = asked_here.get(chan)
            if local is None:
                asked_here[chan] = {uid}
            else:
                local.add(uid)
            unreplied.add(uid)  # (a bump or a "solved" statement too: pass 2 may find it a question)
            if mine and is_bump(content):
                # "anyone?" under one's own open question is not a new question (decided in pass 2)
                is_q = False
                add_fact((m, c, ts, (_BUMP, len(log.messages) if log is not None else -1)))
            elif mine and "?" not in content and may_say_solved(content) and says_solved(content):
                # "hat sich erledigt" opens like a German question: a statement there (pass 2)
                is_q = False
                add_fact((m, c, ts, (_STATEMENT, len(log.messages) if log is not None else -1)))
            else:
                add_fact((m, c, ts, is_q))
        else:
            # someone else's first message after a question is its first reply (pass 2 decides)
            first_reply = bool(unreplied) and (uid not in unreplied or len(unreplied) > 1)
            if first_reply:
                waiting[chan] = {uid} if uid in unreplied else set()
            if may_answer or first_reply:
                add_fact((m, c, ts, is_q))
            elif mine and may_close(content):
                add_fact((m, c, ts, is_q))  # "nvm, figured it out", "that fixed it, thanks all"
        if add_row is None:
            continue
        if rid is not None and m.reply_to_author_id != uid:
            add_reply((gid, rid, uid, ts - window_s))
        n = len(content)
        add_row((  # (the is-question field is at _ROW_IS_QUESTION)
            gid, m.message_id, m.channel_id if parent is None else parent,
            None if parent is None else m.channel_id, uid, ts, rid, m.reply_to_author_id,
            len(m.mention_ids), "://" in content or "www." in content, is_q,
            0 if n < 20 else 1 if n < 80 else 2 if n < 300 else 3,
            content[:max_chars] if keep else None))
    return facts


# An asker's follow-up the question heuristic took for a question, in pass 1's facts as
# (kind, index of its log row): pass 2 decides it once the answers before it are known.
_BUMP = "bump"
_STATEMENT = "solved statement"
_ROW_IS_QUESTION = 10  # in a log row built by `log_block` (the order of INSERT_MESSAGE's columns)


def _follow_up(kind: str, row: int, oq: OpenQuestions | None, m: Message, ts: float,
               log: LogBuffer | None) -> bool | None:
    """Pass 2's decision on a possible bump or "solved" statement: None when it is a bump (nothing
    more to do), False when a statement, True when the asker has no open question here after all
    (then it is a question, and its log row says so)."""
    if oq is not None and oq.has_open_in(m.author.id, m.channel_id, ts):
        return None if kind is _BUMP else False
    if log is not None and row >= 0:
        logged = log.messages[row]
        log.messages[row] = (*logged[:_ROW_IS_QUESTION], True, *logged[_ROW_IS_QUESTION + 1:])
    return True


def track_block(facts: list[tuple], log: LogBuffer | None, questions: dict[int, OpenQuestions],
                bots: set[int] | frozenset[int], new_questions: Callable[[int], OpenQuestions]) -> None:
    """Pass 2: answers to open questions, then the block's new questions, in message order.

    `new_questions(guild id)` makes a community's first open-questions index.
    """
    for m, c, ts, is_q in facts:
        gid = m.guild_id
        uid = m.author.id
        oq = questions.get(gid)
        if is_q.__class__ is tuple:
            is_q = _follow_up(*is_q, oq, m, ts, log)
            if is_q is None:
                continue  # a bump: it asks, so it answers nothing either, and it is not counted
        if oq is not None and oq.open:
            if not is_q and m.channel_id in oq.awaiting_reply:  # (bots never get here)
                oq.replied(m.channel_id, uid, ts)
            follow_up = c.follow_up_s
            if follow_up and is_q is None and m.channel_id in oq.last_in_channel:
                is_q = c.is_question(m.content)
            if (m.reply_to_message_id is not None or m.mention_ids or follow_up or m.channel_id in oq.by_thread) \
                    and not (len(m.content) <= 80 and ME_TOO.match(m.content.lower())):
                hits = oq.answered_by(m, follow_up, bool(is_q))
                if hits:
                    answered(oq, hits, uid, ts, gid, log)
            if uid in oq.by_asker:
                helper, answer_id = _acknowledged(m, uid)
                if helper is not None and helper not in bots:
                    if is_q is None:
                        is_q = c.is_question(m.content)
                    if not is_q:  # "thanks @B, that fixed it", not "@B can you help?"
                        answered(oq, oq.acknowledged(uid, m.channel_id, answer_id), helper, ts, gid, log)
                elif not is_q and (how := closing(m.content)) is not None \
                        and (asked_here := oq.asked_in_channel(uid, m.channel_id)):
                    if is_q is None:
                        is_q = c.is_question(m.content)
                    if not is_q:  # "nvm, figured it out", not "nvm, how do I do X instead?"
                        # solved alone: the asker as answerer; "that fixed it, thanks all": someone
                        # unnamed, answering when somebody else first posted there after the question
                        alone = how is SOLVED_ALONE
                        answered(oq, asked_here, uid if alone else None, ts, gid, log, at_first_reply=not alone)
        if not is_q or not c.log_messages:
            continue
        if oq is None:
            oq = questions[gid] = new_questions(gid)
        _track(oq, m, ts, c, log)


def _track(oq: OpenQuestions, m: Message, ts: float, c: Settings, log: LogBuffer | None) -> None:
    """Track `m` as an open question asked at `ts` (its deadline counts from then), and log it."""
    parent = m.parent_channel_id
    root = m.channel_id if parent is None else parent
    due = ts + c.nudge_s if c.monitor_questions else None
    uid = m.author.id
    own = parent is not None and m.thread_owner_id == uid
    oq.add(OpenQuestion(m.message_id, m.channel_id, root, uid, ts, due, own), c.max_open_questions)
    if log is not None:
        log.questions.append((m.guild_id, m.message_id, m.channel_id, root, uid, ts, due, own))


def _acknowledged(m: Message, asker: int) -> tuple[int | None, int | None]:
    """Whom the asker's message turns to, and the message it answers: the author it replies to
    (and that message), else the first member it mentions."""
    target = m.reply_to_author_id
    if target is not None and target != asker:
        return target, m.reply_to_message_id
    for uid in m.mention_ids:
        if uid != asker:
            return uid, None
    return None, None


def answered(oq: OpenQuestions, qids: list[int], helper: int | None, ts: float, gid: int, log: LogBuffer | None,
             *, at_first_reply: bool = False) -> None:
    """Close questions answered by `helper` at `ts` (logged as answers); those too old by then stay.

    `at_first_reply`: the answer is dated when somebody else first posted in the question's channel
    (`OpenQuestion.first_reply_at`), when anybody did.
    """
    oldest = ts - oq.max_age_s
    open_ = oq.open
    for qid in qids:
        q = open_.get(qid)
        if q is None or q.asked_at < oldest:
            continue
        oq.remove(qid)
        if log is not None:
            at = q.first_reply_at if at_first_reply and q.first_reply_at is not None else ts
            log.answers.append((at, helper, gid, qid))


def track_edit(event: MessageEdited, c: Settings, tz: ZoneInfo, questions: dict[int, OpenQuestions],
               new_questions: Callable[[int], OpenQuestions], log: LogBuffer | None) -> None:
    """Track a message as a question from the edit that made it one ("my bot crashes" -> "…, any idea
    why?"): its deadline counts from the edit. Not when it already was one (answered or not), nor
    when its day's figures are final. Needs the old text (`event.before`)."""
    m = event.after
    if c.is_question(event.before.content) or not c.is_question(m.content):
        return
    ts = event.at.timestamp()
    if local_day(m.created_at.timestamp(), tz) <= final_day(ts, c.window_s, tz):
        return
    oq = questions.get(m.guild_id)
    if oq is None:
        oq = questions[m.guild_id] = new_questions(m.guild_id)
    _track(oq, m, ts, c, log)
    if log is not None:
        log.add(MARK_QUESTION, (m.guild_id, m.message_id))
