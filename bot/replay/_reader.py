"""A streaming, tolerant reader for DiscordChatExporter JSON files.

The root object is parsed key by key; the `messages` array is decoded one element at a time with
`json.JSONDecoder.raw_decode` over a sliding text buffer, so memory stays bounded whatever the size
of the export. The file is reopened for every chunk, so thousands of thread files can be merged
without holding thousands of descriptors.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_CHUNK = 1 << 20
_MAX_ITEM = 32 << 20  # one JSON value larger than this is treated as a malformed file
_WS = re.compile(r"[ \t\n\r]*")
_decode = json.JSONDecoder().raw_decode


class ExportError(Exception):
    """A file that cannot be read as an export; `str()` names the file and the position."""

    def __init__(self, path: str, position: str, message: str) -> None:
        super().__init__(f"{path}:{position}: {message}")
        self.path = path
        self.position = position
        self.message = message


@dataclass(slots=True)
class ExportHeader:
    """What the root object says before the messages: guild, channel, export time."""

    guild: dict[str, Any] = field(default_factory=dict)
    channel: dict[str, Any] = field(default_factory=dict)
    exported_at: str | None = None
    date_range: dict[str, Any] = field(default_factory=dict)


class ExportReader:
    """Reads one export file: `open()` parses the header, `messages()` streams the messages."""

    def __init__(self, path: str | Path, chunk_size: int = DEFAULT_CHUNK) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.chunk_size = chunk_size
        self._low = min(65536, max(1024, chunk_size // 4))  # refill when less than this is buffered
        self.size = self.path.stat().st_size
        self.bytes_read = 0
        self.header = ExportHeader()
        self.message_count: int | None = None
        self.messages_read = 0
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._line = 1  # line number at the start of `_buf`
        self._col0 = 0  # column of `_buf[0]` when it is on `_line`
        self._in_messages = False

    # -- buffer --

    def _refill(self) -> bool:
        """Append the next chunk; drop what was consumed. False at end of file."""
        if self._eof:
            return False
        with self.path.open("rb") as f:
            f.seek(self.bytes_read)
            raw = f.read(self.chunk_size)
        self.bytes_read += len(raw)
        text = self._decoder.decode(raw, final=not raw)
        if not raw:
            self._eof = True
        consumed = self._buf[:self._pos]
        newlines = consumed.count("\n")
        if newlines:
            self._line += newlines
            self._col0 = len(consumed) - consumed.rfind("\n") - 1
        else:
            self._col0 += len(consumed)
        self._buf = self._buf[self._pos:] + text
        self._pos = 0
        return bool(raw) or bool(text)

    def position(self, pos: int | None = None) -> str:
        """`line:column` (1-based) of an offset in the current buffer."""
        pos = self._pos if pos is None else pos
        nl = self._buf.rfind("\n", 0, pos)
        line = self._line + self._buf.count("\n", 0, pos)
        col = pos - nl if nl >= 0 else self._col0 + pos + 1
        return f"{line}:{col}"

    def _error(self, message: str, pos: int | None = None) -> ExportError:
        return ExportError(self.name, self.position(pos), message)

    def _peek(self) -> str:
        """The next non-whitespace character (consumed whitespace), or '' at end of file."""
        while True:
            self._pos = _WS.match(self._buf, self._pos).end()
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._refill():
                return ""

    def _expect(self, chars: str, what: str) -> str:
        ch = self._peek()
        if ch == "" or ch not in chars:
            found = "end of file (truncated?)" if ch == "" else repr(ch)
            raise self._error(f"expected {what}, found {found}")
        self._pos += 1
        return ch

    def _value(self) -> Any:
        """Decode the JSON value at the cursor, reading more of the file as needed."""
        self._peek()
        while True:
            if len(self._buf) - self._pos < self._low and not self._eof:
                self._refill()
                continue
            try:
                value, end = _decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                if self._eof or len(self._buf) - self._pos > _MAX_ITEM:
                    raise self._decode_error(exc) from None
                self._refill()
                continue
            except (ValueError, RecursionError) as exc:
                # valid JSON Python will not hold: an integer of thousands of digits, or arrays
                # nested deeper than the interpreter's recursion limit (a hostile file)
                raise self._error(f"unreadable value ({type(exc).__name__}: {str(exc)[:120]})") from None
            if end >= len(self._buf) and not self._eof:
                self._refill()  # a number or literal may continue in the next chunk
                continue
            self._pos = end
            return value

    def _decode_error(self, exc: json.JSONDecodeError) -> ExportError:
        end = len(self._buf.rstrip())
        if self._eof and (exc.pos >= end or exc.msg.startswith("Unterminated")):
            return self._error(f"unexpected end of file (truncated?) inside the value that starts at "
                               f"{self.position()}", end)
        return self._error(exc.msg, exc.pos)

    # -- structure --

    def open(self) -> ExportHeader:
        """Parse the root object up to the start of the `messages` array."""
        self._expect("{", "a JSON object at the start of the export")
        if self._peek() == "}":
            raise self._error("the export has no messages array")
        while True:
            key = self._value()
            if not isinstance(key, str):
                raise self._error("expected a key")
            self._expect(":", "':' after a key")
            if key == "messages":
                self._expect("[", "'[' to start the messages array")
                self._in_messages = True
                return self.header
            value = self._value()
            self._store(key, value)
            if self._expect(",}", "',' or '}'") == "}":
                raise self._error("the export has no messages array")

    def _store(self, key: str, value: Any) -> None:
        if key == "guild" and isinstance(value, dict):
            self.header.guild = value
        elif key == "channel" and isinstance(value, dict):
            self.header.channel = value
        elif key == "exportedAt" and isinstance(value, str):
            self.header.exported_at = value
        elif key == "dateRange" and isinstance(value, dict):
            self.header.date_range = value
        elif key == "messageCount" and isinstance(value, int):
            self.message_count = value

    def messages(self) -> Iterator[Any]:
        """Yield the elements of the messages array, then read the rest of the root object."""
        if not self._in_messages:
            self.open()
        if self._peek() == "]":
            self._pos += 1
        else:
            while True:
                yield self._value()
                self.messages_read += 1
                if self._expect(",]", "',' or ']' after a message") == "]":
                    break
        self._in_messages = False
        self._rest()

    def _rest(self) -> None:
        while self._expect(",}", "',' or '}'") == ",":
            key = self._value()
            self._expect(":", "':' after a key")
            self._store(key, self._value())
        if self._peek() != "":
            raise self._error("unexpected data after the export's root object")
