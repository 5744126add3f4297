"""A loopback fake Discord (REST + gateway) that real discord.py connects to in end-to-end tests."""

from tests.fakediscord._interactions import InteractionRecord, message_text
from tests.fakediscord._model import (
    CATEGORY,
    FORUM,
    PUBLIC_THREAD,
    TEXT,
    Channel,
    Guild,
    Role,
    StoredMessage,
    User,
)
from tests.fakediscord._rest import Call
from tests.fakediscord._server import FakeDiscord

__all__ = [
    "CATEGORY", "FORUM", "PUBLIC_THREAD", "TEXT", "Call", "Channel", "FakeDiscord", "Guild",
    "InteractionRecord", "Role", "StoredMessage", "User", "message_text",
]
