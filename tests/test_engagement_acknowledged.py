"""Answers given without Discord's reply: the asker's thanks, reply or ✅ says who answered."""

from bot.actions import Reply
from bot.testing import Harness

PLUGIN = ("plugins.engagement:Engagement",)
HELPERS = 555


def cfg(**engagement):
    return {"moderator_roles": [9], "plugins": {"engagement": {"helpers_channel": HELPERS, **engagement}}}


async def nudged(h: Harness) -> str:
    """The text of the nudges the timer posts half an hour on ("" when none)."""
    h.advance(minutes=31)
    return " ".join(a.content for a in await h.tick() if isinstance(a, Reply))


async def answerers(h: Harness) -> dict[int, int | None]:
    """Question id -> who answered it, as stored."""
    await h.engine.writer.flush()
    rows = await h.engine.db.fetchall("SELECT message_id, answerer_id FROM eng_questions")
    return {int(q): (int(a) if a is not None else None) for q, a in rows}


async def test_the_askers_thanks_to_someone_answers_the_question():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper, other = h.member(10), h.member(11), h.member(12)
        await h.send("how do I reset my bot token?", author=asker)
        question = h.last
        await h.send("Where is the changelog?", author=other)
        unrelated = h.last
        h.advance(minutes=3)
        await h.send("developer portal, Bot tab, Reset Token", author=helper)  # no reply, no mention
        h.advance(minutes=2)
        await h.send(f"thanks <@{helper.id}>, that fixed it!", author=asker, mention_ids=(helper.id,))
        text = await nudged(h)
        assert question.jump_url not in text and unrelated.jump_url in text
        found = await answerers(h)
        assert found[question.message_id] == helper.id and found[unrelated.message_id] is None


async def test_the_askers_reply_to_an_answer_answers_the_question():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper = h.member(10), h.member(11)
        await h.send("why does my bot not see message content?", author=asker)
        question = h.last
        await h.send("enable the message content intent", author=helper)
        await h.send("oh right, got it", author=asker, reply_to=h.last)
        assert question.jump_url not in await nudged(h)
        assert (await answerers(h))[question.message_id] == helper.id


async def test_the_askers_check_mark_answers_the_question():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper, other = h.member(10), h.member(11), h.member(12)
        await h.send("how do I make a slash command?", author=asker)
        question = h.last
        await h.send("use app_commands.command", author=helper)
        answer = h.last
        await h.react(answer, other)  # someone else's ✅ says nothing about the asker's question
        await h.react(answer, asker, "😂")  # nor does the asker's laugh
        assert question.jump_url in await nudged(h)
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper = h.member(10), h.member(11)
        await h.send("how do I make a slash command?", author=asker)
        question = h.last
        await h.send("use app_commands.command", author=helper)
        await h.react(h.last, asker)
        assert question.jump_url not in await nudged(h)
        assert (await answerers(h))[question.message_id] == helper.id


async def test_asking_someone_or_reacting_to_oneself_is_not_an_answer():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper = h.member(10), h.member(11)
        await h.send("how do I set up the webhook?", author=asker)
        question = h.last
        await h.send(f"<@{helper.id}> can you help with this?", author=asker, mention_ids=(helper.id,))
        await h.react(question, asker)
        assert question.jump_url in await nudged(h)


async def test_an_acknowledgement_only_answers_questions_in_its_channel():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper = h.member(10), h.member(11)
        await h.send("how do I deploy this on fly.io?", author=asker, channel_id=200)
        elsewhere = h.last
        await h.send(f"thanks <@{helper.id}>!", author=asker, mention_ids=(helper.id,), channel_id=300)
        assert elsewhere.jump_url in await nudged(h)


async def test_me_too_replies_leave_the_question_open():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, other, third, helper = h.member(10), h.member(11), h.member(12), h.member(13)
        await h.send("why does pip fail with a resolver error?", author=asker)
        question = h.last
        await h.send("same problem here", author=other, reply_to=question)
        await h.send("+1", author=third, reply_to=question)
        await h.send("having the same issue!!", author=helper, reply_to=question)
        await h.send(f"<@{asker.id}> same problem here", author=other, mention_ids=(asker.id,))
        assert question.jump_url in await nudged(h)
        await h.send("pin the old resolver: pip install --use-deprecated=legacy-resolver", author=helper,
                     reply_to=question)
        assert (await answerers(h))[question.message_id] == helper.id


async def test_an_askers_ordinary_message_keeps_the_question_open():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker = h.member(10)
        await h.send("how do I get the bot to see member joins?", author=asker)
        question = h.last
        await h.send("I tried enabling intents in the portal already", author=asker)
        assert question.jump_url in await nudged(h)


FORUM, POST = 301, 300


async def test_a_forum_post_asks_in_its_title_or_by_being_in_a_help_forum():
    post = {"channel_id": POST, "message_id": POST, "parent_channel_id": FORUM, "is_thread": True,
            "is_forum_post": True, "thread_owner_id": 10}
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker = h.member(10)
        await h.send("Here is my compose file and the log.", author=asker, thread_name="How do I cache Docker layers on CI?",
                     **post)
        assert h.last.jump_url in await nudged(h)
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker = h.member(10)
        await h.send("Here is my compose file and the log.", author=asker, thread_name="Docker cache on CI", **post)
        assert h.last.jump_url not in await nudged(h)  # a showcase-like title, in an ordinary forum
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg(help_forums=[FORUM])) as h:
        asker = h.member(10)
        await h.send("Here is my compose file and the log.", author=asker, thread_name="Docker cache on CI", **post)
        assert h.last.jump_url in await nudged(h)


async def test_an_acknowledgement_answers_only_what_came_before_it_here_and_not_from_bots():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper, ticket_bot = h.member(10), h.member(11), h.member(99, bot=True)
        await h.send("how do I reset my password?", author=asker)
        q1 = h.last
        await h.send("Tip: react below to open a support ticket", author=ticket_bot)
        bot_message = h.last  # posted after q1: only being a bot's keeps it from answering
        await h.send("settings > account > reset", author=helper)
        answer = h.last
        await h.send("how do I change my email too?", author=asker)
        q2 = h.last
        await h.react(bot_message, asker)  # a bot's message: not an answer
        h.engine.pm.get_plugin("engagement").settle()
        assert q1.message_id in h.engine.pm.get_plugin("engagement").questions[h.guild_id].open
        await h.send("thx, that did it", author=asker, reply_to=answer)  # answers q1, asked before the answer
        text = await nudged(h)
        assert q1.jump_url not in text and q2.jump_url in text
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper = h.member(10), h.member(11)
        await h.send("old tip: clear the cache first", author=helper)
        old = h.last
        await h.send("how do I fix the build cache?", author=asker)
        question = h.last
        await h.react(old, asker)  # ✅ on a message from before the question
        await h.send(f"thanks <@{helper.id}>", author=asker, mention_ids=(helper.id,), channel_id=201)  # elsewhere
        assert question.jump_url in await nudged(h)


async def test_thanks_that_say_idk_how_are_not_questions():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        asker, helper = h.member(10), h.member(11)
        await h.send("how do I reset my token?", author=asker)
        question = h.last
        await h.send(f"thanks <@{helper.id}>! idk how I missed that", author=asker, mention_ids=(helper.id,))
        text = await nudged(h)
        assert question.jump_url not in text and h.last.jump_url not in text
