"""Spam-wave helpers for the executor: per-channel bulk deletes and grouped moderator alerts.

Deletes for one channel are queued for `delay_s` (or until 100 are pending) and sent as one
bulk delete when Discord allows it (2-100 messages, all under 14 days old); otherwise one by
one. Each action still gets its own result once its batch is done.

Alerts from one plugin in one guild that arrive within `window_s` of the previous one form a
wave: the first is posted, the rest are folded into that message (edited, debounced), so a
wave of hundreds of cases is one alert in the mod-log channel.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import discord

from bot import actions as act

log = logging.getLogger("pitchfree.discord.batching")

BULK_MAX = 100
BULK_MAX_AGE = timedelta(days=14) - timedelta(minutes=5)  # margin: the batch waits a moment before sending
ALERT_LINES = 15  # wave members listed in the grouped alert (the most recent ones)


class DeleteBatcher:
    """Queues message deletes per channel and sends them in bulk where Discord allows it."""

    def __init__(self, http: Callable[[], discord.http.HTTPClient], *, delay_s: float = 0.25) -> None:
        self._http = http
        self.delay_s = delay_s
        self._queues: dict[int, dict[int, list[asyncio.Future]]] = {}
        self._timers: dict[int, asyncio.Task] = {}
        self.bulk_calls = 0
        self.single_calls = 0

    async def delete(self, channel_id: int, message_id: int, reason: str | None = None) -> None:
        """Delete one message via its channel's next batch; raises the HTTP error on failure."""
        future = asyncio.get_running_loop().create_future()
        queue = self._queues.setdefault(channel_id, {})
        queue.setdefault(message_id, []).append(future)
        if len(queue) >= BULK_MAX:
            self._start_flush(channel_id, 0.0)
        elif channel_id not in self._timers:
            self._start_flush(channel_id, self.delay_s)
        await future

    def _start_flush(self, channel_id: int, delay: float) -> None:
        timer = self._timers.pop(channel_id, None)
        if timer is not None and delay == 0.0:
            timer.cancel()
        batch = None
        if delay == 0.0:
            batch = self._queues.pop(channel_id, {})
        task = asyncio.get_running_loop().create_task(self._flush(channel_id, delay, batch))
        if delay:
            self._timers[channel_id] = task

    async def _flush(self, channel_id: int, delay: float, batch: dict | None) -> None:
        if batch is None:
            try:
                await asyncio.sleep(delay)
            except asyncio.CancelledError:
                return  # a full batch was sent in the meantime; it took this queue with it
            self._timers.pop(channel_id, None)
            batch = self._queues.pop(channel_id, {})
        if batch:
            await self._send(channel_id, batch)

    async def _send(self, channel_id: int, batch: dict[int, list[asyncio.Future]]) -> None:
        now = datetime.now(UTC)
        young = [m for m in batch if now - discord.utils.snowflake_time(m) < BULK_MAX_AGE]
        single = [m for m in batch if now - discord.utils.snowflake_time(m) >= BULK_MAX_AGE]
        if len(young) >= 2:
            try:
                self.bulk_calls += 1
                await self._http().delete_messages(channel_id, [str(m) for m in young])
                _settle(batch, young, None)
            except discord.HTTPException as exc:
                if exc.status == 400:  # e.g. a message Discord would not bulk delete: try one by one
                    log.info("bulk delete in channel %s refused (%s); deleting one by one", channel_id, exc.text)
                    single += young
                else:
                    _settle(batch, young, exc)
            except Exception as exc:
                _settle(batch, young, exc)
        else:
            single += young
        await asyncio.gather(*(self._single(channel_id, m, batch) for m in single))

    async def _single(self, channel_id: int, message_id: int, batch: dict) -> None:
        try:
            self.single_calls += 1
            await self._http().delete_message(channel_id, message_id)
            _settle(batch, [message_id], None)
        except Exception as exc:
            _settle(batch, [message_id], exc)


def _settle(batch: dict[int, list[asyncio.Future]], ids: list[int], exc: BaseException | None) -> None:
    for message_id in ids:
        for future in batch.get(message_id, ()):
            if future.done():
                continue
            if exc is None:
                future.set_result(None)
            else:
                future.set_exception(exc)


@dataclass
class _Wave:
    first: act.ModAlert
    last: float
    message: asyncio.Future  # the posted discord.Message (or the exception if posting failed)
    grouped: list[act.ModAlert] = field(default_factory=list)
    waiters: list[asyncio.Future] = field(default_factory=list)
    editor: asyncio.Task | None = None


class AlertGrouper:
    """Folds bursts of alerts from one plugin in one guild into a single, updated mod-log message."""

    def __init__(self, post: Callable[[act.ModAlert, discord.Embed | None], Awaitable[discord.Message]],
                 embed_for: Callable[[act.ModAlert], discord.Embed], *, window_s: float = 60.0,
                 edit_delay_s: float = 0.5) -> None:
        self._post = post
        self._embed_for = embed_for
        self.window_s = window_s
        self.edit_delay_s = edit_delay_s
        self._waves: dict[tuple[int, str], _Wave] = {}
        self.posts = 0
        self.edits = 0

    async def alert(self, a: act.ModAlert) -> str | None:
        """Post the alert, or fold it into its wave's message; returns a note for grouped ones."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        self._prune(now)
        key = (a.guild_id, a.plugin)
        wave = self._waves.get(key)
        if wave is None:
            wave = self._waves[key] = _Wave(a, now, loop.create_future())
            try:
                self.posts += 1
                wave.message.set_result(await self._post(a, None))
            except BaseException as exc:
                wave.message.set_exception(exc)
                wave.message.exception()  # retrieved: later waves re-post the summary instead
                raise
            return None
        wave.last = now
        wave.grouped.append(a)
        waiter = loop.create_future()
        wave.waiters.append(waiter)
        if wave.editor is None or wave.editor.done():
            wave.editor = loop.create_task(self._edit_loop(wave))
        await waiter
        return f"grouped with the alert wave started by {wave.first.case_key or wave.first.title!r} " \
               f"({len(wave.grouped) + 1} alerts)"

    def _prune(self, now: float) -> None:
        stale = [k for k, w in self._waves.items() if now - w.last > self.window_s and not w.waiters]
        for k in stale:
            del self._waves[k]

    async def _edit_loop(self, wave: _Wave) -> None:
        while wave.waiters:
            await asyncio.sleep(self.edit_delay_s)
            waiters, wave.waiters = wave.waiters, []
            try:
                embed = self.summary(wave)
                message = await _message_or_none(wave.message)
                self.edits += 1
                if message is None:  # the first post failed: the summary becomes a new post
                    posted = await self._post(wave.first, embed)
                    wave.message = asyncio.get_running_loop().create_future()
                    wave.message.set_result(posted)
                else:
                    await message.edit(embed=embed)
                for w in waiters:
                    if not w.done():
                        w.set_result(None)
            except Exception as exc:
                for w in waiters:
                    if not w.done():
                        w.set_exception(exc)

    def summary(self, wave: _Wave) -> discord.Embed:
        """The first alert's embed plus a field listing the rest of the wave."""
        embed = self._embed_for(wave.first)
        total = len(wave.grouped) + 1
        members = {a.author_id for a in (wave.first, *wave.grouped) if a.author_id is not None}
        embed.title = f"Wave: {total} alerts from {len(members)} member(s) — {wave.first.title}"[:256]
        lines = []
        for a in wave.grouped[-ALERT_LINES:]:
            who = f"<@{a.author_id}>" if a.author_id is not None else a.title
            where = f" [message]({a.message_link})" if a.message_link else ""
            lines.append(f"• {who}{where}" + (f" `{a.case_key}`" if a.case_key else ""))
        earlier = len(wave.grouped) - len(lines)
        if earlier > 0:
            lines.insert(0, f"…and {earlier} earlier")
        embed.add_field(name=f"Also in this wave ({len(wave.grouped)})", value="\n".join(lines)[:1024],
                        inline=False)
        return embed


async def _message_or_none(future: asyncio.Future) -> discord.Message | None:
    try:
        return await future
    except Exception:
        return None
