"""pitchfree's own cost per message: parsed discord.Message -> neutral event -> plugins -> actions."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import discord

import bot.storage._batch as batch_module
from bot._collector import tuned_collector
from bot.app import SHIPPED_CONFIG_DIR, build_engine
from bot.discord_adapter._bot import PitchfreeBot
from bot.executor import RecordingExecutor


@dataclass(slots=True)
class PipelineResult:
    """Per-message seconds, per-plugin seconds, and throughput including the writer's flushes."""

    per_message: list[float]
    per_plugin: dict[str, list[float]] = field(default_factory=dict)
    # every call of each plugin's message hook (warm-up included) and the seconds the writer's
    # sources (plugins handing over rows they buffer or settle in blocks) took at its flushes
    all_calls: dict[str, list[float]] = field(default_factory=dict)
    source_s: float = 0.0
    tracking_s: float = 0.0  # engagement's second pass (open questions), for its logging figure
    writer_prep_s: float = 0.0  # the writer turning a batch into statements, on the event loop
    gc_s: float = 0.0  # the garbage collector's pauses while the messages were handled
    total_s: float = 0.0
    flush_s: float = 0.0
    actions: int = 0
    rows_written: int = 0


async def run_pipeline(messages: list[discord.Message], *, per_plugin: bool, warmup: int = 500,
                       between: Callable[[int, int], Awaitable[None] | None] | None = None,
                       chunk: int = 1000,
                       parse_each: Callable[[int], discord.Message] | None = None,
                       source: Callable[[int], discord.Message] | None = None,
                       collector: bool = True) -> PipelineResult:
    """Run every message through the adapter's `on_message`, all built-in plugins and a file database.

    `between(start, end)`, when given, runs (untimed) before each chunk of messages
    `start:end`: the floor is measured there, alternating with the pipeline.
    `source(i)`, when given, is message `i` as `between` left it (the floor's parse of the
    chunk: see `FloorMeter.parsed_message`), instead of `messages[i]`.
    `parse_each(i)`, when given, parses message `i` right before it is handled, as the live
    bot's gateway does (it times itself; the pipeline's clock starts after it).
    `collector=False` pauses the garbage collector while the messages are handled (the per-plugin
    pass: a collection's pause would land in whichever call happened to trigger it); otherwise
    its pauses are measured (`gc_s`).
    """
    with tempfile.TemporaryDirectory(prefix="pitchfree-bench-") as tmp:
        executor = RecordingExecutor()
        engine, report = await build_engine(
            executor, config_dir=SHIPPED_CONFIG_DIR, db_path=str(Path(tmp) / "bench.db"),
            entry_points=False, writer_max_rows=1000, writer_max_delay_ms=1000,
        )
        if not report.ok:
            raise SystemExit("shipped config is invalid:\n" + "\n".join(report.lines()))
        prep = [0.0]
        real_statements = batch_module._statements
        if per_plugin:
            engine.caller.timings = {}
            spent, tracking = [0.0], [0.0]
            batch_module._statements = _timed(real_statements, prep)
            engine.writer._sources = [_timed(source, spent) for source in engine.writer._sources]
            engagement = engine.pm.get_plugin("engagement")
            if engagement is not None:  # an instance attribute shadows the method it wraps
                engagement._track_block = _timed(engagement._track_block, tracking)
        # The live bot's own handler: its checks, the conversion and the engine. Offline, so the
        # services that would call Discord's API (invite lookups) are left out, as in a replay.
        services = dict(engine.services)
        on_message = PitchfreeBot(engine).on_message
        engine.services.clear()
        engine.services.update(services)
        # The collector as `pitchfree run` sets it once start-up is done (bot/_collector.py); it
        # collects first, so each pass also starts without the garbage of the one before.
        with tuned_collector(), _watched_collector(collector) as pauses:
            clock = time.perf_counter
            times = []
            turns: list[float] = []
            floor_s = 0.0  # the floor measured in between is discord.py's time, not the pipeline's
            floor_gc_s = 0.0  # and so are the collections it sets off
            begin = clock()
            for i, msg in enumerate(messages):
                if between is not None and i % chunk == 0:
                    floor_start, gc_before = clock(), pauses.seconds
                    pending = between(i, min(i + chunk, len(messages)))
                    if inspect.isawaitable(pending):
                        await pending
                    floor_s += clock() - floor_start
                    floor_gc_s += pauses.seconds - gc_before
                if parse_each is not None:
                    gc_before = pauses.seconds
                    msg = parse_each(i)
                    floor_gc_s += pauses.seconds - gc_before
                elif source is not None:
                    msg = source(i)
                start = clock()
                await on_message(msg)
                elapsed = clock() - start
                if i >= warmup:
                    times.append(elapsed)
                # Live, the loop goes back to the gateway between messages; the batched writer (and
                # any other task) runs there. Timed apart: the loop's turn is discord.py's work, but the
                # writer's flushes on it are pitchfree's, so only the bare turn is left out below.
                turn = clock()
                await asyncio.sleep(0)
                turns.append(clock() - turn)
            flush_start = clock()
            await engine.writer.flush()
            end = clock()
        bare_turns = statistics.median(turns) * len(turns) if turns else 0.0  # what an idle turn costs
        result = PipelineResult(times, total_s=end - begin - bare_turns - floor_s, flush_s=end - flush_start,
                                actions=len(executor.actions), gc_s=pauses.seconds - floor_gc_s)
        if per_plugin:
            for key, values in engine.caller.timings.items():
                if key.startswith("pitchfree_message:"):
                    result.per_plugin[key.split(":", 1)[1]] = values[warmup:]
                    result.all_calls[key.split(":", 1)[1]] = values
            result.source_s, result.tracking_s = spent[0], tracking[0]
        result.rows_written = engine.writer.rows_written
        await engine.stop()
        batch_module._statements = real_statements
        result.writer_prep_s = prep[0]
        return result


def _timed(function, spent: list[float]):
    """Wrap `function` so the seconds it takes are added to `spent[0]`."""

    def timed(*args):
        start = time.perf_counter()
        try:
            return function(*args)
        finally:
            spent[0] += time.perf_counter() - start

    return timed


@contextlib.contextmanager
def _watched_collector(enabled: bool):
    """Measure the collector's pauses (`enabled`) or pause the collector, for one pass."""
    pauses = _PauseMeter()
    was_enabled = gc.isenabled()
    if enabled:
        gc.callbacks.append(pauses)
    else:
        gc.disable()
    try:
        yield pauses
    finally:
        if enabled:
            gc.callbacks.remove(pauses)
        elif was_enabled:
            gc.enable()


class _PauseMeter:
    """A `gc.callbacks` entry adding up how long the collector's runs take."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
