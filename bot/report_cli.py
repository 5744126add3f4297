"""`pitchfree report`: the engagement report from the command line (text, json, csv or png)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

EXIT_OK, EXIT_USAGE = 0, 2
FORMATS = ("text", "json", "csv", "png")
_ENGAGEMENT = "plugins.engagement:Engagement"


def add_parser(subparsers) -> None:
    """Add the `report` sub-command."""
    p = subparsers.add_parser(
        "report", help="print or write an engagement report",
        description="Build the engagement report (the same figures as /engagement) from a pitchfree "
        "database. Days are counted in the community's timezone from its config file. Brings the daily "
        "rollups up to date first, so it writes to the database.")
    p.add_argument("--db", help="SQLite database path (default: $PITCHFREE_DB or ./pitchfree.db)")
    p.add_argument("--guild", type=int, required=True, help="community (guild) id")
    p.add_argument("--days", type=int, default=30, help="days to cover, 1-366 (default 30)")
    p.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    p.add_argument("--out", help="write to this file instead of stdout")
    p.add_argument("--until", help="last day of the report, YYYY-MM-DD (default: today)")
    p.add_argument("--rebuild", action="store_true",
                   help="recompute the daily rollups of every day that still has raw rows (e.g. after "
                   "importing older history)")
    p.add_argument("--config-dir", help="config directory for the timezone (default: $PITCHFREE_CONFIG_DIR, "
                   "./config, or the shipped config)")
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"pitchfree report: {message}", file=sys.stderr)
    return EXIT_USAGE


def _community(config_dir: str | None, guild_id: int):
    """(timezone, name, engagement config or None) from the config files; UTC when unavailable."""
    from bot.app import load_config, resolve_config_dir
    from bot.plugins import BUILTIN_PLUGINS

    directory = resolve_config_dir(config_dir)
    if not (directory / "default.yaml").is_file():
        return ZoneInfo("UTC"), None, None
    builtins = BUILTIN_PLUGINS if any(b.startswith("plugins.engagement") for b in BUILTIN_PLUGINS) \
        else (*BUILTIN_PLUGINS, _ENGAGEMENT)
    logging.getLogger("pitchfree.config").setLevel(logging.ERROR)
    try:
        store, _ = load_config(directory, builtins, entry_points=False)
        guild = store.guild(guild_id)
    except Exception as exc:  # a broken config must not stop a read-only report
        print(f"pitchfree report: config not usable ({exc}); using UTC", file=sys.stderr)
        return ZoneInfo("UTC"), None, None
    rules = guild.plugins.get("engagement")
    return guild.core.tz, guild.core.name, rules.base if rules is not None else None


def run(args: argparse.Namespace) -> int:
    """Build the report; exit 0, or 2 with one line on stderr when something is missing."""
    from bot.app import resolve_db_path

    path = resolve_db_path(args.db)
    if not Path(path).is_file():
        return _fail(f"database not found: {path}")
    if not 1 <= args.days <= 366:
        return _fail("--days must be between 1 and 366")
    until = None
    if args.until:
        try:
            until = date.fromisoformat(args.until)
        except ValueError:
            return _fail(f"--until must be a date like 2026-01-31, not {args.until!r}")
    tz, name, config = _community(args.config_dir, args.guild)
    try:
        data = asyncio.run(_build(path, args.guild, args.days, args.format, until, tz, name, config,
                                  args.rebuild))
    except _NoData as exc:
        return _fail(str(exc))
    if args.out:
        Path(args.out).write_bytes(data)
    elif args.format == "png":
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(data.decode())
    return EXIT_OK


class _NoData(Exception):
    pass


async def _build(path: str, guild_id: int, days: int, fmt: str, until: date | None, tz: ZoneInfo,
                 name: str | None, config, rebuild: bool = False) -> bytes:
    from bot.storage import Database, StorageError
    from plugins.engagement._metrics import full_report, period_ending
    from plugins.engagement._report import render
    from plugins.engagement._rollup import day_start, reset_rollups, rollup

    try:
        db = await Database.open(path)
    except StorageError as exc:
        raise _NoData(str(exc)) from exc
    try:
        if await db.schema_version("engagement") < 1:
            raise _NoData(f"no engagement data in {path} (the engagement plugin has not run on it)")
        if until is not None:
            now = datetime.fromtimestamp(day_start(until.toordinal() + 1, tz) - 0.001, UTC)
        else:
            now = datetime.now(UTC)
        window = (config.conversation_window_minutes if config else 60) * 60
        open_age = (config.open_question_max_age_hours if config else 72) * 3600
        if rebuild:
            await reset_rollups(db, guild_id)
        await rollup(db, guild_id, tz, now.timestamp(), window)
        report = await full_report(db, guild_id, tz, period_ending(now, days, tz), open_age)
    finally:
        await db.close()
    return render(report, fmt, name)
