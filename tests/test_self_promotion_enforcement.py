"""Self-promotion: the ladder with decay, observe mode, overrides, idempotency, config validation."""

from __future__ import annotations

import yaml
from test_self_promotion_helpers import MOD_ROLE, PLUGIN, case, guild, harness, regular

from bot.actions import DeleteMessage, ModAlert, PrivateNotice, RecordCase, Timeout
from bot.app import load_config
from bot.events import MessageCreated
from bot.testing import Harness

PROMO = "subscribe to my channel, new videos every day"


def of(actions, kind):
    return [a for a in actions if isinstance(a, kind)]


async def test_ladder_steps_escalate_and_decay():
    async with await harness(ladder={"strike_decay_days": 7}, promo_channels={"channels": [300]}) as h:
        member = await regular(h, 10)
        first = await h.send(PROMO, author=member)
        assert case(first).decision == "delete+notice"
        assert of(first, DeleteMessage)[0].message_id == h.last.message_id
        notice = of(first, PrivateNotice)[0]
        assert "<#300>" in notice.content and "cta:explicit_plug" in notice.content
        assert not of(first, Timeout) and not of(first, ModAlert)

        h.advance(days=1)
        second = await h.send(PROMO + "!", author=member)
        assert of(second, Timeout)[0].seconds == 600

        h.advance(days=1)
        third = await h.send(PROMO + "!!", author=member)
        assert of(third, Timeout)[0].seconds == 86400 and of(third, DeleteMessage)
        alert = of(third, ModAlert)[0]
        assert "strike 3" in alert.title and {b.action for b in alert.buttons} >= {"not_promotion", "confirm"}

        h.advance(days=8)  # all three strikes have decayed
        after_decay = await h.send(PROMO + "!!!", author=member)
        assert case(after_decay).decision == "delete+notice"


async def test_custom_ladder_steps():
    steps = [{"alert": True}, {"delete": True, "timeout_minutes": 60, "alert": True}]
    async with await harness(ladder={"steps": steps}) as h:
        member = await regular(h, 11)
        first = await h.send(PROMO, author=member)
        assert not of(first, DeleteMessage) and of(first, ModAlert)
        second = await h.send(PROMO + "!", author=member)
        third = await h.send(PROMO + "!!", author=member)
        assert of(second, Timeout)[0].seconds == 3600 and of(third, Timeout)[0].seconds == 3600


async def test_observe_mode_records_and_alerts_only():
    async with await harness(mode="observe") as h:
        member = await regular(h, 12)
        for _ in range(3):
            actions = await h.send(PROMO, author=member)
            assert {type(a) for a in actions} == {RecordCase, ModAlert}
            assert case(actions).decision == "observe"
        alert = of(actions, ModAlert)[0]
        assert "would: delete+notice" in alert.taken  # no strikes were added in observe mode
        assert await h.edit(h.last, PROMO + " edited") == []  # one alert per message


async def test_same_message_never_strikes_twice():
    async with await harness() as h:
        member = await regular(h, 13)
        msg = h.message(PROMO, member)
        first = await h.dispatch(MessageCreated(msg))
        plugin = h.engine.pm.get_plugin("self_promotion")
        ctx = h.engine.context("self_promotion")
        config = h.engine.config.guild(h.guild_id).plugins["self_promotion"].base
        replay = await plugin.pitchfree_message(MessageCreated(msg), config, ctx)  # bypasses engine dedupe
        assert case(first) is not None and replay == []
        cases = await ctx.cases.for_user(h.guild_id, member.id)
        assert len(cases) == 1


async def test_promo_channel_allows_promotion_with_its_own_limit():
    override = {"when": {"channels": [300]}, "config": {"promo_channels": {"channels": [300], "max_posts": 1,
                                                                           "window_hours": 24}}}
    async with await harness(overrides=[override]) as h:
        member = await regular(h, 14)
        assert case(await h.send(PROMO, author=member, channel_id=300)) is None
        assert case(await h.edit(h.last, PROMO + " (edited)")) is None
        h.advance(hours=2)
        second = await h.send(PROMO + " again", author=member, channel_id=300)
        assert "promo_channel_limit" in {name for name, _ in case(second).signals}
        h.advance(hours=25)
        assert case(await h.send(PROMO + " tomorrow", author=member, channel_id=300)) is None
        assert case(await h.send(PROMO, author=member, channel_id=100)) is not None  # elsewhere it is not welcome


async def test_promo_channel_threads_count_as_the_channel():
    async with await harness(promo_channels={"channels": [300]}) as h:
        member = await regular(h, 15)
        assert case(await h.send(PROMO, author=member, channel_id=301, parent_channel_id=300,
                                 is_thread=True)) is None


async def test_exempt_role_through_override_and_block():
    override = {"when": {"roles": [700]}, "config": {"enabled": False}}
    async with await harness(overrides=[override], exempt_roles=[701]) as h:
        partner = h.member(16, roles=[700], days_in_server=0.1)
        assert await h.send(PROMO + " discord.gg/AbCd12", author=partner) == []
        sponsor = h.member(17, roles=[701], days_in_server=0.1)
        assert await h.send(PROMO + " discord.gg/AbCd12", author=sponsor) == []
        plain = h.member(18, days_in_server=0.1)
        assert case(await h.send(PROMO + " discord.gg/AbCd12", author=plain)) is not None


async def test_trusted_members_may_promote():
    async with await harness(context={"trusted_promotion_days": 30, "trusted_promotion_messages": 5}) as h:
        veteran = await regular(h, 19)
        assert case(await h.send(PROMO, author=veteran)) is None
        newer = h.member(20, days_in_server=3)
        assert case(await h.send(PROMO, author=newer)) is not None


CHAT_PLUG = "check out my channel's pinned message for the config"


async def test_an_established_members_link_free_call_to_action_counts_half():
    async with await harness() as h:
        veteran = await regular(h, 21, messages=60)  # 100 days, 60 messages: established
        assert case(await h.send(CHAT_PLUG, author=veteran)) is None
        newer = await regular(h, 22, messages=10)  # 100 days, but 10 messages
        assert case(await h.send(CHAT_PLUG, author=newer)) is not None
        # a link makes it a pitch again, whoever posts it
        flagged = case(await h.send("check out my channel https://youtube.com/@veteran", author=veteran))
        assert flagged is not None and "established_member" not in dict(flagged.signals)


async def test_an_established_member_who_pitches_often_is_flagged_by_the_ratio():
    async with await harness() as h:
        veteran = await regular(h, 23, messages=60)
        decisions = []
        for _ in range(3):
            for i in range(5):
                await h.send(f"ordinary chat {i}", author=veteran)
            decisions.append(case(await h.send("my art commissions are open, link in bio", author=veteran)))
        assert decisions[:2] == [None, None]  # two pitches in twenty messages: the 9:1 rule holds
        signals = dict(decisions[2].signals)
        assert "promo_ratio" in signals and signals["established_member"] == 0.0
        assert signals["cta:explicit_plug"] == 0.5  # counted at half weight, the ratio in full


async def test_established_members_can_be_judged_like_anyone():
    async with await harness(context={"established_days": 0}) as h:
        veteran = await regular(h, 24, messages=60)
        assert case(await h.send(CHAT_PLUG, author=veteran)) is not None


async def test_moderators_and_bots_are_not_checked():
    async with await harness() as h:
        mod = h.member(21, roles=[MOD_ROLE])
        assert await h.send(PROMO, author=mod) == []
        bot = h.member(22, bot=True)
        assert await h.send(PROMO, author=bot) == []


async def test_bad_admin_regex_is_rejected_at_load(tmp_path):
    (tmp_path / "guilds").mkdir()
    (tmp_path / "default.yaml").write_text("language: en\n")
    block = guild(regexes=[{"name": "repeat", "pattern": r"(buy)\s+\1"}])
    (tmp_path / "guilds" / "1.yaml").write_text(yaml.safe_dump(block))
    _store, report = load_config(tmp_path, builtins=(PLUGIN,), entry_points=False)
    assert not report.ok
    lines = "\n".join(report.lines())
    assert "plugins.self_promotion.regexes[0].pattern" in lines
    assert "not valid RE2" in lines and "backreferences" in lines
    assert "1.yaml:" in lines  # file:line so the admin can find it


async def test_bad_phrase_syntax_is_rejected_at_load(tmp_path):
    (tmp_path / "default.yaml").write_text(yaml.safe_dump(guild(phrases={"x": {"phrases": ["buy*now"]}})))
    _store, report = load_config(tmp_path, builtins=(PLUGIN,), entry_points=False)
    assert "only allowed at the start or end" in "\n".join(report.lines())


async def test_message_counts_survive_a_restart(tmp_path):
    from test_self_promotion_helpers import signal_names

    from bot.testing import Harness

    db = str(tmp_path / "bot.db")
    config = guild(threshold=0.2)
    async with await Harness.create(builtins=(PLUGIN,), guild_config=config, db=db) as h:
        member = await regular(h, 40)
        await h.tick()
    async with await Harness.create(builtins=(PLUGIN,), guild_config=config, db=db) as h:
        member = h.member(40, days_in_server=100)
        names = signal_names(await h.send("see https://blog.somesite.net/post", author=member))
        assert "unknown_link" in names and not names & {"first_messages", "trust_gate", "link_only"}


async def test_promo_channel_welcomes_only_members_past_its_tenure():
    config = {"moderator_roles": [9], "plugins": {"self_promotion": {
        "promo_channels": {"channels": [700], "max_posts": 5, "min_days": 2}}}}
    async with await Harness.create(builtins=("plugins.self_promotion:SelfPromotion",), guild_config=config) as h:
        text = "join my server discord.gg/abcdef, new giveaway every week"
        veteran = h.member(1, days_in_server=30)
        assert await h.send(text, author=veteran, channel_id=700) == []
        newcomer = h.member(2, days_in_server=0.1)
        kinds = [a.kind for a in await h.send(text, author=newcomer, channel_id=700)]
        assert "delete_message" in kinds


async def test_regulars_the_bot_has_not_seen_yet_are_not_newcomers():
    async with await Harness.create(builtins=("plugins.self_promotion:SelfPromotion",), guild_config={}) as h:
        text = "really enjoying my course this term, the labs are great"
        veteran = h.member(1, days_in_server=200)
        assert await h.send(text, author=veteran) == []
        newcomer = h.member(2, days_in_server=0.1)
        assert "delete_message" in [a.kind for a in await h.send(text, author=newcomer)]


def _count_strike_reads(h) -> list[str]:
    reads: list[str] = []
    fetchall = h.engine.db.fetchall

    async def counting_fetchall(sql, params=()):
        reads.append(sql)
        return await fetchall(sql, params)

    h.engine.db.fetchall = counting_fetchall
    return reads


async def test_strikes_are_counted_in_memory_read_once_after_a_restart_and_never_lost(tmp_path):
    db = str(tmp_path / "bot.db")
    config = guild(ladder={"strike_decay_days": 30})
    async with await Harness.create(builtins=(PLUGIN,), guild_config=config, db=db) as h:
        member = await regular(h, 50)
        reads = _count_strike_reads(h)
        await h.send(PROMO, author=member)
        h.advance(hours=1)
        second = await h.send(PROMO + "!", author=member)
        assert of(second, Timeout)  # strike 2, counted in memory
        assert not [sql for sql in reads if "FROM promo_strikes" in sql]  # no strikes stored at start-up
    async with await Harness.create(builtins=(PLUGIN,), guild_config=config, db=db) as h:
        reads = _count_strike_reads(h)
        member = h.member(50, days_in_server=100)
        h.advance(hours=2)
        third = await h.send(PROMO + "!!", author=member)
        assert "strike 3" in of(third, ModAlert)[0].title  # both earlier strikes were committed and read back
        h.advance(hours=1)
        await h.send(PROMO + "!!!", author=member)
        assert sum("FROM promo_strikes" in sql for sql in reads) == 1  # read once, then kept in memory


def test_queued_plain_messages_are_counted_before_any_read():
    from plugins.self_promotion._state import QUEUE_LIMIT, Memory

    memory = Memory()
    queue = memory.queued
    queue.extend([(1, 10, 20)] * 3 + [(1, 11, 20)])
    hist = memory.get(1, 10, 20)  # a read settles the queue first
    assert (hist.seen, hist.plain, hist.count) == (3, 3, 3) and not queue and memory.queued is queue
    queue.append((1, 11, 20))
    assert sorted(memory.take_dirty()) == [(1, 10, 3, 3), (1, 11, 2, 2)]
    queue.extend([(1, 12, 20)] * QUEUE_LIMIT)
    assert memory.peek(1, 12).seen == QUEUE_LIMIT and not queue  # peek settles too


async def test_the_hook_queues_plain_messages_and_a_full_queue_settles():
    """The hook appends plain messages to the memory's queue; a full queue is settled in place."""
    from plugins.self_promotion._state import QUEUE_LIMIT

    async with await harness() as h:
        plugin = h.engine.pm.get_plugin("self_promotion")
        queue = plugin.memory.queued
        member = h.member(7, days_in_server=100)
        for i in range(QUEUE_LIMIT - 1):
            await h.send(f"just chatting, round {i}", author=member)
        assert len(queue) == QUEUE_LIMIT - 1 and plugin.memory.queued is queue
        await h.send("one more", author=member)
        assert not queue and plugin.memory.queued is queue  # a full queue settled in place
        assert plugin.memory.peek(h.guild_id, member.id).seen == QUEUE_LIMIT
        await h.send("and after", author=member)
        assert len(queue) == 1 and plugin.memory.peek(h.guild_id, member.id).seen == QUEUE_LIMIT + 1


async def test_a_link_below_the_threshold_is_settled_without_a_coroutine():
    """Only resolving invites and enforcing wait on anything: the hook returns None at once for a
    link that is not promotion, and a coroutine for promotion or an invite (which it awaits)."""
    async with await harness() as h:
        member = await regular(h, 10)
        plugin = h.engine.pm.get_plugin("self_promotion")
        ctx = h.engine.context("self_promotion")
        config = h.engine.config.guild(h.guild_id).plugins["self_promotion"].base

        def hook(text: str):
            return plugin.pitchfree_message(MessageCreated(h.message(text, member)), config, ctx)

        assert hook("the docs are at https://docs.python.org/3/library/asyncio.html") is None
        promo = hook(PROMO + " https://youtube.com/@someone")
        assert promo is not None and case(await promo).decision == "delete+notice"
        invite = hook("join us discord.gg/abcdef")
        assert invite is not None
        await invite  # resolved offline: no resolver service, so only its link signals count
