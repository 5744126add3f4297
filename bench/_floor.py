"""discord.py's own cost per MESSAGE_CREATE, measured two ways on the same frames.

- **Floor** (the headline, as the benchmark's budget defines it): JSON decode +
  `ConnectionState.parse_message_create` on a real state holding the guild, with a dispatch
  that just keeps the message.
- **Gateway path** (context): everything discord.py does with a frame before a bot's
  `on_message` runs, as the live bot runs it. The frame arrives as the gateway sends it with
  discord.py's default `zlib-stream` compression and goes through
  `DiscordWebSocket.received_message` (inflate, JSON decode, gateway bookkeeping, the
  `socket_event_type` dispatch) into a real client's `parse_message_create`, whose
  `Client.dispatch` schedules `on_message`. The scheduled task then runs untimed.
"""

from __future__ import annotations

import asyncio
import json
import time
import zlib

import discord
from discord.gateway import DiscordWebSocket
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


def wire_frames(frames: list[str]) -> list[bytes | str]:
    """The frames as they reach `received_message` with discord.py's default compression.

    `zlib-stream`: one compressor for the whole connection, each frame ending in a sync flush.
    Where discord.py would ask for `zstd-stream` instead (a zstd module installed), the frames
    stay text, which leaves decompression out of the floor (it only makes the floor smaller).
    """
    if discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE != "zlib-stream":
        return list(frames)
    compressor = zlib.compressobj()
    return [compressor.compress(f.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH) for f in frames]


def measure_floor(corpus: Corpus, frames: list[str]) -> tuple[list[float], list[discord.Message]]:
    """Per-message seconds for decode + parse (parse only), and the parsed messages (for the pipeline)."""
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


class _Listener(discord.Client):
    """A real client whose `on_message` does nothing: discord.py's cost without any bot's work."""

    async def on_message(self, message: discord.Message) -> None:
        self.received += 1


class GatewayFloor:
    """A real client and its gateway websocket, minus the socket: frames go to `received_message`."""

    def __init__(self, corpus: Corpus) -> None:
        self.client = _Listener(intents=intents(), max_messages=1000)
        self.client.received = 0
        self.ws: DiscordWebSocket | None = None
        self._guild = corpus.guild

    async def start(self) -> None:
        """Bind the client to the running loop and wire the websocket as `from_client` does."""
        client = self.client
        await client._async_setup_hook()
        client._connection._add_guild_from_data(self._guild)
        ws = self.ws = DiscordWebSocket(socket=None, loop=client.loop)
        ws._connection = client._connection
        ws._discord_parsers = client._connection.parsers
        ws._dispatch = client.dispatch
        ws.shard_id = None


class FloorMeter:
    """Measures the floor and the gateway path on slices of the corpus, alternating with the pipeline.

    The machine is shared and its speed drifts; timing every stage chunk by chunk (instead of
    all of one, then all of the other) keeps a drift from landing on one side of the ratio.
    The messages the floor parsed for a chunk are handed to the pipeline (`parsed_message`), so
    the pipeline reads messages discord.py has just built, as a live bot does, rather than
    objects parsed long before and gone cold in the CPU's caches.
    """

    def __init__(self, corpus: Corpus, frames: list[str]) -> None:
        self.frames = frames
        self.wire = wire_frames(frames)
        self.state = make_state(corpus)
        self.gateway = GatewayFloor(corpus)
        self.times: list[float] = []  # the floor: JSON decode + parse
        self.gateway_times: list[float] = []  # the whole gateway path
        self._chunk_start = 0
        self._chunk: list[discord.Message] = []  # the floor's messages of the last chunk measured

    def parsed_message(self, index: int) -> discord.Message:
        """The message the floor parsed from frame `index`, in the chunk measured last."""
        return self._chunk[index - self._chunk_start]

    async def measure(self, start: int, end: int) -> None:
        """Run frames[start:end] through the gateway path and the floor, appending each message's seconds."""
        if self.gateway.ws is None:
            await self.gateway.start()
            for frame in self.wire[:start]:  # keep the connection's compression stream in step
                self.gateway.ws._decompressor.decompress(frame)
        received = self.gateway.ws.received_message
        clock = time.perf_counter
        times = self.gateway_times
        for frame in self.wire[start:end]:
            begin = clock()
            await received(frame)
            times.append(clock() - begin)
            await asyncio.sleep(0)  # the scheduled on_message runs here, untimed
        # Let go of the last chunk's messages first: the state's message cache (as live, the last
        # 1,000) then frees each one while this chunk is parsed, as it would with nothing else
        # holding them.
        self._chunk = []
        from_json = discord.utils._from_json
        parse = self.state.parse_message_create
        times = self.times
        for frame in self.frames[start:end]:
            begin = clock()
            parse(from_json(frame)["d"])
            times.append(clock() - begin)
        # Taken from the state's own cache after the timed loop, so the floor does no extra work.
        cached = self.state._messages
        if cached is None or end - start > len(cached):
            raise ValueError(f"a chunk of {end - start} messages is more than the state keeps")
        self._chunk_start, self._chunk = start, list(cached)[len(cached) - (end - start):]


class ParseEach:
    """The floor measured as a live bot runs it: each frame parsed right before pitchfree handles it.

    Alternating with the pipeline message by message, each side runs with the CPU caches the
    other leaves behind, as on a live connection (`run_pipeline(..., parse_each=...)`).
    """

    def __init__(self, corpus: Corpus, frames: list[str]) -> None:
        self.frames = frames
        self.parsed: list[discord.Message] = []
        self.state = make_state(corpus, self.parsed)
        self.times: list[float] = []

    def __call__(self, index: int) -> discord.Message:
        """Decode and parse frame `index`, timed; return the message."""
        clock = time.perf_counter
        start = clock()
        self.state.parse_message_create(discord.utils._from_json(self.frames[index])["d"])
        self.times.append(clock() - start)
        return self.parsed.pop()
