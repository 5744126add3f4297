"""`pitchfree run`: build the engine, connect to Discord, shut down cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import signal
from pathlib import Path

import discord

from bot._collector import tuned_collector
from bot.app import build_engine, resolve_config_dir, resolve_db_path
from bot.config import ConfigError
from bot.discord_adapter._bot import PitchfreeBot
from bot.discord_adapter._executor import DiscordExecutor
from bot.plugins import BUILTIN_PLUGINS, PluginLoadError
from bot.storage import StorageError

log = logging.getLogger("pitchfree.discord.runner")

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


async def create_bot(
    *,
    config_dir: Path | None,
    db_path: str | None,
    builtins: tuple[str, ...] = BUILTIN_PLUGINS,
    entry_points: bool = True,
    extra_plugins: dict[str, object] | None = None,
    sync_global: bool | None = None,
    tick_seconds: float | None = None,
    client_options: dict | None = None,
    **engine_options,
) -> PitchfreeBot:
    """Build and start the engine with a Discord executor, and the bot around it (not connected yet).

    `client_options` go to discord.py's client (e.g. `guild_ready_timeout`); the rest to the engine.
    """
    executor = DiscordExecutor()
    engine, report = await build_engine(
        executor, config_dir=config_dir, db_path=db_path, builtins=builtins, entry_points=entry_points,
        extra_plugins=extra_plugins, **engine_options,
    )
    for line in report.lines():
        log.warning("config: %s", line)
    executor.mod_log_channel = lambda guild_id: engine.config.guild(guild_id).core.mod_log_channel
    if sync_global is None:
        sync_global = os.environ.get("PITCHFREE_SYNC_GLOBAL", "").lower() in ("1", "true", "yes")
    if tick_seconds is None:
        tick_seconds = float(os.environ.get("PITCHFREE_TICK_SECONDS", "30"))
    bot = PitchfreeBot(engine, sync_global=sync_global, tick_seconds=tick_seconds, **(client_options or {}))
    executor.bind(bot)
    return bot


async def serve(bot: PitchfreeBot, token: str, stop: asyncio.Event) -> int:
    """Run until `stop` is set or the connection fails for good; always shut down cleanly."""
    client_task = asyncio.create_task(bot.start(token), name="pitchfree-discord")
    stop_task = asyncio.create_task(stop.wait(), name="pitchfree-stop")
    code = EXIT_OK
    try:
        done, _ = await asyncio.wait({client_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
        if client_task in done and client_task.exception() is not None:
            exc = client_task.exception()
            if isinstance(exc, discord.LoginFailure):
                log.error("Discord rejected the token (check DISCORD_TOKEN)")
            elif isinstance(exc, discord.PrivilegedIntentsRequired):
                log.error("enable the Server Members and Message Content intents in the Developer Portal")
            else:
                log.error("Discord connection failed: %s: %s", type(exc).__name__, exc)
            code = EXIT_FAILED
    finally:
        stop_task.cancel()
        log.info("shutting down")
        await bot.shutdown()
        if not client_task.done():
            client_task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await client_task
        log.info("stopped")
    return code


def run(token: str, *, config_dir: str | None, db: str | None) -> int:
    """Entry point of `pitchfree run`; returns the process exit code."""
    _secure_logging(token)
    return asyncio.run(_main(token, resolve_config_dir(config_dir), resolve_db_path(db)))


async def _main(token: str, config_dir: Path, db_path: str) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # Windows, non-main thread
            loop.add_signal_handler(sig, stop.set)
    try:
        bot = await create_bot(config_dir=config_dir, db_path=db_path)
    except (ConfigError, PluginLoadError, StorageError) as exc:
        log.error("cannot start: %s", exc)
        return EXIT_CONFIG
    log.info("starting: config %s, database %s, plugins %s", config_dir, db_path, bot.engine.plugin_names())
    with tuned_collector():  # start-up is done: see bot/_collector.py
        log.info("garbage collector: %d start-up objects frozen, young generation collected every %d allocations",
                 gc.get_freeze_count(), gc.get_threshold()[0])
        return await serve(bot, token, stop)


class _RedactToken(logging.Filter):
    """Belt and braces: no log line may ever contain the token."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token and self.token in record.getMessage():
            record.msg, record.args = record.getMessage().replace(self.token, "[token]"), None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line (set PITCHFREE_LOG_FORMAT=json)."""

    def format(self, record: logging.LogRecord) -> str:
        data = {"ts": self.formatTime(record), "level": record.levelname, "logger": record.name,
                "msg": record.getMessage()}
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def _secure_logging(token: str) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redact = _RedactToken(token)
    for handler in root.handlers:
        handler.addFilter(redact)
        if os.environ.get("PITCHFREE_LOG_FORMAT", "").lower() == "json":
            handler.setFormatter(JsonFormatter())
