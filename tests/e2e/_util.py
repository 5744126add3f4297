"""Wait-for-condition helpers for e2e tests (no fixed sleeps)."""

from __future__ import annotations

import asyncio

from bot.storage._cases import Case


async def wait_for_outcomes(engine, guild_id: int, case_key: str, timeout: float = 15.0) -> Case:
    """The case once the engine has stored the outcomes of its actions."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        case = await engine.cases.get(guild_id, case_key)
        if case is not None and case.outcomes:
            return case
        if loop.time() > deadline:
            raise AssertionError(f"case {case_key} has no outcomes after {timeout}s: {case}")
        await asyncio.sleep(0.02)
