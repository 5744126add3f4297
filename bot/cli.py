"""The `pitchfree` command line."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from bot import __version__

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pitchfree",
        description="pitchfree keeps a Discord community pitch-free, rewards helpful answers "
        "and logs engagement.",
        epilog="Docs: README.md and docs/. Config: config/default.yaml and config/guilds/<guild id>.yaml.",
    )
    parser.add_argument("--version", action="version", version=f"pitchfree {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more (debug level)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot (needs DISCORD_TOKEN)",
                         description="Connect to Discord and moderate. The token is read from "
                         "the DISCORD_TOKEN environment variable, never from the command line.")
    _config_dir_arg(run)
    run.add_argument("--db", help="SQLite database path (default: $PITCHFREE_DB or ./pitchfree.db)")
    run.set_defaults(func=_cmd_run)

    check = sub.add_parser("check", help="validate the config files",
                           description="Validate default.yaml and every guild file; "
                           "exit 0 when valid, 1 with one line per problem when not.")
    _config_dir_arg(check)
    check.set_defaults(func=_cmd_check)

    schema = sub.add_parser("schema", help="print the JSON Schema of a guild config file")
    schema.add_argument("--out", help="write to this file instead of stdout")
    schema.set_defaults(func=_cmd_schema)

    from bot import report_cli
    from bot.replay import cli as replay_cli

    replay_cli.add_parser(sub)
    report_cli.add_parser(sub)
    return parser


def _config_dir_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config-dir", help="directory with default.yaml and guilds/ "
                        "(default: $PITCHFREE_CONFIG_DIR, ./config, or the shipped config)")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `pitchfree` command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130


def _cmd_check(args: argparse.Namespace) -> int:
    from bot.app import load_config, resolve_config_dir

    config_dir = resolve_config_dir(args.config_dir)
    if not config_dir.is_dir():
        print(f"pitchfree: config directory not found: {config_dir}", file=sys.stderr)
        return EXIT_USAGE
    logging.getLogger("pitchfree.config").setLevel(logging.ERROR)
    _, report = load_config(config_dir)
    if report.ok:
        print(f"ok: {len(report.loaded)} config file(s) valid in {config_dir}")
        return EXIT_OK
    for problem in report.problems:
        print(problem)
    return EXIT_INVALID


def _cmd_schema(args: argparse.Namespace) -> int:
    from bot.app import load_config
    from bot.config import guild_file_schema

    store, _ = load_config(None)
    text = json.dumps(guild_file_schema(store.models), indent=2, sort_keys=True) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if not token:
        print("pitchfree: DISCORD_TOKEN is not set; export your bot token as DISCORD_TOKEN "
              "(see README: Running the bot)", file=sys.stderr)
        return EXIT_USAGE
    from bot.runner import run_bot

    return run_bot(token, config_dir=args.config_dir, db=args.db)
