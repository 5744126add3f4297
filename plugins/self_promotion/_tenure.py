"""How long a member has been around: the newcomer, trust-gate and established-member tests.

`days` is the member's days in the server when the join date is known, else None; the
account's age (from its id) then stands in. `prior` is how many of their messages the plugin
has seen before this one. `c` is the plugin's `context` config block.
"""

from __future__ import annotations

from bot.events import Message


def recently_joined(msg: Message, days: float | None, c) -> bool:
    """Whether the first messages the bot sees can be the member's first in the server.

    A member who joined long before the bot started (or before an export begins) is not a
    newcomer just because the bot has not seen them write yet.
    """
    if days is not None:
        return days < c.trust_min_days
    age = account_days(msg)
    return age is None or age < c.trust_min_account_days


def established(msg: Message, days: float | None, prior: int, c) -> bool:
    """Long in the server (account age stands in for an unknown join date) and many messages seen."""
    if c.established_days <= 0 or prior < c.established_messages:
        return False
    if days is not None:
        return days >= c.established_days
    age = account_days(msg)
    return age is not None and age >= c.established_days


def below_gate(msg: Message, days: float | None, prior: int, c) -> bool:
    """Trust gate: days in server and messages sent; account age stands in for an unknown join date."""
    if days is not None:
        return days < c.trust_min_days or prior < c.trust_min_messages
    age = account_days(msg)
    if age is not None:
        return age < c.trust_min_account_days
    return prior < c.trust_min_messages


def account_days(msg: Message) -> float | None:
    """The author's account age in days when the message was posted, if known."""
    created = msg.author.created_at
    return None if created is None else (msg.created_at - created).total_seconds() / 86400
