"""The "don't ignore them" monitor: answers, nudge timing, rate limits, quiet hours, restarts."""

from datetime import timedelta

from bot.actions import Audit, Reply
from bot.testing import START, Harness

PLUGIN = ("plugins.engagement:Engagement",)
HELPERS = 555


def cfg(**engagement):
    return {"moderator_roles": [9], "plugins": {"engagement": {"helpers_channel": HELPERS, **engagement}}}


def replies(actions):
    return [a for a in actions if isinstance(a, Reply)]


async def test_nudge_after_the_deadline_once_with_a_jump_link():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg(helper_role=777)) as h:
        asker = h.member(10)
        await h.send("How do I reset my password?", author=asker)
        q = h.last
        h.advance(minutes=29)
        assert replies(await h.tick()) == []
        h.advance(minutes=1)
        actions = await h.tick()
        [nudge] = replies(actions)
        assert nudge.channel_id == HELPERS and nudge.content.startswith("<@&777> 1 question")
        assert q.jump_url in nudge.content and "30 min" in nudge.content
        [audit] = [a for a in actions if isinstance(a, Audit)]
        assert audit.topic == "engagement.nudge" and audit.data["message_id"] == q.message_id
        h.advance(minutes=10)
        assert replies(await h.tick()) == []


async def test_answers_by_someone_else_stop_the_nudge_but_self_replies_do_not():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        a, b, c = h.member(10), h.member(11), h.member(12)
        await h.send("Why is the bot offline?", author=a)
        by_reply = h.last
        await h.send("Where are the docs for plugins?", author=b)
        by_mention = h.last
        await h.send("Which version should I install?", author=c)
        self_only = h.last
        h.advance(minutes=5)
        await h.send("it restarts nightly", author=b, reply_to=by_reply)
        await h.send("look in the docs folder", author=a, mention_ids=(b.id,))
        await h.send("bump, still need this", author=c, reply_to=self_only)
        h.advance(minutes=30)
        [nudge] = replies(await h.tick())
        assert self_only.jump_url in nudge.content
        assert by_reply.jump_url not in nudge.content and by_mention.jump_url not in nudge.content


async def test_posting_in_the_question_thread_answers_it():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        a, b = h.member(10), h.member(11)
        # a forum post opened by the asker: its starter message has the thread's id
        await h.send("How do I configure the logging?", author=a, channel_id=300, message_id=300,
                     parent_channel_id=301, is_thread=True, is_forum_post=True, thread_owner_id=a.id)
        await h.send("Is there a dark mode setting?", author=a)
        in_channel = h.last
        h.advance(minutes=1)
        await h.send("any more details to share", author=a, channel_id=300, parent_channel_id=301,
                     is_thread=True, thread_owner_id=a.id)  # the asker themselves: not an answer
        await h.send("set level to debug", author=b, channel_id=300, parent_channel_id=301,
                     is_thread=True, thread_owner_id=a.id)
        # a thread started from the question has the question's id
        await h.send("yes, in settings", author=b, channel_id=in_channel.message_id, parent_channel_id=100,
                     is_thread=True, thread_owner_id=b.id)
        h.advance(minutes=40)
        assert replies(await h.tick()) == []
        assert (await h.command("unanswered", a)).text.startswith("No open questions")


async def test_per_channel_deadline_from_overrides():
    overrides = [{"when": {"channels": [200]}, "config": {"nudge_after_minutes": 5}},
                 {"when": {"channels": [400]}, "config": {"monitor_questions": False}}]
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg(overrides=overrides)) as h:
        a = h.member(10)
        await h.send("How do I deploy this on a VPS?", author=a, channel_id=200)
        fast = h.last
        await h.send("How do I deploy this on my laptop?", author=a, channel_id=100)
        slow = h.last
        await h.send("How do I deploy this on a raspberry?", author=a, channel_id=400)
        off = h.last
        h.advance(minutes=5)
        [first] = replies(await h.tick())
        assert fast.jump_url in first.content and slow.jump_url not in first.content
        h.advance(minutes=25)
        [second] = replies(await h.tick())
        assert slow.jump_url in second.content
        h.advance(hours=5)
        assert replies(await h.tick()) == []
        assert off.jump_url in (await h.command("unanswered", a)).text  # still listed, never nudged


async def test_rate_limit_per_rolling_hour():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg(
            max_nudges_per_hour=2, max_questions_per_nudge=1)) as h:
        for i in range(4):
            await h.send(f"How do I fix error number {i}?", author=h.member(10 + i))
        counts = []
        for minutes in (30, 1, 1, 57, 1, 1):  # ticks at +30, +31, +32, +89, +90, +91
            h.advance(minutes=minutes)
            counts.append(len(replies(await h.tick())))
    # two in the first hour; the slot from +30 frees at +90, the one from +31 at +91
    assert counts == [1, 1, 0, 0, 1, 1]


async def test_quiet_hours_in_the_community_timezone():
    guild = cfg(quiet_hours_start=22, quiet_hours_end=8)
    guild["timezone"] = "Europe/Berlin"  # UTC+1 in January
    async with await Harness.create(builtins=PLUGIN, guild_config=guild) as h:
        h.now = START.replace(hour=20, minute=50)  # 21:50 in Berlin
        await h.send("How do I renew the certificate?", author=h.member(10))
        h.advance(minutes=30)                      # 22:20 Berlin: quiet
        assert replies(await h.tick()) == []
        h.now = START.replace(hour=6, minute=59) + timedelta(days=1)  # 07:59 Berlin
        assert replies(await h.tick()) == []
        h.advance(minutes=1)                       # 08:00 Berlin
        assert len(replies(await h.tick())) == 1


async def test_never_in_the_askers_channel_unless_configured():
    no_helpers = {"plugins": {"engagement": {}}}
    async with await Harness.create(builtins=PLUGIN, guild_config=no_helpers) as h:
        await h.send("How do I change my nickname?", author=h.member(10))
        h.advance(minutes=45)
        assert await h.tick() == []
    in_channel = {"plugins": {"engagement": {"nudge_in_asker_channel": True}}}
    async with await Harness.create(builtins=PLUGIN, guild_config=in_channel) as h:
        await h.send("How do I change my nickname?", author=h.member(10))
        q = h.last
        h.advance(minutes=45)
        [nudge] = replies(await h.tick())
        assert (nudge.channel_id, nudge.reply_to_message_id) == (q.channel_id, q.message_id)


async def test_deleted_and_expired_questions_are_not_nudged():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg(
            nudge_after_minutes=120, open_question_max_age_hours=1)) as h:
        await h.send("How do I get the admin role?", author=h.member(10))
        await h.delete(h.last)
        await h.send("What happened to the old channel?", author=h.member(11))
        h.advance(minutes=121)  # older than the 1 h tracking limit by now
        assert replies(await h.tick()) == []
        assert (await h.command("unanswered", h.member(11))).text.startswith("No open questions")


async def test_open_questions_survive_a_restart(tmp_path):
    db = str(tmp_path / "pf.db")
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg(), db=db) as h:
        await h.send("How do I export my data?", author=h.member(10))
        open_q = h.last
        await h.send("Why did my message vanish?", author=h.member(11))
        await h.send("automod removed it", author=h.member(12), reply_to=h.last)
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg(), db=db) as h:
        h.advance(minutes=30)
        [nudge] = replies(await h.tick())
        assert open_q.jump_url in nudge.content and nudge.content.startswith("1 question")
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg(), db=db) as h:
        h.advance(minutes=60)
        assert replies(await h.tick()) == []  # already nudged before the restart


async def test_unanswered_lists_age_and_links_oldest_first():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        a = h.member(10)
        await h.send("How do I link my account?", author=a, channel_id=200)
        first = h.last
        h.advance(minutes=20)
        await h.send("Where is the changelog?", author=a)
        second = h.last
        h.advance(minutes=5)
        text = (await h.command("unanswered", h.member(11))).text
        assert text.index(first.jump_url) < text.index(second.jump_url)
        assert "25 min in <#200>" in text and "5 min in <#100>" in text
        await h.send("just a bot reply", author=h.member(98, bot=True), reply_to=first)
        assert first.jump_url in (await h.command("unanswered", a)).text  # bots do not answer


async def test_follow_up_answers_count_only_when_enabled():
    for minutes, expected_nudged in ((0, True), (10, False)):
        async with await Harness.create(builtins=PLUGIN, guild_config=cfg(follow_up_answer_minutes=minutes)) as h:
            a, b, c = h.member(10), h.member(11), h.member(12)
            await h.send("anyone around this weekend?", author=a)
            casual = h.last
            h.advance(minutes=3)
            await h.send("yep, procrastinating on chores", author=b)  # answers without Discord's reply
            await h.send("How do I reset my password?", author=c, channel_id=555)
            unanswered = h.last
            h.advance(minutes=3)
            await h.send("Where is the FAQ?", author=b, channel_id=555)  # a question does not answer
            h.advance(minutes=40)
            nudges = replies(await h.tick())
            text = "\n".join(n.content for n in nudges)
            assert (casual.jump_url in text) is expected_nudged
            assert unanswered.jump_url in text


def test_english_auxiliaries_need_a_subject_without_question_mark():
    from plugins.engagement._questions import build_detector

    is_question = build_detector(["en"])
    assert not is_question("have a good week everyone")
    assert not is_question("was great seeing you all")
    assert not is_question("what a day it has been")
    assert is_question("have you tried restarting it")
    assert is_question("is there a way to do this")
    assert is_question("how do I install this")


async def test_deadlines_are_drained_even_when_nobody_is_nudged():
    async with await Harness.create(builtins=PLUGIN, guild_config={"plugins": {"engagement": {}}}) as h:
        for i in range(50):
            await h.send(f"How do I fix problem number {i}?", author=h.member(10 + i))
            await h.send("try restarting it", author=h.member(99), reply_to=h.last)
        h.advance(hours=1)
        plugin = h.engine.pm.get_plugin("engagement")
        await h.tick()  # nudges are off: the waiting messages are left for a bigger block
        plugin.settle()  # as the writer's next flush does
        await h.tick()
        oq = plugin.questions[h.guild_id]
        assert not oq._due and not oq._overdue and len(oq) == 0


async def test_unanswered_lists_only_channels_the_member_can_see():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        a = h.member(10)
        await h.send("How do I configure the logging?", author=a)
        public = h.last
        await h.send("Why did the staff vote fail?", author=a, channel_id=200)
        staff = h.last
        await h.send("Where is the audit log?", author=a, channel_id=300)
        unknown = h.last
        visible = {public.channel_id: True, staff.channel_id: False}.get  # channel 300: not cached (None)
        text = (await h.command("unanswered", h.member(11), can_view=visible)).text
        assert public.jump_url in text and staff.jump_url not in text and unknown.jump_url not in text
        assert text.startswith("1 question(s)")
        everything = (await h.command("unanswered", h.member(11))).text  # no Discord (replay, tests): all
        assert all(q.jump_url in everything for q in (public, staff, unknown))


async def test_unanswered_counts_an_uncached_thread_as_its_parent_channel():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        a = h.member(10)
        await h.send("How do I configure the logging?", author=a, channel_id=300, message_id=300,
                     parent_channel_id=301, is_thread=True, is_forum_post=True, thread_owner_id=a.id)
        post = h.last
        archived = {301: True}.get  # the post itself is archived: no longer cached, unknown
        assert post.jump_url in (await h.command("unanswered", h.member(11), can_view=archived)).text
        hidden_forum = {301: False}.get
        assert post.jump_url not in (await h.command("unanswered", h.member(11), can_view=hidden_forum)).text


async def test_the_helpers_channel_lists_only_questions_from_channels_its_audience_can_see():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg(helper_role=777, max_questions_per_nudge=2)) as h:
        seen = {}

        def visible_to(guild_id, channel_id, role_id):
            seen[channel_id] = role_id
            return {100: True, 200: False, 300: True}.get(channel_id)  # 400: a thread not cached, 500: unknown

        h.engine.services["channel_visible_to"] = visible_to
        a = h.member(10)
        hidden = []
        for i in range(3):  # more hidden questions than fit in one nudge: they must not crowd it out
            await h.send(f"Why did the staff vote {i} fail?", author=a, channel_id=200)
            hidden.append(h.last)
        await h.send("How do I change my nickname here?", author=a, channel_id=100)
        public = h.last
        await h.send("Is the forum post template still current?", author=a, channel_id=400, parent_channel_id=300,
                     is_thread=True)
        in_thread = h.last
        await h.send("Where did the old archive go?", author=a, channel_id=500)
        unknown = h.last
        h.advance(minutes=31)
        [nudge] = [x for x in await h.tick() if isinstance(x, Reply)]
        assert public.jump_url in nudge.content and in_thread.jump_url in nudge.content
        assert not any(q.jump_url in nudge.content for q in [*hidden, unknown])
        assert seen[200] == 777  # asked for the role the nudge pings
        h.advance(hours=2)
        assert [x for x in await h.tick() if isinstance(x, Reply)] == []  # hidden ones are not nudged later
        listed = (await h.command("unanswered", h.member(11))).text
        assert all(q.jump_url in listed for q in hidden)  # still open: only the helpers channel leaves them out


async def test_nudges_in_the_askers_own_channel_are_not_filtered():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg(helpers_channel=None,
                                                                         nudge_in_asker_channel=True)) as h:
        h.engine.services["channel_visible_to"] = lambda guild_id, channel_id, role_id: False
        await h.send("Why did the staff vote fail?", author=h.member(10), channel_id=200)
        h.advance(minutes=31)
        [nudge] = [x for x in await h.tick() if isinstance(x, Reply)]
        assert nudge.channel_id == 200 and nudge.reply_to_message_id == h.last.message_id


async def test_a_failing_visibility_lookup_leaves_the_question_out_without_breaking_the_timer():
    async with await Harness.create(builtins=PLUGIN, guild_config=cfg()) as h:
        def visible_to(guild_id, channel_id, role_id):
            raise RuntimeError("guild not cached")

        h.engine.services["channel_visible_to"] = visible_to
        await h.send("How do I change my nickname here?", author=h.member(10))
        h.advance(minutes=31)
        assert [x for x in await h.tick() if isinstance(x, Reply)] == []
        assert not h.engine.caller.faults
