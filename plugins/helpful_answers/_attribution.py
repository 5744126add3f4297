"""Recent conversation state in memory (bounded) and who-helped-whom decisions.

`observe` runs for every message, so it only appends small tuples; the searches run only when
someone says thanks, reacts with the mark emoji or marks a message.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter

from bot.events import Message

CHANNEL_DEPTH = 300  # recent messages kept per channel
MAX_CHANNELS = 5000  # channels and threads remembered per community
MAX_MEMBERS = 500_000


# What attribution remembers about one message, as a plain tuple (the cheapest record to build
# for every message): (message_id, channel_id, author_id, at, reply_to_author_id, mention_ids).
Seen = tuple[int, int, int, datetime, int | None, tuple[int, ...]]
_AUTHOR = itemgetter(2)


@dataclass(slots=True)
class MemberStats:
    """Messages seen from a member since start-up and when they joined (bots: `Conversations.bots`)."""

    messages: int = 0
    joined_ts: float | None = None


class Conversations:
    """One community's recent messages, threads and member activity."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        # Ordered so that dropping the oldest entry is O(1): `del d[next(iter(d))]` on a plain dict
        # skips every slot freed before it, which costs microseconds per message once it is full.
        self.messages: OrderedDict[int, Seen] = OrderedDict()
        self.channels: dict[int, deque[Seen]] = {}
        self.threads: dict[int, tuple[int, bool]] = {}  # thread id -> (owner id, is forum post)
        self.members: OrderedDict[int, MemberStats] = OrderedDict()
        self.bots: set[int] = set()  # the remembered members that are bots

    def observe(self, message: Message) -> Seen:
        """Remember a new message (hot path: a tuple, a few dict operations, bounded)."""
        author = message.author
        stats = self.members.get(author.id)
        if stats is None:
            if len(self.members) >= MAX_MEMBERS:
                self.bots.discard(self.members.popitem(last=False)[0])
            # Without a join date (exports rarely have one), the first message seen is a safe
            # lower bound of the member's tenure.
            joined = (author.joined_at or message.created_at).timestamp()
            stats = self.members[author.id] = MemberStats(0, joined)
            if author.is_bot:
                self.bots.add(author.id)
        stats.messages += 1
        message_id = message.message_id
        channel_id = message.channel_id
        seen = (message_id, channel_id, author.id, message.created_at, message.reply_to_author_id,
                message.mention_ids)
        messages = self.messages
        messages[message_id] = seen
        if len(messages) > self.limit:
            messages.popitem(last=False)
        channel = self.channels.get(channel_id)
        if channel is None:
            if len(self.channels) >= MAX_CHANNELS:
                del self.channels[next(iter(self.channels))]
            channel = self.channels[channel_id] = deque(maxlen=CHANNEL_DEPTH)
        if message.thread_owner_id is not None and channel_id not in self.threads:
            if len(self.threads) >= MAX_CHANNELS:
                del self.threads[next(iter(self.threads))]
            self.threads[channel_id] = (message.thread_owner_id, message.is_forum_post)
        channel.append(seen)
        return seen

    def forget(self, message_id: int) -> None:
        """Drop a deleted message so it is never credited as an answer."""
        seen = self.messages.pop(message_id, None)
        if seen is not None:
            channel = self.channels.get(seen[1], ())
            for i, kept in enumerate(channel):
                if kept is seen:  # this very record (a repeated event may have left an equal one)
                    del channel[i]
                    break

    def is_bot(self, user_id: int) -> bool:
        """Whether a member is known to be a bot."""
        return user_id in self.bots

    def thread_owner(self, channel_id: int) -> int | None:
        """The owner of a thread or forum post, when known."""
        info = self.threads.get(channel_id)
        return info[0] if info else None

    def is_forum_post(self, channel_id: int) -> bool:
        """Whether a channel is a forum post we have seen."""
        info = self.threads.get(channel_id)
        return bool(info and info[1])

    def speakers(self, channel_id: int, at: datetime, window_s: float) -> set[int]:
        """Members who posted in a channel within `window_s` seconds before `at`."""
        oldest = at - timedelta(seconds=window_s)
        found = set()
        for seen in reversed(self.channels.get(channel_id, ())):
            if seen[3] < oldest:
                break
            found.add(seen[2])
        return found

    def helpers_for(self, asker: int, channel_id: int, at: datetime, window_s: float, limit: int,
                    before_message: int | None = None) -> list[int]:
        """Members who answered `asker` in this channel within the window, most recent first.

        Direct answers (a reply to or a mention of the asker) count in any channel. Otherwise,
        in a thread the asker opened every other participant is answering them; elsewhere a
        plain message only counts when exactly one other member spoke since the asker's first
        message in the window, so interleaved conversations in busy channels are never confused.
        """
        channel = self.channels.get(channel_id)
        if not channel:
            return []
        owns_thread = self.thread_owner(channel_id) == asker
        if not owns_thread and asker not in map(_AUTHOR, channel):
            return []  # the asker said nothing here lately: the scan below would find no question
        recent: list[Seen] = []
        asked_at: datetime | None = None
        oldest = at - timedelta(seconds=window_s)
        for seen in reversed(channel):
            message_id, _, author_id, seen_at, _, _ = seen
            if seen_at < oldest:
                break
            if message_id == before_message:
                continue
            if author_id == asker:
                asked_at = seen_at
            else:
                recent.append(seen)
        if asked_at is None and not owns_thread:
            return []
        # (message_id, channel_id, author_id, at, reply_to_author_id, mention_ids) tuples
        bots = self.bots
        after = [s for s in recent if (asked_at is None or s[3] >= asked_at) and s[2] not in bots]
        direct = [author_id for _, _, author_id, _, reply_to, mentions in after
                  if reply_to == asker or asker in mentions]
        if direct:
            return _unique(direct, limit)
        loose = [author_id for _, _, author_id, _, reply_to, mentions in after if reply_to is None and not mentions]
        if owns_thread:
            return _unique(loose, limit)
        others = {s[2] for s in after}
        return _unique(loose, 1) if len(others) == 1 else []

    def answered(self, asker: int, seen: Seen, window_s: float) -> bool:
        """Whether the message `seen` answers `asker` (so the asker's mark reaction counts)."""
        _, channel_id, author_id, at, reply_to, mentions = seen
        if author_id == asker:
            return False
        if reply_to == asker or asker in mentions:
            return True
        if self.thread_owner(channel_id) == asker:
            return True
        # A plain message answers the asker's last message before it only when nobody else spoke in
        # between (the rule untargeted thanks follow): a ✅ on an announcement is not a mark.
        found = False
        for s in reversed(self.channels.get(channel_id, ())):
            if not found:
                found = s[0] == seen[0]
            elif s[2] == asker:
                return 0 <= (at - s[3]).total_seconds() <= window_s
            elif s[2] != author_id:
                return False
        return False


def _unique(ids: list[int], limit: int) -> list[int]:
    out: list[int] = []
    for i in ids:
        if i not in out:
            out.append(i)
            if len(out) >= limit:
                break
    return out
