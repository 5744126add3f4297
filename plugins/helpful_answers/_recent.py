"""Recent credits in memory: what the pair cooldown and the daily caps are checked against.

Every thanks is checked against these limits, and most are refused by them (a popular helper
reaches the receiver's cap early in a busy day). Asking the database each time costs a round
trip to its thread per thanks; the ledger keeps this copy of the recent rows that count
instead. It is loaded by one query, kept current by the ledger's own `add`, and dropped by any
other write to the ledger (reversals, released flags), so it never disagrees with the table.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict


class RecentCredits:
    """Counted credits (not reversed, not moderator) of one community with `ts > since`."""

    __slots__ = ("since", "_given", "_received", "_pairs")

    def __init__(self, since: float, rows: list[tuple[int, int, float]]) -> None:
        self.since = since
        self._given: dict[int, list[float]] = defaultdict(list)
        self._received: dict[int, list[float]] = defaultdict(list)
        self._pairs: dict[tuple[int, int], float] = {}
        for giver, receiver, ts in sorted(rows, key=lambda r: r[2]):
            self.add(giver, receiver, ts)

    def covers(self, since: float) -> bool:
        """Whether every counted credit with `ts > since` is here."""
        return since >= self.since

    def add(self, giver: int, receiver: int, ts: float) -> None:
        """Note a credit that counts (kept sorted by time, so counting is a binary search)."""
        for times in (self._given[giver], self._received[receiver]):
            if not times or ts >= times[-1]:
                times.append(ts)
            else:
                times.insert(bisect_right(times, ts), ts)
        pair = (min(giver, receiver), max(giver, receiver))
        if ts > self._pairs.get(pair, float("-inf")):
            self._pairs[pair] = ts

    def facts(self, giver: int, receiver: int, day_since: float) -> tuple[int, float | None, int]:
        """(credits given by `giver` since `day_since`, the pair's latest credit either way,
        credits received by `receiver` since `day_since`)."""
        given = self._given.get(giver, ())
        received = self._received.get(receiver, ())
        last = self._pairs.get((min(giver, receiver), max(giver, receiver)))
        return (len(given) - bisect_right(given, day_since), last,
                len(received) - bisect_right(received, day_since))
