"""Core config models: community-wide keys, plugin blocks and overrides."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class StrictModel(BaseModel):
    """Base for every config model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class When(StrictModel):
    """Where an override applies. Every key given must match (AND); within a list, any id (OR).

    `channels` matches the channel a message was posted in or, inside a thread or forum post,
    its parent channel. `roles` matches a member holding any of the listed roles.
    """

    channels: list[int] = Field(default_factory=list, description="Channel (or parent) ids.")
    categories: list[int] = Field(default_factory=list, description="Category ids.")
    roles: list[int] = Field(default_factory=list, description="Role ids (member has any).")
    users: list[int] = Field(default_factory=list, description="Member ids.")

    @model_validator(mode="after")
    def _not_empty(self) -> When:
        if not (self.channels or self.categories or self.roles or self.users):
            raise ValueError("needs at least one of channels, categories, roles, users")
        return self


class Override(StrictModel):
    """A partial plugin config applied on top of the plugin's config where `when` matches."""

    when: When
    config: dict[str, Any] = Field(description="Partial config for this plugin.")


class CoreConfig(StrictModel):
    """Community-wide settings (everything in a guild file except `plugins`)."""

    moderator_roles: list[int] = Field(
        default_factory=list, description="Role ids whose members may use moderator commands."
    )
    admin_roles: list[int] = Field(
        default_factory=list,
        description="Role ids whose members may use admin commands (they are moderators too).",
    )
    mod_log_channel: int | None = Field(
        default=None, description="Channel id where moderator alerts are posted."
    )
    language: str = Field(default="en", description="Language of member-facing messages.")
    timezone: str = Field(default="UTC", description="IANA timezone for reports, e.g. Europe/Berlin.")
    name: str | None = Field(default=None, description="Community name, shown in reports.")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (use an IANA name like Europe/Berlin)") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The community's timezone object."""
        return ZoneInfo(self.timezone)


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Merge `over` onto `base`: dicts merge key by key, lists and scalars replace."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def only_known(values: list[str], known, what: str) -> list[str]:
    """Validator helper: raise ValueError naming any value not in `known`."""
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValueError(f"unknown {what} {unknown}; known: {', '.join(sorted(known))}")
    return values
