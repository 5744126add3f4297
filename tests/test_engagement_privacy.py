"""What is logged, pruning and retention, and forgetting a member."""


from datetime import date

from bot.actions import Audit
from bot.testing import Harness

PLUGIN = ("plugins.engagement:Engagement",)
GUILD = {"moderator_roles": [9], "admin_roles": [8]}
TABLES = ("eng_messages", "eng_events", "eng_members", "eng_questions", "eng_daily_member")


async def rows(h, sql, params=()):
    h.engine.pm.get_plugin("engagement").log.push()  # rows are handed to the writer in blocks
    await h.engine.writer.flush()
    return await h.engine.db.fetchall(sql, params)


async def test_metadata_is_logged_without_content_and_bots_are_skipped():
    async with await Harness.create(builtins=PLUGIN, guild_config=GUILD) as h:
        a, b = h.member(10), h.member(11)
        await h.join(a)
        await h.send("Where do I find the docs for https://example.org?", author=a, mention_ids=(b.id, 12))
        q = h.last
        await h.send("automated message from a bot here", author=h.member(99, bot=True))
        await h.send("here", author=b, reply_to=q, channel_id=300, parent_channel_id=100, is_thread=True)
        await h.react(q, b)
        await h.edit(q, "Where do I find the docs?")
        await h.delete(h.last)
        await h.leave(a)
        msgs = await rows(h, "SELECT author_id, channel_id, thread_id, reply_to_author, mentions, has_link, "
                             "is_question, length_bucket, got_reply, edited, deleted, content FROM eng_messages "
                             "ORDER BY ts, message_id")
        events = await rows(h, "SELECT kind, user_id, other_user_id FROM eng_events ORDER BY rowid")
        members = await rows(h, "SELECT user_id, left_at IS NOT NULL FROM eng_members")
    assert msgs == [(10, 100, None, None, 2, 1, 1, 1, 1, 1, 0, None),
                    (11, 100, 300, 10, 0, 0, 0, 0, 0, 0, 1, None)]
    assert events == [("join", 10, None), ("reaction", 11, 10), ("edit", 10, None), ("delete", 11, None),
                      ("leave", 10, None)]
    assert members == [(10, 1)]


async def test_content_is_kept_only_when_opted_in_and_then_pruned():
    guild = {**GUILD, "plugins": {"engagement": {"keep_content": True, "content_retention_days": 1}}}
    async with await Harness.create(builtins=PLUGIN, guild_config=guild) as h:
        await h.send("remember this text", author=h.member(10))
        assert await rows(h, "SELECT content FROM eng_messages") == [("remember this text",)]
        await h.tick()
        h.advance(days=1, minutes=1)
        await h.tick()
        assert await rows(h, "SELECT content FROM eng_messages") == [(None,)]


async def test_raw_rows_are_pruned_after_retention_but_rollups_stay():
    guild = {**GUILD, "plugins": {"engagement": {"raw_retention_days": 2}}}
    async with await Harness.create(builtins=PLUGIN, guild_config=guild) as h:
        for i in range(3):
            await h.send(f"message number {i}", author=h.member(10 + i))
        await h.tick()
        h.advance(days=1)
        await h.send("a later message", author=h.member(10))
        h.advance(hours=35, minutes=30)  # Jan 7 23:30: Jan 5 is not yet two full days back
        await h.tick()
        assert len(await rows(h, "SELECT * FROM eng_messages")) == 4
        h.advance(hours=1)  # Jan 8 00:30: whole days before Jan 6 are pruned
        await h.tick()
        raw = await rows(h, "SELECT content FROM eng_messages")
        daily = await rows(h, "SELECT day, SUM(messages) FROM eng_daily_channel GROUP BY day ORDER BY day")
        report = await h.engine.pm.get_plugin("engagement").report(h.guild_id, h.now, 7, h.engine.contexts[
            "engagement"].config(h.guild_id))
    assert len(raw) == 1
    assert [n for _, n in daily] == [3, 1]
    assert report["messages"] == 4


async def test_maintenance_runs_at_most_once_per_interval_and_rolls_up_final_days():
    async with await Harness.create(builtins=PLUGIN, guild_config=GUILD) as h:
        await h.send("on Jan 5", author=h.member(10))  # START is Jan 5 12:00 UTC
        h.advance(hours=13, minutes=30)  # Jan 6 01:30: Jan 5 is final at 02:00 (window 1 h + 1 h grace)
        await h.tick()
        assert await rows(h, "SELECT SUM(messages) FROM eng_daily_channel") == [(None,)]
        h.advance(minutes=59)  # final now, but the last maintenance was 59 minutes ago
        await h.tick()
        assert await rows(h, "SELECT SUM(messages) FROM eng_daily_channel") == [(None,)]
        h.advance(minutes=1)
        await h.tick()
        assert await rows(h, "SELECT SUM(messages) FROM eng_daily_channel") == [(1,)]
        await h.send("on Jan 6", author=h.member(10))
        h.advance(hours=2)
        await h.tick()  # the timer leaves the open day to reports
        assert await rows(h, "SELECT day, SUM(messages) FROM eng_daily_channel GROUP BY day") == [
            (date(2026, 1, 5).toordinal(), 1)]


async def populate(h):
    a, b = h.member(10), h.member(11)
    await h.join(a)
    await h.send("How do I enable two factor auth?", author=a)
    q = h.last
    await h.react(q, b)
    h.advance(minutes=3)
    await h.send("in your account settings", author=b, reply_to=q)
    await h.send("thanks a lot", author=a, reply_to=h.last)
    await h.tick()
    # the timer rolls up only final days; a report rolls up today too (per-member daily counts)
    await h.engine.pm.get_plugin("engagement").refresh(h.guild_id, h.now.timestamp())
    return a, b


async def counts(h, user_id):
    out = {}
    for table in TABLES:
        column = "author_id" if table in ("eng_messages", "eng_questions") else "user_id"
        out[table] = (await rows(h, f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (user_id,)))[0][0]
    return out


async def test_admin_forgets_a_member_everywhere():
    async with await Harness.create(builtins=PLUGIN, guild_config=GUILD) as h:
        a, b = await populate(h)
        assert all((await counts(h, a.id)).values())
        refused = await h.command("pitchfree forget", h.member(20, roles=[9]), member=a.id)
        assert refused.text.startswith("Only admins")
        response = await h.command("pitchfree forget", h.member(21, roles=[8]), member=a.id)
        assert "Deleted" in response.text
        assert set((await counts(h, a.id)).values()) == {0}
        assert (await counts(h, b.id))["eng_messages"] == 1
        assert await rows(h, "SELECT COUNT(*) FROM eng_messages WHERE reply_to_author = ?", (a.id,)) == [(0,)]
        assert await rows(h, "SELECT COUNT(*) FROM eng_events WHERE other_user_id = ?", (a.id,)) == [(0,)]
        audits = [x for x in h.executor.actions if isinstance(x, Audit) and x.topic == "engagement.forget"]
        assert audits[0].data["user_id"] == a.id and audits[0].data["by"] == 21


async def test_member_deletes_their_own_data():
    async with await Harness.create(builtins=PLUGIN, guild_config=GUILD) as h:
        a, b = await populate(h)
        await h.send("Is anyone around to help?", author=b)
        response = await h.command("privacy forget-me", b)
        assert response.text.startswith("Done")
        assert set((await counts(h, b.id)).values()) == {0}
        assert (await counts(h, a.id))["eng_messages"] == 2
        assert "No open questions" in (await h.command("unanswered", a)).text
        h.advance(minutes=60)
        assert [x for x in await h.tick() if x.kind == "reply"] == []


async def test_a_long_backlog_is_rolled_up_in_chunks_over_ticks():
    from datetime import timedelta

    async with await Harness.create(builtins=PLUGIN, guild_config=GUILD) as h:
        now = h.now
        for days_ago in range(69, -1, -1):
            h.now = now - timedelta(days=days_ago)
            await h.send("one message a day", author=h.member(10))
        done = []
        for _ in range(3):
            await h.tick()
            done.append((await rows(h, "SELECT COUNT(*) FROM eng_daily_channel"))[0][0])
    assert done == [31, 62, 69]  # 31 days per tick; today is not final, reports roll it up


async def test_channels_with_logging_off_are_not_logged_or_watched():
    guild = {**GUILD, "plugins": {"engagement": {
        "helpers_channel": 555, "overrides": [{"when": {"channels": [200]}, "config": {"log_messages": False}}]}}}
    async with await Harness.create(builtins=PLUGIN, guild_config=guild) as h:
        await h.send("How do I get access to the private channel?", author=h.member(10), channel_id=200)
        await h.send("How do I get access to the public channel?", author=h.member(10), channel_id=100)
        assert await rows(h, "SELECT channel_id FROM eng_messages") == [(100,)]
        assert await rows(h, "SELECT channel_id FROM eng_questions") == [(100,)]
        h.advance(minutes=30)
        [nudge] = [a for a in await h.tick() if a.kind == "reply"]
        assert "/100/" in nudge.content and "/200/" not in nudge.content


async def test_a_duplicate_question_event_is_tracked_once():
    from bot.events import MessageCreated

    async with await Harness.create(builtins=PLUGIN, guild_config=GUILD) as h:
        await h.send("How do I report a bug?", author=h.member(10))
        q = h.last
        h.engine._seen.clear()  # as after a restart: the gateway may deliver the message again
        h.engine._seen_before.clear()
        await h.dispatch(MessageCreated(q))
        await h.send("open an issue", author=h.member(11), reply_to=q)
        await h.send("Where is the issue tracker?", author=h.member(10))
        await h.send("linked in the readme", author=h.member(12), mention_ids=(10,))
        assert "No open questions" in (await h.command("unanswered", h.member(10))).text
        assert await rows(h, "SELECT COUNT(*), COUNT(answered_at) FROM eng_questions") == [(2, 2)]
        assert await rows(h, "SELECT COUNT(*) FROM eng_messages") == [(4,)]
        assert h.engine.caller.faults == {}
