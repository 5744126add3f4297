"""A test plugin that records what it sees and does what each test scripts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.actions import Action
from bot.commands import CommandKind, CommandOption, CommandSpec, Invocation, Permission, Response
from bot.hookspecs import hookimpl


class Probe:
    """Records events, invocations and clicks; `script(event)` decides the actions to return."""

    def __init__(self, script: Callable[[Any], list[Action]] | None = None) -> None:
        self.events: list[Any] = []
        self.invocations: list[tuple[str, Invocation]] = []
        self.clicks: list[Any] = []
        self.ticks: list[Any] = []
        self.script = script or (lambda event: [])

    @hookimpl
    def pitchfree_commands(self) -> list[CommandSpec]:
        return [
            CommandSpec("probe purge", "Moderators only", self._purge, Permission.MODERATOR,
                        options=(CommandOption("member", "Who", type="member"),
                                 CommandOption("count", "How many", type="int", required=False),
                                 CommandOption("mode", "Mode", required=False, choices=("soft", "hard")))),
            CommandSpec("probe ping", "Anyone", self._ping),
            CommandSpec("probe boom", "Always fails", self._boom),
            CommandSpec("probe slow", "Takes a while", self._slow),
            CommandSpec("Report to mods", "Context menu", self._report, kind=CommandKind.MESSAGE_MENU),
        ]

    def _purge(self, inv: Invocation) -> Response:
        self.invocations.append(("probe purge", inv))
        return Response(f"purged {inv.options.get('count', 1)} from {inv.options['member']}")

    def _ping(self, inv: Invocation) -> Response:
        self.invocations.append(("probe ping", inv))
        return Response("pong", ephemeral=False)

    async def _slow(self, inv: Invocation) -> Response:
        await asyncio.sleep(0.3)
        return Response("finally", title="Slow result", fields=(("took", "a while"),))

    def _boom(self, inv: Invocation) -> Response:
        raise RuntimeError("probe exploded")

    def _report(self, inv: Invocation) -> Response:
        self.invocations.append(("Report to mods", inv))
        return Response(f"reported {inv.target_message_id}")

    @hookimpl
    def pitchfree_message(self, event, config, ctx):
        self.events.append(event)
        return self.script(event)

    @hookimpl
    def pitchfree_reaction_add(self, event, config, ctx):
        self.events.append(event)
        return self.script(event)

    @hookimpl
    def pitchfree_member_join(self, event, config, ctx):
        self.events.append(event)
        return self.script(event)

    @hookimpl
    def pitchfree_message_edit(self, event, config, ctx):
        self.events.append(event)
        return self.script(event)

    @hookimpl
    def pitchfree_message_delete(self, event, config, ctx):
        self.events.append(event)
        return self.script(event)

    @hookimpl
    def pitchfree_tick(self, guild_id, now, config, ctx):
        self.ticks.append((guild_id, now))

    @hookimpl
    def pitchfree_button(self, click, config, ctx):
        self.clicks.append(click)
        return Response(f"{click.action} done for {click.case_key}")

    def of_type(self, event_type: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, event_type)]
