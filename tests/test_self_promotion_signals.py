"""Self-promotion: each signal, domain lists, invites and the invite resolver, through the Harness."""

from __future__ import annotations

import pytest
from test_self_promotion_helpers import case, harness, regular, signal_names

from bot.actions import ModAlert

LOW = 0.2  # threshold low enough that one signal alone records a case


@pytest.mark.parametrize(("text", "signal"), [
    ("come hang out at discord.gg/AbCd12", "invite"),
    ("my stream is live twitch.tv/someone", "promo_domain"),
    ("support me ko-fi.com/someone", "promo_domain"),
    ("all my links: linktr.ee/someone", "promo_domain"),
    ("join the channel t.me/somechannel", "promo_domain"),
    ("look https://bit.ly/3abc", "shortener"),
    ("great deal https://shop.somesite.net/item?ref=abc123", "affiliate"),
    ("great deal https://shop.somesite.net/ref/abc123/item", "affiliate"),
    ("book https://www.amazon.com/dp/B000?tag=someone-20", "affiliate"),
    ("claim [discord.com/gifts](https://gifts.somesite.net/claim)", "masked_link"),
    ("read https://blog.somesite.net/post", "unknown_link"),
    ("subscribe to my channel for more", "cta:explicit_plug"),
    ("use my code SAVE10 at checkout", "cta:explicit_plug"),
    ("link in bio", "cta:explicit_plug"),
    ("free robux for everyone", "cta:offer"),
    ("my new single drops tonight", "cta:self_reference"),
])
async def test_each_content_signal(text, signal):
    async with await harness(threshold=LOW) as h:
        member = await regular(h, 10)
        actions = await h.send(text, author=member)
        assert signal in signal_names(actions)


async def test_reasons_name_each_signal_with_its_weight():
    async with await harness(alert_every_case=True) as h:
        member = await regular(h, 10)
        actions = await h.send("subscribe to my channel twitch.tv/someone", author=member)
        recorded = case(actions)
        assert ("promo_domain", 0.6) in recorded.signals
        assert ("cta:explicit_plug", 1.0) in recorded.signals
        assert recorded.score == pytest.approx(sum(w for _, w in recorded.signals))
        alert = next(a for a in actions if isinstance(a, ModAlert))
        assert any(r.startswith("promo_domain (+0.60): twitch.tv") for r in alert.reasons)
        assert alert.case_key == recorded.case_key == f"self_promotion:{h.last.message_id}"


async def test_ordinary_chat_is_left_alone():
    async with await harness() as h:
        member = h.member(10, days_in_server=0.1)
        for text in ["hi all, new here!", "has anyone beaten the last boss yet?",
                     "I read the docs at https://docs.python.org/3/ and it helped",
                     "https://tenor.com/view/happy-dance-gif-123", "check the pinned message"]:
            assert case(await h.send(text, author=member)) is None


async def test_honest_masked_links_are_not_deceptive():
    async with await harness(threshold=LOW) as h:
        member = await regular(h, 10)
        for text in ["read [this post](https://blog.somesite.net/post)",
                     "[blog.somesite.net](https://www.blog.somesite.net/post)", "[1:23](https://youtu.be/abc?t=83)"]:
            assert "masked_link" not in signal_names(await h.send(text, author=member)), text


async def test_links_in_embeds_count():
    async with await harness(threshold=LOW) as h:
        member = await regular(h, 10)
        actions = await h.send("look at this", author=member, embed_urls=("https://www.patreon.com/someone",))
        assert "promo_domain" in signal_names(actions)


async def test_subdomains_and_paths_of_promo_targets():
    async with await harness(threshold=0.5) as h:
        member = await regular(h, 10)
        assert "promo_domain" in signal_names(await h.send("m.youtube.com/@someone", author=member))
        assert "promo_domain" not in signal_names(await h.send("youtube.com/watch?v=abc", author=member))


async def test_admins_extend_clear_allow_and_deny_domains():
    block = {"threshold": 0.5, "links": {"promo_domains": [], "extra_promo_domains": ["mystore.biz"],
                                         "deny": ["scam.biz"], "allow": ["partner.biz"]}}
    async with await harness(**block) as h:
        member = await regular(h, 10)
        assert signal_names(await h.send("twitch.tv/someone", author=member)) == set()  # list cleared
        assert "promo_domain" in signal_names(await h.send("https://shop.mystore.biz/x", author=member))
        assert "denied_domain" in signal_names(await h.send("https://www.scam.biz", author=member))
        assert case(await h.send("https://partner.biz/ref/abc/x", author=member)) is None


async def test_phrase_list_and_admin_regex():
    block = {"phrases": {"custom": {"weight": 1.0, "phrases": ["*coins*"]}},
             "regexes": [{"name": "price", "pattern": r"\$\d+\s*(?:usd|dollars)", "weight": 1.0}]}
    async with await harness(**block) as h:
        member = await regular(h, 10)
        assert signal_names(await h.send("cheap bitcoins here", author=member)) == {"cta:custom"}
        assert signal_names(await h.send("only $20 USD", author=member)) == {"regex:price"}
        assert case(await h.send("I love to subscribe to newsletters", author=member)) is None  # defaults replaced


async def test_evasion_still_detected():
    async with await harness() as h:
        member = await regular(h, 10)
        for text in ["ѕubѕcrіbе tо my сhаnnеl", "s\u200bu\u200bb\u200bscribe to my channel",
                     "discord . gg / AbCd12", "hxxps://bit[.]ly/abc?ref=x", "ｌｉｎｋ ｉｎ ｂｉｏ"]:
            assert case(await h.send(text, author=member)) is not None, text


async def test_newcomer_link_context_signals():
    async with await harness() as h:
        newcomer = h.member(20, days_in_server=0.5)
        actions = await h.send("https://random-site.somesite.net/page", author=newcomer)
        assert signal_names(actions) == {"unknown_link", "first_messages", "link_only", "trust_gate"}


async def test_trust_gate_days_and_messages():
    async with await harness(threshold=LOW, context={"trust_min_days": 7, "trust_min_messages": 2,
                                                     "first_messages": 0}) as h:
        fresh = await regular(h, 21, messages=3)
        fresh = h.member(21, days_in_server=2)
        assert "trust_gate" in signal_names(await h.send("see somesite.net/a for it", author=fresh))
        veteran = await regular(h, 22, messages=3)
        assert "trust_gate" not in signal_names(await h.send("see somesite.net/a for it", author=veteran))


async def test_members_who_take_part_are_not_link_droppers():
    async with await harness(threshold=LOW) as h:
        member = await regular(h, 23, messages=4)
        assert "link_only" not in signal_names(await h.send("https://random-site.somesite.net/page", author=member))


async def test_crossposting_same_text_in_several_channels():
    async with await harness(threshold=0.5) as h:
        member = await regular(h, 24)
        text = "Check out our brand new tournament, huge prizes and fun for everyone"
        await h.send(text, author=member, channel_id=201)
        h.advance(minutes=1)
        await h.send(text.upper() + "!!", author=member, channel_id=202)
        h.advance(minutes=1)
        actions = await h.send(text + " today", author=member, channel_id=203)
        assert "crosspost" in signal_names(actions)


async def test_crossposting_outside_the_window_does_not_count():
    async with await harness(threshold=0.5) as h:
        member = await regular(h, 25)
        text = "Check out our brand new tournament, huge prizes and fun for everyone"
        for channel in (201, 202, 203):
            actions = await h.send(text, author=member, channel_id=channel)
            h.advance(minutes=30)
        assert "crosspost" not in signal_names(actions)


async def test_nine_to_one_ratio():
    async with await harness(threshold=0.9, context={"promo_ratio_min_messages": 10}) as h:
        member = await regular(h, 26, messages=9)
        first = await h.send("new video up on my channel", author=member)
        assert "promo_ratio" not in signal_names(first)
        second = await h.send("my new single is out now", author=member)
        assert "promo_ratio" in signal_names(second)


async def test_foreign_and_own_invites_with_resolver():
    calls = []

    async def resolver(code):
        calls.append(code)
        return {"OwnCode": 1, "PartnerCode": 77}.get(code)

    async with await harness(invites={"allowed_guild_ids": [77], "allowed_codes": ["vanity"]}) as h:
        h.engine.services["invite_resolver"] = resolver
        member = await regular(h, 27)
        assert case(await h.send("our server: discord.gg/OwnCode", author=member)) is None
        assert case(await h.send("partners: discord.gg/PartnerCode", author=member)) is None
        assert case(await h.send("discord.gg/vanity", author=member)) is None
        assert "invite" in signal_names(await h.send("join discord.gg/Elsewhere", author=member))
        await h.send("again discord.gg/OwnCode", author=member)
        assert calls.count("OwnCode") == 1  # cached
        assert "vanity" not in calls


async def test_unknown_invites_are_foreign_without_resolver():
    async with await harness() as h:
        member = await regular(h, 28)
        assert "invite" in signal_names(await h.send("discord.gg/AbCd12", author=member))


async def test_edit_that_adds_promotion_is_rechecked():
    async with await harness() as h:
        member = await regular(h, 29)
        actions = await h.send("gg everyone", author=member)
        assert case(actions) is None
        msg = h.last
        edited = await h.edit(msg, "gg everyone, subscribe to my channel")
        assert case(edited).case_key == f"self_promotion:{msg.message_id}"
        again = await h.edit(h.messages[msg.message_id], "gg everyone, subscribe to my channel pls")
        assert case(again) is None  # one strike per message


async def test_unknown_join_date_uses_account_age():
    from bot.events import Member

    async with await harness(threshold=LOW) as h:
        day = h.now - h.now.replace(year=h.now.year - 1)
        old_account = Member(id=50, joined_at=None, created_at=h.now - day)
        new_account = Member(id=51, joined_at=None, created_at=h.now - day / 365)
        unknown = Member(id=52, joined_at=None, created_at=None)
        text = "see https://blog.somesite.net/post for details"
        assert "trust_gate" not in signal_names(await h.send(text, author=old_account))
        assert "trust_gate" in signal_names(await h.send(text, author=new_account))
        assert "trust_gate" in signal_names(await h.send(text, author=unknown))
