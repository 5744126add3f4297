"""Plugin loading: built-ins from one tuple, third-party plugins from the `pitchfree.plugins` entry points."""

from __future__ import annotations

import importlib
import logging
import re
from importlib.metadata import entry_points
from typing import Any

import pluggy

from bot import hookspecs

log = logging.getLogger("pitchfree.plugins")

ENTRY_POINT_GROUP = "pitchfree.plugins"

# Built-in plugins, as "module:Class" (a class is instantiated once per engine) or "module".
BUILTIN_PLUGINS: tuple[str, ...] = (
    "plugins.self_promotion:SelfPromotion",
    "plugins.helpful_answers:HelpfulAnswers",
    "plugins.engagement:Engagement",
)

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class PluginLoadError(Exception):
    """A plugin could not be imported or registered."""


def new_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager that knows pitchfree's hookspecs and nothing else yet."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs.PitchfreeSpecs)
    return pm


def register(pm: pluggy.PluginManager, name: str, obj: Any) -> None:
    """Register one plugin object under `name` (classes are instantiated first)."""
    if not _NAME.match(name):
        raise PluginLoadError(f"plugin name {name!r} must be lower_snake_case")
    if pm.has_plugin(name):
        raise PluginLoadError(f"two plugins are named {name!r}")
    if isinstance(obj, type):
        obj = obj()
    try:
        pm.register(obj, name=name)
    except (ValueError, pluggy.PluginValidationError) as exc:
        raise PluginLoadError(f"plugin {name}: {exc}") from exc


def load_plugins(
    pm: pluggy.PluginManager,
    builtins: tuple[str, ...] = BUILTIN_PLUGINS,
    *,
    entry_point_group: str | None = ENTRY_POINT_GROUP,
    skip: frozenset[str] = frozenset(),
) -> list[str]:
    """Register built-ins and installed entry-point plugins; return their names in order."""
    names = []
    for spec in builtins:
        module_name, _, attr = spec.partition(":")
        name = module_name.rsplit(".", 1)[-1]
        if name in skip:
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise PluginLoadError(f"built-in plugin {spec} cannot be imported: {exc}") from exc
        register(pm, name, getattr(module, attr) if attr else module)
        names.append(name)
    if entry_point_group:
        for ep in entry_points(group=entry_point_group):
            if ep.name in skip:
                continue
            try:
                obj = ep.load()
            except Exception as exc:
                log.error("plugin %s (%s) failed to load and is skipped: %s", ep.name, ep.value, exc)
                continue
            register(pm, ep.name, obj)
            names.append(ep.name)
    return names
