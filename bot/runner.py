"""`pitchfree run`: start the Discord adapter with config and storage."""

from __future__ import annotations

import sys


def run_bot(token: str, *, config_dir: str | None, db: str | None) -> int:
    """Run until SIGINT/SIGTERM; return the exit code."""
    try:
        from bot.discord_adapter.runner import run
    except ImportError as exc:
        print(f"pitchfree: the Discord adapter is not available: {exc}", file=sys.stderr)
        return 2
    return run(token, config_dir=config_dir, db=db)
