"""One plugin's `pitchfree_message` cost, called directly on the benchmark corpus.

    python bench/_plugin_micro.py plugins.self_promotion:SelfPromotion [p]

Prints the median µs per message after 500 warm-up messages; with `p`, a cProfile listing too.
For tuning one plugin's hot path; `python -m bench` measures the whole pipeline.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._corpus import make_corpus
from bench._floor import measure_floor, raw_frames
from bot.app import SHIPPED_CONFIG_DIR, build_engine
from bot.discord_adapter._convert import created
from bot.executor import RecordingExecutor


async def measure(spec: str, profile: bool, messages: int = 8000) -> float:
    """Median seconds of the plugin's message hook over the corpus."""
    corpus = make_corpus(messages)
    _, parsed = measure_floor(corpus, raw_frames(corpus))
    events = [created(m) for m in parsed]
    name = spec.split(":")[0].rsplit(".", 1)[-1]
    with tempfile.TemporaryDirectory() as tmp:
        engine, _ = await build_engine(RecordingExecutor(), config_dir=SHIPPED_CONFIG_DIR,
                                       db_path=f"{tmp}/micro.db", builtins=(spec,), entry_points=False)
        impl = engine.caller.impls("pitchfree_message")[0]
        hook, argnames = impl.function, impl.argnames
        config = engine.config.guild(None).plugins[name].base
        ctx = engine.context(name)
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        times = []
        for event in events:
            start = time.perf_counter()
            kwargs = {"event": event, "config": config, "ctx": ctx}
            result = hook(*[kwargs[a] for a in argnames])
            if hasattr(result, "send"):  # an async hook: run it to its first suspension
                try:
                    result.send(None)
                except StopIteration:
                    pass
                else:
                    result.close()
            times.append(time.perf_counter() - start)
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(14)
        await engine.stop()
    return statistics.median(times[500:])


def main() -> int:
    """Print the plugin's median µs per message."""
    spec = sys.argv[1]
    median = asyncio.run(measure(spec, len(sys.argv) > 2))
    print(spec.split(":")[0].rsplit(".", 1)[-1], "median", round(median * 1e6, 2), "us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
