"""Executors carry out actions: the Discord adapter's in production, the recording one elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.actions import Action


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What happened to one action. `skipped` means deliberately not done (e.g. role hierarchy)."""

    action: Action
    ok: bool
    error: str | None = None
    skipped: bool = False

    def as_outcome(self) -> dict:
        """A JSON-able summary stored on the case."""
        status = "ok" if self.ok else ("skipped" if self.skipped else "failed")
        return {"action": self.action.kind, "status": status, "error": self.error}


class Executor(Protocol):
    """Carries out actions. Implementations never raise: failures come back as results."""

    async def execute(self, action: Action) -> ActionResult:
        """Do one action and report how it went."""
        ...


class RecordingExecutor:
    """Records every action and reports success; used by tests and `pitchfree replay`."""

    def __init__(self) -> None:
        self.actions: list[Action] = []

    async def execute(self, action: Action) -> ActionResult:
        """Record the action."""
        self.actions.append(action)
        return ActionResult(action, ok=True)

    def of_type(self, action_type: type[Action]) -> list[Action]:
        """Recorded actions of one type, in order."""
        return [a for a in self.actions if isinstance(a, action_type)]

    def clear(self) -> None:
        """Forget what was recorded."""
        self.actions.clear()
