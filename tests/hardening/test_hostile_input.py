"""Hostile input through every built-in plugin: no exception, bounded time per message.

Arbitrary unicode, 4,000-character messages, deeply nested markdown, thousands of URLs, zalgo
and invisible characters go through `bot.testing.Harness` with all built-ins enabled (and a
moderator alert on every case, so the slow paths run too). Admin regexes run on RE2: a
catastrophic-backtracking pattern is either refused at load or matched in linear time.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.testing import Harness

MAX_S_PER_MESSAGE = 0.5  # generous: the real budget is ~30 µs median; this catches hangs and blow-ups
MOD_ROLE = 5
GUILD = {"moderator_roles": [MOD_ROLE], "mod_log_channel": 999,
         "plugins": {"self_promotion": {"alert_every_case": True,
                                        "regexes": [{"name": "backtrack", "pattern": "(a+)+$", "weight": 0.1},
                                                    {"name": "nested", "pattern": "(x*)*y", "weight": 0.1}]}}}

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e\u202d\u2066\u2069\u180e\u034f"
COMBINING = "".join(chr(c) for c in range(0x300, 0x370))
URL_PIECES = ("discord.gg/", "https://discord.com/invite/", "https://twitch.tv/", "https://bit.ly/",
              "http://", "https://", "www.", "[x](https://", "<https://", "hxxps://", "https://xn--")

zalgo = st.builds(lambda base, marks: "".join(c + marks for c in base),
                  st.text(min_size=1, max_size=60), st.text(alphabet=COMBINING, min_size=5, max_size=40))
invisible = st.builds(lambda s, junk: junk.join(s), st.text(min_size=1, max_size=300),
                      st.text(alphabet=INVISIBLE, min_size=1, max_size=4))
long_text = st.builds(lambda s: (s * (4000 // len(s) + 1))[:4000], st.text(min_size=1, max_size=80))
nested_markdown = st.builds(
    lambda n, inner: ("> " * n) + ("**__~~||" * n) + ("[" * n) + inner + ("](" * n) + ("||~~__**" * n)
    + ("`" * n) + ("```" + inner + "```") * min(n, 20),
    st.integers(1, 400), st.text(max_size=50))
many_urls = st.builds(
    lambda n, piece, host, path: " ".join(f"{piece}{host}{i}.example/{path}" for i in range(n))[:4000],
    st.integers(100, 3000), st.sampled_from(URL_PIECES), st.text(alphabet="abcxyz-.0123456789", min_size=1,
                                                                   max_size=12),
    st.text(alphabet="abc/?=&%#@:.", max_size=20))
hostile = st.one_of(st.text(max_size=4000), zalgo, invisible, long_text, nested_markdown, many_urls,
                    st.builds("".join, st.lists(st.sampled_from([*URL_PIECES, "a", " ", "\n", "*", "|", ">",
                                                                  INVISIBLE[:3], "aaaa", "!"]), max_size=800)))


async def _harness() -> Harness:
    return await Harness.create(guild_config=GUILD)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(texts=st.lists(hostile, min_size=1, max_size=6), name=st.one_of(st.text(max_size=40), zalgo))
async def test_hostile_messages_never_fault_and_stay_bounded(texts, name):
    async with await _harness() as h:
        assert {"self_promotion", "helpful_answers", "engagement"} <= set(h.engine.plugin_names())
        newbie = h.member(11, name=name or None, days_in_server=0.01, account_days=0.01)
        regular = h.member(12, days_in_server=200)
        for i, text in enumerate(texts):
            author = newbie if i % 2 == 0 else regular
            started = time.perf_counter()
            await h.send(text, author=author, embed_urls=(text[:200],) if i % 3 == 0 else ())
            msg = h.last
            await h.edit(msg, text[::-1])
            await h.send(text[:1990] + " thank you!", author=regular, reply_to=msg)  # the gratitude path
            await h.react(msg, regular)
            took = time.perf_counter() - started
            assert took < MAX_S_PER_MESSAGE * 4, f"{took:.3f}s for 4 events"
            h.advance(seconds=5)
        assert h.engine.status()["faults"] == {}


@pytest.mark.parametrize("text", [
    "a" * 3999 + "!",  # `(a+)+$` backtracks exponentially on a non-matching tail in a backtracking engine
    "x" * 4000,  # `(x*)*y` likewise
    ("a" * 30 + "\u200b") * 120,
])
async def test_a_catastrophic_admin_regex_runs_in_linear_time(text):
    async with await _harness() as h:
        author = h.member(13, days_in_server=0.01, account_days=0.01)
        started = time.perf_counter()
        await h.send(text + " https://example.org/x", author=author)
        assert time.perf_counter() - started < MAX_S_PER_MESSAGE
        assert h.engine.status()["faults"] == {}


async def test_a_regex_re2_cannot_run_is_refused_at_load():
    bad = {**GUILD, "plugins": {"self_promotion": {"regexes": [{"name": "backref", "pattern": r"(a+)\1$"}]}}}
    async with await Harness.create(guild_config={"moderator_roles": [MOD_ROLE]}) as h:
        (h.config_dir / "guilds" / f"{h.guild_id}.yaml").write_text(__import__("yaml").safe_dump(bad))
        report = await h.reload()
        assert not report.ok
        assert any("not valid RE2" in line for line in report.lines()), report.lines()
        assert h.engine.config.guild(h.guild_id).plugins["self_promotion"].base.regexes == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(200, 2000))
async def test_thousands_of_invites_in_one_message_cost_bounded_time(n):
    async with await _harness() as h:
        author = h.member(14, days_in_server=0.01, account_days=0.01)
        text = " ".join(f"discord.gg/c{i}" for i in range(n))[:4000]
        started = time.perf_counter()
        actions = await h.send(text, author=author)
        assert time.perf_counter() - started < MAX_S_PER_MESSAGE
        assert any(a.kind == "delete_message" for a in actions)
        assert h.engine.status()["faults"] == {}
