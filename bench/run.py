"""`python -m bench`: pitchfree's cost per message against discord.py's, storage, replay, memory.

Everything is measured in one run on one seeded corpus; figures are medians (and p99) because
this machine is noisy. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import platform
import pstats
import statistics
import sys
import time

from bench._corpus import make_corpus
from bench._floor import FloorMeter, ParseEach, measure_floor, raw_frames
from bench._pipeline import run_pipeline


def machine() -> str:
    """The CPU, the CPUs this process may use, and the versions the figures depend on."""
    import discord

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{cpu}, {cpus} CPU(s); {platform.python_implementation()} {platform.python_version()}, "
            f"discord.py {discord.__version__}")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:8.1f}"


async def _main(args: argparse.Namespace) -> dict[str, float]:
    n = args.messages or (6_000 if args.quick else 40_000)
    corpus = make_corpus(n, seed=args.seed)
    frames = raw_frames(corpus)
    gc.collect()
    _, parsed = measure_floor(corpus, frames)  # also warms discord.py up
    floor = FloorMeter(corpus, frames)
    # Each pipeline pass freezes what exists when it starts, as `pitchfree run` does after
    # start-up: that includes the corpus, its frames and the parsed messages, the bench's own data
    # (a live bot holds none of them; discord.py keeps 5,000 messages), so a full collection does
    # not scan them (about 0.2 s for 40,000 messages) inside whichever plugin call triggered it.
    # Each chunk of the pipeline handles the messages the floor has just parsed for it, as a live
    # bot handles what discord.py has just built (not objects parsed seconds before, whose reads
    # miss the CPU's caches).
    result = await run_pipeline(parsed, per_plugin=False, between=floor.measure, source=floor.parsed_message)
    if floor.gateway.client.received != len(frames):
        raise SystemExit(f"gateway path: on_message ran {floor.gateway.client.received} times for {len(frames)} frames")
    floor_times = floor.times[500:]
    gateway_times = floor.gateway_times[500:]
    # Per-plugin timings come from a second pass: timing every hook call costs a little itself.
    # The collector is paused there: a collection's pause lands in whichever call set it off,
    # which made engagement's mean swing between 3.6 and 5.4 µs from run to run. Its pauses are
    # shown on their own line, measured in the first pass.
    timed = await run_pipeline(parsed, per_plugin=True, collector=False)
    # Context: both sides again, alternating message by message as on a live connection.
    live_floor = ParseEach(corpus, frames)
    live = await run_pipeline(parsed, per_plugin=False, parse_each=live_floor)
    result.per_plugin = timed.per_plugin
    figures: dict[str, float] = {}
    floor_med = statistics.median(floor_times)
    gateway_med = statistics.median(gateway_times)
    pipe_med = statistics.median(result.per_message)
    figures["floor_median_us"] = floor_med * 1e6
    figures["gateway_median_us"] = gateway_med * 1e6
    figures["pipeline_median_us"] = pipe_med * 1e6
    figures["p99_us"] = _pct(result.per_message, 0.99) * 1e6
    figures["ratio"] = pipe_med / floor_med
    figures["ratio_gateway"] = pipe_med / gateway_med
    figures["pipeline_msgs_per_s"] = len(parsed) / result.total_s
    live_floor_med = statistics.median(live_floor.times[500:])
    live_med = statistics.median(live.per_message)
    figures["ratio_interleaved"] = live_med / live_floor_med

    print(f"machine: {machine()}")
    print(f"corpus: {n} messages, seed {args.seed}; medians after 500 warm-up messages\n")
    print(f"{'stage':44} {'median µs':>9} {'p99 µs':>8}")
    print(f"{'discord.py floor (JSON decode + parse)':44} {_us(floor_med)} {_us(_pct(floor_times, 0.99))}")
    print(f"{'discord.py gateway path (frame -> on_message)':44} {_us(gateway_med)} {_us(_pct(gateway_times, 0.99))}")
    print(f"{'pitchfree pipeline (on_message -> actions)':44} {_us(pipe_med)} {_us(_pct(result.per_message, 0.99))}")
    for plugin, times in sorted(result.per_plugin.items()):
        med = statistics.median(times)
        figures[f"plugin_{plugin}_median_us"] = med * 1e6
        print(f"{'  plugin ' + plugin:44} {_us(med)} {_us(_pct(times, 0.99))}")
    if "engagement" in timed.all_calls:
        # Engagement queues each message and settles them in blocks, in two passes: the log and
        # the open-question bookkeeping. All of its work on the event loop is its hook calls plus
        # the blocks settled when the writer flushed (the pipeline's only writer source).
        total = sum(timed.all_calls["engagement"]) + timed.source_s
        figures["engagement_amortised_us"] = (total - timed.tracking_s) / len(parsed) * 1e6
        figures["engagement_tracking_us"] = timed.tracking_s / len(parsed) * 1e6
        print(f"{'  engagement logging, amortised (mean)':44} {figures['engagement_amortised_us']:8.1f}"
              "          (queueing + the log pass, per message; target < 5)")
        print(f"{'  engagement question tracking (mean)':44} {figures['engagement_tracking_us']:8.1f}"
              "          (answers and open questions, per message)")
        figures["writer_prep_us"] = timed.writer_prep_s / len(parsed) * 1e6
        print(f"{'  batched writer on the event loop (mean)':44} {figures['writer_prep_us']:8.1f}"
              "          (turning every plugin's rows into statements, per message)")
    figures["gc_us"] = result.gc_s / len(parsed) * 1e6
    print(f"{'  garbage collection pauses (mean)':44} {figures['gc_us']:8.1f}"
          "          (all plugins together, per message; not in the plugin figures above)")
    print(f"\nratio pipeline/floor: {figures['ratio']:.2f} (target <= 0.50); "
          f"against discord.py's whole gateway path: {figures['ratio_gateway']:.2f}")
    print(f"alternating message by message, as live: floor {live_floor_med * 1e6:.1f} µs, pipeline "
          f"{live_med * 1e6:.1f} µs, ratio {figures['ratio_interleaved']:.2f}")
    print(f"pipeline throughput incl. batched writes: {figures['pipeline_msgs_per_s']:,.0f} msg/s "
          f"({result.rows_written} rows written, final flush {result.flush_s * 1e3:.1f} ms, "
          f"{result.actions} actions)")

    del corpus, frames, parsed, floor, result, timed, live, live_floor
    for extra in _extras(args):
        figures.update(await extra(args))
    return figures


def _extras(args: argparse.Namespace):
    """Storage and replay stages, when their modules are present."""
    from bench import _replay, _storage

    yield _storage.run
    if not args.skip_replay:
        yield _replay.run


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table and the machine-readable line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes; finishes in under a minute")
    parser.add_argument("--messages", type=int, help="corpus size for the per-message stages")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", metavar="FILE", help="write cProfile stats of the pipeline stage here "
                        "(and print the top functions)")
    parser.add_argument("--skip-replay", action="store_true", help="skip the replay/memory stage")
    parser.add_argument("--replay-messages", type=int, help="messages in the generated replay export")
    parser.add_argument("--report-rows", type=int, help="logged messages for the report query")
    args = parser.parse_args(argv)
    if args.profile:
        return _profile(args)
    start = time.perf_counter()
    figures = asyncio.run(_main(args))
    keys = ["ratio", "pipeline_median_us", "p99_us", "floor_median_us", "ratio_gateway", "gateway_median_us",
            "ratio_interleaved",
            "pipeline_msgs_per_s",
            "engagement_amortised_us", "gc_us", "writes_per_s", "report_s", "replay_msgs_per_s", "peak_rss_mb"]
    line = " ".join(f"{k.replace('p99_us', 'p99_us')}={figures[k]:.2f}" for k in keys if k in figures)
    print(f"\n(total {time.perf_counter() - start:.0f} s)")
    print(line)
    return 0


def _profile(args: argparse.Namespace) -> int:
    n = args.messages or 20_000
    corpus = make_corpus(n, seed=args.seed)
    _, parsed = measure_floor(corpus, raw_frames(corpus))
    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(run_pipeline(parsed, per_plugin=False))
    profiler.disable()
    profiler.dump_stats(args.profile)
    pstats.Stats(args.profile, stream=sys.stdout).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
