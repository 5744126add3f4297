"""What a plugin gets at startup: its name, storage handles, config lookups and services."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

    from bot.config import ConfigStore, CoreConfig
    from bot.events import Member
    from bot.storage import BatchedWriter, CaseStore, Database


@dataclass(slots=True)
class PluginContext:
    """Handles for one plugin. `db`/`writer`/`cases` are None when running without storage.

    `services` holds optional capabilities supplied by the adapter, e.g. `invite_resolver`
    (an async callable: invite code -> guild id or None). `collect_figures(guild_id, start, end)`
    gathers every enabled plugin's `pitchfree_report_figures`, keyed by plugin name, so a
    report can include other plugins' figures without importing them.
    """

    name: str
    config_store: ConfigStore
    db: Database | None = None
    writer: BatchedWriter | None = None
    cases: CaseStore | None = None
    services: dict[str, Any] = field(default_factory=dict)
    collect_figures: Callable[[int, datetime, datetime], Awaitable[dict[str, dict]]] | None = None
    log: logging.Logger = field(init=False)

    def __post_init__(self) -> None:
        self.log = logging.getLogger(f"pitchfree.plugins.{self.name}")

    def config(self, guild_id: int | None) -> BaseModel | None:
        """This plugin's guild-wide config for a community (no channel/role overrides)."""
        rules = self.config_store.guild(guild_id).plugins.get(self.name)
        return rules.base if rules is not None else None

    def enabled(self, guild_id: int | None) -> bool:
        """Whether this plugin is on for a community (guild-wide setting)."""
        rules = self.config_store.guild(guild_id).plugins.get(self.name)
        return rules.enabled if rules is not None else True

    def core(self, guild_id: int | None) -> CoreConfig:
        """The community-wide settings (moderator roles, mod-log channel, timezone...)."""
        return self.config_store.guild(guild_id).core

    def is_moderator(self, guild_id: int | None, member: Member) -> bool:
        """Whether a member holds a configured moderator or admin role."""
        return self.config_store.guild(guild_id).is_moderator(member.role_ids)
