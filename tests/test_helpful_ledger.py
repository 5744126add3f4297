"""The ledger: anti-gaming rules, reversals, idempotency, roles, commands, weekly post and figures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.actions import AddRole, Audit, ModAlert, RemoveRole, Reply
from bot.testing import Harness

PLUGIN = "plugins.helpful_answers:HelpfulAnswers"
MOD_ROLE = 9


def credits(actions) -> list[tuple[int, int, str, int]]:
    """(giver, receiver, kind, points) of the reputation audits among actions."""
    return [(a.data["giver_id"], a.data["receiver_id"], a.data["kind"], a.data["points"])
            for a in actions if isinstance(a, Audit) and a.topic == "reputation"]


async def harness(**config: Any) -> Harness:
    block = {"min_giver_messages": 0, **config}
    return await Harness.create(builtins=(PLUGIN,), guild_config={"moderator_roles": [MOD_ROLE],
                                                                  "plugins": {"helpful_answers": block}})


async def thank(h: Harness, giver, receiver) -> list:
    return await h.send(f"thanks <@{receiver.id}>!", giver, mention_ids=(receiver.id,))


async def points(h: Harness, member) -> int:
    plugin = h.engine.pm.get_plugin("helpful_answers")
    return await plugin.ledger.points(h.guild_id, member.id)


# -- anti-gaming --

async def test_pair_cooldown_applies_in_both_directions() -> None:
    async with await harness(pair_cooldown_hours=12) as h:
        a, b = h.member(1), h.member(2)
        assert credits(await thank(h, a, b)) == [(1, 2, "thanks", 1)]
        h.advance(hours=1)
        assert credits(await thank(h, a, b)) == []
        assert credits(await thank(h, b, a)) == []  # B cannot pay A back right away
        h.advance(hours=12)
        assert credits(await thank(h, b, a)) == [(2, 1, "thanks", 1)]


async def test_giver_daily_cap() -> None:
    async with await harness(giver_daily_cap=2, pair_cooldown_hours=0) as h:
        giver = h.member(1)
        got = []
        for receiver in (2, 3, 4):
            got += credits(await thank(h, giver, h.member(receiver)))
        assert [c[1] for c in got] == [2, 3]
        h.advance(hours=25)
        assert credits(await thank(h, giver, h.member(4))) == [(1, 4, "thanks", 1)]


async def test_receiver_daily_cap() -> None:
    async with await harness(receiver_daily_cap=2, pair_cooldown_hours=0) as h:
        star = h.member(2)
        got = []
        for giver in (1, 3, 4):
            got += credits(await thank(h, h.member(giver), star))
        assert [c[0] for c in got] == [1, 3]


async def test_thanks_arriving_together_cannot_both_pass_a_cap() -> None:
    # live, every event is its own task: two thanks checked side by side must not both pass
    import asyncio

    async with await harness(receiver_daily_cap=1, pair_cooldown_hours=0) as h:
        receiver = h.member(2)
        await asyncio.gather(thank(h, h.member(1), receiver), thank(h, h.member(3), receiver),
                             thank(h, h.member(4), receiver))
        assert await points(h, receiver) == 1


async def test_giver_needs_days_in_server() -> None:
    async with await harness(min_giver_days=7) as h:
        newcomer, helper = h.member(1, days_in_server=2), h.member(2)
        assert credits(await thank(h, newcomer, helper)) == []
        assert credits(await thank(h, h.member(3, days_in_server=30), helper)) == [(3, 2, "thanks", 1)]


async def test_giver_needs_messages_seen() -> None:
    async with await harness(min_giver_messages=3) as h:
        giver, helper = h.member(1), h.member(2)
        assert credits(await thank(h, giver, helper)) == []  # the thanks itself is message 1
        await h.send("hello", giver)
        assert credits(await thank(h, giver, helper)) == [(1, 2, "thanks", 1)]  # message 3


async def test_self_credit_is_refused_for_marks() -> None:
    async with await harness() as h:
        me = h.member(1)
        await h.send("my own answer", me)
        response = await h.command("Mark as helpful", me, kind="message", target=h.last)
        assert "own" in response.text and not credits(h.executor.actions)


async def test_same_credit_is_recorded_once() -> None:
    async with await harness(pair_cooldown_hours=0) as h:
        asker, helper = h.member(1), h.member(2)
        await h.send("answer", helper)
        answer = h.last
        first = await h.command("Mark as helpful", asker, kind="message", target=answer)
        second = await h.command("Mark as helpful", asker, kind="message", target=answer)
        assert "credited" in first.text and "already credited" in second.text
        assert await points(h, helper) == 2


async def test_mutual_crediting_ring_is_flagged_not_counted() -> None:
    async with await harness(pair_cooldown_hours=1, ring_min_credits=4) as h:
        a, b = h.member(1), h.member(2)
        got = []
        for giver, receiver in ((a, b), (b, a), (a, b)):
            got += credits(await thank(h, giver, receiver))
            h.advance(hours=2)
        assert len(got) == 3
        actions = await thank(h, b, a)
        alerts = [x for x in actions if isinstance(x, ModAlert)]
        assert credits(actions) == [] and len(alerts) == 1
        assert not any(x.kind == "react" for x in actions)
        assert await points(h, a) == 1  # the fourth credit is held
        h.advance(hours=2)
        again = await thank(h, a, b)
        assert credits(again) == [] and not [x for x in again if isinstance(x, ModAlert)]  # one alert per group
        mod = h.member(50, roles=[MOD_ROLE])
        response = await h.click("helpful_answers", "allow", alerts[0].case_key, mod)
        assert len(credits(response.actions)) == 2
        assert await points(h, a) == 2 and await points(h, b) == 3


async def test_three_member_ring_is_flagged() -> None:
    async with await harness(pair_cooldown_hours=1, ring_min_credits=5) as h:
        a, b, c = h.member(1), h.member(2), h.member(3)
        flagged = []
        for giver, receiver in ((a, b), (b, c), (c, a), (a, b), (b, c), (c, a)):
            actions = await thank(h, giver, receiver)
            flagged += [x for x in actions if isinstance(x, ModAlert)]
            h.advance(hours=2)
        assert len(flagged) == 1
        assert [await points(h, m) for m in (a, b, c)] == [1, 2, 1]  # the fifth and sixth are held


async def test_helpers_who_help_many_people_are_not_flagged() -> None:
    async with await harness(pair_cooldown_hours=1, ring_min_credits=4) as h:
        helper = h.member(2)
        alerts = []
        for giver in range(10, 16):
            alerts += [x for x in await thank(h, h.member(giver), helper) if isinstance(x, ModAlert)]
            h.advance(hours=2)
        assert alerts == [] and await points(h, helper) == 6


# -- reversal --

async def test_deleting_the_thanks_reverses_the_credit() -> None:
    async with await harness(role_thresholds=[{"points": 1, "role_id": 77}]) as h:
        a, b = h.member(1), h.member(2)
        await thank(h, a, b)
        thanks = h.last
        assert await points(h, b) == 1
        actions = await h.delete(thanks)
        assert credits(actions) == [(1, 2, "thanks", -1)]
        assert [x.role_id for x in actions if isinstance(x, RemoveRole)] == [77]
        assert await points(h, b) == 0
        assert credits(await h.delete(thanks)) == []


async def test_removing_the_mark_reaction_reverses_the_credit() -> None:
    async with await harness(pair_cooldown_hours=0) as h:
        asker, helper = h.member(1), h.member(2)
        await h.send("question?", asker)
        await h.send("answer", helper, reply_to=h.last)
        answer = h.last
        assert credits(await h.react(answer, asker)) == [(1, 2, "reaction", 1)]
        assert credits(await h.unreact(answer, asker, "👍")) == []
        assert credits(await h.unreact(answer, asker)) == [(1, 2, "reaction", -1)]
        assert await points(h, helper) == 0


async def test_editing_thanks_away_reverses_the_credit() -> None:
    async with await harness() as h:
        a, b = h.member(1), h.member(2)
        await thank(h, a, b)
        assert credits(await h.edit(h.last, "never mind <@2>")) == [(1, 2, "thanks", -1)]


async def test_deleting_an_unrelated_message_touches_nothing() -> None:
    async with await harness() as h:
        a, b = h.member(1), h.member(2)
        await thank(h, a, b)
        await h.send("something else", a)
        assert await h.delete(h.last) == []
        assert await points(h, b) == 1


# -- rewards --

async def test_role_thresholds_are_added_and_removed() -> None:
    async with await harness(role_thresholds=[{"points": 2, "role_id": 10}, {"points": 5, "role_id": 50}],
                             pair_cooldown_hours=0) as h:
        helper, mod = h.member(2), h.member(60, roles=[MOD_ROLE])
        assert not [x for x in await thank(h, h.member(1), helper) if isinstance(x, AddRole)]
        added = [x.role_id for x in await thank(h, h.member(3), helper) if isinstance(x, AddRole)]
        assert added == [10]
        response = await h.command("rep give", mod, member=helper.id, points=3, reason="great FAQ")
        assert [x.role_id for x in response.actions if isinstance(x, AddRole)] == [50]
        response = await h.command("rep take", mod, member=helper.id, points=4, reason="gamed thanks")
        assert sorted(x.role_id for x in response.actions if isinstance(x, RemoveRole)) == [10, 50]


async def test_only_the_highest_role_when_lower_ones_are_not_kept() -> None:
    async with await harness(role_thresholds=[{"points": 1, "role_id": 10}, {"points": 3, "role_id": 50}],
                             keep_lower_roles=False) as h:
        helper, mod = h.member(2), h.member(60, roles=[MOD_ROLE])
        await thank(h, h.member(1), helper)
        response = await h.command("rep give", mod, member=helper.id, points=2, reason="docs")
        assert [x.role_id for x in response.actions if isinstance(x, AddRole)] == [50]
        assert [x.role_id for x in response.actions if isinstance(x, RemoveRole)] == [10]


async def test_rolling_window_expires_roles_on_tick() -> None:
    async with await harness(role_thresholds=[{"points": 1, "role_id": 10}], rolling_window_days=30) as h:
        helper = h.member(2)
        await thank(h, h.member(1), helper)
        assert not [x for x in await h.tick() if isinstance(x, RemoveRole)]
        h.advance(days=29)
        assert not [x for x in await h.tick() if isinstance(x, RemoveRole)]
        h.advance(days=2)
        removed = [x for x in await h.tick() if isinstance(x, RemoveRole)]
        assert [(x.user_id, x.role_id) for x in removed] == [(2, 10)]
        response = await h.command("rep show", helper)
        assert "1** reputation point" in response.text and "0 of them in the last 30 days" in response.text


async def test_weekly_helpers_post_once_per_week() -> None:
    async with await harness(weekly_post_channel=700, weekly_post_weekday=0, pair_cooldown_hours=0) as h:
        h.now = h.now - timedelta(days=h.now.weekday()) + timedelta(days=1)  # a Tuesday
        await thank(h, h.member(1), h.member(2))
        await thank(h, h.member(3), h.member(2))
        await thank(h, h.member(1), h.member(4))
        assert not [x for x in await h.tick() if isinstance(x, Reply)]
        h.advance(days=6)  # Monday
        posts = [x for x in await h.tick() if isinstance(x, Reply)]
        assert len(posts) == 1 and posts[0].channel_id == 700
        assert posts[0].content.index("<@2>") < posts[0].content.index("<@4>")
        h.advance(hours=1)
        assert not [x for x in await h.tick() if isinstance(x, Reply)]


# -- commands and figures --

async def test_moderator_commands_refuse_members() -> None:
    async with await harness() as h:
        member, target = h.member(1), h.member(2)
        response = await h.command("rep give", member, member=target.id, points=5, reason="friend")
        assert "moderator" in response.text and not response.actions
        response = await h.command("rep take", member, member=target.id, points=5, reason="enemy")
        assert "moderator" in response.text
        assert await points(h, target) == 0


async def test_moderator_adjustments_are_logged_with_reason() -> None:
    async with await harness() as h:
        mod, target = h.member(60, roles=[MOD_ROLE]), h.member(2)
        response = await h.command("rep give", mod, member=target.id, points=5, reason="wrote the FAQ")
        assert credits(response.actions) == [(60, 2, "moderator", 5)]
        audit = next(x for x in response.actions if isinstance(x, Audit))
        assert "wrote the FAQ" in audit.reason
        response = await h.command("rep take", mod, member=target.id, points=2, reason="oops")
        assert credits(response.actions) == [(60, 2, "moderator", -2)]
        assert await points(h, target) == 3
        bad = await h.command("rep give", mod, member=target.id, points=5, reason="")
        assert "reason" in bad.text and await points(h, target) == 3


async def test_rep_and_leaderboard_are_ephemeral_and_ranked() -> None:
    async with await harness(pair_cooldown_hours=0) as h:
        a, b, c = h.member(1), h.member(2), h.member(3)
        await thank(h, a, b)
        await thank(h, c, b)
        h.advance(days=10)
        await thank(h, a, c)
        mine = await h.command("rep show", b)
        assert mine.ephemeral and "**2**" in mine.text and "rank #1" in mine.text
        other = await h.command("rep show", a, member=c.id)
        assert "**1**" in other.text and "rank #2" in other.text
        week = await h.command("leaderboard", a, period="week")
        assert "<@3>" in week.text and "<@2>" not in week.text
        everything = await h.command("leaderboard", a, period="all")
        assert everything.text.index("<@2>") < everything.text.index("<@3>")


async def test_report_figures() -> None:
    async with await harness(pair_cooldown_hours=0) as h:
        start = h.now
        await thank(h, h.member(1), h.member(2))
        await thank(h, h.member(3), h.member(2))
        await thank(h, h.member(1), h.member(4))
        figures = await h.engine.report_figures(h.guild_id, start - timedelta(days=1), h.now + timedelta(days=1))
        ours = figures["helpful_answers"]
        assert ours["credits"] == 3
        assert ours["top_helpers"][0] == {"user_id": 2, "points": 2}


async def test_tenure_without_a_join_date_counts_from_the_first_message_seen():
    from dataclasses import replace

    config = {"plugins": {"helpful_answers": {"min_giver_days": 3, "min_giver_messages": 1,
                                              "pair_cooldown_hours": 0}}}
    async with await Harness.create(builtins=("plugins.helpful_answers:HelpfulAnswers",),
                                    guild_config=config) as h:
        asker = replace(h.member(1), joined_at=None)
        helper = h.member(2)
        await h.send("hello everyone", author=asker)
        await h.send("here is how", author=helper)
        answer = h.last
        early = await h.send("thanks, that fixed it!", author=asker, reply_to=answer)
        assert not [a for a in early if isinstance(a, Audit)]
        h.advance(days=3, minutes=1)
        await h.send("another answer", author=helper)
        later = await h.send("thank you so much!", author=asker, reply_to=h.last)
        assert [a.data["receiver_id"] for a in later if isinstance(a, Audit)] == [helper.id]


async def test_ledger_add_is_one_idempotent_statement_that_revives_reversed_credits() -> None:
    from datetime import UTC, datetime

    from bot.storage import Database
    from plugins.helpful_answers._ledger import MIGRATIONS, Ledger

    db = await Database.open(":memory:")
    try:
        await _ledger_scenario(db, Ledger, MIGRATIONS, datetime(2026, 1, 5, 12, tzinfo=UTC))
    finally:
        await db.close()


async def _ledger_scenario(db, Ledger, MIGRATIONS, t0) -> None:
    await db.migrate("helpful_answers", MIGRATIONS)
    ledger = Ledger(db)
    args = (1, 10, 20, 500, 7, "thanks")
    assert await ledger.add(*args, 1, t0)
    assert not await ledger.add(*args, 1, t0 + timedelta(minutes=1))  # the same credit again
    assert await ledger.points(1, 20) == 1
    assert [c.id for c in await ledger.reverse(1, 500, t0 + timedelta(minutes=2))]
    assert await ledger.points(1, 20) == 0
    assert await ledger.add(*args, 3, t0 + timedelta(minutes=3), status="flagged", flag_key="k")  # revived
    assert await db.fetchall("SELECT status, points, flag_key, reversed_at FROM helpful_credits") == [
        ("flagged", 3, "k", None)]
    assert await ledger.add(1, 10, 20, None, 7, "moderator", 5, t0) and await ledger.add(1, 10, 20, None, 7,
                                                                                           "moderator", 5, t0)
    await ledger.add(1, 20, 10, 501, 7, "thanks", 1, t0 + timedelta(minutes=4))  # the other way round
    day = (t0 + timedelta(hours=1)).timestamp() - 86400
    given, last_pair, received = await ledger.limit_facts(1, 10, 20, day, day)
    assert given == 1  # held ones count, moderator ones do not
    assert last_pair == (t0 + timedelta(minutes=4)).timestamp()  # either direction, held credits too
    assert received == 1  # moderator ones excluded
    assert (await ledger.limit_facts(1, 10, 20, day, (t0 + timedelta(minutes=5)).timestamp()))[1] is None
    assert await ledger.points(1, 20) == 10


async def test_limit_facts_from_memory_match_the_table_through_writes_and_time() -> None:
    """The in-memory copy of recent credits answers as the table does, whatever was written since."""
    import random
    from datetime import UTC, datetime

    from bot.storage import Database
    from plugins.helpful_answers._ledger import MIGRATIONS, Ledger

    def expected(rows, giver, receiver, day_since, pair_since):
        counted = [r for r in rows if r[4] != "reversed" and r[3] != "moderator"]
        given = sum(1 for g, _, ts, _, _ in counted if g == giver and ts > day_since)
        received = sum(1 for _, r, ts, _, _ in counted if r == receiver and ts > day_since)
        pair = [ts for g, r, ts, _, _ in counted if {g, r} == {giver, receiver}]
        last = max(pair) if pair else None
        return given, last if last is not None and last > pair_since else None, received

    rng = random.Random(7)
    db = await Database.open(":memory:")
    try:
        await db.migrate("helpful_answers", MIGRATIONS)
        ledger = Ledger(db)
        t0 = datetime(2026, 1, 5, tzinfo=UTC)
        now = t0
        message = 1000
        for step in range(400):
            now += timedelta(minutes=rng.choice([1, 5, 30, 240, 2000]))
            roll = rng.random()
            if roll < 0.45:
                message += 1
                kind = rng.choice(["thanks", "thanks", "reaction", "moderator"])
                await ledger.add(1, rng.randrange(5), rng.randrange(5), None if kind == "moderator" else message, 7,
                                 kind, 1, now - timedelta(minutes=rng.choice([0, 0, 90])),
                                 status=rng.choice(["active", "active", "flagged"]))
            elif roll < 0.55 and message > 1000:
                await ledger.reverse(1, rng.randrange(max(1001, message - 4), message + 1), now)  # a recent one
            else:
                giver, receiver = rng.randrange(5), rng.randrange(5)
                day_since = now.timestamp() - 86400
                pair_since = now.timestamp() - rng.choice([0, 3600, 86400 * 3])
                rows = await db.fetchall("SELECT giver_id, receiver_id, ts, kind, status FROM helpful_credits")
                want = expected(rows, giver, receiver, day_since, pair_since)
                assert await ledger.limit_facts(1, giver, receiver, day_since, pair_since) == want, step
    finally:
        await db.close()
