"""Gateway faults: RECONNECT mid-burst, resume replay, invalid sessions; nothing lost or doubled."""

from __future__ import annotations

from collections import Counter

import pytest

from bot import events as ev
from tests.e2e._probe import Probe

pytestmark = pytest.mark.e2e

BURST = 1000


def _ids(probe: Probe) -> Counter:
    return Counter(e.message.message_id for e in probe.of_type(ev.MessageCreated))


async def _burst(fake, world, n: int, fault_at: int, fault) -> list[int]:
    authors = (world.alice, world.bob, world.mod)
    sent = []
    for i in range(n):
        if i == fault_at:
            await fault()
        msg = await fake.send_message(world.general, authors[i % 3], f"burst message {i}")
        sent.append(msg.id)
    return sent


async def test_reconnect_mid_burst_resumes_and_processes_every_message_once(fake, world, runner):
    probe = Probe()
    bot = await runner.start(probe)

    async def reconnect_and_hold_resume():
        fake.gateway.resume_gate.clear()  # the second half of the burst waits in the session buffer
        await fake.send_reconnect()

    sent = await _burst(fake, world, BURST, BURST // 2, reconnect_and_hold_resume)
    fake.gateway.resume_gate.set()
    await fake.wait_until(lambda: len(_ids(probe)) >= BURST, timeout=40, what=f"{BURST} messages")
    counts = _ids(probe)
    assert set(counts) == set(sent)
    assert max(counts.values()) == 1
    assert fake.gateway.resumes == 1 and fake.gateway.identifies == 1
    assert fake.gateway.replayed >= BURST // 2  # the missed half really came through RESUME replay
    assert bot.engine.events_processed == BURST


async def test_resume_replay_overlap_is_dropped_by_the_engine(fake, world, runner):
    """Discord may replay events the client already had; the engine drops them by event id."""
    probe = Probe()
    bot = await runner.start(probe)
    fake.gateway.replay_overlap = 30
    sent = await _burst(fake, world, 200, 100, fake.send_reconnect)
    await fake.wait_until(lambda: len(_ids(probe)) >= 200 and fake.gateway.resumes == 1, timeout=30,
                          what="200 messages")
    await fake.wait_until(lambda: bot.engine.duplicates_dropped >= 1, timeout=10, what="duplicates dropped")
    counts = _ids(probe)
    assert set(counts) == set(sent) and max(counts.values()) == 1


async def test_invalid_session_reidentifies_and_keeps_processing(fake, world, runner):
    probe = Probe()
    await runner.start(probe)
    before = await fake.send_message(world.general, world.alice, "before")
    await fake.wait_until(lambda: before.id in _ids(probe), what="first message")
    await fake.invalidate_session(resumable=False)
    await fake.wait_until(lambda: fake.gateway.identifies == 2, timeout=20, what="a new IDENTIFY")
    after = await fake.send_message(world.general, world.alice, "after")
    await fake.wait_until(lambda: after.id in _ids(probe), what="message on the new session")
    assert max(_ids(probe).values()) == 1


async def test_dropped_connection_resumes(fake, world, runner):
    probe = Probe()
    await runner.start(probe)
    sent = await _burst(fake, world, 100, 50, fake.drop_connection)
    await fake.wait_until(lambda: len(_ids(probe)) >= 100, timeout=30, what="100 messages")
    assert set(_ids(probe)) == set(sent) and max(_ids(probe).values()) == 1
    assert fake.gateway.resumes == 1
