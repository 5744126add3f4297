"""Engagement settles messages in blocks: whatever reads its state sees every message, in order."""

from bot.testing import Harness

PLUGIN = ("plugins.engagement:Engagement",)
GUILD = {"moderator_roles": [9], "plugins": {"engagement": {}}}


def plugin(h):
    return h.engine.pm.get_plugin("engagement")


async def logged(h, sql):
    await h.engine.writer.flush()  # the flush settles waiting messages first
    return await h.engine.db.fetchall(sql)


async def test_messages_wait_for_their_block_and_settle_in_arrival_order():
    async with await Harness.create(builtins=PLUGIN, guild_config=GUILD) as h:
        asker, helper = h.member(10), h.member(11)
        await h.send("How do I rotate the logs?", author=asker)
        question = h.last
        await h.send("use logrotate with copytruncate", author=helper, reply_to=question)
        eng = plugin(h)
        assert len(eng._pending) == 2 and h.guild_id not in eng.questions  # queued, not yet settled
        rows = await logged(h, "SELECT message_id, is_question FROM eng_messages ORDER BY message_id")
        assert rows == [(question.message_id, 1), (h.last.message_id, 0)]
        assert not eng._pending
        answered = await logged(h, "SELECT answerer_id FROM eng_questions")
        assert answered == [(helper.id,)]  # the reply in the same block answered the question


async def test_a_full_block_settles_without_waiting_for_the_writer():
    async with await Harness.create(builtins=PLUGIN, guild_config=GUILD) as h:
        eng = plugin(h)
        eng.pending_limit = 3
        for i in range(3):
            await h.send(f"Is there a way to do thing {i}?", author=h.member(10 + i))
        assert not eng._pending and len(eng.questions[h.guild_id]) == 3


async def test_other_events_and_commands_see_the_waiting_messages():
    async with await Harness.create(builtins=PLUGIN, guild_config=GUILD) as h:
        asker, mod = h.member(10), h.member(90, roles=[9])
        await h.send("Why does my container exit immediately?", author=asker)
        question = h.last
        response = await h.command("unanswered", mod)
        assert question.jump_url in response.text  # the command settled the block first
        await h.send("Can someone explain retries?", author=asker)
        second = h.last
        await h.edit(second, "Can someone explain retry policies?")
        await h.delete(second)  # settles: the question is removed, not left open
        assert second.message_id not in plugin(h).questions[h.guild_id].open
        rows = await logged(h, "SELECT message_id, edited, deleted FROM eng_messages ORDER BY message_id")
        assert rows == [(question.message_id, 0, 0), (second.message_id, 1, 1)]
