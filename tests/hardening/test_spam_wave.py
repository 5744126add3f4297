"""Spam wave through the fake Discord: fresh accounts post invites and promo links across channels.

Every promotional message is deleted (in bulk per channel where Discord allows it), 429s are
waited out without losing work, legitimate messages are untouched, and moderators get one
grouped alert for the wave. Set PITCHFREE_BENCH=1 to run it at the issue's full size
(200 accounts, 500 messages/second for 10 seconds).
"""

from __future__ import annotations

import asyncio
import json
import os
import time

import pytest

from tests.hardening.conftest import write_guild_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

BENCH = os.environ.get("PITCHFREE_BENCH", "") not in ("", "0")
ACCOUNTS = int(os.environ.get("PITCHFREE_BENCH_ACCOUNTS", 200)) if BENCH else 40
PER_ACCOUNT = int(os.environ.get("PITCHFREE_BENCH_PER_ACCOUNT", 25)) if BENCH else 3
RATE = 500 if BENCH else 80  # messages per second offered to the gateway
LEGIT_EVERY = 4  # one legitimate message after every few spam messages
PROMOS = ("join my server discord.gg/{code} free nitro giveaway",
          "check out my channel https://www.twitch.tv/{code} and follow!",
          "cheap accounts here https://linktr.ee/{code} dm me")
LEGIT = ("does anyone know why my python import fails after upgrading?",
         "I think the meeting notes are in the pinned message",
         "thanks, that fixed it")


async def test_spam_wave_is_cleared_in_bulk_with_one_grouped_alert(fake, world, config_dir, plugin_runner):
    extra = [fake.add_channel(world.guild, f"chat-{i}") for i in range(2)]
    channels = [world.general, *extra]
    write_guild_config(config_dir, world.guild.id, {"plugins": {"self_promotion": {"alert_every_case": True}}})
    bot = await plugin_runner.start()
    # Discord pushes back: bulk deletes, DMs and timeouts are rate limited a few times mid-wave.
    limits = [fake.fail("POST", r"/messages/bulk-delete$", 429, retry_after=0.2, times=2),
              fake.fail("PATCH", r"^/guilds/\d+/members/\d+$", 429, retry_after=0.2, times=2),
              fake.fail("POST", r"^/users/@me/channels$", 429, retry_after=0.1, times=2)]

    spammers = [await fake.member_join(world.guild, f"fresh{i}", account_days=0) for i in range(ACCOUNTS)]
    legit_authors = (world.alice, world.bob, world.mod)
    spam, legit = [], []
    start = time.perf_counter()
    interval = 1 / RATE
    n = 0
    for round_ in range(PER_ACCOUNT):
        for i, user in enumerate(spammers):
            channel = channels[(i + round_) % len(channels)]
            text = PROMOS[(i + round_) % len(PROMOS)].format(code=f"w{i}x{round_}")
            spam.append(await fake.send_message(channel, user, text))
            n += 1
            if n % LEGIT_EVERY == 0:
                author = legit_authors[n % len(legit_authors)]
                legit.append(await fake.send_message(channel, author, LEGIT[n % len(LEGIT)]))
            lag = start + n * interval - time.perf_counter()
            if lag > 0:
                await asyncio.sleep(lag)
    sent_s = time.perf_counter() - start

    try:
        await fake.wait_until(lambda: all(m.deleted for m in spam), timeout=300 if BENCH else 40,
                              what=f"all {len(spam)} promotional messages deleted")
    finally:
        print(f"\n{sum(m.deleted for m in spam)}/{len(spam)} deleted, {len(fake.calls)} REST calls, "
              f"{time.perf_counter() - start:.1f}s after the first message")
    cleared_s = time.perf_counter() - start
    print(f"\nspam wave: {len(spam)} promo + {len(legit)} legit messages sent in {sent_s:.2f}s; "
          f"backlog cleared {cleared_s:.2f}s after the first message ({cleared_s - sent_s:.2f}s after the last)")

    assert not any(m.deleted for m in legit), "a legitimate member's message was deleted"
    bulk = fake.calls_to("POST", r"/messages/bulk-delete$")
    ok_bulk = [c for c in bulk if c.status < 300]
    assert len([c for c in bulk if c.status == 429]) == 2  # the rate limit was hit ...
    bulk_deleted = [int(i) for c in ok_bulk for i in c.json["messages"]]
    assert all(2 <= len(c.json["messages"]) <= 100 for c in ok_bulk)
    assert len(bulk_deleted) == len(set(bulk_deleted))
    singles = fake.calls_to("DELETE", r"^/channels/\d+/messages/\d+$")
    assert len(ok_bulk) + len(singles) < len(spam) / 3, "deletes were not batched"
    assert set(bulk_deleted) | {int(c.path.rsplit("/", 1)[1]) for c in singles} == {m.id for m in spam}

    # every case is stored with its outcomes; the wave's alerts are one message, edited
    engine = bot.engine
    await fake.wait_until(lambda: engine.status()["writer_pending"] == 0, what="writer flushed")

    async def cases_with_outcomes() -> int:
        rows = await engine.db.fetchall("SELECT outcomes FROM cases WHERE plugin = 'self_promotion'")
        outcomes = [json.loads(o) for (o,) in rows]
        # every action of every case went through: nothing was dropped because of a 429
        assert all(x["status"] == "ok" for case in outcomes for x in case), [x for c in outcomes for x in c
                                                                            if x["status"] != "ok"][:5]
        return sum(1 for case in outcomes if any(x["action"] == "delete_message" for x in case))

    deadline = time.perf_counter() + 20
    while await cases_with_outcomes() < len(spam) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    assert await cases_with_outcomes() == len(spam)
    assert [rule.hits for rule in limits] == [2, 2, 2]  # each rate limit really was hit, and waited out
    timeouts = fake.calls_to("PATCH", r"^/guilds/\d+/members/\d+$", status=200)
    assert len(timeouts) >= ACCOUNTS  # strike 2 and later time the account out
    alerts = fake.calls_to("POST", rf"^/channels/{world.mod_log.id}/messages$")
    assert len(alerts) == 1, f"{len(alerts)} alerts posted for one wave"
    await fake.wait_until(lambda: _wave_title(fake, world, len(spam), ACCOUNTS), timeout=10,
                          what="the grouped alert to count the whole wave")
    assert faults_free(engine)


def _wave_title(fake, world, total: int, members: int) -> bool:
    posted = [m for m in fake.messages.values() if m.channel_id == world.mod_log.id]
    return len(posted) == 1 and bool(posted[0].embeds) and \
        posted[0].embeds[0].get("title", "").startswith(f"Wave: {total} alerts from {members} member(s)")


def faults_free(engine) -> bool:
    faults = engine.status()["faults"]
    assert not faults, faults
    return True
