"""Self-promotion: conversation that looks like a pitch but is not one (help requests, example hosts, shortener names)."""

from __future__ import annotations

import pytest
from test_self_promotion_helpers import case, harness, signal_names

from plugins.self_promotion._config import SelfPromotionConfig
from plugins.self_promotion._links import find_links, unreachable
from plugins.self_promotion._signals import Detector

HELP_REQUESTS = [
    "can someone check out my code? it throws a KeyError on line 12",
    "check out my screenshot, the button is greyed out",
    "how do I make my channel private so only mods can see it?",
    "my channel disappeared after the update, anyone know why?",
    "I can't post images in my channel, what permission is that?",
    "my stream keeps dropping frames in OBS, any idea what setting causes that?",
    "my latest build fails with the same error",
]


@pytest.mark.parametrize("text", HELP_REQUESTS)
async def test_a_newcomers_help_request_is_not_a_pitch(text):
    async with await harness() as h:
        newcomer = h.member(20, days_in_server=0.2)
        assert case(await h.send(text, author=newcomer)) is None


async def test_the_same_phrases_without_a_help_request_still_get_the_newcomer_boost():
    async with await harness() as h:
        newcomer = h.member(20, days_in_server=0.2)
        assert signal_names(await h.send("check out my new song, made it last night", author=newcomer)) == {
            "cta:self_reference", "first_messages"}


async def test_a_help_request_with_a_link_or_an_outright_plug_is_still_judged():
    async with await harness() as h:
        newcomer = h.member(20, days_in_server=0.2)
        # a link: the newcomer signals apply as to any link
        names = signal_names(await h.send("my code fails, see https://my-portfolio.net/bug", author=newcomer))
        assert {"first_messages", "trust_gate"} <= names and "help_request" not in names
        # a plug reaches the threshold on its own; the reasons say why no newcomer boost was added
        other = h.member(21, days_in_server=0.2)
        names = signal_names(await h.send("my setup crashed lol, subscribe to my channel", author=other))
        assert names == {"cta:explicit_plug", "cta:self_reference", "help_request"}


@pytest.mark.parametrize("text", [
    "check out my new mod, it fixes the crash on startup",  # one troubleshooting word, no question
    "follow my twitch, I stream every night. any tips welcome",  # a pitch's opener
])
async def test_a_pitch_that_names_a_problem_still_gets_the_newcomer_boost(text):
    async with await harness() as h:
        newcomer = h.member(20, days_in_server=0.2)
        names = signal_names(await h.send(text, author=newcomer))
        assert "first_messages" in names and "help_request" not in names


async def test_help_phrases_can_be_turned_off():
    async with await harness(context={"help_phrases": [], "problem_phrases": []}) as h:
        newcomer = h.member(20, days_in_server=0.2)
        assert case(await h.send(HELP_REQUESTS[0], author=newcomer)) is not None


def test_help_phrases_are_checked_like_other_phrases():
    with pytest.raises(ValueError, match="only allowed at the start or end"):
        SelfPromotionConfig.model_validate({"context": {"help_phrases": ["why*does"]}})


@pytest.mark.parametrize("host", ["example.com", "api.example.com", "example.org", "docs.example.net", "printer.local",
                                  "site.test", "x.invalid", "app.localhost", "nas.lan", "router.home.arpa",
                                  "127.0.0.1", "192.168.1.20", "10.0.0.5", "169.254.3.4", "0.0.0.0"])
def test_hosts_nobody_else_can_open(host):
    assert unreachable(host)
    assert find_links(f"set the url to http://{host}:8080/v1 and it works") == []


@pytest.mark.parametrize("host", ["myexample.com", "example.co", "examples.org", "testing.io", "local.com",
                                  "45.33.12.1", "8.8.8.8", "1.2.3.4.5"])
def test_public_hosts_stay_links(host):
    assert not unreachable(host)
    assert [link.host for link in find_links(f"see http://{host}/page")] == [host]


async def test_a_newcomers_example_url_is_not_a_link():
    async with await harness() as h:
        newcomer = h.member(20, days_in_server=0.2)
        assert signal_names(await h.send("set the url to https://api.example.com/v1 and it works",
                                         author=newcomer)) == set()


def test_a_shorteners_name_is_not_a_shortened_link():
    det = Detector(SelfPromotionConfig())
    named = det.content("bit.ly links are blocked at my work lol")
    assert "shortener" not in {s.name for s in named.signals} and named.domains == ()
    for text in ("bit.ly/3xYz", "https://bit.ly/?id=3", "bit . ly / abc"):
        assert "shortener" in {s.name for s in det.content(text).signals}, text
