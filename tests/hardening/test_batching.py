"""The executor's delete batching and alert grouping, against a stub HTTP client (no network)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import discord
import pytest

from bot import actions as act
from bot.discord_adapter._batching import AlertGrouper, DeleteBatcher


def _id(days_ago: float) -> int:
    return discord.utils.time_snowflake(datetime.now(UTC) - timedelta(days=days_ago))


class _Response:
    def __init__(self, status: int, reason: str = "x") -> None:
        self.status, self.reason = status, reason


class StubHttp:
    """Records bulk and single deletes; optionally fails some."""

    def __init__(self, bulk_status: int | None = None, gone: set[int] = frozenset()) -> None:
        self.bulk: list[list[int]] = []
        self.single: list[int] = []
        self.bulk_status = bulk_status
        self.gone = gone

    async def delete_messages(self, channel_id, ids, reason=None):
        await asyncio.sleep(0)
        self.bulk.append([int(i) for i in ids])
        if self.bulk_status is not None:
            raise discord.HTTPException(_Response(self.bulk_status), {"code": 50034, "message": "refused"})

    async def delete_message(self, channel_id, message_id, reason=None):
        await asyncio.sleep(0)
        self.single.append(int(message_id))
        if int(message_id) in self.gone:
            raise discord.NotFound(_Response(404), {"code": 10008, "message": "Unknown Message"})


async def test_deletes_in_one_channel_become_bulk_calls_of_at_most_100():
    http = StubHttp()
    batcher = DeleteBatcher(lambda: http, delay_s=0.05)
    ids = [_id(1) + i for i in range(250)]
    await asyncio.gather(*(batcher.delete(7, m) for m in ids))
    assert sorted(m for call in http.bulk for m in call) == sorted(ids)
    assert [len(c) for c in http.bulk] == [100, 100, 50] and http.single == []


async def test_a_lone_message_and_old_messages_are_deleted_one_by_one():
    http = StubHttp()
    batcher = DeleteBatcher(lambda: http, delay_s=0.02)
    lone = _id(0.5)
    await batcher.delete(1, lone)  # alone in its batch: bulk delete needs at least 2
    old = [_id(20), _id(15)]
    young = [_id(0.1), _id(13)]
    await asyncio.gather(*(batcher.delete(2, m) for m in old + young))
    assert http.bulk == [young]
    assert sorted(http.single) == sorted([lone, *old])


async def test_each_delete_gets_its_own_result_after_a_refused_bulk_delete():
    gone = _id(0.2)
    http = StubHttp(bulk_status=400, gone={gone})
    batcher = DeleteBatcher(lambda: http, delay_s=0.02)
    ok = _id(0.3)
    results = await asyncio.gather(batcher.delete(3, ok), batcher.delete(3, gone), return_exceptions=True)
    assert results[0] is None and isinstance(results[1], discord.NotFound)
    assert len(http.bulk) == 1 and sorted(http.single) == sorted([ok, gone])


async def test_a_forbidden_bulk_delete_fails_every_action_in_it():
    http = StubHttp(bulk_status=403)
    batcher = DeleteBatcher(lambda: http, delay_s=0.02)
    results = await asyncio.gather(*(batcher.delete(4, _id(1) + i) for i in range(3)), return_exceptions=True)
    assert all(isinstance(r, discord.HTTPException) and r.status == 403 for r in results)
    assert http.single == []


async def test_the_same_message_twice_is_sent_once():
    http = StubHttp()
    batcher = DeleteBatcher(lambda: http, delay_s=0.02)
    m, other = _id(1), _id(1) + 1
    await asyncio.gather(batcher.delete(5, m), batcher.delete(5, m), batcher.delete(5, other))
    assert http.bulk == [[m, other]]


class StubMessage:
    def __init__(self, embed) -> None:
        self.embed = embed
        self.edits = 0

    async def edit(self, *, embed):
        self.embed = embed
        self.edits += 1


def _alert(i: int, plugin: str = "self_promotion", guild_id: int = 1) -> act.ModAlert:
    return act.ModAlert(plugin=plugin, reason="r", guild_id=guild_id, title=f"Self-promotion by <@{i}>",
                        author_id=i, case_key=f"{plugin}:{i}", message_link=f"https://x/{i}")


def _grouper(posted: list, fail_first: bool = False, **kw) -> AlertGrouper:
    async def post(a, embed):
        if fail_first and not posted:
            posted.append(None)
            raise discord.HTTPException(_Response(500), "boom")
        msg = StubMessage(embed or discord.Embed(title=a.title))
        posted.append(msg)
        return msg
    return AlertGrouper(post, lambda a: discord.Embed(title=a.title), edit_delay_s=0.02, **kw)


async def test_a_burst_of_alerts_is_one_message_that_counts_the_wave():
    posted: list = []
    grouper = _grouper(posted)
    notes = await asyncio.gather(*(grouper.alert(_alert(i)) for i in range(300)))
    assert len(posted) == 1 and notes[0] is None and all("grouped" in n for n in notes[1:])
    assert posted[0].embed.title.startswith("Wave: 300 alerts from 300 member(s)")
    assert posted[0].edits < 20  # debounced, not one edit per alert
    field = posted[0].embed.fields[0]
    assert field.name == "Also in this wave (299)" and "…and 284 earlier" in field.value
    assert len(field.value) <= 1024


async def test_other_plugins_guilds_and_later_waves_get_their_own_alert():
    posted: list = []
    grouper = _grouper(posted, window_s=0.05)
    await asyncio.gather(grouper.alert(_alert(1)), grouper.alert(_alert(2, plugin="helpful_answers")),
                         grouper.alert(_alert(3, guild_id=2)))
    assert len(posted) == 3
    await asyncio.sleep(0.1)  # the wave is over
    await grouper.alert(_alert(4))
    assert len(posted) == 4 and posted[-1].embed.title == "Self-promotion by <@4>"


async def test_alerts_grouped_behind_a_failed_post_are_posted_as_a_summary():
    posted: list = []
    grouper = _grouper(posted, fail_first=True)
    results = await asyncio.gather(*(grouper.alert(_alert(i)) for i in range(5)), return_exceptions=True)
    assert isinstance(results[0], discord.HTTPException)
    assert all(isinstance(r, str) for r in results[1:])
    assert posted[1].embed.title.startswith("Wave: 5 alerts")


@pytest.mark.parametrize("count", [1, 2])
async def test_a_single_alert_is_posted_unchanged(count):
    posted: list = []
    grouper = _grouper(posted)
    for i in range(count):
        await grouper.alert(_alert(10 + i, plugin=f"p{i}"))
    assert [p.embed.title for p in posted] == [f"Self-promotion by <@{10 + i}>" for i in range(count)]
