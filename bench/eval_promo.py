"""Evaluate the self_promotion plugin with its shipped default config on labelled YouTube comments.

    python -m bench.eval_promo [FILES...] [--show-fn N]

Each comment is posted as the first message of a fresh member of unknown tenure (joined_at None)
in a general channel, so no state leaks between comments. A comment counts as flagged when the
plugin records a case for it. Prints precision, recall, F1 and every false positive.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import html
import re
import sys
from pathlib import Path

import yaml

from bot import events as ev
from bot.actions import RecordCase
from bot.testing import Harness

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILES = sorted((ROOT.parent / "shared" / "data" / "dev" / "youtube_spam").glob("*.csv"))
DEFAULT_CONFIG = ROOT / "config" / "default.yaml"

_ANCHOR = re.compile(r"<a\s+[^>]*href=\"([^\"]*)\"[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-z][^>]*>", re.IGNORECASE)


def to_chat_text(content: str) -> str:
    """YouTube comment HTML to chat text: links become markdown links, breaks become newlines."""
    text = _ANCHOR.sub(lambda m: _link(html.unescape(m.group(1)), html.unescape(_TAG.sub("", m.group(2)))), content)
    text = _BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    return html.unescape(text).replace("\ufeff", "").strip()


def _link(url: str, label: str) -> str:
    label = label.strip()
    return url if not label or label == url else f"[{label}]({url})"


def load(files: list[Path]) -> list[tuple[str, str, bool]]:
    """(file name, chat text, is spam) for every row."""
    rows = []
    for path in files:
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                rows.append((path.name, to_chat_text(row["CONTENT"]), row["CLASS"].strip() == "1"))
    return rows


async def flagged(texts: list[str]) -> list[bool]:
    """Run every text through the plugin as a fresh member's message; True where a case was recorded."""
    block = (yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8")) or {})["plugins"]["self_promotion"]
    config = {"plugins": {"self_promotion": block}}
    out = []
    async with await Harness.create(builtins=("plugins.self_promotion:SelfPromotion",), guild_config=config) as h:
        for i, text in enumerate(texts):
            author = ev.Member(id=10_000 + i, display_name=f"commenter{i}", joined_at=None)
            actions = await h.send(text, author=author)
            out.append(any(isinstance(a, RecordCase) for a in actions))
            h.advance(seconds=1)
    return out


def main(argv: list[str] | None = None) -> int:
    """Print precision, recall, F1 per file and overall, then the false positives."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--show-fn", type=int, default=0, help="also print this many false negatives")
    args = parser.parse_args(argv)
    if not args.files:
        print("no input files", file=sys.stderr)
        return 2
    rows = load(args.files)
    predictions = asyncio.run(flagged([text for _, text, _ in rows]))
    by_file: dict[str, list[int]] = {}
    fps, fns = [], []
    for (name, text, spam), pred in zip(rows, predictions, strict=True):
        tp_fp_fn = by_file.setdefault(name, [0, 0, 0, 0])
        if pred and spam:
            tp_fp_fn[0] += 1
        elif pred:
            tp_fp_fn[1] += 1
            fps.append((name, text))
        elif spam:
            tp_fp_fn[2] += 1
            fns.append((name, text))
        else:
            tp_fp_fn[3] += 1
    total = [sum(v[i] for v in by_file.values()) for i in range(4)]
    for name, counts in [*by_file.items(), ("ALL", total)]:
        tp, fp, fn, tn = counts
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{name:28s} n={tp + fp + fn + tn:5d}  precision={p:.3f}  recall={r:.3f}  F1={f1:.3f}  "
              f"(tp={tp} fp={fp} fn={fn} tn={tn})")
    print(f"\nfalse positives ({len(fps)}):")
    for name, text in fps:
        print(f"  [{name}] {text[:200]!r}")
    if args.show_fn:
        print(f"\nfalse negatives (first {args.show_fn} of {len(fns)}):")
        for name, text in fns[: args.show_fn]:
            print(f"  [{name}] {text[:200]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
