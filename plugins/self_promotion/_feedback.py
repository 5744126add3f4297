"""Moderator feedback on alerts: Not promotion (pardon and learn), Confirm, Timeout 1h."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.actions import Audit, DeleteMessage, Timeout
from bot.commands import ButtonClick, Response
from bot.context import PluginContext
from plugins.self_promotion._config import SelfPromotionConfig
from plugins.self_promotion._ladder import PLUGIN, message_id_of

if TYPE_CHECKING:
    from plugins.self_promotion._plugin import SelfPromotion


async def handle(plugin: SelfPromotion, click: ButtonClick, config: SelfPromotionConfig,
                 ctx: PluginContext) -> Response:
    """Route one button click (the engine already checked the clicker is a moderator)."""
    message_id = message_id_of(click.case_key)
    if message_id is None:
        return Response("This alert's case is not one of mine.")
    guild, mod = click.guild_id, click.user.id
    store = plugin.store
    decision = await store.decision(guild, message_id) if store else None
    case = await ctx.cases.get(guild, click.case_key) if ctx.cases else None
    user_id = decision["user_id"] if decision else (case.user_id if case else None)
    if click.action == "not_promotion":
        return await _not_promotion(plugin, click, config, ctx, message_id, decision)
    if click.action not in ("confirm", "timeout_1h"):
        return Response(f"Unknown action `{click.action}`.")
    if ctx.cases is not None:
        await ctx.cases.set_status(guild, click.case_key, "confirmed", f"confirmed by <@{mod}>")
    if store is not None:
        await store.set_feedback(guild, message_id, f"confirmed by {mod}")
    actions: list = []
    text = "Confirmed as self-promotion."
    if decision and decision["decision"] == "reported" and user_id is not None:
        await plugin.add_strike(guild, message_id, user_id, click.at)
        await store.set_decision(guild, message_id, "report confirmed+delete")
        if decision["channel_id"] is not None:
            actions.append(DeleteMessage(plugin=PLUGIN, reason="member report confirmed by a moderator",
                                         guild_id=guild, channel_id=decision["channel_id"],
                                         message_id=message_id, author_id=user_id))
        text += " Strike recorded and message deleted."
    if click.action == "timeout_1h" and user_id is not None:
        actions.append(Timeout(plugin=PLUGIN, reason=f"self-promotion confirmed by <@{mod}>",
                               guild_id=guild, user_id=user_id, seconds=3600))
        text += " Member timed out for 1 hour."
    return Response(text, actions=tuple(actions))


async def _not_promotion(plugin: SelfPromotion, click: ButtonClick, config: SelfPromotionConfig,
                         ctx: PluginContext, message_id: int, decision: dict | None) -> Response:
    guild, mod = click.guild_id, click.user.id
    removed = await plugin.pardon(guild, message_id)
    feedback = f"not promotion (moderator <@{mod}>)"
    if ctx.cases is not None:
        await ctx.cases.set_status(guild, click.case_key, "pardoned", feedback)
    learned: list[str] = []
    if plugin.store is not None:
        await plugin.store.set_feedback(guild, message_id, feedback)
        if decision is not None and (config.learn_domains or config.learn_phrases):
            learned = await _learn(plugin, config, guild, decision, mod, click.at)
    text = "Marked as not promotion." + (" Strike removed." if removed else "")
    if learned:
        text += " Allow-listed for this community: " + ", ".join(learned)
    audit = Audit(plugin=PLUGIN, reason=feedback, guild_id=guild, topic="self_promotion.feedback",
                  data={"case_key": click.case_key, "verdict": "not_promotion", "moderator": mod,
                        "strike_removed": removed, "learned": learned})
    return Response(text, actions=(audit,))


async def _learn(plugin: SelfPromotion, config: SelfPromotionConfig, guild: int, decision: dict, mod: int,
                 at: datetime) -> list[str]:
    """Allow-list the case's domains (and phrases, if configured) for the community, in DB and memory."""
    domains, phrases = (set(x) for x in plugin.learned(guild))
    added = []
    for domain in decision["domains"] if config.learn_domains else ():
        await plugin.store.learn(guild, "domain", domain, mod, at)
        domains.add(domain)
        added.append(domain)
    for phrase in decision["phrases"] if config.learn_phrases else ():
        await plugin.store.learn(guild, "phrase", phrase, mod, at)
        phrases.add(phrase)
        added.append(f'"{phrase}"')
    plugin.remember_learned(guild, frozenset(domains), frozenset(phrases))
    return added
