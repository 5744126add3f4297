"""The `plugins.helpful_answers` config block."""

from __future__ import annotations

from pydantic import Field, field_validator

from bot.config import StrictModel, only_known
from plugins.helpful_answers._gratitude import CATEGORIES, CREDIT_CATEGORIES, DEFAULT_LANGUAGES
from plugins.helpful_answers._phrases import LANGUAGES


class RoleThreshold(StrictModel):
    """A role given to members whose points reach `points`."""

    points: int = Field(ge=1, description="Points needed for the role.")
    role_id: int = Field(description="Role id to add (and remove when points fall below).")


class HelpfulAnswersConfig(StrictModel):
    """Gratitude detection, credit attribution, anti-gaming limits and rewards."""

    languages: list[str] = Field(default_factory=lambda: list(DEFAULT_LANGUAGES),
                                 description=f"Phrase sets to detect thanks in: {', '.join(LANGUAGES)}.")
    extra_phrases: list[str] = Field(default_factory=list,
                                     description="Extra literal phrases that count as thanks in this community.")
    extra_guards: list[str] = Field(default_factory=list,
                                    description="Extra literal phrases that cancel thanks (e.g. a local meme).")
    credit_categories: list[str] = Field(
        default_factory=lambda: list(CREDIT_CATEGORIES),
        description=f"Detector categories that earn credit; any of {', '.join(CATEGORIES)}.")
    answer_window_minutes: int = Field(default=60, ge=1, le=24 * 60,
                                       description="How far back an untargeted thanks looks for answers to the thanker.")
    max_receivers: int = Field(default=2, ge=1, le=3,
                               description="Most members credited by one untargeted or multi-mention thanks.")
    points_thanks: int = Field(default=1, ge=0, le=100, description="Points for a detected thanks.")
    points_reaction: int = Field(default=1, ge=0, le=100, description="Points for the asker's mark reaction.")
    points_mark: int = Field(default=2, ge=0, le=100, description="Points for 'Mark as helpful'.")
    points_solution: int = Field(default=3, ge=0, le=100, description="Points for a forum post's solution.")
    mark_emoji: str = Field(default="✅", description="Reaction the asker adds to an answer to credit it.")
    acknowledge_emoji: str | None = Field(default="🎖️",
                                          description="Reaction the bot adds to a credited thanks; null for none.")
    solved_tag: str | None = Field(default="Solved", description="Forum tag applied when a post is solved; null to skip.")
    pair_cooldown_hours: float = Field(default=12, ge=0,
                                       description="Hours before the same two members can credit each other again (either way).")
    giver_daily_cap: int = Field(default=10, ge=1, description="Most credits one member can give per 24 hours.")
    receiver_daily_cap: int = Field(default=15, ge=1, description="Most credits one member can receive per 24 hours.")
    min_giver_days: float = Field(default=3, ge=0, description="Days in the server before a member's thanks count.")
    min_giver_messages: int = Field(default=10, ge=0,
                                    description="Messages a member must have posted (since the bot started) to give credit.")
    ring_window_days: int = Field(default=14, ge=1, description="Window for spotting groups that credit each other.")
    ring_min_credits: int = Field(default=4, ge=2,
                                  description="Credits within a 2-3 member group that make it suspicious.")
    ring_share: float = Field(default=0.6, gt=0, le=1,
                              description="Share of each member's given credits going to the group to flag it.")
    role_thresholds: list[RoleThreshold] = Field(default_factory=list,
                                                 description="Roles by points, e.g. [{points: 10, role_id: ...}].")
    keep_lower_roles: bool = Field(default=True, description="Keep lower threshold roles when a higher one is reached.")
    rolling_window_days: int | None = Field(default=None, ge=1,
                                            description="Count only points from the last N days for roles; null = all time.")
    weekly_post_channel: int | None = Field(default=None,
                                            description="Channel for a weekly 'helpers of the week' post; null = off.")
    weekly_post_weekday: int = Field(default=0, ge=0, le=6, description="Day of the weekly post (0 = Monday).")
    weekly_top: int = Field(default=5, ge=1, le=20, description="Helpers listed in the weekly post.")
    tracked_messages: int = Field(default=20_000, ge=100, le=500_000,
                                  description="Recent messages remembered per community for attribution.")

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        return only_known(value, LANGUAGES, "language set(s)")

    @field_validator("credit_categories")
    @classmethod
    def _known_categories(cls, value: list[str]) -> list[str]:
        return only_known(value, CATEGORIES, "categories")
