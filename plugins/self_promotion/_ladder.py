"""Turn a flagged message into actions: case, strike step, notice, timeout, moderator alert."""

from __future__ import annotations

from bot.actions import (
    Action,
    AlertButton,
    DeleteMessage,
    ModAlert,
    PrivateNotice,
    RecordCase,
    Timeout,
)
from bot.events import Message
from plugins.self_promotion._config import SelfPromotionConfig, Step
from plugins.self_promotion._signals import Signal

PLUGIN = "self_promotion"

BUTTONS = (
    AlertButton("Not promotion", "not_promotion", "success"),
    AlertButton("Confirm", "confirm", "danger"),
    AlertButton("Timeout 1h", "timeout_1h", "secondary"),
)


def case_key(message_id: int) -> str:
    """The case key of a message: one case (and at most one strike) per message."""
    return f"{PLUGIN}:{message_id}"


def message_id_of(key: str) -> int | None:
    """The message id inside a case key, or None."""
    prefix, _, rest = key.partition(":")
    return int(rest) if prefix == PLUGIN and rest.isdigit() else None


def step_for(config: SelfPromotionConfig, strikes: int) -> Step:
    """The ladder step for the member's Nth active strike (later strikes repeat the last step)."""
    steps = config.ladder.steps
    return steps[max(1, min(strikes, len(steps))) - 1]


def describe(step: Step) -> tuple[str, ...]:
    """Short names of what a step does, e.g. ('delete', 'notice', 'timeout 10m')."""
    parts = []
    if step.delete:
        parts.append("delete")
    if step.notice:
        parts.append("notice")
    if step.timeout_minutes:
        parts.append(f"timeout {step.timeout_minutes}m")
    if step.alert:
        parts.append("alert")
    return tuple(parts)


def notice_text(config: SelfPromotionConfig, msg: Message, signals: list[Signal]) -> str:
    """The private notice, from the admin's template (placeholders replaced literally)."""
    promo = config.promo_channels.channels
    reasons = ", ".join(dict.fromkeys(s.name for s in signals))
    return (config.notice.replace("{channel}", f"<#{msg.channel_id}>")
            .replace("{promo}", f" (<#{promo[0]}>)" if promo else "")
            .replace("{reasons}", reasons))[:1900]


def build_actions(config: SelfPromotionConfig, msg: Message, signals: list[Signal], score: float,
                  strikes: int, *, observe: bool) -> tuple[str, list[Action]]:
    """(decision, actions) for a flagged message at the given strike count; the case record comes first."""
    step = step_for(config, strikes)
    guild, uid = msg.guild_id, msg.author.id
    lines = tuple(s.line() for s in signals)
    reason = (f"self-promotion score {score:.2f} >= {config.threshold:.2f}: " + "; ".join(lines))[:900]
    common = {"plugin": PLUGIN, "reason": reason, "guild_id": guild}
    actions: list[Action] = []
    if observe:
        decision, taken = "observe", ("nothing (observe mode)", "would: " + ("+".join(describe(step)) or "strike"))
    else:
        taken = describe(step)
        decision = "+".join(taken) or "strike"
        if step.delete:
            actions.append(DeleteMessage(**common, channel_id=msg.channel_id, message_id=msg.message_id,
                                         author_id=uid))
        if step.notice:
            actions.append(PrivateNotice(**common, user_id=uid, content=notice_text(config, msg, signals),
                                         fallback_channel_id=None))
        if step.timeout_minutes:
            actions.append(Timeout(**common, user_id=uid, seconds=step.timeout_minutes * 60))
    key = case_key(msg.message_id)
    if observe or step.alert or config.alert_every_case:
        title = f"Self-promotion by <@{uid}>" + (" (observe mode)" if observe else f": strike {strikes}")
        actions.append(ModAlert(
            **common, title=title, reasons=lines, message_link=msg.jump_url,
            channel_id=msg.channel_id, message_id=msg.message_id, author_id=uid, score=round(score, 3),
            taken=taken, buttons=BUTTONS, case_key=key, group_key=f"{PLUGIN}:user:{uid}",
        ))
    record = RecordCase(**common, case_key=key, user_id=uid, decision=decision, channel_id=msg.channel_id,
                        message_id=msg.message_id, score=round(score, 3),
                        signals=tuple((s.name, round(s.weight, 3)) for s in signals))
    return decision, [record, *actions]
