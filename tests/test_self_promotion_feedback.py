"""Self-promotion: moderator buttons, member reports, moderator commands and report figures."""

from __future__ import annotations

from datetime import timedelta

from test_self_promotion_helpers import MOD_ROLE, case, harness, regular

from bot.actions import Audit, DeleteMessage, ModAlert, RecordCase, Timeout
from bot.commands import CommandKind

PROMO = "subscribe to my channel, new videos every day"
MENU = CommandKind.MESSAGE_MENU.value


async def _flag(h, member, text=PROMO):
    actions = await h.send(text, author=member)
    return case(actions).case_key, h.last


async def test_not_promotion_removes_strike_records_feedback_and_learns():
    async with await harness(alert_every_case=True, threshold=0.5, learn_phrases=True) as h:
        mod = h.member(2, roles=[MOD_ROLE])
        member = await regular(h, 10)
        key, _ = await _flag(h, member, "my podcast is on https://podcasts.somesite.net/show")
        plugin = h.engine.pm.get_plugin("self_promotion")
        assert await plugin.active_strikes(h.guild_id, member.id, h.now - timedelta(days=1)) == 1

        response = await h.click("self_promotion", "not_promotion", key, mod)
        assert "Strike removed" in response.text and "podcasts.somesite.net" in response.text
        assert any(isinstance(a, Audit) and a.topic == "self_promotion.feedback" for a in response.actions)
        assert await plugin.active_strikes(h.guild_id, member.id, h.now - timedelta(days=1)) == 0
        stored = await h.engine.cases.get(h.guild_id, key)
        assert stored.status == "pardoned" and stored.feedback.startswith("not promotion")

        # the community learned the domain and the phrase
        assert case(await h.send("new episode https://podcasts.somesite.net/show/2", author=member)) is None
        assert case(await h.send("my podcast is back", author=member)) is None


async def test_phrases_are_not_learned_by_default():
    async with await harness(alert_every_case=True) as h:
        mod = h.member(2, roles=[MOD_ROLE])
        member = await regular(h, 10)
        key, _ = await _flag(h, member)
        response = await h.click("self_promotion", "not_promotion", key, mod)
        assert "Allow-listed" not in response.text
        assert case(await h.send(PROMO + "!", author=member)) is not None


async def test_feedback_buttons_are_for_moderators_only():
    async with await harness(alert_every_case=True) as h:
        member = await regular(h, 10)
        key, _ = await _flag(h, member)
        response = await h.click("self_promotion", "not_promotion", key, h.member(11))
        assert "Only moderators" in response.text
        assert (await h.engine.cases.get(h.guild_id, key)).status == "open"


async def test_confirm_and_timeout_buttons():
    async with await harness(alert_every_case=True) as h:
        mod = h.member(2, roles=[MOD_ROLE])
        member = await regular(h, 10)
        key, _ = await _flag(h, member)
        await h.click("self_promotion", "confirm", key, mod)
        assert (await h.engine.cases.get(h.guild_id, key)).status == "confirmed"
        response = await h.click("self_promotion", "timeout_1h", key, mod)
        timeouts = [a for a in response.actions if isinstance(a, Timeout)]
        assert timeouts and timeouts[0].seconds == 3600 and timeouts[0].user_id == member.id


async def test_member_report_alerts_moderators_and_is_rate_limited():
    async with await harness(reports={"max_per_reporter": 2, "window_minutes": 60}) as h:
        reporter = await regular(h, 30)
        author = await regular(h, 31)
        targets = []
        for i in range(3):
            await h.send(f"totally normal message {i}", author=author)
            targets.append(h.last)
        response = await h.command("Report self-promotion", reporter, kind=MENU, target=targets[0])
        alert = next(a for a in response.actions if isinstance(a, ModAlert))
        assert alert.author_id == author.id and alert.case_key == f"self_promotion:{targets[0].message_id}"
        assert any(isinstance(a, RecordCase) and a.decision == "reported" for a in response.actions)
        await h.command("Report self-promotion", reporter, kind=MENU, target=targets[1])
        limited = await h.command("Report self-promotion", reporter, kind=MENU, target=targets[2])
        assert not limited.actions and "2 report(s)" in limited.text
        h.advance(minutes=61)
        again = await h.command("Report self-promotion", reporter, kind=MENU, target=targets[2])
        assert again.actions
        own = await h.command("Report self-promotion", author, kind=MENU, target=targets[0])
        assert not own.actions


async def test_confirming_a_report_deletes_and_strikes():
    async with await harness() as h:
        mod = h.member(2, roles=[MOD_ROLE])
        reporter = await regular(h, 30)
        author = await regular(h, 31)
        assert case(await h.send("anyone want cheap accounts? ask me", author=author)) is None
        target = h.last
        await h.command("Report self-promotion", reporter, kind=MENU, target=target)
        response = await h.click("self_promotion", "confirm", f"self_promotion:{target.message_id}", mod)
        assert any(isinstance(a, DeleteMessage) and a.message_id == target.message_id for a in response.actions)
        plugin = h.engine.pm.get_plugin("self_promotion")
        assert await plugin.active_strikes(h.guild_id, author.id, h.now - timedelta(days=1)) == 1


async def test_moderator_commands_refuse_members():
    async with await harness() as h:
        member = h.member(40)
        for name, options in [("promo explain", {"text": "x"}), ("strikes", {"member": member}),
                              ("cases", {"member": member}), ("pardon", {"case": "1"})]:
            response = await h.command(name, member, **options)
            assert response.text.startswith("Only moderators"), name


async def test_promo_explain_shows_signals_and_weights():
    async with await harness() as h:
        mod = h.member(2, roles=[MOD_ROLE])
        response = await h.command("promo explain", mod, text="check out twitch.tv/someone")
        assert "promo_domain (+0.60): twitch.tv" in response.text
        assert "first_messages" in response.text  # what context would add for a newcomer


async def test_promo_explain_tells_a_pitch_from_a_help_request():
    async with await harness() as h:
        mod = h.member(2, roles=[MOD_ROLE])
        pitch = await h.command("promo explain", mod, text="check out my new song")
        assert "context would add: first_messages +0.35." in pitch.text
        assert "trust_gate" not in pitch.text  # no link
        question = await h.command("promo explain", mod, text="check out my new song, why does it crash?")
        assert "asks for help" in question.text and "context would add" not in question.text
        chat = await h.command("promo explain", mod, text="nice weather today")
        assert "newcomer" not in chat.text


async def test_strikes_cases_and_pardon_commands():
    async with await harness() as h:
        mod = h.member(2, roles=[MOD_ROLE])
        member = await regular(h, 10)
        key, _ = await _flag(h, member)
        await _flag(h, member, PROMO + " and follow me on twitch")
        strikes = await h.command("strikes", mod, member=member)
        assert "**2** active strike(s)" in strikes.text
        cases = await h.command("cases", mod, member=member.id)
        assert key in cases.text and "cta:explicit_plug" in cases.text
        pardoned = await h.command("pardon", mod, case=key)
        assert "strike removed" in pardoned.text
        assert "**1** active strike(s)" in (await h.command("strikes", mod, member=member)).text
        assert (await h.engine.cases.get(h.guild_id, key)).status == "pardoned"
        stored = await h.engine.cases.get(h.guild_id, key)
        by_number = await h.command("pardon", mod, case=f"#{stored.id}")
        assert "pardoned" in by_number.text
        missing = await h.command("pardon", mod, case="nonsense")
        assert missing.text.startswith("No self-promotion case")


async def test_report_figures_for_a_period():
    async with await harness() as h:
        member = await regular(h, 10)
        start = h.now
        await _flag(h, member)
        await _flag(h, member, "free robux here discord.gg/AbCd12")
        figures = await h.engine.report_figures(h.guild_id, start, h.now + timedelta(seconds=1))
        mine = figures["self_promotion"]
        assert mine["incidents"] == 2 and mine["deleted"] == 2
        assert mine["by_signal"]["cta:explicit_plug"] == 1 and mine["by_signal"]["invite"] == 1
        later = await h.engine.report_figures(h.guild_id, h.now + timedelta(days=1), h.now + timedelta(days=2))
        assert later["self_promotion"]["incidents"] == 0
