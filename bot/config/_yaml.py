"""Safe YAML loading that remembers the line of every key, for errors admins can act on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 1024 * 1024
# libyaml's loader when PyYAML was built with it (same safe_load semantics, ~10x faster).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One problem in a config file: `file:line: key.path: message`."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(Exception):
    """One or more config problems, all reported at once."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(slots=True)
class LoadedYaml:
    """A parsed YAML mapping and the 1-based line of each key path in it."""

    file: str
    data: dict[str, Any]
    lines: dict[KeyPath, int]

    def line_of(self, path: KeyPath) -> int:
        """Line of `path`, or of its nearest ancestor that is in the file (0 if none)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 0)


def format_path(path: KeyPath) -> str:
    """Render a key path as `plugins.self_promotion.overrides[0].when`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_yaml_file(path: str | Path, display_name: str | None = None) -> LoadedYaml:
    """Load one config file with `yaml.safe_load` semantics; raise ConfigError on any problem."""
    path = Path(path)
    name = display_name or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _single(name, 0, f"file is {size} bytes; config files are limited to 1 MiB")
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _single(name, 0, f"file is not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise _single(name, 0, f"cannot read file: {exc.strerror or exc}") from exc
    return load_yaml_text(text, name)


def load_yaml_text(text: str, name: str) -> LoadedYaml:
    """Parse YAML text (no anchors/aliases, no duplicate keys) into a mapping with line info."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise _single(name, 0, "file is larger than 1 MiB")
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise _single(
                    name,
                    event.start_mark.line + 1,
                    "YAML anchors and aliases (&name / *name) are not allowed in config files",
                )
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise _single(name, line, f"invalid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise _single(name, 0, f"invalid YAML: {exc}") from exc
    if node is None:
        raise _single(name, 1, "file is empty; a config file must be a mapping (delete it to use defaults)")
    if not isinstance(node, yaml.MappingNode):
        raise _single(name, node.start_mark.line + 1, "top level must be a mapping of keys")
    lines: dict[KeyPath, int] = {(): node.start_mark.line + 1}
    problems: list[ConfigProblem] = []
    _index(node, (), lines, problems, name)
    if problems:
        raise ConfigError(problems)
    try:
        data = _LOADER(text).get_single_data()
    except yaml.YAMLError as exc:  # e.g. an invalid timestamp scalar
        raise _single(name, 0, f"invalid YAML value: {exc}") from exc
    return LoadedYaml(name, data, lines)


def _index(
    node: yaml.Node, path: KeyPath, lines: dict, problems: list[ConfigProblem], name: str
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            if key in seen:
                problems.append(
                    ConfigProblem(name, key_node.start_mark.line + 1, format_path(path + (key,)),
                                  "duplicate key")
                )
            seen.add(key)
            lines[path + (key,)] = key_node.start_mark.line + 1
            _index(value_node, path + (key,), lines, problems, name)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            _index(item, path + (i,), lines, problems, name)


def _single(name: str, line: int, message: str) -> ConfigError:
    return ConfigError([ConfigProblem(name, line, "", message)])
