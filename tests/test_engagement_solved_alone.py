"""The asker closing their own question ("nvm, figured it out"), and bumping it ("anyone?") without opening another."""

import random

import pytest

from bot.testing import Harness
from plugins.engagement._config import EngagementConfig
from plugins.engagement._followups import is_bump, may_say_solved, says_solved
from tests.test_engagement_acknowledged import PLUGIN, answerers, cfg, nudged

SOLVED = [
    "nvm, figured it out", "never mind, it was a typo", "Nevermind I fixed it", "ok I fixed it, the port was wrong",
    "figured it out! had to restart the daemon", "finally got it working", "it's working now", "works now :)",
    "fixed it myself, thanks anyway", "nvm got it, thanks", "found the problem, wrong env var", "problem solved",
    "ya lo resolví", "já resolvi, era o cache", "hat sich erledigt", "c'est bon, j'ai trouvé",
    "found the problem, it was a typo", "fixed it, the types were wrong",  # "ty" is not a thanks here
    "nvm, I didn't save the file", "figured it out, it wasn't the firewall",  # a negation that explains
    "ahh found the issue", "it's fixed now", "now it works", "issue resolved", "SOLVED", "nvm, wrong channel",
]
OPEN = [
    "that fixed it!", "thanks, that fixed it", "fixed it, thanks all",  # someone helped: left to their thanks
    "I fixed it but now I get another error", "still not working", "I thought I fixed it", "didn't fix it",
    "not fixed yet", "nvm, still broken", "you fixed it?", "I never figured it out", "it works now but it's slow",
    "let me see if I fixed it", "it broke again", "any update?", "lol same",
    # "nvm" is also Node Version Manager, and "never mind X" corrects oneself
    "installed node with nvm, same error", "nvm use 18 gives the same error", "nvm the typo, error persists",
    "never mind the logs, here's the full trace",
    # hedged, partial, or somebody else's success
    "I think I fixed it, testing now", "hopefully fixed it", "fixed it on linux, windows fails",
    "works now except the login", "found the problem, no idea how to fix it", "the update fixed it for others",
    "the docs say it works now", "your suggestion fixed it", "that finally fixed it", "you guys fixed it",
    # quoted or in code
    "> nvm, figured it out\nnope, same error here", "`works now` is what the docs promise, same error",
    # a second review: new trouble after "nvm,", partial or someone else's success, not done yet
    "never mind, the error came back", "nvm it's a different error now", "ok nvm it broke",
    "nvm, the issue is the database connection", "I fixed it, now I get a 403",
    "it's working now on localhost, not on heroku", "got it running, crashes after 5 min",
    "so it works now for my friend", "found the problem, no clue how to fix", "I fixed it once before, can't remember how",
    "I'll post here when I fixed it", "idk havent figured it out", "nobody here figured it out",
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


@pytest.mark.parametrize("text", ["anyone?", "any ideas?", "still need help with this", "can anyone help?", "??",
                                  "hello? anyone?", "still stuck, any ideas?",
                                  "jemand?", "noch jemand da?", "hilfe bitte?", "quelqu'un ?", "des idées ?",
                                  "¿alguien?", "¿Alguien me puede ayudar?", "alguém?", "qualcuno?", "iemand?",
                                  "¿¿??"])
def test_what_is_a_bump(text):
    assert is_bump(text)


@pytest.mark.parametrize("text", ["what about windows?", "does anyone know how to fix this on windows?",
                                  "any ideas why it fails?", "is it the firewall?", "как поменять аватар бота?",
                                  "anyone on 3.12?", "help with 429?",
                                  "机器人怎么设置头像？", "wie geht das unter windows?", "¿y en windows?",
                                  "l'erreur persiste ?", "jemand eine idee für python 3.12?"])
def test_what_is_a_new_question(text):
    assert not is_bump(text)


async def test_a_bump_under_ones_own_question_is_not_a_second_question():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper = h.member(10), h.member(11)
        await h.send("how do I reset my bot token?", author=asker)
        question = h.last
        h.advance(minutes=10)
        await h.send("still stuck, any ideas?", author=asker)
        bump = h.last
        await h.send(f"<@{helper.id}> any ideas?", author=asker, mention_ids=(helper.id,))  # asks: answers nothing
        h.advance(minutes=5)
        await h.send("any ideas?", author=asker, channel_id=200)  # no open question of theirs there: a question
        elsewhere = h.last
        await h.send("what about rotating it instead?", author=asker)  # a new question
        new = h.last
        text = await nudged(h)
        assert question.jump_url in text and elsewhere.jump_url in text and new.jump_url in text
        assert bump.jump_url not in text
        found = await answerers(h)
        assert bump.message_id not in found and found[question.message_id] is None
        rows = await h.engine.db.fetchall("SELECT message_id, is_question FROM eng_messages")
        assert dict(rows)[bump.message_id] == 0  # the daily figures do not count it either


async def test_a_reply_to_the_bump_answers_the_question():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper = h.member(10), h.member(11)
        await h.send("how do I reset my bot token?", author=asker)
        question = h.last
        await h.send("hello? anyone here?", author=asker)
        await h.send("developer portal, Bot tab", author=helper, reply_to=h.last)
        assert question.jump_url not in await nudged(h)
        assert (await answerers(h))[question.message_id] == helper.id


async def test_solved_in_the_questions_thread_or_in_reply_to_the_bots_nudge():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, bot = h.member(10), h.member(99, bot=True)
        await h.send("how do I reset my bot token?", author=asker)
        in_thread = h.last
        await h.send("why does my webhook 404?", author=asker, channel_id=200)
        nudged_one = h.last
        h.engine.pm.get_plugin("engagement").settle()
        await h.send("nvm, figured it out", author=asker, channel_id=in_thread.message_id,
                     parent_channel_id=in_thread.channel_id, is_thread=True)  # the thread started from it
        await h.send("Waiting 30 min for an answer. Can anyone help?", author=bot, channel_id=200, reply_to=nudged_one)
        await h.send("nvm, figured it out", author=asker, channel_id=200, reply_to=h.last)
        found = await answerers(h)
        assert found[in_thread.message_id] == asker.id and found[nudged_one.message_id] == asker.id


def test_the_gate_never_hides_a_solved_message():
    rng = random.Random(7)
    phrases = [*SOLVED, "it's working now", "got it to work", "solved", "found my mistake", "sorted it myself"]
    starts = ["", "ok ", "ahh ", "> a quote\n", "`x` ", "x" * 190 + " ", "\n"]
    ends = ["", "!", " :)", ", it was the port", "\n```\ncode\n```"]
    for _ in range(5000):
        text = rng.choice(starts) + rng.choice(phrases) + rng.choice(ends)
        text = text.upper() if rng.random() < 0.2 else text
        assert may_say_solved(text) or not says_solved(text), text


async def test_a_statement_the_question_heuristic_misreads_still_closes():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker = h.member(10)
        await h.send("wie kann ich den Bot-Token zurücksetzen?", author=asker)
        question = h.last
        await h.send("hat sich erledigt", author=asker)  # opens like a German question ("hat …")
        statement = h.last
        found = await answerers(h)
        assert found[question.message_id] == asker.id and statement.message_id not in found
