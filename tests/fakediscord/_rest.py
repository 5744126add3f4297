"""The fake REST API: a small router, call recording and failure injection."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

API_PREFIX = "/api/v10"


@dataclass(frozen=True)
class Call:
    """One REST request the bot made."""

    method: str
    path: str
    json: Any
    query: dict[str, str]
    status: int
    files: tuple[str, ...] = ()


@dataclass
class FailRule:
    """Answer matching requests with an error, `times` times (None: until cleared)."""

    method: str
    pattern: re.Pattern[str]
    status: int
    code: int
    message: str
    retry_after: float
    times: int | None
    is_global: bool = False
    hits: int = 0


@dataclass
class Router:
    routes: list[tuple[str, re.Pattern[str], Callable[..., Awaitable[Any]]]] = field(default_factory=list)

    def add(self, method: str, path: str, handler: Callable[..., Awaitable[Any]]) -> None:
        """Register `handler(body, **path_params)`; `{name}` segments become parameters."""
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$"
        self.routes.append((method, re.compile(regex), handler))

    def match(self, method: str, path: str):
        for m, regex, handler in self.routes:
            if m == method:
                found = regex.match(path)
                if found:
                    return handler, found.groupdict()
        return None, {}


class HttpError(Exception):
    """Raised by a handler to answer with a Discord-style JSON error."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """discord.py insists on the exact `application/json` content type."""
    if status == 204:
        return web.Response(status=204, headers=headers)
    return web.Response(status=status, body=json.dumps(data).encode(), headers={
        "Content-Type": "application/json", **(headers or {})})


def error_response(status: int, code: int, message: str, retry_after: float = 0.0,
                   is_global: bool = False) -> web.Response:
    """A Discord error body; 429s carry `retry_after` (and the `Via` header discord.py expects)."""
    if status == 429:
        headers = {"Via": "1.1 google", "Retry-After": str(retry_after),
                   "X-RateLimit-Scope": "global" if is_global else "user"}
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        return json_response({"message": "You are being rate limited.", "retry_after": retry_after,
                              "global": is_global, "code": 0}, 429, headers)
    return json_response({"message": message, "code": code}, status)


async def read_body(request: web.Request) -> tuple[Any, tuple[str, ...]]:
    """JSON body, or the `payload_json` part and file names of a multipart body."""
    if request.content_type.startswith("multipart/"):
        body, files = None, []
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":
                body = json.loads(await part.text())
            else:
                files.append(part.filename or part.name or "")
                await part.read()
        return body, tuple(files)
    raw = await request.read()
    if not raw:
        return None, ()
    try:
        return json.loads(raw), ()
    except ValueError:
        return raw.decode(errors="replace"), ()
