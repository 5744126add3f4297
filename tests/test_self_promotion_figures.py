"""The plugin's report figures are counted by SQLite and match counting every decision by hand."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

START = datetime(2026, 2, 1, tzinfo=UTC)
DECISIONS = ["delete", "delete+timeout", "strike", "observe", "reported", "delete+timeout+alert"]
FEEDBACK = [None, "", "not promotion (by 5)", "Not promotion", "confirmed by 5", "not promotional"]
SIGNALS = ["invite", "cta:offer", "promo_domain", "trust_gate", "first_messages", "shortener"]


@pytest.fixture
def store(promo_store):
    return promo_store


def by_hand(rows) -> dict:
    """What the figures were before SQLite counted them: every decision in turn."""
    figures = {"incidents": 0, "deleted": 0, "timeouts": 0, "observed": 0, "reported": 0, "not_promotion": 0}
    by_signal: Counter[str] = Counter()
    for decision, signals, feedback in rows:
        if decision == "reported":
            figures["reported"] += 1
            continue
        figures["incidents"] += 1
        figures["deleted"] += "delete" in decision
        figures["timeouts"] += "timeout" in decision
        figures["observed"] += decision == "observe"
        figures["not_promotion"] += (feedback or "").startswith("not promotion")
        by_signal.update(name for name, _ in signals)
    figures["by_signal"] = dict(sorted(by_signal.items(), key=lambda kv: (-kv[1], kv[0])))
    return figures


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_figures_match_counting_every_decision(store, seed):
    rng = random.Random(seed)
    inside = []
    for i in range(300):
        at = START + timedelta(hours=rng.uniform(-48, 24 * 12))  # some before the period
        decision = rng.choice(DECISIONS)
        signals = [(name, 0.5) for name in rng.sample(SIGNALS, rng.randint(0, 4))]
        await store.record_decision(1, i, 7, 9, f"self_promotion:{i}", at, 1.5, decision, signals, [], [],
                                    replace=False)
        feedback = rng.choice(FEEDBACK)
        if feedback is not None:
            await store.set_feedback(1, i, feedback)
        if START <= at < START + timedelta(days=10):
            inside.append((decision, signals, feedback))
    await store.record_decision(2, 999, 7, 9, "self_promotion:999", START, 1.5, "delete", [("invite", 1.0)], [], [],
                                replace=False)  # another guild
    figures = await store.figures(1, START, START + timedelta(days=10))
    assert figures == by_hand(inside)
    assert json.dumps(figures["by_signal"]) == json.dumps(by_hand(inside)["by_signal"])  # the order too
