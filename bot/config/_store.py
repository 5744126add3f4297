"""Loads `config/default.yaml` and `config/guilds/*.yaml`, and reloads without losing good config."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from bot.config._guild import GuildConfig, build_guild_config
from bot.config._yaml import ConfigError, ConfigProblem, LoadedYaml, load_yaml_file

log = logging.getLogger("pitchfree.config")

DEFAULT_FILE = "default.yaml"
GUILDS_DIR = "guilds"


@dataclass(slots=True)
class LoadReport:
    """What a load or reload did: problems found, and which communities kept their old config."""

    problems: list[ConfigProblem] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)
    kept_previous: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file was valid."""
        return not self.problems

    def lines(self) -> list[str]:
        """Human-readable lines: each problem, then what was kept."""
        out = [str(p) for p in self.problems]
        out += [f"{name}: invalid, still using the previous valid config" for name in self.kept_previous]
        return out


class ConfigStore:
    """All communities' configs. `guild(id)` is the hot-path lookup."""

    def __init__(self, config_dir: str | Path | None, models: dict[str, type[BaseModel]],
                 not_loaded: frozenset[str] = frozenset()) -> None:
        self.config_dir = Path(config_dir) if config_dir is not None else None
        self.models = dict(models)
        self.not_loaded = frozenset(not_loaded) - set(models)
        self._bound_files: dict[int, Path] = {}
        self._default: GuildConfig | None = None
        self._default_layer: LoadedYaml | None = None
        self._guilds: dict[int, GuildConfig] = {}
        self.generation = 0

    @property
    def usable(self) -> bool:
        """True once a valid default config has been loaded."""
        return self._default is not None

    def bind_file(self, guild_id: int, path: str | Path) -> None:
        """Use `path` as the config of `guild_id` whatever its name (replay's --guild-config)."""
        self._bound_files[guild_id] = Path(path)

    def guild(self, guild_id: int | None) -> GuildConfig:
        """The config in force for a community (defaults when it has no file of its own)."""
        config = self._guilds.get(guild_id) if guild_id is not None else None
        if config is not None:
            return config
        if self._default is None:
            raise RuntimeError("config not loaded; call load() first")
        return self._default

    def guild_ids(self) -> list[int]:
        """Communities that have a config file of their own."""
        return sorted(self._guilds)

    def load(self) -> LoadReport:
        """(Re)load every file. Invalid files keep the previous valid config, if there was one."""
        report = LoadReport()
        default_layer = self._read_default(report)
        if default_layer is not None:
            try:
                self._default = build_guild_config(None, [default_layer], self.models, self.not_loaded)
                self._default_layer = default_layer
                report.loaded.append(default_layer.file)
            except ConfigError as exc:
                report.problems += exc.problems
                default_layer = None
        if default_layer is None:
            if self._default_layer is None:
                return report  # nothing usable at all; the caller refuses to start
            report.kept_previous.append(self._default_name())
        base_layers = [self._default_layer]
        new_guilds: dict[int, GuildConfig] = {}
        for guild_id, path in self._guild_files(report):
            name = self._display(path)
            try:
                layer = load_yaml_file(path, name)
                config = build_guild_config(guild_id, base_layers + [layer], self.models, self.not_loaded)
            except ConfigError as exc:
                report.problems += exc.problems
                if guild_id is not None and guild_id in self._guilds:
                    new_guilds[guild_id] = self._guilds[guild_id]
                    report.kept_previous.append(name)
                continue
            report.loaded.append(name)
            if guild_id is not None:
                new_guilds[guild_id] = config
        self._guilds = new_guilds
        self.generation += 1
        for line in report.lines():
            log.warning("config: %s", line)
        return report

    def _read_default(self, report: LoadReport) -> LoadedYaml | None:
        if self.config_dir is not None and not self.config_dir.is_dir():
            report.problems.append(ConfigProblem(str(self.config_dir), 0, "", "config directory not found"))
            return None
        path = self.config_dir / DEFAULT_FILE if self.config_dir else None
        if path is None or not path.exists():
            return LoadedYaml("<built-in defaults>", {}, {(): 0})
        try:
            return load_yaml_file(path, self._display(path))
        except ConfigError as exc:
            report.problems += exc.problems
            return None

    def _guild_files(self, report: LoadReport) -> list[tuple[int | None, Path]]:
        files: dict[Path, int | None] = {}
        guild_dir = self.config_dir / GUILDS_DIR if self.config_dir else None
        if guild_dir is not None and guild_dir.is_dir():
            for path in sorted(guild_dir.iterdir()):
                if path.suffix not in (".yaml", ".yml") or not path.is_file():
                    continue
                files[path] = int(path.stem) if path.stem.isdigit() else None
        for guild_id, path in self._bound_files.items():
            files[path] = guild_id
            if not path.exists():
                report.problems.append(ConfigProblem(str(path), 0, "", "file not found"))
        return [(gid, p) for p, gid in files.items() if p.exists()]

    def _display(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def _default_name(self) -> str:
        return self._display(self.config_dir / DEFAULT_FILE) if self.config_dir else "<defaults>"
