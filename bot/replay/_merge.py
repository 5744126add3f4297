"""Open export files and merge their messages in timestamp order, a few messages per file in memory."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.replay._reader import DEFAULT_CHUNK, ExportError, ExportReader

_TOTAL_BUFFER = 256 << 20  # split between files so many thread files stay within this budget
# Messages decoded ahead per file, split like the buffer: decoding a few in a row and then
# handling them keeps each stage's code and data in the CPU caches (about 2% of a replay), while
# more than a few dozen makes it slower again (more live objects).
_READ_AHEAD = 32
_TOTAL_READ_AHEAD = 4096
_parse_ts = datetime.fromisoformat


class UsageError(Exception):
    """The command line named something that is not an export (exit code 2)."""


@dataclass(slots=True)
class Problems:
    """Bad input found while reading: whole-file errors and skipped records."""

    errors: list[str] = field(default_factory=list)
    bad_records: int = 0
    samples: list[str] = field(default_factory=list)

    def record(self, message: str) -> None:
        """Note a skipped record (the first few are kept verbatim)."""
        self.bad_records += 1
        if len(self.samples) < 20:
            self.samples.append(message)

    @property
    def any(self) -> bool:
        """True when some input was bad."""
        return bool(self.errors or self.bad_records)


def expand_paths(paths: list[str]) -> list[Path]:
    """Files as given, and every `*.json` in the directories given, in a stable order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.glob("*.json") if p.is_file())
            if not found:
                raise UsageError(f"no *.json files in directory {raw}")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"no such file or directory: {raw}")
    unique: dict[Path, None] = {}
    for f in files:
        unique.setdefault(f.resolve(), None)
    return list(unique)


def open_readers(files: list[Path], problems: Problems) -> list[ExportReader]:
    """Open every file and parse its header; files that fail are reported and left out."""
    chunk = max(16 << 10, min(DEFAULT_CHUNK, _TOTAL_BUFFER // max(1, len(files))))
    readers = []
    for path in files:
        reader = ExportReader(path, chunk_size=chunk)
        try:
            reader.open()
        except ExportError as exc:
            problems.errors.append(str(exc))
            continue
        except OSError as exc:
            problems.errors.append(f"{path}: {exc.strerror or exc}")
            continue
        readers.append(reader)
    return readers


def parse_timestamp(value: Any) -> datetime:
    """An ISO 8601 timestamp as an aware datetime (naive ones are taken as UTC)."""
    ts = _parse_ts(value)
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)


def _stream(index: int, reader: ExportReader, problems: Problems, ahead: int) -> Iterator[tuple]:
    """The file's valid messages as merge keys, decoded `ahead` at a time.

    A skipped record or a file error is noted when the stream gets to it, as if it were read
    one message at a time (the order of the notes does not depend on `ahead`).
    """
    seq = 0
    messages = reader.messages()
    ended = False
    while not ended:
        block: list = []  # merge keys, and the notes for skipped records (str) in their places
        error = None
        try:
            for raw in messages:
                seq += 1
                try:
                    ts = parse_timestamp(raw["timestamp"])
                    mid = int(raw["id"])
                    if not isinstance(raw.get("author"), dict):
                        raise ValueError("no author")
                except (KeyError, TypeError, ValueError) as exc:
                    block.append(f"{reader.name}:{reader.position()}: skipped message #{seq}: {_describe(exc)}")
                else:
                    block.append((ts, mid, index, seq, raw))
                if len(block) >= ahead:
                    break
            else:
                ended = True
        except ExportError as exc:
            ended, error = True, f"{exc} (after {reader.messages_read} messages)"
        except OSError as exc:
            ended, error = True, f"{reader.name}: {exc.strerror or exc}"
        for item in block:
            if type(item) is str:
                problems.record(item)
            else:
                yield item
        if error is not None:
            problems.errors.append(error)


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    if isinstance(exc, TypeError):
        return "not a message object"
    return f"invalid value ({exc})"


def merged(readers: list[ExportReader], problems: Problems) -> Iterator[tuple]:
    """(timestamp, message id, reader index, seq, raw message) from every file, oldest first."""
    ahead = max(1, min(_READ_AHEAD, _TOTAL_READ_AHEAD // max(1, len(readers))))
    return heapq.merge(*(_stream(i, r, problems, ahead) for i, r in enumerate(readers)))
