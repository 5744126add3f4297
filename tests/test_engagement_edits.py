"""An edit that turns a message into a question ("my bot crashes" -> "my bot crashes, any idea why?")."""

from dataclasses import replace

from bot.actions import Reply
from bot.events import MessageEdited
from bot.testing import Harness
from tests.test_engagement_acknowledged import PLUGIN, answerers, cfg, nudged


async def questions_logged(h: Harness) -> dict[int, int]:
    await h.engine.writer.flush()
    return dict(await h.engine.db.fetchall("SELECT message_id, is_question FROM eng_messages"))


async def edited_into_a_question(h: Harness):
    """A statement, edited 20 minutes later into a question; the message."""
    await h.send("my bot crashes on startup", author=h.member(10))
    statement = h.last
    h.advance(minutes=20)
    await h.edit(statement, "my bot crashes on startup, any idea why?")
    return statement


async def test_a_statement_edited_into_a_question_is_tracked_from_the_edit():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        statement = await edited_into_a_question(h)
        listed = (await h.command("unanswered", h.member(12))).text
        assert statement.jump_url in listed
        assert (await questions_logged(h))[statement.message_id] == 1  # the daily figures count it
        assert await answerers(h) == {statement.message_id: None}


async def test_the_deadline_of_an_edited_question_counts_from_the_edit():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        statement = await edited_into_a_question(h)
        h.advance(minutes=15)
        assert statement.jump_url not in " ".join(a.content for a in await h.tick() if isinstance(a, Reply))
        assert statement.jump_url in await nudged(h)  # 46 minutes after the edit


async def test_a_reply_after_the_edit_answers_it():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper = h.member(10), h.member(11)
        await h.send("my bot crashes on startup", author=asker)
        statement = h.last
        await h.edit(statement, "my bot crashes on startup, any idea why?")
        h.advance(minutes=2)
        await h.send("check the token in your .env", author=helper, reply_to=statement)
        assert statement.jump_url not in await nudged(h)
        assert (await answerers(h))[statement.message_id] == helper.id


async def test_edits_that_change_nothing_about_the_question_do_not_track_it_again():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper = h.member(10), h.member(11)
        await h.send("How do I rotate the logs?", author=asker)
        question = h.last
        await h.send("use logrotate", author=helper, reply_to=question)
        h.advance(minutes=5)
        await h.edit(question, "How do I rotate the logs daily?")  # already a question, and answered
        await h.send("good morning all", author=asker)
        chat = h.last
        await h.edit(chat, "good morning everyone")  # not a question before or after
        assert await nudged(h) == ""
        assert (await answerers(h)) == {question.message_id: helper.id}
        assert (await questions_logged(h))[chat.message_id] == 0


async def test_an_edit_whose_old_text_is_unknown_changes_nothing():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        await h.send("my bot crashes on startup", author=h.member(10))
        after = replace(h.last, content="my bot crashes on startup, any idea why?", edited_at=h.now)
        await h.dispatch(MessageEdited(after=after, at=h.now, before=None))  # not cached: was it one already?
        assert await nudged(h) == "" and await answerers(h) == {}
        assert not h.engine.caller.faults


async def test_an_edit_of_a_message_from_a_day_whose_figures_are_final_changes_nothing():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        await h.send("the build is broken", author=h.member(10))
        old = h.last
        h.advance(days=2)
        await h.edit(old, "the build is broken, does anyone know why?")
        assert await nudged(h) == "" and await answerers(h) == {}


async def test_a_bots_edit_changes_nothing():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        await h.send("deploying now", author=h.member(50, bot=True))
        await h.edit(h.last, "deploying now, any objections?")
        assert await nudged(h) == "" and await answerers(h) == {}
