"""Assembles an engine from a config directory, a database path and an executor."""

from __future__ import annotations

import os
from pathlib import Path

from bot.config import ConfigError, ConfigStore, LoadReport
from bot.core_commands import CORE_PLUGIN_NAME, CoreCommands
from bot.engine import Engine, plugin_models
from bot.executor import Executor
from bot.plugins import BUILTIN_PLUGINS, load_plugins, new_plugin_manager, register
from bot.storage import Database

DEFAULT_DB = "pitchfree.db"
SHIPPED_CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"


def resolve_db_path(cli_value: str | None) -> str:
    """`--db`, else `$PITCHFREE_DB`, else `./pitchfree.db`."""
    return cli_value or os.environ.get("PITCHFREE_DB") or DEFAULT_DB


def resolve_config_dir(cli_value: str | None) -> Path:
    """`--config-dir`, else `$PITCHFREE_CONFIG_DIR`, else `./config` if present, else the shipped one."""
    value = cli_value or os.environ.get("PITCHFREE_CONFIG_DIR")
    if value:
        return Path(value)
    return Path("config") if Path("config/default.yaml").exists() else SHIPPED_CONFIG_DIR


def load_config(config_dir: Path | None, builtins: tuple[str, ...] = BUILTIN_PLUGINS,
                entry_points: bool = True) -> tuple[ConfigStore, LoadReport]:
    """Load plugins just far enough to know their config models, then validate the config."""
    pm = new_plugin_manager()
    load_plugins(pm, builtins, entry_point_group="pitchfree.plugins" if entry_points else None)
    store = ConfigStore(config_dir, plugin_models(pm), _builtin_names())
    return store, store.load()


async def build_engine(
    executor: Executor,
    *,
    config_dir: Path | None,
    db_path: str | None,
    builtins: tuple[str, ...] = BUILTIN_PLUGINS,
    entry_points: bool = True,
    extra_plugins: dict[str, object] | None = None,
    guild_files: dict[int, Path] | None = None,
    **engine_options,
) -> tuple[Engine, LoadReport]:
    """Load plugins and config, open and migrate storage, and start the engine."""
    pm = new_plugin_manager()
    load_plugins(pm, builtins, entry_point_group="pitchfree.plugins" if entry_points else None)
    for name, obj in (extra_plugins or {}).items():
        register(pm, name, obj)
    store = ConfigStore(config_dir, plugin_models(pm), _builtin_names())
    for guild_id, path in (guild_files or {}).items():
        store.bind_file(guild_id, path)
    report = store.load()
    if not store.usable:
        raise ConfigError(report.problems)
    db = await Database.open(db_path) if db_path else None
    engine = Engine(pm, store, executor, db, **engine_options)
    register(pm, CORE_PLUGIN_NAME, CoreCommands(engine))
    engine.caller.invalidate()
    await engine.start()
    return engine, report


def _builtin_names() -> frozenset[str]:
    """Names of every built-in plugin, loaded or not (their config blocks are never typos)."""
    return frozenset(spec.partition(":")[0].rsplit(".", 1)[-1] for spec in BUILTIN_PLUGINS)
