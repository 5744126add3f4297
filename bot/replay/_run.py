"""The replay itself: read exports, drive the engine with simulated time, collect what it decided."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from bot._collector import tuned_collector
from bot.app import build_engine, resolve_config_dir
from bot.config import ConfigError
from bot.executor import RecordingExecutor
from bot.plugins import BUILTIN_PLUGINS, PluginLoadError
from bot.replay._convert import Converter, channel_infos
from bot.replay._merge import Problems, UsageError, expand_paths, merged, open_readers, parse_timestamp
from bot.replay._output import Collector, figure_lines, summary
from bot.replay._reader import ExportReader

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_WRITER_BACKLOG = 20_000  # rows the replay lets the batched writer fall behind before waiting for it
# While the replay keeps the event loop's thread busy, the writer's thread waits to take the GIL
# back after every SQLite step, up to one switch interval (5 ms by default): at the default it
# falls behind and the replay stops for it. 0.5 ms keeps it going alongside (measured in
# docs/replay.md); the interval is restored when the drive ends.
_SWITCH_INTERVAL_S = 0.0005
# Records read and converted before the engine dispatches them. On a 300k-message replay: 16
# saves 0.5 s, 64 about 0.95 s, 256 no more than 64 (measured interleaved; output identical).
_CONVERT_AHEAD = 64


class _Progress:
    """A one-line progress bar on stderr (only used when stderr is a terminal)."""

    def __init__(self, stream: TextIO, readers: list[ExportReader]) -> None:
        self.stream = stream
        self.readers = readers
        self.total = max(1, sum(r.size for r in readers))
        self.started = self.last = time.monotonic()

    def update(self, messages: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        done = min(1.0, sum(r.bytes_read for r in self.readers) / self.total)
        bar = "#" * int(done * 30)
        rate = messages / max(1e-9, now - self.started)
        self.stream.write(f"\rreplay [{bar:<30}] {done:4.0%} {messages:,} messages {rate:,.0f}/s ")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\r" + " " * 79 + "\r")
        self.stream.flush()


def _export_end(readers: list[ExportReader]) -> datetime | None:
    """The latest `exportedAt`: by then, time had passed for everything in the exports."""
    latest = None
    for r in readers:
        try:
            at = parse_timestamp(r.header.exported_at) if r.header.exported_at else None
        except (TypeError, ValueError):
            continue
        if at is not None and (latest is None or at > latest):
            latest = at
    return latest


async def run_replay(
    paths: list[str],
    *,
    config_dir: str | None = None,
    guild_config: str | None = None,
    json_out: str | None = None,
    db: str | None = None,
    builtins: tuple[str, ...] = BUILTIN_PLUGINS,
    entry_points: bool = True,
    extra_plugins: dict[str, object] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    progress: bool | None = None,
    tick_seconds: int = 60,
) -> int:
    """Replay exports through the engine; print the summary; return the exit code.

    Plugin timers run each time message time crosses a multiple of `tick_seconds` (and at the end).
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        files = expand_paths(paths)
        if guild_config and not Path(guild_config).is_file():
            raise UsageError(f"guild config not found: {guild_config}")
        conf_dir = resolve_config_dir(config_dir)
        if config_dir and not conf_dir.is_dir():
            raise UsageError(f"config directory not found: {config_dir}")
        if json_out and not Path(json_out).resolve().parent.is_dir():
            raise UsageError(f"cannot write --json output, no such directory: {Path(json_out).parent}")
    except UsageError as exc:
        print(f"pitchfree replay: {exc}", file=stderr)
        return EXIT_USAGE
    problems = Problems()
    readers = open_readers(files, problems)
    infos, header_problems = channel_infos(readers)
    problems.errors += header_problems
    guild_ids = sorted({i.guild_id for i in infos if i is not None})
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pitchfree-replay-")))
        guild_files = {}
        for gid in guild_ids:
            if guild_config:
                guild_files[gid] = Path(guild_config)
            elif not (conf_dir / "guilds" / f"{gid}.yaml").exists():
                # A file of its own makes the guild "configured", so plugin timers run for it.
                guild_files[gid] = tmp / f"{gid}.yaml"
                guild_files[gid].write_text("{}\n", encoding="utf-8")
        executor = RecordingExecutor()
        try:
            engine, report = await build_engine(
                executor, config_dir=conf_dir, db_path=db or str(tmp / "replay.db"), builtins=builtins,
                entry_points=entry_points, extra_plugins=extra_plugins, guild_files=guild_files,
            )
        except (ConfigError, PluginLoadError) as exc:
            print(f"pitchfree replay: cannot start the engine:\n{exc}", file=stderr)
            return EXIT_BAD_INPUT
        if report.problems:
            await engine.stop()
            print("pitchfree replay: the config is invalid:", file=stderr)
            for line in report.lines():
                print(f"  {line}", file=stderr)
            return EXIT_BAD_INPUT
        out = stack.enter_context(open(json_out, "w", encoding="utf-8")) if json_out else None
        collector = Collector(out)
        converter = Converter(infos)
        try:
            state = await _drive(engine, executor, readers, converter, collector, problems, tick_seconds,
                                 _Progress(stderr, readers) if (stderr.isatty() if progress is None else progress)
                                 else None)
            end = max(filter(None, (state["last"], _export_end(readers))), default=None)
            if end is not None:
                await _tick(engine, executor, collector, end)
            if engine.writer is not None:
                await engine.writer.flush()
            stats = _stats(readers, converter, problems, state)
            figures = {}
            for gid in guild_ids:
                start = converter.first_message_at or state["first"] or end
                stop = end + timedelta(seconds=1) if end else end
                figures[gid] = await engine.report_figures(gid, start, stop) if start else {}
                collector.report(gid, start, stop, figures[gid], stats)
        finally:
            await engine.stop()
        _print(stdout, readers, converter, collector, problems, state, figures)
        _print_problems(stderr, problems)
    return EXIT_BAD_INPUT if problems.any else EXIT_OK


def _floor(ts: datetime, seconds: int) -> datetime:
    """The latest multiple of `seconds` (since the Unix epoch) at or before `ts`, in UTC."""
    return _EPOCH + timedelta(seconds=int((ts - _EPOCH).total_seconds()) // seconds * seconds)


async def _tick(engine, executor: RecordingExecutor, collector: Collector, now: datetime) -> None:
    await engine.tick(now)
    if executor.actions:
        collector.handle(executor.actions, None, now)
        executor.clear()


async def _drive(engine, executor, readers, converter, collector, problems, tick_seconds,
                 progress) -> dict[str, Any]:
    """Dispatch every record in time order, ticking the engine as each tick boundary passes."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, _SWITCH_INTERVAL_S))
    try:
        # millions of short-lived objects: collected less often, and the engine just built frozen,
        # as `pitchfree run` does (bot/_collector.py; about 2% of a 300k-message replay)
        with tuned_collector():
            return await _drive_records(engine, executor, readers, converter, collector, problems, tick_seconds,
                                        progress)
    finally:
        sys.setswitchinterval(previous)


async def _drive_records(engine, executor, readers, converter, collector, problems, tick_seconds,
                         progress) -> dict[str, Any]:
    step = timedelta(seconds=tick_seconds)
    first = last = next_tick = None
    count = 0
    started = time.perf_counter()
    handle = engine.handle  # `dispatch`, without a coroutine for the usual event
    writer = engine.writer
    if writer is not None:
        writer.wake_for_urgent = False  # a dry run: moderation records go with the next batch
    for block in _converted(readers, converter, problems, _CONVERT_AHEAD):
        for ts, events in block:
            if next_tick is None:
                first = ts
                next_tick = _floor(ts, tick_seconds) + step
            elif ts >= next_tick:
                boundary = _floor(ts, tick_seconds)
                await _tick(engine, executor, collector, boundary)
                next_tick = boundary + step
            if last is None or ts > last:
                last = ts
            if events is None:
                continue
            for event in events:
                pending = handle(event)
                if pending is not None:
                    await pending
                if executor.actions:
                    collector.handle(executor.actions, event, event.at)
                    executor.clear()
            count += 1
            if not count & 127:
                # Let the batched writer run, as the gateway's reads do live; and keep its backlog
                # bounded (memory must not grow with the export) when it falls behind. Every 128
                # messages: 0.3 s faster than every 32 on 300k messages; 512 is no faster.
                await asyncio.sleep(0)
                if writer is not None and writer.pending > _WRITER_BACKLOG:
                    await writer.flush()
            if progress is not None and not count & 1023:
                progress.update(count)
    if progress is not None:
        progress.close()
    return {"first": first, "last": last, "records": count, "seconds": time.perf_counter() - started}


def _converted(readers, converter: Converter, problems: Problems, size: int):
    """Blocks of (timestamp, events or None when the record could not be converted), in time order.

    Reading and converting a block before the engine sees any of it gives the same events (the
    converter depends only on the records) and the same problem notes in the same order, and keeps
    each stage's code and data in the CPU caches.
    """
    convert = converter.convert
    block = []
    for ts, mid, index, _seq, raw in merged(readers, problems):
        try:
            events = convert(ts, mid, index, raw)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems.record(f"{readers[index].name}: message {raw.get('id')!r} skipped: {exc!r}")
            events = None
        block.append((ts, events))
        if len(block) >= size:
            yield block
            block = []
    if block:
        yield block


def _stats(readers, converter: Converter, problems: Problems, state: dict) -> dict[str, Any]:
    mismatched = [r.name for r in readers if r.message_count is not None and r.message_count != r.messages_read]
    return {
        "files": len(readers), "messages": converter.messages, "duplicates": converter.duplicates,
        "member_joins": converter.joins, "reactions": converter.reactions,
        "system_messages_skipped": dict(converter.skipped_kinds), "bad_records": problems.bad_records,
        "file_errors": len(problems.errors), "message_count_mismatches": mismatched,
        "seconds": round(state["seconds"], 3),
    }


def _print(out: TextIO, readers, converter: Converter, collector: Collector, problems: Problems,
           state: dict, figures: dict[int, dict]) -> None:
    w = out.write
    span = ""
    first = converter.first_message_at or state["first"]
    if first is not None:
        span = f" from {first:%Y-%m-%d %H:%M} to {state['last']:%Y-%m-%d %H:%M} UTC"
    rate = f", {state['records'] / state['seconds']:,.0f} records/s" if state["seconds"] > 1 else ""
    w(f"pitchfree replay (dry run: nothing was sent to Discord)\n"
      f"Read {converter.messages} message(s) in {len(readers)} file(s){span}"
      f" in {state['seconds']:.2f} s{rate}\n")
    skipped = [f"{converter.duplicates} duplicate message(s)"] if converter.duplicates else []
    skipped += [f"{n} {kind} system message(s)" for kind, n in converter.skipped_kinds.most_common()]
    if skipped:
        w(f"  skipped: {', '.join(skipped)}\n")
    if converter.joins or converter.reactions:
        w(f"  also replayed: {converter.joins} member join(s), {converter.reactions} reaction(s) with known users\n")
    for r in readers:
        if r.message_count is not None and r.message_count != r.messages_read:
            w(f"  note: {r.name} says messageCount={r.message_count} but holds {r.messages_read} (ignored)\n")
    w("\n")
    channels = {i.channel_id: i.name for i in converter.infos if i is not None}
    for line in summary(collector, converter.display, channels):
        w(line + "\n")
    for gid, plugins in figures.items():
        w(f"\nReport for guild {gid}:\n")
        if not plugins:
            w("    (no plugin reported figures)\n")
        for plugin, values in plugins.items():
            w(f"  {plugin}:\n")
            for line in figure_lines(values, names=converter.display):
                w(line + "\n")
    if problems.any:
        w(f"\n{len(problems.errors)} file error(s), {problems.bad_records} unusable record(s): "
          f"see stderr (exit code {EXIT_BAD_INPUT})\n")


def _print_problems(err: TextIO, problems: Problems) -> None:
    for line in problems.errors:
        err.write(f"pitchfree replay: error: {line}\n")
    if problems.bad_records:
        err.write(f"pitchfree replay: {problems.bad_records} unusable message record(s) skipped, e.g.:\n")
        for sample in problems.samples:
            err.write(f"  {sample}\n")
