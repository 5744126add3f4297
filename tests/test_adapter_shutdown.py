"""The adapter's `on_message` path: events reach the engine, and shutdown waits for those in flight."""

from __future__ import annotations

import asyncio
import logging

from bench._corpus import make_corpus
from bench._floor import make_state
from bot.discord_adapter._bot import PitchfreeBot


class SlowEngine:
    """Just what PitchfreeBot uses of an engine; each event's work waits until `release` is set."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.services: dict = {}
        self.reload_listeners: list = []
        self.release = asyncio.Event()
        self.started: list[int] = []
        self.finished: list[int] = []
        self.stopped_after: list[int] | None = None
        self.fail_on = fail_on

    def handle(self, event):
        """As `Engine.handle`: the work left to await (here, always some)."""
        return self.dispatch(event)

    async def dispatch(self, event) -> list:
        message_id = event.message.message_id
        self.started.append(message_id)
        await self.release.wait()
        if message_id == self.fail_on:
            raise RuntimeError("plugin exploded")
        self.finished.append(message_id)
        return []

    async def stop(self) -> None:
        self.stopped_after = list(self.finished)


def parsed_messages(n: int):
    corpus = make_corpus(n, seed=11)
    parsed: list = []
    state = make_state(corpus, parsed)
    for payload in corpus.payloads:
        state.parse_message_create(payload)
    return parsed


async def test_shutdown_waits_for_messages_in_flight_then_stops_the_engine():
    engine = SlowEngine()
    bot = PitchfreeBot(engine)
    messages = parsed_messages(3)
    tasks = [asyncio.create_task(bot.on_message(m)) for m in messages]
    await asyncio.sleep(0)
    assert len(engine.started) == 3 and engine.finished == []
    closing = asyncio.create_task(bot.shutdown(drain_timeout=30))
    await asyncio.sleep(0.05)
    assert not closing.done() and engine.stopped_after is None  # still waiting for the three
    await bot.on_message(parsed_messages(4)[-1])  # arrives after shutdown began: not taken
    assert len(engine.started) == 3
    engine.release.set()
    await asyncio.wait_for(closing, 2)  # well before the drain timeout: woken by the last one
    await asyncio.gather(*tasks)
    assert engine.stopped_after == [m.id for m in messages]  # the engine stopped after all of them


async def test_a_failing_dispatch_is_logged_and_still_counted_out(caplog):
    messages = parsed_messages(2)
    engine = SlowEngine(fail_on=messages[0].id)
    bot = PitchfreeBot(engine)
    tasks = [asyncio.create_task(bot.on_message(m)) for m in messages]
    await asyncio.sleep(0)
    engine.release.set()
    with caplog.at_level(logging.ERROR, logger="pitchfree.discord"):
        await asyncio.gather(*tasks)  # the failure does not propagate into discord.py
    assert f"dispatch failed for message:{messages[0].id}" in caplog.text
    assert engine.finished == [messages[1].id]
    await asyncio.wait_for(bot.shutdown(drain_timeout=5), 5)  # nothing left in flight: no wait
    assert engine.stopped_after == [messages[1].id]


async def test_shutdown_gives_up_waiting_after_the_drain_timeout(caplog):
    engine = SlowEngine()
    bot = PitchfreeBot(engine)
    task = asyncio.create_task(bot.on_message(parsed_messages(1)[0]))
    await asyncio.sleep(0)
    with caplog.at_level(logging.WARNING, logger="pitchfree.discord"):
        await asyncio.wait_for(bot.shutdown(drain_timeout=0.05), 5)
    assert "1 event(s) still in flight" in caplog.text and engine.stopped_after == []
    engine.release.set()
    await task


class SettlingEngine(SlowEngine):
    """Settles even message ids at once (`handle` returns None, as the engine does for the usual
    message), raises for `broken`, and leaves work to await for the rest."""

    def __init__(self, broken: int | None = None) -> None:
        super().__init__()
        self.settled: list[int] = []
        self.broken = broken

    def handle(self, event):
        message_id = event.message.message_id
        if message_id == self.broken:
            raise RuntimeError("engine exploded before any await")
        if message_id % 2 == 0:
            self.settled.append(message_id)
            return None
        return self.dispatch(event)


async def test_a_settled_message_is_never_in_flight_and_a_synchronous_failure_is_logged(caplog):
    messages = parsed_messages(4)
    evens = [m for m in messages if m.id % 2 == 0]
    odd = next(m for m in messages if m.id % 2)
    engine = SettlingEngine(broken=evens[-1].id)
    bot = PitchfreeBot(engine)
    with caplog.at_level(logging.ERROR, logger="pitchfree.discord"):
        for message in evens:
            await bot.on_message(message)  # returns at once: nothing to await, nothing in flight
    assert engine.settled == [m.id for m in evens[:-1]] and bot._inflight == 0
    assert f"dispatch failed for message:{evens[-1].id}" in caplog.text
    waiting = asyncio.create_task(bot.on_message(odd))
    await asyncio.sleep(0)
    assert bot._inflight == 1 and engine.started == [odd.id]
    engine.release.set()
    await waiting
    assert bot._inflight == 0 and engine.finished == [odd.id]


async def test_system_notices_are_dropped_and_replies_and_chat_are_handled():
    """`on_message` skips discord.py's `is_system()` messages; its shortcut for chat and replies changes nothing."""
    corpus = make_corpus(30, seed=11)
    parsed: list = []
    state = make_state(corpus, parsed)
    kinds = {0: "default", 19: "reply", 6: "pins_add", 7: "new_member", 20: "chat_input_command"}
    for i, kind in enumerate(kinds):
        payload = dict(corpus.payloads[i], type=kind)
        if kind != 19:
            payload.pop("message_reference", None)
            payload.pop("referenced_message", None)
        state.parse_message_create(payload)
    engine = SlowEngine()
    engine.handle = lambda event: engine.started.append(event.message.message_id)  # settled at once
    bot = PitchfreeBot(engine)
    for message in parsed:
        await bot.on_message(message)
    handled = [m.id for m in parsed if not m.is_system()]
    assert [m.type.name for m in parsed if m.id in handled] == ["default", "reply", "chat_input_command"]
    assert engine.started == handled
