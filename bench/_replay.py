"""Replay stage: a generated DiscordChatExporter export, replayed in a child process.

Measures throughput and the child's peak RSS (which must not grow with the export's size).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from bench._corpus import ANSWERS, CHAT, LINKS, PROMO, QUESTIONS, START, THANKS

CHANNELS = 4


def _user(uid: int) -> dict:
    return {"id": str(uid), "name": f"user{uid}", "discriminator": "0000", "nickname": f"User {uid}",
            "color": None, "isBot": False, "roles": [], "avatarUrl": ""}


def write_export(directory: Path, messages: int, seed: int = 1) -> None:
    """Write `messages` messages over CHANNELS files, streamed (never all in memory)."""
    rng = random.Random(seed)
    files = []
    for c in range(CHANNELS):
        fh = open(directory / f"channel-{c}.json", "w", encoding="utf-8")  # noqa: SIM115 - closed below
        header = {"guild": {"id": "700", "name": "Bench", "iconUrl": ""},
                  "channel": {"id": str(800 + c), "type": "GuildTextChat", "categoryId": None,
                              "category": "Text", "name": f"channel-{c}", "topic": None}}
        fh.write(json.dumps(header)[:-1] + ', "messages": [\n')
        files.append([fh, 0])
    now = START
    for i in range(messages):
        now += timedelta(seconds=rng.expovariate(1 / 2))
        c = rng.randrange(CHANNELS)
        uid = 1000 + rng.randrange(500)
        roll = rng.random()
        text = (rng.choice(CHAT) if roll < 0.6 else rng.choice(QUESTIONS) if roll < 0.72
                else rng.choice(ANSWERS) if roll < 0.84 else rng.choice(THANKS).format(m="@User 1001")
                if roll < 0.9 else rng.choice(LINKS) if roll < 0.96 else rng.choice(PROMO))
        record = {"id": str(10_000_000 + i), "type": "Default", "timestamp": now.isoformat(),
                  "timestampEdited": None, "isPinned": False, "content": text, "author": _user(uid),
                  "attachments": [], "embeds": [], "reactions": [], "mentions": []}
        fh, count = files[c]
        fh.write((",\n" if count else "") + json.dumps(record))
        files[c][1] += 1
    for fh, count in files:
        fh.write(f'\n], "messageCount": {count}}}\n')
        fh.close()


def one_core() -> int | None:
    """The CPU the replay stage runs on (the lowest this process may use); None where affinity is unavailable."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    return min(os.sched_getaffinity(0))


@contextmanager
def pinned(cpu: int | None) -> Iterator[None]:
    """Run this process (and the children it starts) on `cpu` alone, then restore its affinity."""
    if cpu is None:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def replay_child(export: Path, workdir: Path) -> tuple[float, float, str]:
    """Run `pitchfree replay` in a child process; (wall seconds, its peak RSS in MB, stdout).

    The child inherits this process's CPU affinity: `run` pins it to one core, the target's terms
    (the database writer's thread then shares that core with the replay).
    """
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bench._rss", sys.executable, "-m", "bot", "replay", str(export),
         "--json", str(workdir / "out.jsonl"), "--db", str(workdir / "replay.db")],
        capture_output=True, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}, check=False,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"replay failed ({proc.returncode}): {proc.stderr[-2000:]}")
    peak_kb = int(proc.stderr.strip().rsplit("peak_rss_kb=", 1)[1])
    return wall, peak_kb / 1024, proc.stdout


def _replay_seconds(workdir: Path) -> float:
    """Seconds the replay itself took (reading included), from its final JSON Lines record."""
    last = ""
    with open(workdir / "out.jsonl", encoding="utf-8") as fh:
        for line in fh:
            last = line
    return float(json.loads(last)["stats"]["seconds"])


def parse_seconds(export: Path) -> float:
    """Seconds to stream and merge every record of the export (the replay's reading stage alone)."""
    from bot.replay._merge import Problems, expand_paths, merged, open_readers

    problems = Problems()
    start = time.perf_counter()
    readers = open_readers(expand_paths([str(export)]), problems)
    for _ in merged(readers, problems):
        pass
    return time.perf_counter() - start


async def run(args: argparse.Namespace) -> dict[str, float]:
    """Print and return replay throughput and peak RSS."""
    n = args.replay_messages or (50_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory(prefix="pitchfree-replay-") as tmp:
        workdir = Path(tmp)
        export = workdir / "export"
        export.mkdir()
        start = time.perf_counter()
        write_export(export, n)
        size_mb = sum(p.stat().st_size for p in export.iterdir()) / 2**20
        print(f"\nreplay: generated {n:,} messages ({size_mb:.0f} MB) in {time.perf_counter() - start:.1f} s")
        cpu = one_core()
        with pinned(cpu):  # "on one core": reading alone and the replay run on the same single CPU
            parse_s = parse_seconds(export)
            wall, peak_mb, _ = replay_child(export, workdir)
        engine_s = max(_replay_seconds(workdir) - parse_s, 1e-9)
    figures = {"replay_wall_msgs_per_s": n / wall, "replay_msgs_per_s": n / engine_s, "peak_rss_mb": peak_mb}
    where = f"pinned to CPU {cpu}" if cpu is not None else "not pinned: no CPU affinity on this system"
    print(f"replay: {n:,} messages in {wall:.1f} s wall ({where}); parsing alone {n / parse_s:,.0f} msg/s; "
          f"after parsing {n / engine_s:,.0f} msg/s (target >= 20,000 on one core)")
    print(f"replay: peak RSS {peak_mb:.0f} MB (target < 300 MB, flat in export size)")
    return figures


def main(argv: list[str] | None = None) -> int:
    """`python -m bench._replay OUT --messages N`: write a large synthetic export."""
    parser = argparse.ArgumentParser(prog="python -m bench._replay", description=main.__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    write_export(args.out, args.messages, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
