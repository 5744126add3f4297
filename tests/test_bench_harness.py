"""The benchmark's two sides measure real work: discord.py's gateway path and the adapter's handler."""

from __future__ import annotations

import os
import subprocess
import sys

import discord
import pytest

from bench._corpus import make_corpus
from bench._floor import FloorMeter, ParseEach, measure_floor, raw_frames, wire_frames
from bench._pipeline import run_pipeline
from bot.discord_adapter._bot import PitchfreeBot


async def test_the_gateway_path_delivers_every_frame_to_on_message_as_discord_py_parses_it():
    corpus = make_corpus(240, seed=3)
    frames = raw_frames(corpus)
    meter = FloorMeter(corpus, frames)
    await meter.measure(0, 100)
    await meter.measure(100, 240)  # a later chunk continues the connection's compression stream
    client = meter.gateway.client
    assert client.received == 240
    assert len(meter.times) == len(meter.gateway_times) == 240
    cached = client.cached_messages
    assert [m.id for m in cached] == [int(p["id"]) for p in corpus.payloads]
    assert [m.content for m in cached] == [p["content"] for p in corpus.payloads]
    assert all(m.guild is not None and m.guild.id == int(corpus.guild["id"]) for m in cached)


def test_wire_frames_are_one_zlib_stream_like_the_gateways():
    frames = raw_frames(make_corpus(20, seed=3))
    wire = wire_frames(frames)
    if discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE != "zlib-stream":
        assert wire == frames
        return
    assert all(isinstance(w, bytes) and w.endswith(b"\x00\x00\xff\xff") for w in wire)
    inflate = discord.utils._ActiveDecompressionContext()
    assert [inflate.decompress(w) for w in wire] == frames
    assert sum(map(len, wire[10:])) < sum(map(len, frames[10:])) / 2  # the shared stream pays off


async def test_the_pipeline_runs_messages_through_the_adapters_handler_and_the_plugins():
    corpus = make_corpus(400, seed=5)
    frames = raw_frames(corpus)
    _, parsed = measure_floor(corpus, frames)
    meter = FloorMeter(corpus, frames)
    result = await run_pipeline(parsed, per_plugin=True, warmup=50, between=meter.measure, chunk=150)
    assert len(result.per_message) == 350
    assert len(meter.times) == len(meter.gateway_times) == 400  # measured between the chunks
    assert result.actions > 0  # the corpus has promotion: the plugins acted on it
    assert result.rows_written > 0
    assert set(result.per_plugin) == {"self_promotion", "helpful_answers", "engagement"}


async def test_each_chunk_of_the_pipeline_handles_the_messages_the_floor_has_just_parsed():
    corpus = make_corpus(260, seed=10)
    frames = raw_frames(corpus)
    _, parsed = measure_floor(corpus, frames)
    meter = FloorMeter(corpus, frames)
    handled: list[discord.Message] = []
    original = PitchfreeBot.on_message

    async def spy(self, message):
        handled.append(message)
        assert message is not parsed[len(handled) - 1]  # not the one parsed ahead of the run
        assert len(meter.times) == min(-(-len(handled) // 100) * 100, 260)  # its chunk was just measured
        assert message in meter.state._messages  # the floor's own parse, still in discord.py's cache
        await original(self, message)

    PitchfreeBot.on_message = spy
    try:
        result = await run_pipeline(parsed, per_plugin=False, warmup=0, between=meter.measure, chunk=100,
                                    source=meter.parsed_message)
    finally:
        PitchfreeBot.on_message = original
    assert [m.id for m in handled] == [int(p["id"]) for p in corpus.payloads]
    assert len(result.per_message) == 260 and result.actions > 0
    with pytest.raises(ValueError, match="more than the state keeps"):
        await FloorMeter(corpus, frames * 5).measure(0, 1001)


async def test_parse_each_times_discord_py_right_before_each_message_is_handled():
    corpus = make_corpus(300, seed=6)
    frames = raw_frames(corpus)
    _, parsed = measure_floor(corpus, frames)
    live = ParseEach(corpus, frames)
    handled: list[int] = []
    original = PitchfreeBot.on_message

    async def spy(self, message):
        handled.append(message.id)
        assert message is not parsed[len(handled) - 1]  # a fresh parse, not the one made ahead
        assert len(live.times) == len(handled)  # parsed (and timed) just before being handled
        await original(self, message)

    PitchfreeBot.on_message = spy
    try:
        result = await run_pipeline(parsed, per_plugin=False, warmup=0, parse_each=live)
    finally:
        PitchfreeBot.on_message = original
    assert handled == [m.id for m in parsed] == [int(p["id"]) for p in corpus.payloads]
    assert len(result.per_message) == len(live.times) == 300 and result.actions > 0


async def test_the_pipeline_runs_under_the_bots_collector_settings_and_measures_its_pauses():
    import gc

    from bot._collector import THRESHOLDS

    corpus = make_corpus(120, seed=7)
    _, parsed = measure_floor(corpus, raw_frames(corpus))
    seen: list[tuple[bool, int]] = []
    original = PitchfreeBot.on_message

    async def spy(self, message):
        seen.append((gc.isenabled(), gc.get_threshold()[0]))
        if len(seen) == 10:
            gc.collect()  # a pause inside the pipeline's own work
        await original(self, message)

    before = gc.get_threshold()
    PitchfreeBot.on_message = spy
    try:
        measured = await run_pipeline(parsed, per_plugin=False, warmup=0)
        assert set(seen) == {(True, THRESHOLDS[0])} and measured.gc_s > 0
        seen.clear()
        paused = await run_pipeline(parsed, per_plugin=True, warmup=0, collector=False)
        assert set(seen) == {(False, THRESHOLDS[0])} and paused.gc_s == 0
    finally:
        PitchfreeBot.on_message = original
    assert gc.isenabled() and gc.get_threshold() == before and gc.get_freeze_count() == 0


async def test_collections_set_off_while_discord_py_is_measured_are_not_counted_as_the_pipelines():
    import gc

    corpus = make_corpus(200, seed=8)
    frames = raw_frames(corpus)
    _, parsed = measure_floor(corpus, frames)

    def floor_chunk(start, end):
        gc.collect()  # a collection during the floor's chunk: discord.py's time

    chunked = await run_pipeline(parsed, per_plugin=False, warmup=0, between=floor_chunk, chunk=50)
    live = ParseEach(corpus, frames)

    def parse_and_collect(index):
        gc.collect()  # during the parse that precedes each message
        return live(index)

    alternating = await run_pipeline(parsed, per_plugin=False, warmup=0, parse_each=parse_and_collect)
    # the pipeline itself allocates far fewer objects than the thresholds: no collection of its own
    assert chunked.gc_s == 0 and alternating.gc_s == 0


def test_corpus_payloads_carry_every_field_discord_sends_on_message_create():
    payloads = make_corpus(300, seed=4).payloads
    user_fields = {"id", "username", "global_name", "avatar", "discriminator", "public_flags", "flags", "banner",
                   "accent_color", "avatar_decoration_data", "collectibles", "display_name_styles",
                   "primary_guild", "clan"}
    member_fields = {"roles", "joined_at", "nick", "avatar", "banner", "communication_disabled_until", "deaf",
                     "mute", "flags", "pending", "premium_since"}
    assert all(user_fields <= p["author"].keys() and member_fields <= p["member"].keys() for p in payloads)
    assert all(p["channel_type"] == 0 and p["nonce"] for p in payloads)
    authors = {p["author"]["id"]: p["author"] for p in payloads}.values()
    with_avatar = sum(a["avatar"] is not None for a in authors) / len(authors)
    with_tag = sum(a["primary_guild"] is not None for a in authors) / len(authors)
    assert 0.7 < with_avatar < 0.95 and 0.05 < with_tag < 0.3  # profile extras in their stated shares
    again = {p["author"]["id"]: p["author"] for p in make_corpus(300, seed=9).payloads}
    assert all(again[a["id"]] == a for a in authors if a["id"] in again)  # a member looks the same every time


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this system")
def test_the_replay_stage_runs_its_child_on_one_core_and_restores_the_benchs_affinity():
    from bench._replay import one_core, pinned

    before = os.sched_getaffinity(0)
    cpu = one_core()
    assert cpu == min(before)
    with pinned(cpu):
        child = subprocess.run([sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"],
                               capture_output=True, text=True, check=True)
    assert child.stdout.strip() == f"[{cpu}]"
    assert os.sched_getaffinity(0) == before


def test_the_bench_says_which_machine_and_versions_its_figures_come_from():
    import platform

    from bench.run import machine

    line = machine()
    assert f"CPython {platform.python_version()}" in line or platform.python_implementation() != "CPython"
    assert f"discord.py {discord.__version__}" in line and "CPU(s)" in line
