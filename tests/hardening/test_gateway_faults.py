"""Gateway faults mid-burst with the built-in plugins: every message is processed exactly once.

A burst mixes questions, answers, thanks (helpful-answer credits) and promotions from fresh
accounts (strikes and cases). Whatever the fault, the database ends up with exactly one row
per message in each table keyed by message id: no strike, credit or log row lost or doubled.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest

from bot import events as ev
from tests.e2e._probe import Probe
from tests.hardening.conftest import write_guild_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROUNDS = 30  # each round: question, answer, thanks, promotion -> 120 messages
HEARTBEAT, RESUME = 1, 6
HELPFUL = {"min_giver_messages": 0, "min_giver_days": 0, "pair_cooldown_hours": 0, "giver_daily_cap": 1000,
           "receiver_daily_cap": 1000, "ring_min_credits": 100000}


async def _fault_drop(fake):
    await fake.drop_connection()


async def _fault_reconnect(fake):
    fake.gateway.resume_gate.clear()  # the rest of the burst waits for the RESUME replay
    await fake.send_reconnect()


async def _fault_invalid_resumable(fake):
    await fake.invalidate_session(resumable=True)


async def _fault_heartbeat(fake):
    """Stop acking heartbeats; discord.py notices the silence, closes and resumes."""
    fake.gateway.resume_gate.clear()
    resumes_seen = fake.gateway.ops_received.count(RESUME)
    fake.gateway.ack_heartbeats = False
    await fake.wait_until(lambda: fake.gateway.ops_received.count(RESUME) > resumes_seen, timeout=15,
                          what="the client to give up on the silent connection and RESUME")
    fake.gateway.ack_heartbeats = True


FAULTS = {"dropped": _fault_drop, "reconnect": _fault_reconnect, "invalid-session": _fault_invalid_resumable,
          "heartbeat-ack-missing": _fault_heartbeat}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_messages_are_processed_exactly_once_across_gateway_faults(fake, world, config_dir, tmp_path,
                                                                         plugin_runner, fault):
    write_guild_config(config_dir, world.guild.id, {"plugins": {"helpful_answers": HELPFUL}})
    if fault == "heartbeat-ack-missing":
        fake.gateway.heartbeat_interval_ms = 150
    probe = Probe()
    askers = [fake.add_member(world.guild, f"asker{i}", roles=(world.member_role,), days=50) for i in range(ROUNDS)]
    helpers = [fake.add_member(world.guild, f"helper{i}", roles=(world.member_role,), days=60)
               for i in range(ROUNDS)]
    await plugin_runner.start(probe, client_options={"heartbeat_timeout": 1.0})
    fresh = [await fake.member_join(world.guild, f"fresh{i}", account_days=0) for i in range(ROUNDS)]
    sent, thanks, promos = [], [], []
    for i in range(ROUNDS):
        if i == ROUNDS // 2:
            await FAULTS[fault](fake)
        q = await fake.send_message(world.general, askers[i], f"how do I configure the build cache for project {i}?")
        a = await fake.send_message(world.general, helpers[i], "set CACHE_DIR in your config and restart the "
                                    "service, then run the build again", reply_to=q.id)
        t = await fake.send_message(world.general, askers[i], "thank you so much, that fixed it!", reply_to=a.id)
        p = await fake.send_message(world.general, fresh[i], f"join my server discord.gg/burst{i} free nitro")
        sent += [q, a, t, p]
        thanks.append(t)
        promos.append(p)
    fake.gateway.resume_gate.set()
    ids = {m.id for m in sent}

    def seen() -> Counter:
        return Counter(e.message.message_id for e in probe.of_type(ev.MessageCreated))

    await fake.wait_until(lambda: set(seen()) >= ids, timeout=30, what=f"all {len(ids)} messages")
    await fake.wait_until(lambda: all(p.deleted for p in promos), timeout=15, what="every promotion deleted")
    assert max(seen().values()) == 1
    assert fake.gateway.resumes >= 1
    await plugin_runner.stop()  # flushes the batched writer

    db = sqlite3.connect(plugin_runner.db_path)
    try:
        def per_message(sql: str) -> Counter:
            return Counter(row[0] for row in db.execute(sql))

        eng = per_message("SELECT message_id FROM eng_messages")
        assert {m: eng[m] for m in ids} == {m: 1 for m in ids}, "engagement log rows lost or doubled"
        strikes = per_message("SELECT message_id FROM promo_strikes")
        assert strikes == Counter({p.id: 1 for p in promos})
        cases = per_message("SELECT message_id FROM cases WHERE plugin = 'self_promotion'")
        assert cases == Counter({p.id: 1 for p in promos})
        credits = per_message("SELECT message_id FROM helpful_credits WHERE status = 'active'")
        assert credits == Counter({t.id: 1 for t in thanks}), "helpful credits lost or doubled"
        points = dict(db.execute("SELECT receiver_id, SUM(points) FROM helpful_credits GROUP BY receiver_id"))
        assert points == {h.id: 1 for h in helpers}
    finally:
        db.close()
