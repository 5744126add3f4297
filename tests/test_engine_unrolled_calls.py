"""The engine's generated per-community calls (bot._calls) behave exactly as its general loop."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import yaml

from bot.actions import DeleteMessage, React
from bot.config import StrictModel
from bot.hookspecs import hookimpl
from bot.plugins import register
from bot.testing import Harness


class WordConfig(StrictModel):
    word: str = "spam"


class NoConfig(StrictModel):
    """Only `enabled` and overrides: a plugin needs a model to be configured at all."""


class Configurable:
    @hookimpl
    def pitchfree_config_model(self):
        return NoConfig


def _delete(plugin: str, m) -> DeleteMessage:
    return DeleteMessage(plugin=plugin, reason="matched", guild_id=m.guild_id, channel_id=m.channel_id,
                         message_id=m.message_id)


def plugins(log: list) -> dict[str, object]:
    """Five plugins, one per argument shape and kind of result; each logs what it was called with."""

    class Watcher:  # (event, config): logs the config it was given
        @hookimpl
        def pitchfree_config_model(self):
            return WordConfig

        @hookimpl
        def pitchfree_message(self, event, config):
            log.append(("watcher", event.message.content, config.word))

    class Deleter:  # (event, config, ctx): returns an action
        @hookimpl
        def pitchfree_config_model(self):
            return WordConfig

        @hookimpl
        def pitchfree_message(self, event, config, ctx):
            log.append(("deleter", event.message.content, ctx.name))
            return [_delete("deleter", event.message)] if config.word in event.message.content else None

    class Crasher(Configurable):  # (event): raises on "boom"
        @hookimpl
        def pitchfree_message(self, event):
            log.append(("crasher", event.message.content))
            if "boom" in event.message.content:
                raise RuntimeError("boom")

    class Reactor(Configurable):  # async, (event, ctx)
        @hookimpl
        async def pitchfree_message(self, event, ctx):
            await asyncio.sleep(0)
            log.append(("reactor", event.message.content))
            m = event.message
            if "wave" in m.content:
                return React(plugin="reactor", reason="hi", guild_id=m.guild_id, channel_id=m.channel_id,
                             message_id=m.message_id, emoji="👋")
            return None

    class Muted(Configurable):  # disabled in the community's file
        @hookimpl
        def pitchfree_message(self, event):
            log.append(("muted", event.message.content))

    return {"watcher": Watcher(), "deleter": Deleter(), "crasher": Crasher(), "reactor": Reactor(), "muted": Muted()}


GUILD_CONFIG = {"plugins": {
    "watcher": {"word": "base",
                "overrides": [{"when": {"channels": [555]}, "config": {"word": "egg"}}]},
    "crasher": {"overrides": [{"when": {"channels": [556]}, "config": {"enabled": False}}]},
    "reactor": {"enabled": False, "overrides": [{"when": {"channels": [557]}, "config": {"enabled": True}}]},
    "muted": {"enabled": False},
}}

SCRIPT = [(554, "hello"), (555, "spam here"), (556, "boom spam"), (557, "wave"), (557, "boom wave spam"),
          (555, "boom"), (554, "wave spam"), (556, "wave"), (558, "nothing")]


async def _run(general: bool) -> tuple[list, list, dict]:
    log: list = []
    async with await Harness.create(plugins=plugins(log), guild_config=GUILD_CONFIG) as h:
        if general:
            h.engine.caller.timings = {}  # timed calls take the general loop
        alice = h.member(1)
        for channel, text in SCRIPT:
            await h.send(text, author=alice, channel_id=channel)
        actions = [(a.kind, a.plugin, a.channel_id, a.message_id) for a in h.executor.actions]
        faults = {name: fault.count for name, fault in h.engine.caller.faults.items()}
        used = any(h.engine._calls.values())  # some community got generated calls
    assert used is not general  # each run took the path it is meant to test
    return log, actions, faults


async def test_unrolled_calls_match_the_general_loop(caplog):
    caplog.set_level(logging.CRITICAL, "pitchfree.hooks")
    unrolled = await _run(general=False)
    general = await _run(general=True)
    assert unrolled == general
    log, actions, faults = unrolled
    # and what both do is right: overrides resolved per channel, disabled plugins never called,
    # a crash isolated, an async hook awaited, every plugin after a result still called, in order
    assert ("watcher", "spam here", "egg") in log and ("watcher", "hello", "base") in log
    assert not any(entry[0] == "muted" for entry in log)
    assert ("crasher", "boom spam") not in log and ("crasher", "boom") in log
    assert [e[1] for e in log if e[0] == "reactor"] == ["wave", "boom wave spam"]
    assert faults == {"crasher": 2}
    assert [(kind, plugin, channel) for kind, plugin, channel, _ in actions] == [
        ("delete_message", "deleter", 555), ("delete_message", "deleter", 556), ("react", "reactor", 557),
        ("react", "reactor", 557), ("delete_message", "deleter", 557), ("delete_message", "deleter", 554)]
    # pluggy's order: the latest registered first
    assert [e[0] for e in log if e[1] == "boom wave spam"] == ["reactor", "crasher", "deleter", "watcher"]


async def test_a_reload_and_a_new_plugin_rebuild_the_calls():
    log: list = []
    found = plugins(log)
    async with await Harness.create(plugins={"deleter": found["deleter"]}) as h:
        assert len(await h.send("spam", author=h.member(1))) == 1
        path = h.config_dir / "guilds" / f"{h.guild_id}.yaml"
        path.write_text(yaml.safe_dump({"plugins": {"deleter": {"word": "ham"}}}))
        await h.reload()
        assert await h.send("spam", author=h.member(1)) == []
        assert len(await h.send("ham", author=h.member(1))) == 1
        path.write_text(yaml.safe_dump({"plugins": {"deleter": {"enabled": False}}}))
        await h.reload()
        before = len(log)
        assert await h.send("ham", author=h.member(1)) == [] and len(log) == before
        register(h.engine.pm, "watcher_two", found["crasher"])
        h.engine.caller.invalidate()
        await h.send("boom", author=h.member(1))
        assert log[-1] == ("crasher", "boom") and h.engine.caller.faults["watcher_two"].count == 1


async def test_handle_settles_the_usual_event_without_a_coroutine():
    log: list = []
    async with await Harness.create(plugins={"deleter": plugins(log)["deleter"]}) as h:
        plain = h.message("hello", h.member(1))
        from bot.events import MessageCreated

        assert h.engine.handle(MessageCreated(plain)) is None
        assert h.engine.handle(MessageCreated(plain)) is None  # a replay is dropped too
        pending = h.engine.handle(MessageCreated(h.message("spam", h.member(1))))
        assert asyncio.iscoroutine(pending)
        results = await pending
        assert [r.action.kind for r in results] == ["delete_message"]
        assert h.engine.duplicates_dropped == 1


async def test_communities_alike_share_their_calls():
    """Communities on the default config share one set of calls; others get a closure of their own
    over the same compiled code when their plugins are on and off alike."""
    from bot.events import MessageCreated

    log: list = []
    found = plugins(log)
    async with await Harness.create(plugins={"deleter": found["deleter"], "watcher": found["watcher"]},
                                    guild_config={"plugins": {"deleter": {"word": "ham"}}}) as h:
        member = h.member(1)
        for guild_id in (h.guild_id, 7001, 7002):
            await h.dispatch(MessageCreated(replace(h.message("spam and ham", member), guild_id=guild_id)))
        by_guild = h.engine._calls["pitchfree_message"]
        own, first, second = by_guild[h.guild_id], by_guild[7001], by_guild[7002]
        assert first is second and own is not first
        assert own.run.__code__ is first.run.__code__  # same layout: one compiled factory
        deleted = [(a.guild_id, a.kind) for a in h.executor.actions]
        assert deleted == [(h.guild_id, "delete_message"), (7001, "delete_message"), (7002, "delete_message")]
        assert [entry[2] for entry in log if entry[0] == "watcher"] == ["spam", "spam", "spam"]


async def test_plugins_changing_mid_round_leave_the_round_as_it_began():
    """The rest of a round calls the implementations the round began with, even when a plugin
    registers another while its coroutine waits (the next event sees the new one)."""
    calls: list[str] = []

    class Tail:
        @hookimpl
        def pitchfree_message(self, event):
            calls.append(f"tail:{event.message.content}")

    class Newcomer:
        @hookimpl
        def pitchfree_message(self, event):
            calls.append(f"newcomer:{event.message.content}")

    class Head:
        def __init__(self):
            self.engine = None

        @hookimpl
        async def pitchfree_message(self, event):
            calls.append(f"head:{event.message.content}")
            if event.message.content == "first":
                await asyncio.sleep(0)
                register(self.engine.pm, "newcomer", Newcomer())
                self.engine.caller.invalidate()

    head = Head()
    async with await Harness.create(plugins={"tail": Tail(), "head": head}) as h:
        head.engine = h.engine
        await h.send("first", author=h.member(1))
        await h.send("second", author=h.member(1))
    assert calls == ["head:first", "tail:first", "newcomer:second", "head:second", "tail:second"]
