"""The core's own commands (`/pitchfree status`, `/pitchfree config reload|check`), as a plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import CommandSpec, Invocation, Permission, Response
from bot.config import ConfigStore
from bot.hookspecs import hookimpl

if TYPE_CHECKING:
    from bot.engine import Engine

CORE_PLUGIN_NAME = "core"


class CoreCommands:
    """Registered by the app under the name `core`; uses the same hooks as any plugin."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @hookimpl
    def pitchfree_commands(self) -> list[CommandSpec]:
        """Status and config commands for moderators and admins."""
        return [
            CommandSpec("pitchfree status", "Plugins, config state, database and uptime",
                        self.status, Permission.MODERATOR),
            CommandSpec("pitchfree config reload", "Reload the YAML rules files",
                        self.reload, Permission.ADMIN),
            CommandSpec("pitchfree config check", "Validate the YAML rules files without applying them",
                        self.check, Permission.ADMIN),
        ]

    def status(self, inv: Invocation) -> Response:
        """Show what the bot is running and anything that went wrong."""
        s = self.engine.status()
        faults = s["faults"]
        fault_text = "\n".join(
            f"- **{name}**: {f['count']} error(s), last in `{f['hook']}`: {f['last_error']}"
            for name, f in faults.items()
        ) or "none"
        uptime = int(s["uptime_s"])
        return Response(
            "pitchfree is running.",
            title="pitchfree status",
            fields=(
                ("Plugins", ", ".join(s["plugins"])),
                ("Plugin errors", fault_text[:1000]),
                ("Config", f"generation {s['config_generation']}, "
                           f"{len(s['guilds_configured'])} community file(s)"),
                ("Database", str(s["db_path"])),
                ("Uptime", f"{uptime // 3600}h {uptime % 3600 // 60}m {uptime % 60}s"),
                ("Events", f"{s['events_processed']} processed, {s['duplicates_dropped']} duplicates dropped"),
                ("Writer", f"{s['writer_pending']} rows pending, {s['writer_failures']} failed flushes"),
            ),
        )

    async def reload(self, inv: Invocation) -> Response:
        """Reload config; invalid files keep the previous config and are listed."""
        report = await self.engine.reload_config()
        lines = report.lines() + self._unknown_guilds()
        if not lines:
            return Response(f"Config reloaded: {len(report.loaded)} file(s), no problems.")
        return Response("Config reloaded with problems:\n" + _code(lines))

    def _unknown_guilds(self) -> list[str]:
        """Community files for servers the bot is not in (the adapter provides `guild_ids`)."""
        joined = self.engine.services.get("guild_ids")
        if joined is None:
            return []
        present = joined()
        return [f"guilds/{g}.yaml: the bot is not in a server with id {g}; this file is not used"
                for g in self.engine.config.guild_ids() if g not in present]

    def check(self, inv: Invocation) -> Response:
        """Validate the files as they are on disk now, without applying them."""
        current = self.engine.config
        store = ConfigStore(current.config_dir, current.models, current.not_loaded)
        report = store.load()
        if report.ok:
            return Response(f"All {len(report.loaded)} config file(s) are valid.")
        return Response("Config problems (nothing was applied):\n" + _code(report.lines()))


def _code(lines: list[str], limit: int = 1800) -> str:
    text = "\n".join(lines)
    if len(text) > limit:
        text = text[:limit] + "\n…"
    return f"```\n{text}\n```"
