"""The `plugins.engagement` config block."""

from __future__ import annotations

from pydantic import Field, field_validator

from bot.config import StrictModel, compile_admin_regex, only_known

ALL_LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl")


class EngagementConfig(StrictModel):
    """Engagement logging, reports and the unanswered-question monitor."""

    log_messages: bool = Field(True, description="Log message metadata in this channel (turn off per channel with overrides).")
    keep_content: bool = Field(False, description="Also keep message text (opt-in), for content_retention_days.")
    content_retention_days: int = Field(7, ge=1, le=90, description="Days message text is kept when keep_content is on.")
    content_max_chars: int = Field(2000, ge=1, le=4000, description="Longest text kept per message when keep_content is on.")
    raw_retention_days: int = Field(90, ge=2, le=3650, description="Days raw per-message rows are kept; daily rollups are kept forever.")
    question_retention_days: int = Field(400, ge=2, le=3650, description="Days per-question rows (asked/answered times, no text) are kept.")
    maintenance_interval_minutes: int = Field(60, ge=1, le=1440, description="How often the tick rolls up days and prunes old rows.")
    conversation_window_minutes: int = Field(60, ge=1, le=1440, description="A message that gets a reply from someone else within this many minutes counts as conversation.")
    question_languages: list[str] = Field(list(ALL_LANGUAGES), description=f"Languages whose question phrasing is recognised ({', '.join(ALL_LANGUAGES)}).")
    question_patterns: list[str] = Field(default_factory=list, description="Extra regexes (RE2 syntax, case-insensitive) that mark a message as a question.")
    min_question_chars: int = Field(8, ge=1, le=200, description="Shorter messages are never questions.")
    monitor_questions: bool = Field(True, description="Watch questions in this channel and nudge helpers when nobody answers.")
    follow_up_answer_minutes: int = Field(
        0, ge=0, le=1440,
        description="Opt-in: a question also counts as answered when the next message in its channel from "
                    "someone else, within this many minutes, is not itself a question (catches casual "
                    "answers given without Discord's reply; also counts unrelated chatter). 0: only "
                    "replies, mentions of the asker and posts in its thread count.")
    help_forums: list[int] = Field(
        default_factory=list,
        description="Forum channel ids whose every post is a question (otherwise a post is one when its "
                    "title or opening message reads as a question).")
    answer_reactions: list[str] = Field(
        ["✅", "☑️", "✔️"],
        description="The asker reacting with one of these to someone else's message in the question's channel "
                    "counts as that member's answer (as does the asker's reply to them or mention of them).")
    nudge_after_minutes: int = Field(30, ge=1, le=10080, description="Minutes without an answer from someone else before helpers are nudged (per channel via overrides).")
    helpers_channel: int | None = Field(None, description="Channel id where nudges are posted.")
    helper_role: int | None = Field(None, description="Role id pinged in nudges (optional).")
    nudge_in_asker_channel: bool = Field(False, description="With no helpers_channel, post the nudge as a reply to the question itself.")
    max_nudges_per_hour: int = Field(4, ge=0, le=60, description="At most this many nudge messages per rolling hour.")
    max_questions_per_nudge: int = Field(5, ge=1, le=20, description="Questions listed in one nudge message.")
    quiet_hours_start: int | None = Field(None, ge=0, le=23, description="Hour (community timezone) when quiet hours begin; no nudges until quiet_hours_end.")
    quiet_hours_end: int | None = Field(None, ge=0, le=23, description="Hour (community timezone) when quiet hours end.")
    open_question_max_age_hours: int = Field(72, ge=1, le=720, description="Unanswered questions older than this stop being tracked and nudged.")
    max_open_questions: int = Field(2000, ge=10, le=100000, description="Open questions kept in memory per community (oldest dropped first).")
    digest_channel: int | None = Field(None, description="Channel id for the weekly digest (off when unset).")
    digest_weekday: int = Field(0, ge=0, le=6, description="Weekday of the digest, 0 = Monday (community timezone).")
    digest_hour: int = Field(9, ge=0, le=23, description="Hour of the digest (community timezone).")
    report_days: int = Field(30, ge=1, le=366, description="Default period of /engagement, in days.")

    @field_validator("question_languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        return only_known(value, ALL_LANGUAGES, "language(s)")

    @field_validator("question_patterns")
    @classmethod
    def _valid_patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            compile_admin_regex(pattern)
        return value
