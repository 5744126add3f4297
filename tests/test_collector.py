"""The collector settings `pitchfree run` and `pitchfree replay` use (bot/_collector.py).

That the replay's drive runs under them: tests/test_replay.py.
"""

from __future__ import annotations

import gc
import weakref

import pytest

from bot._collector import tuned_collector


class _Node:
    """A container that can be made part of a reference cycle."""

    other: object = None


def _cycle() -> _Node:
    node = _Node()
    node.other = node
    return node


def test_start_up_objects_are_frozen_and_the_young_generation_is_collected_less_often():
    before = gc.get_threshold()
    dropped_at_start = weakref.ref(_cycle())  # already garbage when start-up is done: collected first
    held = [_cycle()]  # alive when start-up is done: frozen
    old_cycle = weakref.ref(held[0])
    with tuned_collector((12_345, 15, 16)):
        assert dropped_at_start() is None
        assert gc.get_threshold()[:2] == (12_345, 15)  # (an incremental collector has no third value)
        assert gc.get_freeze_count() > 0
        new_cycle = weakref.ref(_cycle())  # made while running: collected as usual
        held.clear()  # a frozen object that becomes garbage is kept until the settings are undone
        gc.collect()
        assert new_cycle() is None
        assert old_cycle() is not None
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    gc.collect()
    assert old_cycle() is None


def test_the_settings_are_undone_when_the_run_fails():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), tuned_collector():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
