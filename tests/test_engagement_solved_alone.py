"""The asker saying their problem is gone ("nvm, figured it out") closes their question, as solved alone."""

import pytest

from bot.testing import Harness
from plugins.engagement._config import EngagementConfig
from plugins.engagement._questions import may_say_solved, says_solved
from tests.test_engagement_acknowledged import PLUGIN, answerers, cfg, nudged

SOLVED = [
    "nvm, figured it out", "never mind, it was a typo", "Nevermind I fixed it", "ok I fixed it, the port was wrong",
    "figured it out! had to restart the daemon", "finally got it working", "it's working now", "works now :)",
    "fixed it myself, thanks anyway", "nvm got it, thanks", "found the problem, wrong env var", "problem solved",
    "ya lo resolví", "já resolvi, era o cache", "hat sich erledigt", "c'est bon, j'ai trouvé",
]
OPEN = [
    "that fixed it!", "thanks, that fixed it", "fixed it, thanks all",  # someone helped: left to their thanks
    "I fixed it but now I get another error", "still not working", "I thought I fixed it", "didn't fix it",
    "not fixed yet", "nvm, still broken", "you fixed it?", "I never figured it out", "it works now but it's slow",
    "let me see if I fixed it", "it broke again", "any update?", "lol same",
]


@pytest.mark.parametrize("text", SOLVED)
def test_what_says_solved(text):
    assert may_say_solved(text) and says_solved(text)


@pytest.mark.parametrize("text", OPEN)
def test_what_leaves_the_question_open(text):
    assert not says_solved(text)


async def test_nvm_from_the_asker_closes_their_question_in_that_channel_only():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, other = h.member(10), h.member(11)
        await h.send("how do I reset my bot token?", author=asker)
        here = h.last
        await h.send("why does my webhook 404?", author=asker, channel_id=200)
        elsewhere = h.last
        await h.send("how do I pin a message?", author=other)
        someone_elses = h.last
        h.advance(minutes=4)
        await h.send("nvm, figured it out", author=asker)  # same block as the questions, no reply, no mention
        text = await nudged(h)
        assert here.jump_url not in text
        assert elsewhere.jump_url in text and someone_elses.jump_url in text
        found = await answerers(h)
        assert found[here.message_id] == asker.id  # logged as solved by the asker
        assert found[elsewhere.message_id] is None and found[someone_elses.message_id] is None


async def test_an_asker_still_stuck_or_asking_again_keeps_the_question_open():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, other = h.member(10), h.member(11)
        await h.send("how do I reset my bot token?", author=asker)
        question = h.last
        await h.send("nvm, figured it out", author=other)  # not the asker
        await h.send("I thought I fixed it but it still fails", author=asker)
        await h.send("nvm, how do I rotate it instead?", author=asker)  # a new question, not a resolution
        assert question.jump_url in await nudged(h)


async def test_a_question_closed_later_from_an_older_block():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker = h.member(10)
        await h.send("how do I reset my bot token?", author=asker)
        question = h.last
        plugin = h.engine.pm.get_plugin("engagement")
        plugin.settle()  # the question is now an open question from an earlier block
        h.advance(minutes=10)
        await h.send("got it working, the token had a trailing space", author=asker)
        response = await h.command("unanswered", h.member(12))
        assert response.text.startswith("No open questions")
        assert (await answerers(h))[question.message_id] == asker.id


async def test_the_report_counts_questions_solved_alone_apart_from_answers():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper = h.member(10), h.member(11)
        await h.send("how do I reset my bot token?", author=asker)
        h.advance(minutes=10)
        await h.send("nvm, found the problem", author=asker)
        await h.send("why does my webhook 404?", author=asker)
        h.advance(minutes=20)
        await h.send("the URL has a typo", author=helper, reply_to=h.last)
        h.advance(minutes=5)
        plugin = h.engine.pm.get_plugin("engagement")
        report = await plugin.report(h.guild_id, h.now, 30, EngagementConfig())
        q = report["questions"]
        assert q["asked"] == 2 and q["answered"] == 1 and q["solved_by_asker"] == 1
        assert q["median_answer_minutes"] == 20.0  # the asker's own 10 minutes are not an answer time
        assert q["unanswered_now"] == 0
