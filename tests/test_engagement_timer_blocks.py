"""The timer settles waiting messages only when they could change its nudges; answers and expiry
follow each message's own time, so when the timer ran never changes what was answered."""

import random

import pytest

from bot.actions import Reply
from bot.testing import Harness
from tests.test_engagement_acknowledged import answerers

PLUGIN = ("plugins.engagement:Engagement",)
HELPERS = 555


def plugin(h):
    return h.engine.pm.get_plugin("engagement")


def guild(**engagement):
    return {"moderator_roles": [9], "plugins": {"engagement": engagement}}


async def logged_questions(h):
    await h.engine.writer.flush()
    return await h.engine.db.fetchall("SELECT message_id FROM eng_messages WHERE is_question = 1 ORDER BY 1")


async def test_with_nudges_off_the_timer_leaves_waiting_messages_for_a_bigger_block():
    async with await Harness.create(builtins=PLUGIN, guild_config=guild()) as h:
        await h.tick()  # the first round's maintenance (rollups need every row) is done
        await h.send("How do I rotate the logs?", author=h.member(10))
        question = h.last
        await h.send("use logrotate", author=h.member(11), reply_to=question)
        h.advance(minutes=40)
        await h.tick()
        assert len(plugin(h)._pending) == 2  # nothing of the timer's round depended on them
        assert await answerers(h) == {question.message_id: 11}  # the writer's flush settles them


async def test_a_waiting_question_past_its_deadline_is_nudged_in_that_round():
    async with await Harness.create(builtins=PLUGIN, guild_config=guild(helpers_channel=HELPERS)) as h:
        await h.send("How do I rotate the logs?", author=h.member(10))
        question = h.last
        h.advance(minutes=31)
        [nudge] = [a for a in await h.tick() if isinstance(a, Reply)]
        assert question.jump_url in nudge.content and not plugin(h)._pending


async def test_a_waiting_answer_stops_the_nudge_of_a_due_question():
    async with await Harness.create(builtins=PLUGIN, guild_config=guild(helpers_channel=HELPERS)) as h:
        await h.send("How do I rotate the logs?", author=h.member(10))
        question = h.last
        plugin(h).settle()  # tracked before the answer arrives
        h.advance(minutes=31)
        await h.send("use logrotate", author=h.member(11), reply_to=question)
        assert [a for a in await h.tick() if isinstance(a, Reply)] == []
        assert await answerers(h) == {question.message_id: 11}


async def test_an_answer_waiting_when_the_timer_drops_old_questions_still_counts():
    async with await Harness.create(builtins=PLUGIN, guild_config=guild(open_question_max_age_hours=1)) as h:
        await h.send("How do I rotate the logs?", author=h.member(10))
        question = h.last
        plugin(h).settle()
        h.advance(minutes=59)
        await h.send("use logrotate", author=h.member(11), reply_to=question)  # within the hour
        h.advance(minutes=2)
        await h.tick()  # the question is now too old to track, but the answer came first
        assert await answerers(h) == {question.message_id: 11}
        assert h.guild_id not in plugin(h).questions or not plugin(h).questions[h.guild_id].open


async def test_a_message_does_not_answer_a_question_older_than_the_max_age():
    async with await Harness.create(builtins=PLUGIN, guild_config=guild(open_question_max_age_hours=1)) as h:
        asker = h.member(10)
        await h.send("How do I rotate the logs?", author=asker)
        question = h.last
        plugin(h).settle()
        h.advance(minutes=61)  # no timer round since: the question is still held in memory
        await h.send("use logrotate", author=h.member(11), reply_to=question)
        await h.send("still stuck, any ideas?", author=asker)  # no longer a bump of a tracked question
        bump = h.last
        assert await answerers(h) == {question.message_id: None, bump.message_id: None}
        assert await logged_questions(h) == [(question.message_id,), (bump.message_id,)]


QUESTIONS = ["How do I configure the {} plugin?", "Why does {} crash on start?", "Where are the {} docs?",
             "Can someone explain the {} setting?"]
CHAT = ["lol nice", "good morning", "that's a cool setup", "same here", "brb coffee"]
ANSWERS = ["try restarting {}", "set the {} option to true", "check the {} section of the docs"]
# the asker's own follow-ups: bumps, and "solved" statements (one the question heuristic misreads)
FOLLOW_UPS = ["anyone?", "still stuck, any ideas?", "nvm, figured it out", "hat sich erledigt", "thanks, that worked"]


async def _run(seed: int, config: dict, eager: bool, block: int | None = None) -> tuple:
    """A random help channel over five hours, the timer every minute; `eager` settles before each round
    (the timer's behaviour before it left waiting messages for later); `block` sets the block size."""
    rng = random.Random(seed)
    async with await Harness.create(builtins=PLUGIN, guild_config=guild(**config)) as h:
        eng = plugin(h)
        if block is not None:
            eng.pending_limit = block
        members = [h.member(10 + i) for i in range(8)]
        questions = []
        follow_ups: list[int] = []
        nudges = []
        for minute in range(300):
            for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
                h.advance(seconds=rng.randrange(1, 20))
                author = rng.choice(members)
                channel = rng.choice((100, 100, 200))
                roll = rng.random()
                if roll < 0.3:
                    await h.send(rng.choice(QUESTIONS).format(minute), author=author, channel_id=channel)
                    questions.append(h.last)
                elif roll < 0.42 and questions:
                    target = rng.choice(questions[-12:])
                    if target.author.id != author.id:
                        await h.send(rng.choice(ANSWERS).format(minute), author=author,
                                     channel_id=target.channel_id, reply_to=target)
                elif roll < 0.47 and questions:
                    target = rng.choice(questions[-12:])
                    await h.send(f"<@{target.author.id}> see the pinned guide", author=author,
                                 channel_id=target.channel_id, mention_ids=(target.author.id,))
                elif roll < 0.57 and questions:
                    asker = rng.choice(questions[-6:]).author  # answered or not, open or not
                    await h.send(rng.choice(FOLLOW_UPS), author=asker, channel_id=rng.choice((100, 200)))
                    questions.append(h.last)  # if it counts as a question, it can be answered
                    follow_ups.append(h.last.message_id)
                else:
                    await h.send(rng.choice(CHAT), author=author, channel_id=channel)
            h.advance(seconds=60 - h.now.second)
            if eager:
                eng.settle()
            nudges.append(sorted(a.content for a in await h.tick() if isinstance(a, Reply)))
        found = await answerers(h)
        eng.settle()
        still_open = sorted(eng.questions[h.guild_id].open) if h.guild_id in eng.questions else []
        logged = await h.engine.db.fetchall("SELECT message_id, is_question FROM eng_messages ORDER BY 1")
        # when each was answered (a thanked success dates its answer at the first reply)
        answered_at = await h.engine.db.fetchall("SELECT message_id, answered_at FROM eng_questions ORDER BY 1")
        return nudges, found, still_open, logged, follow_ups, answered_at


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("config", [
    {"open_question_max_age_hours": 1},  # nudges off
    {"open_question_max_age_hours": 1, "helpers_channel": HELPERS, "nudge_after_minutes": 20,
     "max_nudges_per_hour": 3, "max_questions_per_nudge": 2},
    {"open_question_max_age_hours": 2, "nudge_in_asker_channel": True, "nudge_after_minutes": 45,
     "max_nudges_per_hour": 5, "quiet_hours_start": 14, "quiet_hours_end": 15},
], ids=["off", "helpers-channel", "asker-channel-quiet-hours"])
async def test_settling_at_every_timer_round_or_later_gives_the_same_answers_and_nudges(seed, config):
    eager = await _run(seed, config, eager=True)
    lazy = await _run(seed, config, eager=False)
    one_by_one = await _run(seed, config, eager=False, block=1)
    nudges, found, still_open, logged, follow_ups, _ = lazy
    assert len(found) > 50 and any(v is not None for v in found.values()) and any(v is None for v in found.values())
    counted = dict(logged)
    # follow-ups judged both ways: bumps and statements of open questions, and questions of their own
    assert {counted[m] for m in follow_ups} == {0, 1}
    if "helpers_channel" in config or "nudge_in_asker_channel" in config:
        assert sum(map(len, nudges)) > 3  # the scenario does exercise the nudges
    assert lazy == eager
    assert lazy == one_by_one
