"""The `pitchfree replay` sub-command."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add `replay` to the `pitchfree` command line."""
    parser = subparsers.add_parser(
        "replay", help="dry-run the rules over DiscordChatExporter JSON exports (offline)",
        description="Replay DiscordChatExporter JSON exports through the same engine, plugins and "
        "config as the live bot, with nothing sent anywhere, and report what would have happened. "
        "Exit code: 0 ok, 1 some input (or the config) was bad, 2 usage error.",
        epilog="Docs: docs/replay.md (including the --json record schema).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="export files, or directories (every *.json in them)")
    parser.add_argument("--config-dir", help="directory with default.yaml and guilds/ "
                        "(default: $PITCHFREE_CONFIG_DIR, ./config, or the shipped config)")
    parser.add_argument("--guild-config", metavar="FILE",
                        help="guild YAML to use for the exported community, whatever its file name")
    parser.add_argument("--json", metavar="OUT", dest="json_out",
                        help="also write one JSON Lines record per decision to OUT")
    parser.add_argument("--db", metavar="PATH",
                        help="SQLite database to use (default: a temporary one, deleted afterwards)")
    parser.set_defaults(func=_cmd_replay)
    return parser


def _cmd_replay(args: argparse.Namespace) -> int:
    import logging

    from bot.replay._run import run_replay

    if not args.verbose:
        logging.getLogger("pitchfree.storage").setLevel(logging.WARNING)

    try:
        return asyncio.run(run_replay(args.paths, config_dir=args.config_dir, guild_config=args.guild_config,
                                      json_out=args.json_out, db=args.db))
    except BrokenPipeError:  # e.g. `pitchfree replay ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
