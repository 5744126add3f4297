"""Build a community's effective config and resolve it per channel/role/member, cached."""

from __future__ import annotations

import difflib
import logging
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.config._models import CoreConfig, Override, When, deep_merge
from bot.config._yaml import ConfigError, ConfigProblem, KeyPath, LoadedYaml, format_path

log = logging.getLogger("pitchfree.config")

PLUGIN_BLOCK_KEYS = ("enabled", "overrides")


@dataclass(frozen=True, slots=True)
class _CompiledWhen:
    channels: frozenset[int]
    categories: frozenset[int]
    roles: frozenset[int]
    users: frozenset[int]

    @classmethod
    def of(cls, when: When) -> _CompiledWhen:
        return cls(
            frozenset(when.channels), frozenset(when.categories),
            frozenset(when.roles), frozenset(when.users),
        )

    def matches(self, channel_id, parent_id, category_id, role_ids, user_id) -> bool:
        if self.channels and channel_id not in self.channels and parent_id not in self.channels:
            return False
        if self.categories and category_id not in self.categories:
            return False
        if self.roles and self.roles.isdisjoint(role_ids):
            return False
        return not self.users or user_id in self.users


@dataclass(slots=True)
class PluginRules:
    """A plugin's config in one community: the base, and overrides resolved on demand."""

    name: str
    model: type[BaseModel]
    base_raw: dict[str, Any]
    base: BaseModel
    enabled: bool
    overrides: list[tuple[_CompiledWhen, dict[str, Any]]]
    _cache: dict[tuple[int, ...], tuple[bool, BaseModel]] = field(default_factory=dict)

    def resolve(
        self,
        channel_id: int | None = None,
        parent_id: int | None = None,
        category_id: int | None = None,
        role_ids: frozenset[int] = frozenset(),
        user_id: int | None = None,
    ) -> tuple[bool, BaseModel]:
        """(enabled, config) for this scope; overrides apply in file order, later wins."""
        if not self.overrides:
            return self.enabled, self.base
        key = tuple(
            i
            for i, (when, _) in enumerate(self.overrides)
            if when.matches(channel_id, parent_id, category_id, role_ids, user_id)
        )
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._merge(key)
        return cached

    def _merge(self, indices: tuple[int, ...]) -> tuple[bool, BaseModel]:
        enabled, raw, config = self.enabled, self.base_raw, self.base
        for i in indices:
            partial = dict(self.overrides[i][1])
            enabled = partial.pop("enabled", enabled)
            candidate = deep_merge(raw, partial)
            try:
                config = self.model.model_validate(candidate)
                raw = candidate
            except ValidationError as exc:  # each override alone was valid at load time
                log.warning("%s: overrides %s do not combine (%s); skipping #%d",
                            self.name, indices, exc.errors()[0]["msg"], i)
        return enabled, config


@dataclass(slots=True)
class GuildConfig:
    """A community's validated config."""

    guild_id: int | None
    sources: tuple[str, ...]
    core: CoreConfig
    plugins: dict[str, PluginRules]

    def is_moderator(self, role_ids: frozenset[int], is_guild_admin: bool = False) -> bool:
        """Moderators are members with a configured moderator or admin role (or Discord admins)."""
        return is_guild_admin or self.is_admin(role_ids) or not set(self.core.moderator_roles).isdisjoint(role_ids)

    def is_admin(self, role_ids: frozenset[int], is_guild_admin: bool = False) -> bool:
        """Admins are members with a configured admin role (or Discord's Administrator permission)."""
        return is_guild_admin or not set(self.core.admin_roles).isdisjoint(role_ids)


def build_guild_config(
    guild_id: int | None,
    layers: list[LoadedYaml],
    models: dict[str, type[BaseModel]],
    not_loaded: frozenset[str] = frozenset(),
) -> GuildConfig:
    """Merge layers (defaults first), validate everything, and report every problem at once.

    Blocks for `not_loaded` plugins (built-ins left out of this engine) are skipped, not errors.
    """
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = deep_merge(merged, layer.data)
    problems: list[ConfigProblem] = []

    def report(path: KeyPath, message: str) -> None:
        layer = _layer_for(layers, path)
        problems.append(ConfigProblem(layer.file, layer.line_of(path), format_path(path), message))

    plugin_blocks = merged.pop("plugins", None) or {}
    core = _validate(CoreConfig, merged, (), report)
    if not isinstance(plugin_blocks, dict):
        report(("plugins",), "must be a mapping of plugin name to settings")
        plugin_blocks = {}
    for name in plugin_blocks:
        if name not in models and name not in not_loaded:
            report(("plugins", name), _unknown("plugin", name, models))
    plugins = {}
    for name, model in models.items():
        rules = _build_plugin(name, model, plugin_blocks.get(name) or {}, report)
        if rules is not None:
            plugins[name] = rules
    if problems or core is None:
        raise ConfigError(problems)
    return GuildConfig(guild_id, tuple(layer.file for layer in layers), core, plugins)


def _build_plugin(name, model, block, report) -> PluginRules | None:
    path: KeyPath = ("plugins", name)
    if not isinstance(block, dict):
        report(path, "must be a mapping of settings")
        return None
    block = dict(block)
    enabled = block.pop("enabled", True)
    if not isinstance(enabled, bool):
        report(path + ("enabled",), "Input should be a valid boolean (true or false)")
    raw_overrides = block.pop("overrides", None) or []
    base = _validate(model, block, path, report)
    if not isinstance(raw_overrides, list):
        report(path + ("overrides",), "must be a list of {when: ..., config: ...}")
        raw_overrides = []
    overrides = []
    for i, raw in enumerate(raw_overrides):
        ov_path = path + ("overrides", i)
        override = _validate(Override, raw, ov_path, report)
        if override is None:
            continue
        partial = dict(override.config)
        if not isinstance(partial.pop("enabled", True), bool):
            report(ov_path + ("config", "enabled"), "Input should be a valid boolean (true or false)")
        # On an invalid base, check the override against the model defaults alone so that
        # the base's own errors are not reported a second time under the override.
        _validate(model, deep_merge(block if base is not None else {}, partial), ov_path + ("config",), report)
        overrides.append((_CompiledWhen.of(override.when), dict(override.config)))
    if base is None:
        return None
    return PluginRules(name, model, block, base, bool(enabled), overrides)


def _validate(model: type[BaseModel], data: Any, path: KeyPath, report) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            if err["type"] == "extra_forbidden":
                message = _unknown("key", str(loc[-1]), _fields_at(model, loc[:-1]))
            else:
                message = err["msg"].removeprefix("Value error, ")
            report(path + loc, message)
        return None


def _unknown(what: str, name: str, known) -> str:
    known = sorted(str(k) for k in known)
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else (f"; known: {', '.join(known)}" if known else "")
    return f"unknown {what} '{name}'{hint}"


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the (sub)model at `loc`, for did-you-mean hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            return []
        current = _model_in(info.annotation)
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _layer_for(layers: list[LoadedYaml], path: KeyPath) -> LoadedYaml:
    """The most specific layer that mentions `path` (or its deepest ancestor)."""
    best, best_depth = layers[-1], -1
    for layer in reversed(layers):
        for depth in range(len(path), -1, -1):
            if path[:depth] in layer.lines:
                if depth > best_depth:
                    best, best_depth = layer, depth
                break
    return best
