"""Moderator commands (`/promo explain`, `/strikes`, `/cases`, `/pardon`) and the member report menu."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.actions import ModAlert, RecordCase
from bot.commands import CommandKind, CommandOption, CommandSpec, Invocation, Permission, Response
from plugins.self_promotion._ladder import BUTTONS, PLUGIN, case_key, message_id_of
from plugins.self_promotion._signals import calls_to_action

if TYPE_CHECKING:
    from plugins.self_promotion._plugin import SelfPromotion

REPORT_MENU = "Report self-promotion"


def specs(plugin: SelfPromotion) -> list[CommandSpec]:
    """The command specs, bound to the plugin instance."""
    member = CommandOption("member", "The member", type="member")
    return [
        CommandSpec("promo explain", "How a text would score as self-promotion, and why",
                    lambda inv: explain(plugin, inv), Permission.MODERATOR,
                    options=(CommandOption("text", "The text to score"),)),
        CommandSpec("strikes", "A member's self-promotion strikes", lambda inv: strikes(plugin, inv),
                    Permission.MODERATOR, options=(member,)),
        CommandSpec("cases", "A member's self-promotion cases", lambda inv: cases(plugin, inv),
                    Permission.MODERATOR, options=(member,)),
        CommandSpec("pardon", "Remove the strike of a self-promotion case", lambda inv: pardon(plugin, inv),
                    Permission.MODERATOR, options=(CommandOption("case", "Case number, case key or message id"),)),
        CommandSpec(REPORT_MENU, "Tell the moderators a message is self-promotion",
                    lambda inv: report(plugin, inv), Permission.EVERYONE, kind=CommandKind.MESSAGE_MENU),
    ]


def _config(plugin: SelfPromotion, guild_id: int | None):
    config = plugin.ctx.config(guild_id) if plugin.ctx is not None else None
    return config or plugin._default


def _user_id(value: Any) -> int | None:
    if hasattr(value, "id"):
        return int(value.id)
    if isinstance(value, int):
        return value
    text = str(value or "").strip().strip("<@!>")
    return int(text) if text.isdigit() else None


async def explain(plugin: SelfPromotion, inv: Invocation) -> Response:
    """Score a text: content signals, plus what context would add for a newcomer."""
    config = _config(plugin, inv.guild_id)
    text = str(inv.options.get("text") or "")[:4000]
    learned = plugin.learned(inv.guild_id or 0)
    content = plugin.detector(config).content(text, (), *learned)
    lines = [s.line() for s in content.signals]
    if content.invites:
        lines.insert(0, f"invite (+{config.weights.invite:.2f} if it leads to another server): "
                        + ", ".join(content.invites))
    score = content.score
    verdict = "would be flagged" if score >= config.threshold else "below the threshold"
    out = [f"Content score **{score:.2f}** (threshold {config.threshold:.2f}): {verdict}."]
    out += [f"- {line}" for line in lines] or ["- no content signals"]
    w, c = config.weights, config.context
    linked = bool(content.domains or content.invites)
    if linked or calls_to_action(content.signals):
        if not linked and content.asks_for_help:
            out.append("It asks for help (`context.help_phrases`, `problem_phrases`): a newcomer's phrases get no "
                       "newcomer boost.")
        else:
            extra = [f"first_messages +{w.first_messages:.2f}"]
            if linked:
                extra.append(f"trust_gate +{w.trust_gate:.2f}")
            if content.other_words <= c.link_only_max_words:
                extra.append(f"link_only +{w.link_only:.2f}")
            out.append("From a newcomer who has not taken part yet, context would add: " + ", ".join(extra) + ".")
    return Response("\n".join(out)[:1900], title="Self-promotion explain")


async def strikes(plugin: SelfPromotion, inv: Invocation) -> Response:
    """List a member's strikes and how many still count."""
    uid = _user_id(inv.options.get("member"))
    if uid is None or inv.guild_id is None:
        return Response("Give a member.")
    config = _config(plugin, inv.guild_id)
    since = inv.at - timedelta(days=config.ladder.strike_decay_days)
    active = await plugin.active_strikes(inv.guild_id, uid, since)
    lines = [f"<@{uid}> has **{active}** active strike(s) (decay {config.ladder.strike_decay_days:g} days)."]
    if plugin.store is not None:
        for message_id, at, is_active in await plugin.store.strikes_of(inv.guild_id, uid):
            when = datetime.fromtimestamp(at, UTC)
            state = "pardoned" if not is_active else ("expired" if when <= since else "active")
            lines.append(f"- `{case_key(message_id)}` {when:%Y-%m-%d %H:%M} UTC: {state}")
    return Response("\n".join(lines)[:1900])


async def cases(plugin: SelfPromotion, inv: Invocation) -> Response:
    """A member's self-promotion cases with signals and status."""
    uid = _user_id(inv.options.get("member"))
    ctx = plugin.ctx
    if uid is None or inv.guild_id is None or ctx is None or ctx.cases is None:
        return Response("No cases available.")
    found = [c for c in await ctx.cases.for_user(inv.guild_id, uid, limit=50) if c.plugin == PLUGIN][:10]
    if not found:
        return Response(f"<@{uid}> has no self-promotion cases.")
    lines = [f"Self-promotion cases of <@{uid}>:"]
    for c in found:
        signals = ", ".join(f"{name} {weight:+.2f}" for name, weight in c.signals)
        score = f"{c.score:.2f}" if c.score is not None else "-"
        lines.append(f"- #{c.id} `{c.case_key}` {c.created_at[:16]}: {c.decision}, score {score}, "
                     f"{c.status}" + (f" ({signals})" if signals else ""))
    return Response("\n".join(lines)[:1900])


async def pardon(plugin: SelfPromotion, inv: Invocation) -> Response:
    """Remove a case's strike and mark the case pardoned."""
    ctx = plugin.ctx
    raw = str(inv.options.get("case") or "").strip().lstrip("#")
    if inv.guild_id is None or ctx is None or not raw:
        return Response("Give a case number, case key or message id.")
    key = None
    if ctx.cases is not None and raw.isdigit() and len(raw) < 15:
        case = await ctx.cases.get_by_id(inv.guild_id, int(raw))
        key = case.case_key if case is not None and case.plugin == PLUGIN else None
    if key is None:
        key = raw if raw.startswith(f"{PLUGIN}:") else case_key(int(raw)) if raw.isdigit() else None
    message_id = message_id_of(key) if key else None
    if message_id is None:
        return Response(f"No self-promotion case `{raw}`.")
    removed = await plugin.pardon(inv.guild_id, message_id)
    known = ctx.cases is not None and await ctx.cases.set_status(
        inv.guild_id, key, "pardoned", f"pardoned by <@{inv.user.id}>")
    if not removed and not known:
        return Response(f"No self-promotion case `{raw}`.")
    return Response(f"Case `{key}` pardoned" + ("; strike removed." if removed else "."))


async def report(plugin: SelfPromotion, inv: Invocation) -> Response:
    """A member reports a message: alert the moderators (rate-limited per reporter)."""
    if inv.guild_id is None or inv.target_message_id is None or inv.target_message_author_id is None:
        return Response("Use this on a message in a server.")
    config = _config(plugin, inv.guild_id)
    if inv.target_message_author_id == inv.user.id:
        return Response("You cannot report your own message.")
    if not plugin.report_allowed(inv.guild_id, inv.user.id, inv.at, config):
        return Response(f"You can file {config.reports.max_per_reporter} report(s) every "
                        f"{config.reports.window_minutes:g} minutes. Thanks, the moderators have your earlier ones.")
    text = inv.target_message_content or ""
    content = plugin.detector(config).content(text, (), *plugin.learned(inv.guild_id))
    key = case_key(inv.target_message_id)
    author = inv.target_message_author_id
    reason = f"reported by <@{inv.user.id}> as self-promotion"
    common = {"plugin": PLUGIN, "reason": reason, "guild_id": inv.guild_id}
    reasons = (f"member report by <@{inv.user.id}>", *(s.line() for s in content.signals))
    signals = tuple((s.name, s.weight) for s in content.signals)
    link = f"https://discord.com/channels/{inv.guild_id}/{inv.channel_id}/{inv.target_message_id}"
    if plugin.store is not None:
        await plugin.store.record_decision(
            inv.guild_id, inv.target_message_id, author, inv.channel_id, key, inv.at, content.score, "reported",
            [("member_report", 0.0), *signals], content.domains, content.phrases, replace=False)
    actions = (
        RecordCase(**common, case_key=key, user_id=author, decision="reported", channel_id=inv.channel_id,
                   message_id=inv.target_message_id, score=round(content.score, 3),
                   signals=(("member_report", 0.0), *signals)),
        ModAlert(**common, title=f"Member report: possible self-promotion by <@{author}>", reasons=reasons,
                 message_link=link, channel_id=inv.channel_id, message_id=inv.target_message_id,
                 author_id=author, score=round(content.score, 3), buttons=BUTTONS, case_key=key,
                 group_key=f"{PLUGIN}:report:{inv.target_message_id}"),
    )
    return Response("Thanks, the moderators have been told and will take a look.", actions=actions)
