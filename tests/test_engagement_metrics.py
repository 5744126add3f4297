"""Engagement figures on fixture conversations, checked against hand-computed values."""

from datetime import timedelta

from bot.testing import START, Harness
from plugins.engagement._config import EngagementConfig

PLUGIN = ("plugins.engagement:Engagement",)


def plugin(h):
    return h.engine.pm.get_plugin("engagement")


async def report(h, days=30, **config):
    return await plugin(h).report(h.guild_id, h.now, days, EngagementConfig(**config))


async def conversation(h):
    """Five questions; four answered by someone else after 10, 60, 45 and 120 minutes."""
    a, b, c, d, e = (h.member(i) for i in (10, 11, 12, 13, 14))
    bot = h.member(99, bot=True)
    await h.send("How do I set up the webhook?", author=a)                     # 1 Q1
    q1 = h.last
    h.advance(minutes=10)
    await h.send("try the settings page", author=b, reply_to=q1)               # 2 answers Q1 (10 min)
    h.advance(minutes=10)
    await h.send("anyone know why the build fails", author=a)                  # 3 Q2
    q2 = h.last
    h.advance(minutes=30)
    await h.send("still failing for me", author=a, reply_to=q2)                # 4 self-reply: no answer
    await h.send("Can anybody help with this?", author=bot)                    # bots are not logged
    h.advance(minutes=30)
    await h.send("try clearing the cache", author=c, mention_ids=(a.id,))      # 5 answers Q2 (60 min)
    h.advance(minutes=10)
    await h.send("What is the best editor for this?", author=b, channel_id=200)  # 6 Q3, never answered
    h.advance(minutes=30)
    await h.send("Why does the bot go offline at night?", author=c, channel_id=300, message_id=300,
                 parent_channel_id=301, is_thread=True, is_forum_post=True, thread_owner_id=c.id)  # 7 Q4
    h.advance(minutes=45)
    await h.send("you need to restart it", author=a, channel_id=300, parent_channel_id=301,
                 is_thread=True, is_forum_post=True, thread_owner_id=c.id)    # 8 answers Q4 (45 min)
    h.advance(minutes=15)
    await h.send("Can someone help me with the config?", author=d)            # 9 Q5
    q5 = h.last
    h.advance(minutes=5)
    await h.send("good morning all", author=e)                                # 10
    h.advance(minutes=115)
    await h.send("sure, set the token first", author=b, reply_to=q5)          # 11 answers Q5 (120 min)
    h.advance(minutes=5)


async def test_answer_times_answered_share_and_conversation_ratio():
    async with await Harness.create(builtins=PLUGIN, guild_config={}) as h:
        await conversation(h)
        r = await report(h)
    q = r["questions"]
    assert (q["asked"], q["answered"]) == (5, 4)
    assert q["answered_share"] == 0.8
    assert q["median_answer_minutes"] == 52.5  # median of 10, 45, 60, 120
    assert q["p90_answer_minutes"] == 120.0    # nearest rank: ceil(0.9 * 4) = 4th
    assert q["unanswered_now"] == 1
    assert r["messages"] == 11
    # replies (2, 4, 11) + thread messages (7, 8) + got a reply from someone else within 60 min (1)
    assert r["conversation_ratio"] == round(6 / 11, 4)
    assert r["active_members"]["period"] == 5 and r["active_members"]["weekly"] == 5
    assert r["active_members"]["daily_avg"] == round(5 / 30, 2)
    assert [(c["channel_id"], c["messages"]) for c in r["busiest_channels"]] == [(100, 8), (301, 2), (200, 1)]
    assert r["daily"][-1] == {"date": "2026-01-05", "messages": 11, "active_members": 5,
                              "median_answer_minutes": 52.5}
    assert len(r["daily"]) == 30


async def test_conversation_window_is_configurable():
    async with await Harness.create(builtins=PLUGIN, guild_config={
            "plugins": {"engagement": {"conversation_window_minutes": 180}}}) as h:
        await conversation(h)
        r = await report(h)
    # Q5 (message 9) now counts too: its reply came after 120 minutes
    assert r["conversation_ratio"] == round(7 / 11, 4)


async def test_activation_retention_and_previous_period():
    async with await Harness.create(builtins=PLUGIN, guild_config={}) as h:
        m = {i: h.member(i) for i in range(1, 8)}
        day_d = START
        h.now = day_d - timedelta(days=65)

        async def at(days_before, action):
            h.now = day_d - timedelta(days=days_before)
            await action

        await at(65, h.join(m[7]))
        await at(50, h.join(m[1]))
        await at(48, h.send("hello there", author=m[1]))
        await at(45, h.join(m[2]))
        await at(44, h.send("hi all", author=m[2]))
        await at(35, h.join(m[3]))
        await at(20, h.join(m[4]))
        await at(15, h.send("glad to be here", author=m[4]))
        await at(10, h.send("back again", author=m[1]))
        await at(10, h.join(m[5]))
        await at(5, h.join(m[6]))
        await at(3, h.send("still here", author=m[3]))
        await at(2, h.send("first post", author=m[5]))
        await at(1, h.send("long time", author=m[7]))
        await at(1, h.leave(m[4]))
        h.now = day_d
        r = await report(h)
    # joined in the period: 4, 5, 6; only 4 posted within 7 days of joining
    assert r["new_members"] == {"joined": 3, "posted_within_7_days": 1, "activation_rate": 0.3333, "left": 1}
    # reached 30 days in the period: 1, 2, 3 (7 joined too early); 1 and 3 posted since
    assert r["retention"] == {"cohort": 3, "retained": 2, "rate": 0.6667}
    assert r["active_members"] == {"daily_avg": round(5 / 30, 2), "weekly": 3, "monthly": 5, "period": 5}
    assert r["messages"] == 5
    assert r["period"] == {"start": "2025-12-07", "end": "2026-01-05", "days": 30}
    assert r["previous"]["messages"] == 2
    assert (r["previous"]["start"], r["previous"]["end"]) == ("2025-11-07", "2025-12-06")


async def test_rejoins_are_not_new_and_leaves_count_members_the_bot_never_saw_join():
    async with await Harness.create(builtins=PLUGIN, guild_config={}) as h:
        old, fresh, veteran = h.member(1), h.member(2), h.member(3)
        h.now = START - timedelta(days=70)
        await h.join(old)
        await h.send("hello", author=old)
        h.now = START - timedelta(days=10)
        await h.leave(old)
        await h.join(old)  # a rejoin: not a new member of this period
        await h.join(fresh)
        h.now = START - timedelta(days=5)
        await h.leave(veteran)  # joined before the bot was added: no join was ever logged
        await h.leave(fresh)
        h.now = START
        r = await report(h)
    assert r["new_members"]["joined"] == 1  # only `fresh`
    assert r["new_members"]["left"] == 3  # old, veteran and fresh


async def test_leaves_still_count_once_their_events_are_pruned():
    async with await Harness.create(builtins=PLUGIN, guild_config={}) as h:
        member = h.member(1)
        h.now = START - timedelta(days=20)
        await h.join(member)
        h.now = START - timedelta(days=10)
        await h.leave(member)
        h.now = START
        plugin(h).settle()
        await h.engine.writer.flush()
        await h.engine.db.execute("DELETE FROM eng_events")  # what pruning after raw_retention_days does
        r = await report(h)
    assert r["new_members"]["left"] == 1


async def test_days_are_counted_in_the_community_timezone():
    for tz, expected in (("UTC", {"2026-01-05": 2}), ("America/New_York", {"2026-01-04": 1, "2026-01-05": 1})):
        async with await Harness.create(builtins=PLUGIN, guild_config={"timezone": tz}) as h:
            a = h.member(1)
            h.now = START.replace(hour=3)   # 22:00 the day before in New York
            await h.send("late night message", author=a)
            h.now = START.replace(hour=6)   # 01:00 in New York
            await h.send("early morning message", author=a)
            r = await report(h, days=3)
        assert {d["date"]: d["messages"] for d in r["daily"] if d["messages"]} == expected
        assert r["timezone"] == tz


async def test_report_figures_hook_gives_headline_numbers():
    async with await Harness.create(builtins=PLUGIN, guild_config={}) as h:
        await conversation(h)
        figures = await h.engine.report_figures(h.guild_id, START - timedelta(days=1), h.now)
    mine = figures["engagement"]
    assert mine["messages"] == 11 and mine["questions"] == 5 and mine["answered_share"] == 0.8
    assert mine["median_answer_minutes"] == 52.5

