"""Event -> hook -> recorded actions, with crash, timeout and garbage isolation."""

from __future__ import annotations

import asyncio
import logging

from bot.actions import DeleteMessage, React, Reply
from bot.config import StrictModel
from bot.hookspecs import hookimpl
from bot.testing import Harness


class WordConfig(StrictModel):
    word: str = "spam"


class Deleter:
    """Deletes messages containing the configured word."""

    @hookimpl
    def pitchfree_config_model(self):
        return WordConfig

    @hookimpl
    def pitchfree_message(self, event, config):
        m = event.message
        if config.word in m.content:
            return [DeleteMessage(plugin="deleter", reason=f"said {config.word}", guild_id=m.guild_id,
                                  channel_id=m.channel_id, message_id=m.message_id)]
        return None


class AsyncReactor:
    seen: list

    def __init__(self):
        self.seen = []

    @hookimpl
    async def pitchfree_message(self, event, ctx):
        await asyncio.sleep(0)
        self.seen.append((event.message.content, ctx.name))
        m = event.message
        return React(plugin="reactor", reason="hello", guild_id=m.guild_id, channel_id=m.channel_id,
                     message_id=m.message_id, emoji="👋")


class Crasher:
    @hookimpl
    def pitchfree_message(self, event):
        raise RuntimeError("boom")


class Hanger:
    @hookimpl
    async def pitchfree_message(self, event):
        await asyncio.sleep(60)


class Garbage:
    @hookimpl
    def pitchfree_message(self, event):
        return 42


async def test_event_reaches_plugins_and_actions_are_recorded():
    reactor = AsyncReactor()
    async with await Harness.create(plugins={"deleter": Deleter(), "reactor": reactor}) as h:
        alice = h.member(10, roles=[3])
        actions = await h.send("this is spam", author=alice)
        kinds = sorted(a.kind for a in actions)
        assert kinds == ["delete_message", "react"]
        delete = next(a for a in actions if isinstance(a, DeleteMessage))
        assert delete.plugin == "deleter" and delete.reason == "said spam"
        assert delete.message_id == h.last.message_id
        assert reactor.seen == [("this is spam", "reactor")]
        assert await h.send("hello", author=alice) != []  # reactor only
        assert [a.kind for a in h.executor.actions[-1:]] == ["react"]


async def test_crash_and_timeout_and_garbage_are_isolated(caplog):
    caplog.set_level(logging.ERROR, "pitchfree.hooks")
    plugins = {"crasher": Crasher(), "hanger": Hanger(), "garbage": Garbage(), "deleter": Deleter()}
    async with await Harness.create(plugins=plugins, hook_timeout_s=0.05) as h:
        actions = await h.send("spam again", author=h.member(1))
        assert [a.kind for a in actions] == ["delete_message"]
        faults = h.engine.status()["faults"]
        assert "RuntimeError: boom" in faults["crasher"]["last_error"]
        assert "timed out" in faults["hanger"]["last_error"]
        assert "expected actions" in faults["garbage"]["last_error"]
        # each fault is logged with the event's id, whichever way the plugin failed
        event_id = f"message:{h.last.message_id}"
        for plugin in ("crasher", "hanger", "garbage"):
            assert any(plugin in r.getMessage() and event_id in r.getMessage() for r in caplog.records), plugin
        # the next message is still processed
        assert [a.kind for a in await h.send("more spam", author=h.member(1))] == ["delete_message"]
        assert faults and h.engine.status()["faults"]["crasher"]["count"] == 2
        status = await h.command("pitchfree status", h.member(2), is_guild_admin=True)
        assert "crasher" in dict(status.fields)["Plugin errors"]


async def test_duplicate_events_are_processed_once():
    async with await Harness.create(plugins={"deleter": Deleter()}) as h:
        await h.send("spam", author=h.member(1))
        from bot.events import MessageCreated

        again = await h.dispatch(MessageCreated(h.last))
        assert again == []
        assert len(h.executor.actions) == 1
        assert h.engine.status()["duplicates_dropped"] == 1


class DeleteWatcher:
    def __init__(self):
        self.deleted = []

    @hookimpl
    def pitchfree_message_delete(self, event):
        self.deleted.append(event.message_id)


async def test_a_message_and_its_deletion_are_not_taken_for_duplicates():
    from datetime import UTC, datetime

    from bot.events import MessageCreated, MessageDeleted

    watcher = DeleteWatcher()
    async with await Harness.create(plugins={"deleter": Deleter(), "watcher": watcher}) as h:
        await h.send("spam", author=h.member(1))
        m = h.last
        gone = MessageDeleted(m.guild_id, m.channel_id, m.message_id, datetime.now(UTC), m.author.id)
        await h.dispatch(gone)
        assert watcher.deleted == [m.message_id]
        assert await h.dispatch(gone) == [] and watcher.deleted == [m.message_id]  # a replayed delete
        assert await h.dispatch(MessageCreated(m)) == []  # a replayed create
        assert h.engine.status()["duplicates_dropped"] == 2
        assert len(h.executor.actions) == 1


async def test_recent_event_ids_are_remembered_across_a_generation_swap(monkeypatch):
    import bot.engine as engine_module
    from bot.events import MessageCreated

    monkeypatch.setattr(engine_module, "_SEEN_LIMIT", 4)
    async with await Harness.create(plugins={"deleter": Deleter()}) as h:
        sent = []
        for i in range(10):
            await h.send(f"spam {i}", author=h.member(1))
            sent.append(h.last)
        # the newest 4 to 7 ids are remembered: the last 6 here (the swap came after the 8th)
        for m in sent[4:]:
            assert await h.dispatch(MessageCreated(m)) == []
        assert h.engine.status()["duplicates_dropped"] == 6
        assert len(h.executor.actions) == 10
        assert await h.dispatch(MessageCreated(sent[0])) != []  # long forgotten: handled again
        assert len(h.executor.actions) == 11


async def test_plugin_disabled_per_guild_and_per_channel():
    config = {"plugins": {"deleter": {"overrides": [{"when": {"channels": [555]}, "config": {"enabled": False}}]}}}
    async with await Harness.create(plugins={"deleter": Deleter()}, guild_config=config) as h:
        assert await h.send("spam", author=h.member(1), channel_id=555) == []
        assert len(await h.send("spam", author=h.member(1), channel_id=556)) == 1
    async with await Harness.create(plugins={"deleter": Deleter()},
                                    guild_config={"plugins": {"deleter": {"enabled": False}}}) as h:
        assert await h.send("spam", author=h.member(1)) == []


async def test_hook_order_follows_pluggy_tryfirst_trylast():
    calls = []

    class Late:
        @hookimpl(trylast=True)
        def pitchfree_message(self):
            calls.append("late")

    class Early:
        @hookimpl(tryfirst=True)
        def pitchfree_message(self):
            calls.append("early")

    class Plain:
        @hookimpl
        def pitchfree_message(self):
            calls.append("plain")

    async with await Harness.create(plugins={"late": Late(), "early": Early(), "plain": Plain()}) as h:
        await h.send("x", author=h.member(1))
    assert calls == ["early", "plain", "late"]


async def test_tracing_logs_each_call(monkeypatch, caplog):
    monkeypatch.setenv("PITCHFREE_TRACE_HOOKS", "1")
    caplog.set_level(logging.INFO, "pitchfree.hooks")
    async with await Harness.create(plugins={"deleter": Deleter()}) as h:
        await h.send("hi", author=h.member(1))
    lines = [r.getMessage() for r in caplog.records if "elapsed_us=" in r.getMessage()]
    assert any("hook=pitchfree_message plugin=deleter" in line for line in lines)


async def test_command_permissions_are_checked_server_side():
    async with await Harness.create(plugins={"deleter": Deleter()},
                                    guild_config={"moderator_roles": [50], "admin_roles": [60]}) as h:
        member, mod, admin = h.member(1, roles=[7]), h.member(2, roles=[50]), h.member(3, roles=[60])
        refused = await h.command("pitchfree status", member)
        assert refused.ephemeral and "moderator" in refused.text.lower()
        assert (await h.command("pitchfree status", mod)).title == "pitchfree status"
        assert "admin" in (await h.command("pitchfree config check", mod)).text.lower()
        assert "valid" in (await h.command("pitchfree config check", admin)).text
        dm = await h.command("pitchfree status", mod, guild_id=None)
        assert "server" in dm.text


async def test_failing_command_gives_friendly_message():
    from bot.commands import CommandSpec, Response

    class Cmd:
        @hookimpl
        def pitchfree_commands(self):
            def broken(inv):
                raise ValueError("nope")

            return [CommandSpec("broken", "always fails", broken),
                    CommandSpec("hello", "greets", lambda inv: Response("hi", actions=(
                        Reply(plugin="cmd", reason="greeting", guild_id=inv.guild_id, channel_id=inv.channel_id,
                              content="hello all"),)))]

    async with await Harness.create(plugins={"cmd": Cmd()}) as h:
        response = await h.command("broken", h.member(1))
        assert "failed" in response.text and "logged" in response.text
        assert (await h.command("hello", h.member(1))).text == "hi"
        assert [a.kind for a in h.executor.actions] == ["reply"]


async def test_button_click_routes_to_owner_and_needs_moderator():
    from bot.commands import Response

    clicks = []

    class Owner:
        @hookimpl
        def pitchfree_button(self, click):
            clicks.append((click.action, click.case_key))
            return Response("ok")

    async with await Harness.create(plugins={"owner": Owner()}, guild_config={"moderator_roles": [50]}) as h:
        refused = await h.click("owner", "confirm", "k1", h.member(1))
        assert "moderators" in refused.text and clicks == []
        assert (await h.click("owner", "confirm", "k1", h.member(2, roles=[50]))).text == "ok"
        assert clicks == [("confirm", "k1")]
        missing = await h.click("other", "confirm", "k1", h.member(2, roles=[50]))
        assert "not loaded" in missing.text


async def test_storage_failure_alerts_moderators_and_moderation_continues():
    import sqlite3

    from bot.actions import ModAlert

    class Broken:
        async def write_runs(self, runs):
            raise sqlite3.OperationalError("disk I/O error")

    async with await Harness.create(plugins={"deleter": Deleter()},
                                    guild_config={"mod_log_channel": 77}) as h:
        real_db = h.engine.writer._db
        h.engine.writer._db = Broken()
        h.engine.writer.add("INSERT INTO cases (x) VALUES (?)", (1,))
        assert await h.engine.writer.flush() is False
        assert await h.engine.writer.flush() is False
        for _ in range(50):
            if h.executor.of_type(ModAlert):
                break
            await asyncio.sleep(0.01)
        alerts = h.executor.of_type(ModAlert)
        assert len(alerts) == 1 and "disk I/O error" in alerts[0].reasons[0]
        assert h.engine.writer.pending == 1
        assert [a.kind for a in await h.send("spam", author=h.member(1))] == ["delete_message"]
        h.engine.writer._db = real_db
        h.engine.writer._pending.clear()
