"""`engine.services["invite_resolver"]`: await resolver(code) -> guild id or None, cached."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict

import discord

log = logging.getLogger("pitchfree.discord.invites")

CACHE_SIZE = 5000
TTL_S = 6 * 3600.0
UNKNOWN_TTL_S = 600.0  # invalid or failed lookups are retried sooner


class InviteResolver:
    """Resolves invite codes through the Discord API, at most one request per code at a time."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        self._cache: OrderedDict[str, tuple[float, int | None]] = OrderedDict()
        self._pending: dict[str, asyncio.Future] = {}
        self.lookups = 0

    def cached(self, code: str) -> tuple[bool, int | None]:
        """(known, guild id) from the cache only; never awaits."""
        entry = self._cache.get(code)
        if entry is None or entry[0] < time.monotonic():
            return False, None
        return True, entry[1]

    async def __call__(self, code: str) -> int | None:
        """The id of the guild the invite leads to, None if the invite is invalid or expired.

        Raises `discord.HTTPException` when Discord could not answer (rate limit, outage): the
        caller decides, and nothing is cached.
        """
        known, guild_id = self.cached(code)
        if known:
            return guild_id
        pending = self._pending.get(code)
        if pending is not None:
            return await asyncio.shield(pending)
        future = asyncio.get_running_loop().create_future()
        self._pending[code] = future
        try:
            guild_id = await self._lookup(code)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it, nobody else needs to
            raise
        else:
            future.set_result(guild_id)
            return guild_id
        finally:
            self._pending.pop(code, None)

    async def _lookup(self, code: str) -> int | None:
        self.lookups += 1
        try:
            invite = await self.client.fetch_invite(code, with_counts=False, with_expiration=False)
        except discord.NotFound:
            self._remember(code, None, UNKNOWN_TTL_S)
            return None
        except discord.HTTPException as exc:
            log.warning("invite lookup for %r failed: %s %s", code, exc.status, exc.text)
            raise
        guild_id = invite.guild.id if invite.guild is not None else None
        self._remember(code, guild_id, TTL_S)
        return guild_id

    def _remember(self, code: str, guild_id: int | None, ttl: float) -> None:
        self._cache[code] = (time.monotonic() + ttl, guild_id)
        self._cache.move_to_end(code)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
