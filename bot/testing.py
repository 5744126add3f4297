"""An in-memory harness for testing plugins: push events, assert on recorded actions.

    async with await Harness.create(plugins={"mine": MyPlugin()}, guild_config={...}) as h:
        alice = h.member(10, roles=[5], days_in_server=30)
        actions = await h.send("hello", author=alice)

Time is controlled: every event is stamped with `h.now`, which only moves with `h.advance()`.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot import events as ev
from bot.actions import Action
from bot.app import build_engine
from bot.commands import ButtonClick, CommandKind, Invocation, Response
from bot.engine import Engine
from bot.executor import RecordingExecutor

GUILD_ID = 1
CHANNEL_ID = 100
START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


class Harness:
    """A started engine with a recording executor, a controllable clock and event helpers."""

    def __init__(self, engine: Engine, executor: RecordingExecutor, tmp: tempfile.TemporaryDirectory,
                 guild_id: int) -> None:
        self.engine = engine
        self.executor = executor
        self.guild_id = guild_id
        self.now = START
        self._tmp = tmp
        self._ids = itertools.count(1_000_000)
        self.messages: dict[int, ev.Message] = {}

    @classmethod
    async def create(
        cls,
        *,
        plugins: dict[str, object] | None = None,
        builtins: tuple[str, ...] | None = None,
        guild_config: dict[str, Any] | None = None,
        default_config: dict[str, Any] | None = None,
        guild_id: int = GUILD_ID,
        db: str | None = ":memory:",
        **engine_options: Any,
    ) -> Harness:
        """Build an engine with the given plugins and config dicts (written as YAML files)."""
        tmp = tempfile.TemporaryDirectory(prefix="pitchfree-test-")
        config_dir = Path(tmp.name)
        (config_dir / "guilds").mkdir()
        (config_dir / "default.yaml").write_text(yaml.safe_dump(default_config or {"language": "en"}))
        if guild_config is not None:
            (config_dir / "guilds" / f"{guild_id}.yaml").write_text(yaml.safe_dump(guild_config))
        executor = RecordingExecutor()
        if builtins is None:
            builtins = () if plugins is not None else _builtins()
        engine, _ = await build_engine(
            executor, config_dir=config_dir, db_path=db, builtins=builtins, entry_points=False,
            extra_plugins=plugins, **engine_options,
        )
        return cls(engine, executor, tmp, guild_id)

    async def __aenter__(self) -> Harness:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop the engine and remove the temporary config directory."""
        await self.engine.stop()
        self._tmp.cleanup()

    @property
    def config_dir(self) -> Path:
        """Where the harness wrote its YAML files (edit them, then `reload()`)."""
        return Path(self._tmp.name)

    def advance(self, seconds: float = 0, **kwargs: float) -> datetime:
        """Move the clock forward (`advance(minutes=30)` works too)."""
        self.now += timedelta(seconds=seconds, **kwargs)
        return self.now

    def member(self, id: int, *, name: str | None = None, roles: list[int] | tuple[int, ...] = (),
               days_in_server: float = 365, account_days: float = 1000, bot: bool = False) -> ev.Member:
        """A member who joined `days_in_server` days before the harness clock."""
        return ev.Member(
            id=id, display_name=name or f"member{id}", role_ids=frozenset(roles),
            joined_at=self.now - timedelta(days=days_in_server),
            created_at=self.now - timedelta(days=account_days), is_bot=bot,
        )

    def message(self, content: str, author: ev.Member, **fields: Any) -> ev.Message:
        """Build a message stamped now (does not dispatch it)."""
        reply_to = fields.pop("reply_to", None)
        if isinstance(reply_to, ev.Message):
            fields.setdefault("reply_to_message_id", reply_to.message_id)
            fields.setdefault("reply_to_author_id", reply_to.author.id)
        fields.setdefault("channel_id", CHANNEL_ID)
        fields.setdefault("message_id", next(self._ids))
        return ev.Message(guild_id=self.guild_id, author=author, content=content,
                          created_at=self.now, **fields)

    async def dispatch(self, event: ev.Event) -> list[Action]:
        """Dispatch any event; return the actions it produced."""
        before = len(self.executor.actions)
        await self.engine.dispatch(event)
        return self.executor.actions[before:]

    async def send(self, content: str, author: ev.Member, **fields: Any) -> list[Action]:
        """Post a message; return the actions it produced. The message is in `h.last`."""
        self.last = self.message(content, author, **fields)
        self.messages[self.last.message_id] = self.last
        return await self.dispatch(ev.MessageCreated(self.last))

    async def edit(self, message: ev.Message, content: str) -> list[Action]:
        """Edit a message's content now."""
        after = replace(message, content=content, edited_at=self.now)
        self.messages[message.message_id] = after
        return await self.dispatch(ev.MessageEdited(after=after, at=self.now, before=message))

    async def delete(self, message: ev.Message) -> list[Action]:
        """Delete a message now."""
        return await self.dispatch(ev.MessageDeleted(self.guild_id, message.channel_id, message.message_id,
                                                     self.now, message.author.id))

    async def react(self, message: ev.Message, user: ev.Member, emoji: str = "✅") -> list[Action]:
        """`user` reacts to `message`."""
        return await self.dispatch(ev.ReactionAdded(self.guild_id, message.channel_id, message.message_id,
                                                    user.id, emoji, self.now, message.author.id, user.is_bot))

    async def unreact(self, message: ev.Message, user: ev.Member, emoji: str = "✅") -> list[Action]:
        """`user` removes a reaction."""
        return await self.dispatch(ev.ReactionRemoved(self.guild_id, message.channel_id, message.message_id,
                                                      user.id, emoji, self.now, message.author.id))

    async def join(self, member: ev.Member) -> list[Action]:
        """`member` joins now."""
        return await self.dispatch(ev.MemberJoined(self.guild_id, replace(member, joined_at=self.now), self.now))

    async def leave(self, member: ev.Member) -> list[Action]:
        """`member` leaves now."""
        return await self.dispatch(ev.MemberLeft(self.guild_id, member.id, self.now))

    async def tick(self) -> list[Action]:
        """Run the periodic timers at the harness clock."""
        before = len(self.executor.actions)
        await self.engine.tick(self.now)
        return self.executor.actions[before:]

    async def command(self, name: str, user: ev.Member, *, kind: str = CommandKind.SLASH.value,
                      is_guild_admin: bool = False, guild_id: int | None = -1,
                      channel_id: int = CHANNEL_ID, target: ev.Message | None = None,
                      can_view: Callable[[int], bool | None] | None = None, **options: Any) -> Response:
        """Invoke a command by its full name as `user`."""
        found = self.engine.find_command(name, kind)
        if found is None:
            raise LookupError(f"no command named {name!r} ({kind})")
        plugin, spec = found
        inv = Invocation(
            guild_id=self.guild_id if guild_id == -1 else guild_id, channel_id=channel_id, user=user,
            at=self.now, options=options, is_guild_admin=is_guild_admin,
            target_message_id=target.message_id if target else None,
            target_message_author_id=target.author.id if target else None,
            target_message_content=target.content if target else None, can_view=can_view,
        )
        return await self.engine.run_command(plugin, spec, inv)

    async def click(self, plugin: str, action: str, case_key: str, user: ev.Member) -> Response:
        """Click an alert button as `user`."""
        return await self.engine.click(ButtonClick(self.guild_id, CHANNEL_ID, user, plugin, action,
                                                   case_key, self.now))

    async def reload(self):
        """Reload the config files from `config_dir`."""
        return await self.engine.reload_config()


def _builtins() -> tuple[str, ...]:
    from bot.plugins import BUILTIN_PLUGINS

    return BUILTIN_PLUGINS
