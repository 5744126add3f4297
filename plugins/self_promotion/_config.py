"""The `plugins.self_promotion` config block: signals and weights, lists, context, ladder."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from bot.config import StrictModel, compile_admin_regex
from plugins.self_promotion import _defaults as d
from plugins.self_promotion._phrases import parse_phrase


def _automod_phrases(phrases: list[str]) -> list[str]:
    """The phrases, once each parses as a Discord AutoMod keyword (else ValueError)."""
    for phrase in phrases:
        parse_phrase(phrase)
    return phrases


class Weights(StrictModel):
    """How much each signal adds to the score; 0 turns a signal off."""

    invite: float = Field(1.0, ge=0, description="Invite to another Discord server.")
    lookalike_domain: float = Field(1.0, ge=0, description="Link to a name made to pass for a site on `links.protected` (scams: `dlscord-nitro.gift`).")
    denied_domain: float = Field(1.0, ge=0, description="Link to a domain on `links.deny`.")
    promo_domain: float = Field(0.6, ge=0, description="Link to a typical promotion target (`links.promo_domains`).")
    shortener: float = Field(0.6, ge=0, description="Link through a URL shortener.")
    affiliate: float = Field(0.6, ge=0, description="Affiliate/referral parameter or path in a link.")
    masked_link: float = Field(0.4, ge=0, description="Masked markdown link `[text](url)` whose text shows a different site.")
    unknown_link: float = Field(0.3, ge=0, description="Link to a domain on neither an allow list nor `links.common`.")
    link_only: float = Field(0.3, ge=0, description="Message that is only a link or call to action, from a member who has not taken part in conversation.")
    first_messages: float = Field(0.35, ge=0, description="Link or call to action within a member's first messages.")
    trust_gate: float = Field(0.35, ge=0, description="Link from a member below the trust gate (days/messages).")
    crosspost: float = Field(0.7, ge=0, description="Same or nearly the same text posted in several channels.")
    promo_ratio: float = Field(0.5, ge=0, description="Member's promotional share of recent messages exceeds `context.promo_ratio`.")
    mass_mention: float = Field(0.5, ge=0, description="`@everyone` or `@here` typed in a message with a link or invite.")


class PhraseGroup(StrictModel):
    """Call-to-action phrases in Discord AutoMod syntax (`word`, `word*`, `*word`, `*word*`)."""

    weight: float = Field(0.5, ge=0, description="Score added when any phrase of the group matches (once per message).")
    phrases: list[str] = Field(default_factory=list, description="Phrases; matched on normalised words.")

    @field_validator("phrases")
    @classmethod
    def _automod_syntax(cls, value: list[str]) -> list[str]:
        return _automod_phrases(value)


class RegexRule(StrictModel):
    """An admin regex, run with the linear-time RE2 engine."""

    name: str = Field(description="Signal name shown to moderators (`regex:<name>`).")
    pattern: str = Field(description="RE2 syntax, matched case-insensitively against the normalised text.")
    weight: float = Field(1.0, ge=0, description="Score added when the pattern matches.")

    @field_validator("pattern")
    @classmethod
    def _re2_compiles(cls, value: str) -> str:
        compile_admin_regex(value)
        return value


class Links(StrictModel):
    """Domain lists. Entries cover subdomains (`youtube.com` covers `m.youtube.com`); `host/path` narrows to a path prefix."""

    allow: list[str] = Field(
        default_factory=lambda: ["tenor.com", "giphy.com", "discord.com/channels/", "discordapp.com/channels/",
                                 "cdn.discordapp.com", "media.discordapp.net"],
        description="Never promotion (GIF hosts, Discord message links and attachments by default).",
    )
    deny: list[str] = Field(default_factory=list, description="Always promotion (weight `denied_domain`).")
    common: list[str] = Field(
        default_factory=lambda: list(d.COMMON_DOMAINS),
        description="Everyday reference sites: no `unknown_link` weight (context signals still apply).",
    )
    promo_domains: list[str] = Field(
        default_factory=lambda: list(d.PROMO_DOMAINS),
        description="Typical promotion targets shipped by default; set to [] to clear.",
    )
    extra_promo_domains: list[str] = Field(default_factory=list, description="Added to `promo_domains`.")
    shorteners: list[str] = Field(default_factory=lambda: list(d.SHORTENERS), description="URL shorteners.")
    protected: list[str] = Field(
        default_factory=lambda: list(d.PROTECTED_DOMAINS),
        description="Sites scams pass themselves off as: look-alikes of these weigh `lookalike_domain`.",
    )
    affiliate_params: list[str] = Field(
        default_factory=lambda: list(d.AFFILIATE_PARAMS), description="Query/fragment keys of referral links."
    )
    affiliate_paths: list[str] = Field(
        default_factory=lambda: list(d.AFFILIATE_PATHS), description="Path segments of referral links (`/ref/<code>`)."
    )


class Invites(StrictModel):
    """Which Discord invites are fine."""

    allowed_guild_ids: list[int] = Field(default_factory=list, description="Partner servers whose invites are fine.")
    allowed_codes: list[str] = Field(default_factory=list, description="Invite codes that are fine (e.g. your vanity code).")


class Context(StrictModel):
    """Who posts it and how: newcomers, trust, cross-posting, the 9:1 rule."""

    first_messages: int = Field(3, ge=0, description="A link or call to action within this many first messages adds `first_messages`.")
    participation_messages: int = Field(3, ge=0, description="Link-free messages needed to count as taking part.")
    link_only_max_words: int = Field(3, ge=0, description="A message with at most this many words besides links is link-only.")
    trust_min_days: float = Field(3, ge=0, description="Days in the server before links pass the trust gate.")
    trust_min_messages: int = Field(5, ge=0, description="Messages sent before links pass the trust gate.")
    trust_min_account_days: float = Field(
        30, ge=0, description="When the join date is unknown (replays) but the account age is known, "
        "accounts at least this old pass the trust gate (their history may predate what the bot saw).")
    trusted_promotion_days: float = Field(0, ge=0, description="Members this many days in the server (and `trusted_promotion_messages`) may promote; 0 = off.")
    trusted_promotion_messages: int = Field(0, ge=0, description="Messages needed, with `trusted_promotion_days`, to be allowed to promote.")
    established_days: float = Field(
        30, ge=0, description="Members this many days in the server (join date unknown: with an account this old) "
        "and with `established_messages` are established: their calls to action without a link count at "
        "`established_phrase_weight`; 0 = off.")
    established_messages: int = Field(50, ge=0, description="Messages needed, with `established_days`, to be established.")
    established_phrase_weight: float = Field(
        0.5, ge=0, le=1, description="Share of their weight that call-to-action phrases keep in an established "
        "member's message without a link or invite (the 9:1 rule and cross-posting still count in full).")
    crosspost_window_minutes: float = Field(10, gt=0, description="Window for cross-posting detection.")
    crosspost_channels: int = Field(3, ge=2, description="Distinct channels with the same text that count as cross-posting.")
    crosspost_similarity: float = Field(0.8, gt=0, le=1, description="Word-set similarity for 'nearly the same' text.")
    promo_ratio: float = Field(0.1, gt=0, le=1, description="Largest promotional share of recent messages (0.1 = the 9:1 rule).")
    promo_ratio_history: int = Field(20, ge=1, description="Recent messages considered for the ratio.")
    promo_ratio_min_messages: int = Field(10, ge=1, description="History needed before the ratio applies.")
    help_phrases: list[str] = Field(
        default_factory=lambda: list(d.HELP_PHRASES),
        description="A message without a link or invite holding one of these phrases (AutoMod syntax) asks for "
        "help: its call-to-action phrases get no newcomer boost (`first_messages`, `link_only`).")
    problem_phrases: list[str] = Field(
        default_factory=lambda: list(d.PROBLEM_PHRASES),
        description="Troubleshooting words: two different ones, or one with a question mark, also make a help "
        "request. Both lists [] = no help requests.")

    @field_validator("help_phrases", "problem_phrases")
    @classmethod
    def _automod_syntax(cls, value: list[str]) -> list[str]:
        return _automod_phrases(value)


class PromoChannels(StrictModel):
    """Channels where promotion is welcome, with their own limits."""

    channels: list[int] = Field(default_factory=list, description="Promo channel ids (threads inside them count).")
    max_posts: int = Field(1, ge=0, description="Promotional posts per member per window (0 = unlimited).")
    window_hours: float = Field(24, gt=0, description="Window for `max_posts`.")
    min_days: float = Field(0, ge=0, description="Days in the server before a member may promote here; "
                                                 "newer members are judged as in any other channel.")
    min_messages: int = Field(0, ge=0, description="Messages a member must have posted before promoting here.")


class Step(StrictModel):
    """One rung of the enforcement ladder."""

    delete: bool = Field(False, description="Delete the message.")
    notice: bool = Field(False, description="Send the member a private notice explaining the rule.")
    timeout_minutes: int = Field(0, ge=0, le=40320, description="Time the member out (0 = no timeout).")
    alert: bool = Field(False, description="Alert moderators in the mod-log channel.")


class Ladder(StrictModel):
    """Strikes and what each one does."""

    strike_decay_days: float = Field(30, gt=0, description="Strikes older than this no longer count.")
    steps: list[Step] = Field(
        default_factory=lambda: [
            Step(delete=True, notice=True),
            Step(delete=True, notice=True, timeout_minutes=10),
            Step(delete=True, timeout_minutes=1440, alert=True),
        ],
        min_length=1,
        description="Step N applies at strike N; later strikes repeat the last step.",
    )


class Reports(StrictModel):
    """Member reports through the message context menu."""

    max_per_reporter: int = Field(3, ge=1, description="Reports one member may file per window.")
    window_minutes: float = Field(60, gt=0, description="Window for `max_per_reporter`.")


class SelfPromotionConfig(StrictModel):
    """Pitch-free zone: detect self-promotion with weighted signals and enforce an explainable ladder."""

    mode: Literal["enforce", "observe"] = Field("enforce", description="`observe` records and alerts but never deletes or times out.")
    threshold: float = Field(1.0, gt=0, description="Score at which a message counts as self-promotion.")
    weights: Weights = Field(default_factory=Weights, description="Signal weights.")
    links: Links = Field(default_factory=Links, description="Domain lists.")
    invites: Invites = Field(default_factory=Invites, description="Allowed invites.")
    phrases: dict[str, PhraseGroup] = Field(
        default_factory=lambda: {k: PhraseGroup(weight=w, phrases=list(p)) for k, (w, p) in d.CTA_GROUPS.items()},
        description="Call-to-action phrase groups by name (signal `cta:<name>`).",
    )
    regexes: list[RegexRule] = Field(default_factory=list, description="Extra admin patterns (RE2).")
    context: Context = Field(default_factory=Context, description="Context signals.")
    promo_channels: PromoChannels = Field(default_factory=PromoChannels, description="Where promotion is welcome.")
    exempt_roles: list[int] = Field(default_factory=list, description="Members with any of these roles are never checked.")
    ladder: Ladder = Field(default_factory=Ladder, description="Enforcement ladder.")
    alert_every_case: bool = Field(False, description="Alert moderators on every case, not only on ladder steps with `alert`.")
    learn_domains: bool = Field(True, description="'Not promotion' allow-lists the case's link domains for the community.")
    learn_phrases: bool = Field(False, description="'Not promotion' also allow-lists the case's matched phrases for the community.")
    notice: str = Field(
        "Your message in {channel} was removed: this server is a pitch-free zone, so self-promotion "
        "(channels, invites, shops, referral links) is not allowed outside the promo channel{promo}. "
        "Why: {reasons}.",
        description="Private notice; placeholders {channel}, {promo}, {reasons}.",
    )
    reports: Reports = Field(default_factory=Reports, description="Member reports.")
