"""discord.py's own cost per MESSAGE_CREATE: JSON decode + ConnectionState.parse_message_create."""

from __future__ import annotations

import json
import time

import discord
from discord.state import ConnectionState

from bench._corpus import Corpus


def intents() -> discord.Intents:
    """The intents pitchfree asks for."""
    found = discord.Intents.none()
    found.guilds = found.members = found.guild_messages = True
    found.message_content = found.guild_reactions = True
    return found


def make_state(corpus: Corpus, sink: list | None = None) -> ConnectionState:
    """A real ConnectionState holding the corpus guild; parsed messages go to `sink`."""

    def dispatch(event: str, *args) -> None:
        if sink is not None and event == "message":
            sink.append(args[0])

    state = ConnectionState(dispatch=dispatch, handlers={}, hooks={}, http=None, intents=intents(),
                            max_messages=1000)
    state._add_guild_from_data(corpus.guild)
    return state


def raw_frames(corpus: Corpus) -> list[str]:
    """The payloads as gateway dispatch frames (JSON text, as the gateway sends them)."""
    return [json.dumps({"op": 0, "t": "MESSAGE_CREATE", "s": i + 1, "d": p}) for i, p in enumerate(corpus.payloads)]


def measure_floor(corpus: Corpus, frames: list[str]) -> tuple[list[float], list[discord.Message]]:
    """Per-message seconds for decode + parse, and the parsed messages (for the pipeline)."""
    parsed: list[discord.Message] = []
    state = make_state(corpus, parsed)
    from_json = discord.utils._from_json
    parse = state.parse_message_create
    clock = time.perf_counter
    times = []
    for frame in frames:
        start = clock()
        parse(from_json(frame)["d"])
        times.append(clock() - start)
    return times, parsed


class FloorMeter:
    """Measures the floor on slices of the corpus, so it can alternate with the pipeline.

    The machine is shared and its speed drifts; timing both stages chunk by chunk (instead of
    all of one, then all of the other) keeps a drift from landing on one side of the ratio.
    """

    def __init__(self, corpus: Corpus, frames: list[str]) -> None:
        self.frames = frames
        self.state = make_state(corpus)
        self.times: list[float] = []

    def measure(self, start: int, end: int) -> None:
        """Decode and parse frames[start:end], appending each one's seconds to `times`."""
        from_json = discord.utils._from_json
        parse = self.state.parse_message_create
        clock = time.perf_counter
        times = self.times
        for frame in self.frames[start:end]:
            begin = clock()
            parse(from_json(frame)["d"])
            times.append(clock() - begin)
