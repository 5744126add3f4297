"""Evaluate the gratitude detector on a GoEmotions-style TSV (label 15 = gratitude).

    python -m bench.eval_gratitude [FILE] [--max-errors N] [--timing]

Prints precision, recall and F1 for the detector, for its creditable subset (the cues that
earn reputation) and for a baseline thanks regex of the kind popular bots use, then the errors.
`--timing` also times the plugin's per-message hook on the file's rows without gratitude.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from plugins.helpful_answers import HelpfulAnswers, HelpfulAnswersConfig, detect_gratitude

DEFAULT_FILE = Path("/work/shared/data/dev/goemotions/dev.tsv")
GRATITUDE_LABEL = "15"
BASELINE = re.compile(r"\b(thanks?|thx|ty|thank you)\b", re.I)


def load(path: Path) -> list[tuple[str, bool]]:
    """(text, is_gratitude) rows of a `text<TAB>label ids<TAB>id` file."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [(parts[0], GRATITUDE_LABEL in parts[1].split(","))
                for parts in csv.reader(fh, delimiter="\t") if len(parts) >= 2]


def score(rows: list[tuple[str, bool]], predict: Callable[[str], bool]) -> dict:
    """Confusion counts, P/R/F1 and the misclassified texts."""
    fps, fns, tp = [], [], 0
    for text, gold in rows:
        pred = predict(text)
        if pred and gold:
            tp += 1
        elif pred:
            fps.append(text)
        elif gold:
            fns.append(text)
    p = tp / (tp + len(fps)) if tp + len(fps) else 0.0
    r = tp / (tp + len(fns)) if tp + len(fns) else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": len(fps), "fn": len(fns), "p": p, "r": r, "f1": f1, "fps": fps, "fns": fns}


def _line(name: str, s: dict) -> str:
    return (f"{name:<22} P {s['p']:.3f}  R {s['r']:.3f}  F1 {s['f1']:.3f}  "
            f"(tp {s['tp']}, fp {s['fp']}, fn {s['fn']})")


def time_hook(texts: list[str], rounds: int = 5) -> tuple[float, float, float]:
    """Median, p95 and mean microseconds of `pitchfree_message` per message (no storage, so no crediting)."""
    from datetime import UTC, datetime, timedelta

    from bot.events import Member, Message, MessageCreated

    plugin = HelpfulAnswers()
    plugin.creditor = object()  # pretend storage exists so the precheck runs as it does live
    config = HelpfulAnswersConfig()
    start = datetime(2026, 1, 5, tzinfo=UTC)
    members = [Member(id=i, joined_at=start - timedelta(days=30)) for i in range(1, 51)]
    events = [MessageCreated(Message(guild_id=1, channel_id=100 + i % 7, message_id=10_000 + i,
                                     author=members[i % 50], content=text, created_at=start + timedelta(seconds=i)))
              for i, text in enumerate(texts)]
    samples: list[float] = []
    hook, clock = plugin.pitchfree_message, time.perf_counter_ns
    for _ in range(rounds):
        plugin.conversations.clear()
        for event in events:
            t0 = clock()
            hook(event, config)
            samples.append(clock() - t0)
    samples.sort()
    return (samples[len(samples) // 2] / 1000, samples[int(len(samples) * 0.95)] / 1000,
            sum(samples) / len(samples) / 1000)


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--max-errors", type=int, default=200, help="errors listed per kind")
    parser.add_argument("--timing", action="store_true", help="time the per-message hook")
    args = parser.parse_args(argv)
    rows = load(args.file)
    gold = sum(g for _, g in rows)
    print(f"{args.file}: {len(rows)} rows, {gold} labelled gratitude")
    start = time.perf_counter()
    detector = score(rows, lambda t: detect_gratitude(t).is_gratitude)
    elapsed = time.perf_counter() - start
    creditable = score(rows, lambda t: detect_gratitude(t).creditable)
    baseline = score(rows, lambda t: BASELINE.search(t) is not None)
    print(_line("detector", detector))
    print(_line("detector (creditable)", creditable))
    print(_line("baseline regex", baseline))
    print(f"detector time: {elapsed / max(len(rows), 1) * 1e6:.1f} us/row")
    if args.timing:
        plain = [t for t, _ in rows if not detect_gratitude(t)]
        median, p95, mean = time_hook(plain)
        print(f"pitchfree_message on {len(plain)} messages without gratitude: median {median:.2f} us, "
              f"p95 {p95:.2f} us, mean {mean:.2f} us")
    for kind, label in (("fps", "false positives"), ("fns", "false negatives")):
        items = detector[kind]
        print(f"\n{label} ({len(items)}):")
        for text in items[: args.max_errors]:
            print(f"  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
