"""Self-promotion: look-alike domains and @everyone pings, the shape of scams posted from compromised accounts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_self_promotion_helpers import case, harness, regular, signal_names

from bot.testing import CHANNEL_ID
from plugins.self_promotion._config import SelfPromotionConfig
from plugins.self_promotion._links import find_links
from plugins.self_promotion._lookalike import Lookalikes, _near
from plugins.self_promotion._normalize import normalize
from plugins.self_promotion._signals import Detector

LOOKALIKES = Lookalikes(SelfPromotionConfig().links.protected)


def _check(url: str, text: str | None = None) -> str | None:
    text = text or url
    return LOOKALIKES.check(find_links(url)[0], text, normalize(text))


@pytest.mark.parametrize(("url", "why"), [
    ("https://dlscord.com/gift/abc", "looks like discord"),  # l for i
    ("https://disc0rd-app.com/x", "looks like discord"),  # a digit for a letter
    ("https://discrod.com/x", "looks like discord"),  # a swap
    ("https://dlscordapp.com/x", "looks like discordapp"),  # l for i in a sub-brand
    ("https://discrodapp.com/x", "looks like discordapp"),  # a typo in a sub-brand's brand part
    ("https://discordsapp.com/x", "looks like discordapp"),
    ("https://discordnitros-free.com/x", "discord with a lure word"),  # a protected name as a prefix
    ("https://epicgamesstore-free.com/x", "epicgames with a lure word"),
    ("https://disscord.gift/x", "looks like discord"),  # an insertion
    ("https://steamcommunlty.com/tradeoffer/new/?partner=1", "looks like steamcommunity"),
    ("https://stearncommunity.com/id/x", "looks like steamcommunity"),  # "rn" for "m": two edits in a long name
    ("https://discord-nitro.click/claim", "discord with a lure word"),
    ("https://discord.gift-promo.xyz/abc", "discord with a lure word"),
    ("https://discordgift.site/x", "discord with a lure word"),
    ("https://free-nitro.ru/x", "nitro with a lure word"),
    ("https://paypal-login.xyz/verify", "paypal with a lure word"),
    ("https://xn--dscord-6ve.com/x", "looks like discord"),  # an IDN host
])
def test_lookalike_hosts(url, why):
    found = _check(url)
    assert found is not None and why in found


@pytest.mark.parametrize("url", [
    "https://discord.com/channels/1/2", "https://support.discord.com/hc", "https://store.steampowered.com/app/1",
    "https://discord.js.org/docs", "https://discordpy.readthedocs.io/en/latest", "https://discogs.com/release/1",
    "https://discard.app/x", "https://steamgifts.com/giveaways", "https://nitro.com/x", "https://disboard.org/x",
    "https://stream.tv/x", "https://mydiscordbot.dev", "https://steam.tv/x", "https://robotics.com/x",
    "https://support.nitrokey.com/x", "https://login.nitrotype.com/x", "https://discordapi.com/docs",
    "https://discordstats.com/x",
])
def test_real_sites_are_not_lookalikes(url):
    assert _check(url) is None


def test_an_admins_short_protected_name_is_not_a_prefix():
    lookalikes = Lookalikes(["x.com", "discord.com"])
    assert lookalikes._judge("xbox-support.com") is None  # "x" starts too many names
    assert lookalikes._judge("discord-gift.site") is not None


def test_a_protected_host_spelled_with_other_letters_is_disguised():
    assert "look-alike or hidden characters" in _check("https://discord.gift/abc", "free https://dіscord.gift/abc")
    assert "look-alike or hidden characters" in _check("https://discord.gift/abc", "https://disc\u200bord.gift/abc")
    assert _check("https://discord.gift/abc", "here's my gift https://discord.gift/abc 🎁") is None
    assert _check("https://discord.com/", "go to discord dot com and log in") is None


def _osa(a: str, b: str, substitution: int) -> int:
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (0 if a[i - 1] == b[j - 1] else substitution))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


@settings(max_examples=600, deadline=None)
@given(st.text("abcd", max_size=14), st.text("abcd", min_size=1, max_size=14))
def test_near_is_a_bounded_edit_distance(a, b):
    limit = 2 if len(b) >= 12 else 1
    assert _near(a, b) == (_osa(a, b, 1 if len(b) >= 10 else 2) <= limit)


SCAMS = [
    "@everyone Free Discord Nitro for 3 months from Steam: https://dlscord-nitro.click/gift/Xy7abc",
    "bro is this legit? https://steamcommunlty.com/tradeoffer/new/?partner=1234",
    "free nitro for everyone who joins https://discord.gift-promo.xyz/abc",
    "@everyone I'm giving away my skins, first come first serve https://skins-drop.ru/claim",
]


@pytest.mark.parametrize("text", SCAMS)
async def test_a_regulars_scam_post_is_flagged(text):
    async with await harness() as h:
        member = await regular(h, 10)  # a compromised account looks like a regular
        assert case(await h.send(text, author=member)) is not None


async def test_a_scam_link_is_not_welcome_in_the_promo_channel():
    async with await harness(promo_channels={"channels": [CHANNEL_ID], "max_posts": 5}) as h:
        member = await regular(h, 10)
        assert case(await h.send("my art shop https://ko-fi.com/me", author=member)) is None
        assert case(await h.send("my shop https://discord-nitro.shop/gift", author=member)) is not None


async def test_an_embeds_protected_link_is_never_a_disguise():
    async with await harness(promo_channels={"channels": [CHANNEL_ID], "max_posts": 5}) as h:
        member = await regular(h, 10)
        actions = await h.send("Tips welcome ☕ https://paypal.me/foo", author=member,
                               embed_urls=("https://www.paypal.com/paypalme/foo",))
        assert "lookalike_domain" not in signal_names(actions) and case(actions) is None


async def test_mass_mention_needs_a_link_and_can_be_turned_off():
    async with await harness(threshold=0.4) as h:
        member = await regular(h, 10)
        assert signal_names(await h.send("@everyone good morning", author=member)) == set()
        assert "mass_mention" in signal_names(await h.send("@everyone new post https://blog.net/a", author=member))
        assert "mass_mention" not in signal_names(await h.send("email me@here.org https://blog.net/a", author=member))
    det = Detector(SelfPromotionConfig.model_validate({"weights": {"mass_mention": 0}}))
    assert "mass_mention" not in {s.name for s in det.content("@here https://blog.net/a").signals}
