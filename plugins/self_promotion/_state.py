"""In-memory per-member history for context signals (no database on the hot path)."""

from __future__ import annotations

from collections import OrderedDict, deque
from datetime import datetime, timedelta

_MAX_MEMBERS = 200_000  # about 100 bytes each unless they post promotion
_RECENT = 8  # recent promotional messages kept for cross-post detection
PERSIST_CAP = 100  # counts above this no longer matter to any gate, so they stop being saved


class MemberHistory:
    """What the plugin has seen from one member since it started (small: one per active member)."""

    __slots__ = ("seen", "plain", "bits", "count", "history", "recent", "promo_posts")

    def __init__(self, history: int) -> None:
        self.seen = 0  # messages seen
        self.plain = 0  # link-free messages: taking part in conversation
        self.bits = 0  # promotional flags of the last `history` messages, newest in bit 0
        self.count = 0  # how many flags `bits` holds
        self.history = history
        self.recent: deque[tuple[datetime, int, frozenset[str]]] | None = None
        self.promo_posts: deque[datetime] | None = None

    def add_flag(self, promotional: bool) -> None:
        """Record whether the newest message was promotional."""
        self.bits = ((self.bits << 1) | promotional) & ((1 << self.history) - 1)
        self.count = min(self.count + 1, self.history)

    def mark_last_promotional(self) -> None:
        """An edit made the newest message promotional."""
        if self.count:
            self.bits |= 1

    def promo_count(self) -> int:
        """Promotional messages among the recent ones."""
        return self.bits.bit_count()

    def remember_text(self, at: datetime, channel_id: int, tokens: frozenset[str]) -> None:
        """Keep a promotional text for cross-post detection."""
        if self.recent is None:
            self.recent = deque(maxlen=_RECENT)
        self.recent.append((at, channel_id, tokens))

    def crosspost_channels(self, at: datetime, channel_id: int, tokens: frozenset[str],
                           window: timedelta, similarity: float) -> int:
        """Distinct channels (this one included) with the same or nearly the same text in the window."""
        channels = {channel_id}
        for when, channel, other in self.recent or ():
            if channel in channels or at - when > window or not other:
                continue
            if len(tokens & other) / len(tokens | other) >= similarity:
                channels.add(channel)
        return len(channels)

    def add_promo_post(self, at: datetime) -> None:
        """Count a promotional post in a promo channel."""
        if self.promo_posts is None:
            self.promo_posts = deque(maxlen=50)
        self.promo_posts.append(at)

    def posts_in(self, at: datetime, window: timedelta) -> int:
        """Promo-channel posts within the window before `at`."""
        return sum(1 for when in self.promo_posts or () if at - when < window)


QUEUE_LIMIT = 256  # queued plain messages counted at once


class Memory:
    """Member histories keyed by (guild, member), bounded (least recently active dropped first)."""

    def __init__(self) -> None:
        self._members: OrderedDict[tuple[int, int], MemberHistory] = OrderedDict()
        self.dirty: set[tuple[int, int]] = set()  # counts changed since the last save
        # `add_plain`, deferred: plain messages not counted yet, as (guild, member, history). The
        # plugin's message hook appends to this list (one list for the Memory's life) and settles
        # it when it holds QUEUE_LIMIT; every read settles it first.
        self.queued: list[tuple[int, int, int]] = []

    def settle(self) -> None:
        """Count every queued plain message, in order."""
        queued = self.queued
        if not queued:
            return
        block = queued[:]
        queued.clear()  # before counting: a read while counting must not settle the same block again
        add_plain = self.add_plain
        for guild_id, user_id, history in block:
            add_plain(guild_id, user_id, history)

    def get(self, guild_id: int, user_id: int, history: int) -> MemberHistory:
        """The member's history, created empty on first sight."""
        if self.queued:
            self.settle()
        key = (guild_id, user_id)
        found = self._members.get(key)
        if found is None:
            found = self._members[key] = MemberHistory(history)
            if len(self._members) > _MAX_MEMBERS:
                self._members.popitem(last=False)
        else:
            self._members.move_to_end(key)
        return found

    def add_plain(self, guild_id: int, user_id: int, history: int) -> None:
        """Count a new message with nothing link-like or promotional: the hot path in one call.

        Same as `get`, marking the member dirty below PERSIST_CAP, `seen += 1`, `plain += 1` and
        `add_flag(False)`, without the extra calls.
        """
        key = (guild_id, user_id)
        members = self._members
        found = members.get(key)
        if found is None:
            found = self.get(guild_id, user_id, history)
        else:
            members.move_to_end(key)
        if found.seen < PERSIST_CAP:
            self.dirty.add(key)
        found.seen += 1
        found.plain += 1
        if found.bits:  # a zero history stays zero when shifted
            found.bits = (found.bits << 1) & ((1 << found.history) - 1)
        if found.count < found.history:
            found.count += 1

    def restore(self, guild_id: int, user_id: int, seen: int, plain: int, history: int) -> None:
        """Load saved counts (at startup) so a restart does not make regulars look new."""
        self.settle()
        found = self.get(guild_id, user_id, history)
        found.seen, found.plain = max(found.seen, seen), max(found.plain, plain)

    def take_dirty(self) -> list[tuple[int, int, int, int]]:
        """(guild, member, seen, plain) rows changed since the last call."""
        self.settle()
        rows = []
        for key in self.dirty:
            found = self._members.get(key)
            if found is not None:
                rows.append((key[0], key[1], found.seen, found.plain))
        self.dirty.clear()
        return rows

    def peek(self, guild_id: int, user_id: int) -> MemberHistory | None:
        """The member's history if any, without creating it."""
        self.settle()
        return self._members.get((guild_id, user_id))

    def clear(self) -> None:
        """Forget everything."""
        self.queued.clear()
        self._members.clear()
        self.dirty.clear()
