"""Calls pluggy hooks from async code, one implementation at a time, with fault isolation.

pluggy's own calling loop is synchronous (coroutines would come back un-awaited and
`firstresult`/wrappers would see them), so pitchfree walks the implementations itself in
pluggy's order (tryfirst ones first, trylast ones last, otherwise latest-registered first),
awaits coroutines under a per-call timeout, attributes each result to its plugin and turns a
plugin's exception or timeout into a logged, recorded fault instead of a crash.

Set `PITCHFREE_TRACE_HOOKS=1` to log every call as `hook=... plugin=... elapsed_us=...`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import time
from collections.abc import Callable, Coroutine, Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import CoroutineType
from typing import Any

import pluggy

log = logging.getLogger("pitchfree.hooks")

DEFAULT_TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class Impl:
    """One plugin's implementation of one hook."""

    plugin: str
    function: Callable[..., Any]
    argnames: tuple[str, ...]
    is_async: bool

    @property
    def event_shape(self) -> int:
        """How an event hook takes its arguments, so the engine can call it without a kwargs dict.

        1: (event), 2: (event, config), 3: (event, config, ctx), 4: (event, ctx); 0: anything else.
        """
        return _EVENT_SHAPES.get(self.argnames, 0)


_EVENT_SHAPES = {("event",): 1, ("event", "config"): 2, ("event", "config", "ctx"): 3, ("event", "ctx"): 4}


@dataclass(slots=True)
class PluginFault:
    """The last thing that went wrong in a plugin, for `/pitchfree status`."""

    count: int = 0
    last_error: str = ""
    last_hook: str = ""
    last_at: datetime | None = None


class Failed(Exception):
    """Raised by `invoke` when the implementation failed (already logged and recorded)."""


@dataclass(slots=True)
class HookCaller:
    """Walks hook implementations in pluggy's order; see the module docstring."""

    pm: pluggy.PluginManager
    timeout_s: float = DEFAULT_TIMEOUT_S
    trace: bool = field(default_factory=lambda: os.environ.get("PITCHFREE_TRACE_HOOKS", "") not in ("", "0"))
    faults: dict[str, PluginFault] = field(default_factory=dict)
    # When set (benchmarks), every call's elapsed seconds are appended under "hook:plugin".
    timings: dict[str, list[float]] | None = None
    _impls: dict[str, tuple[Impl, ...]] = field(default_factory=dict)

    def impls(self, hook: str) -> tuple[Impl, ...]:
        """Implementations of `hook` in calling order (cached until plugins change)."""
        cached = self._impls.get(hook)
        if cached is None:
            caller = getattr(self.pm.hook, hook)
            cached = tuple(
                Impl(
                    plugin=impl.plugin_name,
                    function=impl.function,
                    argnames=tuple(impl.argnames),
                    is_async=inspect.iscoroutinefunction(impl.function),
                )
                for impl in reversed(caller.get_hookimpls())
            )
            self._impls[hook] = cached
        return cached

    def invalidate(self) -> None:
        """Forget cached implementation lists (call after registering/unregistering plugins)."""
        self._impls.clear()

    def call(self, hook: str, impl: Impl, kwargs: dict[str, Any], event_id: str = "") -> Any:
        """Call a plain implementation; its result may be a coroutine to `finish` (slow paths).

        Raises `Failed` after logging and recording the fault when the implementation raised.
        An async implementation returns its coroutine here and is timed by `finish`.
        """
        timed = (self.trace or self.timings is not None) and not impl.is_async
        start = time.perf_counter() if timed else 0.0
        try:
            return impl.function(*[kwargs[name] for name in impl.argnames])
        except Exception as exc:
            raise self._failed(hook, impl, exc, event_id) from exc
        finally:
            if timed:
                self._timed(hook, impl, start, event_id)

    async def finish(self, hook: str, impl: Impl, awaitable: Any, event_id: str = "", *, timed: bool = True) -> Any:
        """Await what an implementation returned (or is), under the timeout, with fault isolation.

        `timed=False`: the caller times the whole call itself.
        """
        timed = timed and (self.trace or self.timings is not None)
        start = time.perf_counter() if timed else 0.0
        try:
            if isinstance(awaitable, CoroutineType):
                return await self._run_coroutine(awaitable)
            async with asyncio.timeout(self.timeout_s):
                return await awaitable
        except TimeoutError:
            self.record_fault(impl.plugin, hook, f"timed out after {self.timeout_s:g}s", event_id)
            raise Failed from None
        except Exception as exc:
            raise self._failed(hook, impl, exc, event_id) from exc
        finally:
            if timed:
                self._timed(hook, impl, start, event_id)

    async def invoke(self, hook: str, impl: Impl, kwargs: dict[str, Any], event_id: str = "") -> Any:
        """Call one implementation (plain or async) and await its result if it is awaitable."""
        result = self.call(hook, impl, kwargs, event_id)
        if inspect.isawaitable(result):  # an async implementation, or a plain one's slow path
            return await self.finish(hook, impl, result, event_id)
        return result

    def record_timing(self, hook: str, impl: Impl, elapsed: float) -> None:
        """Append a call's seconds to `timings` (benchmarks time calls made elsewhere)."""
        self.timings.setdefault(f"{hook}:{impl.plugin}", []).append(elapsed)

    def _failed(self, hook: str, impl: Impl, exc: Exception, event_id: str) -> Failed:
        self.record_exception(hook, impl, exc, event_id)
        return Failed()

    def record_exception(self, hook: str, impl: Impl, exc: Exception, event_id: str = "") -> None:
        """Record an exception an implementation raised as that plugin's fault."""
        self.record_fault(impl.plugin, hook, f"{type(exc).__name__}: {exc}", event_id, exc)

    def _timed(self, hook: str, impl: Impl, start: float, event_id: str) -> None:
        elapsed = time.perf_counter() - start
        if self.timings is not None:
            self.timings.setdefault(f"{hook}:{impl.plugin}", []).append(elapsed)
        if self.trace:
            log.info("hook=%s plugin=%s elapsed_us=%.1f event=%s", hook, impl.plugin, elapsed * 1e6, event_id)

    async def _run_coroutine(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Await `coro` under the timeout; one that finishes without suspending skips the timer.

        Most hook calls never wait on anything, and arming a timer costs more than the hook.
        """
        try:
            yielded = coro.send(None)
        except StopIteration as stop:
            return stop.value
        async with asyncio.timeout(self.timeout_s):
            return await _Resumed(coro, yielded)

    async def call_all(self, hook: str, kwargs: dict[str, Any], event_id: str = "") -> list[tuple[str, Any]]:
        """Call every implementation; return (plugin, result) pairs of those that succeeded."""
        results = []
        for impl in self.impls(hook):
            try:
                results.append((impl.plugin, await self.invoke(hook, impl, kwargs, event_id)))
            except Failed:
                continue
        return results

    def call_declarations(self, hook: str) -> list[tuple[str, Any]]:
        """Call a plain (non-async) declaration hook; a failing plugin fails loudly at load."""
        results = []
        for impl in self.impls(hook):
            if impl.is_async:
                raise TypeError(f"plugin {impl.plugin}: {hook} must be a plain function, not async")
            results.append((impl.plugin, impl.function()))
        return results

    def record_fault(
        self, plugin: str, hook: str, error: str, event_id: str = "", exc: BaseException | None = None
    ) -> None:
        """Log a plugin failure and keep it for status reports."""
        fault = self.faults.setdefault(plugin, PluginFault())
        fault.count += 1
        fault.last_error = error
        fault.last_hook = hook
        fault.last_at = datetime.now(UTC)
        log.error(
            "plugin %s failed in %s (event %s): %s", plugin, hook, event_id or "-", error,
            exc_info=exc if exc is not None and log.isEnabledFor(logging.DEBUG) else None,
        )


class _Resumed:
    """Awaitable that carries on driving a coroutine that has already been stepped once."""

    __slots__ = ("coro", "yielded")

    def __init__(self, coro: Coroutine[Any, Any, Any], yielded: Any) -> None:
        self.coro, self.yielded = coro, yielded

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, value = self.coro, self.yielded
        while True:
            try:
                sent = yield value
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # cancellation must reach the coroutine too
                try:
                    value = coro.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    value = coro.send(sent)
                except StopIteration as stop:
                    return stop.value
