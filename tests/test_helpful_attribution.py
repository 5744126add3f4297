"""Who gets credit: conversation fixtures for thanks, mark reactions, the context menu and /solved."""

from __future__ import annotations

from typing import Any

from bot.actions import Audit, React, TagThread
from bot.commands import CommandKind
from bot.testing import Harness

PLUGIN = "plugins.helpful_answers:HelpfulAnswers"
FORUM = 500
POST = 501


def credits(actions) -> list[tuple[int, int, str, int]]:
    """(giver, receiver, kind, points) of the reputation audits among actions."""
    return [(a.data["giver_id"], a.data["receiver_id"], a.data["kind"], a.data["points"])
            for a in actions if isinstance(a, Audit) and a.topic == "reputation"]


def forum_post(owner) -> dict[str, Any]:
    """The message fields of a post in the forum FORUM that `owner` opened."""
    return {"channel_id": POST, "parent_channel_id": FORUM, "is_thread": True, "is_forum_post": True,
            "thread_owner_id": owner.id}


async def harness(**config: Any) -> Harness:
    block = {"min_giver_messages": 0, **config}
    return await Harness.create(builtins=(PLUGIN,), guild_config={"moderator_roles": [9],
                                                                  "plugins": {"helpful_answers": block}})


async def test_thanks_by_mention_credits_the_mentioned_member() -> None:
    async with await harness() as h:
        asker = h.member(1)
        actions = await h.send("thanks <@2>, that did it", asker, mention_ids=(2,))
        assert credits(actions) == [(1, 2, "thanks", 1)]
        assert any(isinstance(a, React) and a.message_id == h.last.message_id for a in actions)
        assert not [a for a in actions if a.kind == "reply"]  # quiet: never a channel message


async def test_solving_it_alone_credits_nobody_around() -> None:
    async with await harness() as h:
        asker, bystander = h.member(1), h.member(2)
        await h.send("how do I enable the members intent?", asker)
        await h.send("morning all", bystander)
        assert credits(await h.send("nvm, figured it out myself. thanks", asker)) == []
        h.advance(hours=1)
        await h.send("how do I enable the members intent?", asker)
        await h.send("portal > bot > privileged intents", bystander)
        assert credits(await h.send("that worked, thanks", asker)) == [(1, 2, "thanks", 1)]


async def test_of_several_mentioned_only_those_who_took_part_are_credited() -> None:
    async with await harness() as h:
        asker, helper, other, mod = h.member(1), h.member(2), h.member(3), h.member(4)
        await h.send("why does my bot not start?", asker)
        await h.send("check your token", helper)
        await h.send("and the intents", other)
        actions = await h.send(f"that did the trick, thanks <@{helper.id}>! <@{mod.id}> you can close this",
                               asker, mention_ids=(helper.id, mod.id))
        assert credits(actions) == [(1, 2, "thanks", 1)]
        h.advance(hours=13)
        both = await h.send(f"thanks <@{helper.id}> and <@{other.id}>!", asker, mention_ids=(helper.id, other.id))
        assert sorted(credits(both)) == [(1, 2, "thanks", 1), (1, 3, "thanks", 1)]
        h.advance(hours=13)  # nobody mentioned spoke here lately: thanks for help elsewhere still counts
        await h.send("back again", asker)
        later = await h.send(f"thanks <@{mod.id}> and <@{other.id}> for yesterday", asker, mention_ids=(mod.id, other.id))
        assert sorted(credits(later)) == [(1, 3, "thanks", 1), (1, 4, "thanks", 1)]


async def test_the_author_replied_to_keeps_the_credit_however_old_the_answer() -> None:
    async with await harness() as h:
        asker, helper, other = h.member(1), h.member(2), h.member(3)
        await h.send("why does my bot not start?", asker)
        await h.send("check your token", helper)
        answer = h.last
        h.advance(minutes=70)
        await h.send("anyone up for a game?", other)
        actions = await h.send(f"that did it, thanks! <@{other.id}> sure", asker, reply_to=answer,
                               mention_ids=(other.id,))
        assert (1, 2, "thanks", 1) in credits(actions)


async def test_thanks_by_reply_credits_the_replied_to_author() -> None:
    async with await harness() as h:
        asker, helper = h.member(1), h.member(2)
        await h.send("how do I pin a dependency?", asker)
        h.advance(30)
        await h.send("use == in requirements.txt", helper)
        answer = h.last
        h.advance(30)
        actions = await h.send("ty!", asker, reply_to=answer)
        assert credits(actions) == [(1, 2, "thanks", 1)]


async def test_thanks_without_target_credits_who_answered_the_asker() -> None:
    async with await harness() as h:
        asker, helper, other = h.member(1), h.member(2), h.member(3)
        await h.send("why does my bot not see message content?", asker)
        question = h.last
        h.advance(60)
        await h.send("you need the message content intent", helper, reply_to=question)
        h.advance(60)
        actions = await h.send("thank you so much!", asker)
        assert credits(actions) == [(1, 2, "thanks", 1)]
        assert other.id not in [c[1] for c in credits(actions)]


async def test_reply_to_own_question_falls_back_to_the_helpers() -> None:
    async with await harness() as h:
        asker, helper = h.member(1), h.member(2)
        await h.send("how do I list open ports?", asker)
        question = h.last
        await h.send("ss -tlnp", helper, reply_to=question)
        assert credits(await h.send("solved, thanks all", asker, reply_to=question)) == [(1, 2, "thanks", 1)]


async def test_a_new_question_thanking_in_advance_credits_nobody() -> None:
    async with await harness() as h:
        asker, helper = h.member(1), h.member(2)
        await h.send("why does my bot not see message content?", asker)
        await h.send("you need the message content intent", helper, reply_to=h.last)
        h.advance(60)
        actions = await h.send("and how do I enable it in the portal? thanks in advance", asker)
        assert credits(actions) == []


async def test_no_credit_when_nobody_answered() -> None:
    async with await harness() as h:
        asker = h.member(1)
        await h.send("anyone know how to rotate logs?", asker)
        h.advance(120)
        assert credits(await h.send("nvm found it, thanks anyway", asker)) == []


async def test_answers_outside_the_window_do_not_count() -> None:
    async with await harness(answer_window_minutes=10) as h:
        asker, helper = h.member(1), h.member(2)
        await h.send("how do I rebase?", asker)
        await h.send("git rebase -i", helper, reply_to=h.last)
        h.advance(minutes=30)
        assert credits(await h.send("thanks!", asker)) == []


async def test_busy_channel_with_interleaved_conversations() -> None:
    async with await harness(max_receivers=3) as h:
        a, b, c, d, e = (h.member(i) for i in range(1, 6))
        await h.send("how do I center a div?", a)
        qa = h.last
        h.advance(10)
        await h.send("what's the best postgres backup tool?", b)
        qb = h.last
        h.advance(10)
        await h.send("flexbox: justify-content and align-items", c, reply_to=qa)
        h.advance(10)
        await h.send("pg_dump for small ones, pgbackrest for big ones", d, reply_to=qb)
        h.advance(10)
        await h.send("unrelated: anyone playing tonight?", e)
        h.advance(10)
        assert credits(await h.send("thanks, that worked", a)) == [(1, 3, "thanks", 1)]
        h.advance(10)
        assert credits(await h.send("thx!", b)) == [(2, 4, "thanks", 1)]


async def test_busy_channel_without_direct_answers_credits_nobody() -> None:
    async with await harness() as h:
        a, c, d = h.member(1), h.member(3), h.member(4)
        await h.send("how do I center a div?", a)
        h.advance(10)
        await h.send("flexbox", c)
        h.advance(10)
        await h.send("anyone seen the new release?", d)
        h.advance(10)
        assert credits(await h.send("thanks!", a)) == []


async def test_quiet_channel_single_helper_without_reply_is_credited() -> None:
    async with await harness() as h:
        a, c = h.member(1), h.member(3)
        await h.send("how do I center a div?", a)
        h.advance(10)
        await h.send("use flexbox", c)
        h.advance(10)
        assert credits(await h.send("thanks!", a)) == [(1, 3, "thanks", 1)]


async def test_most_recent_helpers_first_and_capped() -> None:
    async with await harness(max_receivers=2) as h:
        asker = h.member(1)
        await h.send("my docker build fails with exit code 137", asker)
        question = h.last
        for helper in (2, 3, 4):
            h.advance(20)
            await h.send("probably out of memory", h.member(helper), reply_to=question)
        h.advance(20)
        got = credits(await h.send("thanks everyone!", asker))
        assert [c[1] for c in got] == [4, 3]


async def test_forum_post_thanks_credit_participants() -> None:
    async with await harness() as h:
        owner, helper = h.member(1), h.member(2)
        post = forum_post(owner)
        await h.send("Install fails on Windows", owner, **post)
        h.advance(60)
        await h.send("run the installer as admin", helper, **post)
        h.advance(60)
        assert credits(await h.send("thanks, that worked!", owner, **post)) == [(1, 2, "thanks", 1)]


async def test_thanking_a_bot_earns_nobody_credit() -> None:
    async with await harness() as h:
        asker, helper, bot = h.member(1), h.member(2), h.member(99, bot=True)
        await h.send("how do I get the docs link?", asker)
        await h.send("sure", helper, reply_to=h.last)
        await h.send("docs: https://example.org", bot, reply_to=h.last)
        bot_message = h.last
        assert credits(await h.send("thanks!", asker, reply_to=bot_message)) == []
        assert credits(await h.send("thanks <@99>", asker, mention_ids=(99,))) == []


async def test_bots_never_give_credit() -> None:
    async with await harness() as h:
        bot = h.member(99, bot=True)
        assert credits(await h.send("thanks <@2>", bot, mention_ids=(2,))) == []


async def test_self_thanks_and_guarded_thanks_do_not_count() -> None:
    async with await harness() as h:
        asker = h.member(1)
        assert credits(await h.send("thanks <@1>", asker, mention_ids=(1,))) == []
        assert credits(await h.send("thanks <@2> but it still fails", asker, mention_ids=(2,))) == []
        assert credits(await h.send("> thanks <@2>\nthat's what they said", asker, mention_ids=(2,))) == []


async def test_mark_reaction_by_the_asker_credits_the_answer() -> None:
    async with await harness() as h:
        asker, helper, bystander = h.member(1), h.member(2), h.member(3)
        await h.send("how do I undo a commit?", asker)
        await h.send("git reset --soft HEAD~1", helper, reply_to=h.last)
        answer = h.last
        assert credits(await h.react(answer, bystander)) == []  # not the asker
        assert credits(await h.react(answer, asker, "👍")) == []  # not the mark emoji
        assert credits(await h.react(answer, asker)) == [(1, 2, "reaction", 1)]


async def test_mark_reaction_on_a_plain_message_needs_it_to_follow_the_askers_own() -> None:
    async with await harness() as h:
        asker, helper, other, host = h.member(1), h.member(2), h.member(3), h.member(4)
        await h.send("how do I undo a commit?", asker)
        await h.send("git reset --soft HEAD~1", helper)  # no reply: right after the asker
        answer = h.last
        await h.send("anyone up for the game night?", other)
        await h.send("Game night on Friday! React with ✅ if you're in", host)
        announcement = h.last
        assert credits(await h.react(announcement, asker)) == []  # an RSVP, someone else spoke in between
        assert credits(await h.react(answer, asker)) == [(1, 2, "reaction", 1)]


async def test_mark_as_helpful_context_menu() -> None:
    async with await harness() as h:
        asker, helper = h.member(1), h.member(2)
        await h.send("here is how: ...", helper)
        answer = h.last
        response = await h.command("Mark as helpful", asker, kind=CommandKind.MESSAGE_MENU.value, target=answer)
        assert "credited" in response.text and response.ephemeral
        assert credits(h.executor.actions) == [(1, 2, "mark", 2)]
        again = await h.command("Mark as helpful", asker, kind=CommandKind.MESSAGE_MENU.value, target=answer)
        assert "already credited" in again.text or "cooldown" in again.text
        own = await h.command("Mark as helpful", helper, kind=CommandKind.MESSAGE_MENU.value, target=answer)
        assert "own message" in own.text


async def test_forum_solution_by_context_menu_tags_the_post() -> None:
    async with await harness() as h:
        owner, helper = h.member(1), h.member(2)
        post = forum_post(owner)
        await h.send("Install fails on Windows", owner, **post)
        await h.send("run the installer as admin", helper, **post)
        answer = h.last
        response = await h.command("Mark as helpful", owner, kind=CommandKind.MESSAGE_MENU.value, target=answer,
                                   channel_id=POST)
        assert [a.tag_name for a in response.actions if isinstance(a, TagThread)] == ["Solved"]
        assert credits(response.actions) == [(1, 2, "solution", 3)]


async def test_a_solution_after_thanks_tops_the_credit_up_but_nothing_goes_back() -> None:
    async with await harness() as h:
        owner, helper = h.member(1), h.member(2)
        post = forum_post(owner)
        await h.send("Install fails on Windows", owner, **post)
        await h.send("run the installer as admin", helper, **post)
        answer = h.last
        assert credits(await h.send("that was it, thank you!", owner, **post)) == [(1, 2, "thanks", 1)]
        assert credits(await h.react(answer, owner)) == []  # worth no more than the thanks: within the cooldown
        response = await h.command("Mark as helpful", owner, kind=CommandKind.MESSAGE_MENU.value, target=answer,
                                   channel_id=POST)
        assert credits(response.actions) == [(1, 2, "solution", 2)]  # 1 + 2 = the solution's 3 points
        plugin = h.engine.pm.get_plugin("helpful_answers")
        assert await plugin.ledger.points(h.guild_id, helper.id) == 3
        again = await h.command("solved", owner, channel_id=POST)
        assert credits(again.actions) == []  # already credited
        thanks_back = await h.send(f"thanks <@{owner.id}> for the logs", helper, mention_ids=(owner.id,), **post)
        assert credits(thanks_back) == []  # the pair cooldown still works both ways


async def test_an_upgrade_waits_when_credit_went_the_other_way() -> None:
    async with await harness() as h:
        owner, helper = h.member(1), h.member(2)
        post = forum_post(owner)
        await h.send("Install fails on Windows", owner, **post)
        await h.send(f"thanks for the log <@{owner.id}>! run the installer as admin", helper,
                     mention_ids=(owner.id,), **post)
        response = await h.command("solved", owner, channel_id=POST, member=helper)
        assert credits(response.actions) == [] and "cooldown" in response.text


async def test_solved_command_credits_latest_helper_and_checks_the_owner() -> None:
    async with await harness(solved_tag="Resolved") as h:
        owner, helper, stranger = h.member(1), h.member(2), h.member(3)
        post = forum_post(owner)
        await h.send("Install fails on Windows", owner, **post)
        await h.send("run the installer as admin", helper, **post)
        refused = await h.command("solved", stranger, channel_id=POST)
        assert "author" in refused.text and not refused.actions
        response = await h.command("solved", owner, channel_id=POST)
        assert credits(response.actions) == [(1, 2, "solution", 3)]
        assert any(isinstance(a, TagThread) and a.thread_id == POST and a.tag_name == "Resolved"
                   for a in response.actions)
        outside = await h.command("solved", owner)
        assert "forum post" in outside.text


def test_hot_path_is_synchronous_and_bounded() -> None:
    from datetime import UTC, datetime, timedelta

    from bot.events import Member, Message, MessageCreated
    from plugins.helpful_answers import HelpfulAnswers, HelpfulAnswersConfig

    plugin = HelpfulAnswers()
    plugin.creditor = object()  # as if storage were available
    config = HelpfulAnswersConfig(tracked_messages=100)
    start = datetime(2026, 1, 5, tzinfo=UTC)
    author = Member(id=1, joined_at=start - timedelta(days=30))
    for i in range(500):
        event = MessageCreated(Message(guild_id=1, channel_id=100, message_id=i, author=author,
                                       content="did you try restarting it?", created_at=start + timedelta(seconds=i)))
        assert plugin.pitchfree_message(event, config) is None
    assert len(plugin._pending) < plugin.pending_limit  # settled in blocks, never more waiting
    conv = plugin.conversation(1, config)  # settles the rest
    assert len(conv.messages) == 100 and conv.members[1].messages == 500 and not plugin._pending
    thanks = MessageCreated(Message(guild_id=1, channel_id=100, message_id=999, author=author,
                                    content="thanks <@2>", created_at=start, mention_ids=(2,)))
    pending = plugin.pitchfree_message(thanks, config)
    assert pending is not None and hasattr(pending, "__await__")
    pending.close()


def test_tracked_messages_drop_the_oldest_and_deleted_ones_free_their_place() -> None:
    from datetime import UTC, datetime, timedelta

    from bot.events import Member, Message
    from plugins.helpful_answers._attribution import Conversations

    conv = Conversations(5)
    start = datetime(2026, 1, 5, tzinfo=UTC)
    author = Member(id=1, joined_at=start)

    def post(i: int) -> None:
        conv.observe(Message(guild_id=1, channel_id=100, message_id=i, author=author, content="hi",
                             created_at=start + timedelta(seconds=i)))

    for i in range(8):
        post(i)
    assert list(conv.messages) == [3, 4, 5, 6, 7]
    conv.forget(5)
    post(8)
    assert list(conv.messages) == [3, 4, 6, 7, 8]
    post(9)
    assert list(conv.messages) == [4, 6, 7, 8, 9]
    assert [seen[0] for seen in conv.channels[100]] == [0, 1, 2, 3, 4, 6, 7, 8, 9]


async def test_a_mid_word_ty_is_not_classified_and_a_thanks_still_credits(monkeypatch) -> None:
    """The hook's precheck: "pretty" and "city" hold the stem "ty" but no word starting with it."""
    from plugins.helpful_answers import GratitudeDetector

    real = GratitudeDetector.classify
    classified: list[str] = []
    monkeypatch.setattr(GratitudeDetector, "classify", lambda self, text: classified.append(text) or real(self, text))
    async with await harness() as h:
        asker, helper = h.member(1), h.member(2)
        await h.send("why does my bot not start?", asker)
        await h.send("check your token", helper)
        assert credits(await h.send("pretty sure that's the city's wifi", asker)) == []
        assert classified == []
        assert credits(await h.send("that was it, ty", asker)) == [(1, 2, "thanks", 1)]
        assert classified == ["that was it, ty"]
