"""The asker thanking for a success without naming anyone ("that fixed it, thanks all"): answered by someone."""

import random

import pytest

from bot.testing import Harness
from plugins.engagement._config import EngagementConfig
from plugins.engagement._followups import HELPED, SOLVED_ALONE, closing, may_say_helped, says_helped
from tests.test_engagement_acknowledged import PLUGIN, answerers, cfg, nudged

HELPED_TEXTS = [
    "thanks everyone, it works now", "that fixed it, thanks all", "thanks, that worked", "ty, that did it",
    "fixed it, thanks all", "thx! your suggestion fixed it", "Thanks guys, that did the trick",
    "works now, thank you!", "that helped, thanks", "cheers, working now",
    "thank you so much, the second command worked", "thanks, now it works",
]
NOT_HELPED = [
    "thanks anyway, it works now", "thanks, I'll try that", "thanks, but it still fails", "thanks in advance",
    "thanks for the link", "that worked for the first part, thanks", "thanks, that didn't work",
    "thanks! no luck though", "ty, will check if that works", "thanks, it works now but it's slow",
    "thanks, I think that fixed it", "thank you, that never worked for me", "pretty sure that worked",
    "that fixed it", "thanks, the update fixed it for others", "> thanks, that worked\nnope, same error",
]


@pytest.mark.parametrize("text", HELPED_TEXTS)
def test_what_thanks_for_a_success(text):
    assert closing(text) is HELPED


@pytest.mark.parametrize("text", NOT_HELPED)
def test_what_does_not(text):
    assert closing(text) is not HELPED


def test_solved_alone_wins_over_thanks():
    assert closing("nvm, figured it out, thanks anyway") is SOLVED_ALONE


def test_the_gate_never_hides_a_thanked_success():
    rng = random.Random(11)
    thanks = ["thanks", "Thank you", "thx", "ty", "cheers", "much appreciated", "TYSM"]
    successes = ["that fixed it", "it works now", "that did the trick", "the restart worked", "working now"]
    for _ in range(3000):
        parts = [rng.choice(thanks), rng.choice(successes)]
        rng.shuffle(parts)
        text = rng.choice(["", "ok ", "> quote\n"]) + rng.choice([", ", "! ", " - "]).join(parts) + rng.choice(["", "!"])
        assert may_say_helped(text) or not says_helped(text), text


async def test_the_askers_thanks_for_a_success_answers_the_question_by_someone_unnamed():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper = h.member(10), h.member(11)
        await h.send("how do I reset my bot token?", author=asker)
        question = h.last
        await h.send("Where is the changelog?", author=h.member(12))
        other = h.last
        h.advance(minutes=3)
        await h.send("developer portal, Bot tab, Reset Token", author=helper)  # no reply, no mention
        h.advance(minutes=2)
        await h.send("thanks, that worked!", author=asker)
        text = await nudged(h)
        assert question.jump_url not in text and other.jump_url in text
        assert (await answerers(h))[question.message_id] is None  # answered; by whom is not known
        report = await h.engine.pm.get_plugin("engagement").report(h.guild_id, h.now, 30, EngagementConfig())
        assert report["questions"]["answered"] == 1 and report["questions"]["solved_by_asker"] == 0


async def test_thanks_that_closes_nothing():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker = h.member(10)
        await h.send("how do I reset my bot token?", author=asker)
        question = h.last
        await h.send("thanks, I'll try that", author=asker)  # not solved yet
        await h.send("thanks, that worked", author=h.member(11))  # not the asker
        await h.send("thanks, that worked", author=asker, channel_id=200)  # not where they asked
        assert question.jump_url in await nudged(h)


async def _answer_minutes(h: Harness, question) -> float | None:
    """Minutes from the question to its answer, as stored."""
    await h.engine.writer.flush()
    asked, answered = await h.engine.db.fetchone(
        "SELECT asked_at, answered_at FROM eng_questions WHERE message_id = ?", (question.message_id,))
    return None if answered is None else round((answered - asked) / 60, 3)


async def test_a_thanked_success_is_answered_when_somebody_else_first_replied():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper = h.member(10), h.member(11)
        await h.send("how do I reset my bot token?", author=asker)
        question = h.last
        h.advance(minutes=1)
        await h.send("I already tried restarting it", author=asker)  # the asker's own messages are no reply
        await h.send("Where is the changelog?", author=h.member(12))  # another question is no reply
        await h.send("welcome! I'm a bot", author=h.member(13, bot=True))  # nor is a bot's message
        h.advance(minutes=3)
        await h.send("developer portal, Bot tab, Reset Token", author=helper)  # 4 minutes in
        h.advance(minutes=20)
        await h.send("lol", author=h.member(14))
        await h.send("thanks, that worked!", author=asker)  # 24 minutes in
        assert await _answer_minutes(h, question) == 4.0


async def test_a_thanked_success_nobody_else_replied_to_is_answered_at_the_thanks():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker = h.member(10)
        await h.send("how do I reset my bot token?", author=asker)
        question = h.last
        await h.send("developer portal, Bot tab", author=h.member(11), channel_id=200)  # elsewhere
        h.advance(minutes=9)
        await h.send("thanks everyone, it works now", author=asker)
        assert await _answer_minutes(h, question) == 9.0


async def test_a_reply_before_the_question_does_not_date_its_answer():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper = h.member(10), h.member(11)
        await h.send("how do I reset my bot token?", author=asker)
        first = h.last
        h.advance(minutes=2)
        await h.send("the developer portal has it", author=helper)
        h.advance(minutes=5)
        await h.send("and how do I rotate the client secret?", author=asker)  # a second question
        second = h.last
        h.advance(minutes=10)
        await h.send("same page, OAuth2 tab", author=helper)  # its first reply: 10 minutes in
        h.advance(minutes=3)
        await h.send("thanks, that worked", author=asker)
        assert (await _answer_minutes(h, first), await _answer_minutes(h, second)) == (2.0, 10.0)  # not 20, 13
