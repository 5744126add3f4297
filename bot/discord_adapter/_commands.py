"""The engine's CommandSpecs as discord.py application commands (slash groups and context menus).

No `from __future__ import annotations` here: discord.py reads the callbacks' annotations.
"""

import asyncio
import inspect
import logging
from typing import Any

import discord
from discord import app_commands

from bot.commands import CommandKind, CommandOption, CommandSpec, Invocation, Permission, Response
from bot.discord_adapter._convert import member_of
from bot.discord_adapter._respond import send_response

log = logging.getLogger("pitchfree.discord.commands")

OPTION_TYPES: dict[str, Any] = {
    "str": str, "int": int, "float": float, "bool": bool,
    "member": discord.Member, "channel": discord.abc.GuildChannel,
}
# What Discord shows by default (server admins can change it under Integrations); the engine
# checks the configured moderator/admin roles on every invocation regardless.
DEFAULT_PERMISSIONS = {
    Permission.EVERYONE: None,
    Permission.MODERATOR: discord.Permissions(manage_messages=True),
    Permission.ADMIN: discord.Permissions(manage_guild=True),
}
DEFER_AFTER_S = 2.0  # Discord wants a first answer within 3 s


def install(tree: app_commands.CommandTree, engine) -> list[str]:
    """Add every plugin command to `tree`; return the names of those that could not be built."""
    skipped: list[str] = []
    slash: dict[str, list[tuple[str, CommandSpec]]] = {}
    for plugin, spec in engine.commands():
        if spec.kind is CommandKind.SLASH:
            slash.setdefault(spec.name.split()[0], []).append((plugin, spec))
            continue
        try:
            tree.add_command(_context_menu(engine, plugin, spec))
        except (TypeError, ValueError, app_commands.AppCommandError) as exc:
            log.error("command %r of %s skipped: %s", spec.name, plugin, exc)
            skipped.append(spec.name)
    for top, entries in slash.items():
        try:
            if len(entries) == 1 and len(entries[0][1].name.split()) == 1:
                plugin, spec = entries[0]
                tree.add_command(_slash(engine, plugin, spec, spec.name, top_level=True))
                continue
            group = app_commands.Group(
                name=top, description=f"{top} commands",
                default_permissions=_least_strict(s.permission for _, s in entries),
                guild_only=all(s.permission is not Permission.EVERYONE for _, s in entries))
            for plugin, spec in entries:
                _add_to_group(engine, group, plugin, spec, skipped)
            tree.add_command(group)
        except (TypeError, ValueError, app_commands.AppCommandError) as exc:
            log.error("command(s) %r skipped: %s", top, exc)
            skipped.extend(s.name for _, s in entries)
    return skipped


def _add_to_group(engine, group: app_commands.Group, plugin: str, spec: CommandSpec, skipped: list[str]) -> None:
    words = spec.name.split()
    if len(words) not in (2, 3):
        log.error("command %r of %s skipped: it clashes with the %r group, or has more than 3 words",
                  spec.name, plugin, words[0])
        skipped.append(spec.name)
        return
    parent = group
    if len(words) == 3:
        sub = next((c for c in group.commands if c.name == words[1]), None)
        if sub is None:
            sub = app_commands.Group(name=words[1], description=f"{words[0]} {words[1]} commands", parent=group)
        if not isinstance(sub, app_commands.Group):
            log.error("command %r of %s skipped: '%s %s' is already a command", spec.name, plugin, *words[:2])
            skipped.append(spec.name)
            return
        parent = sub
    try:
        parent.add_command(_slash(engine, plugin, spec, words[-1], top_level=False))
    except (TypeError, ValueError, app_commands.AppCommandError) as exc:
        log.error("command %r of %s skipped: %s", spec.name, plugin, exc)
        skipped.append(spec.name)


def _least_strict(permissions) -> discord.Permissions | None:
    found = set(permissions)
    for level in (Permission.EVERYONE, Permission.MODERATOR, Permission.ADMIN):
        if level in found:
            return DEFAULT_PERMISSIONS[level]
    return None


def _slash(engine, plugin: str, spec: CommandSpec, name: str, *, top_level: bool) -> app_commands.Command:
    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        options = {k: _plain(v) for k, v in values.items() if v is not None}
        await run_spec(engine, plugin, spec, interaction, options=options)

    params = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                annotation=discord.Interaction)]
    for opt in sorted(spec.options, key=lambda o: not o.required):
        params.append(_parameter(opt))
    callback.__signature__ = inspect.Signature(params)
    callback.__discord_app_commands_param_description__ = {o.name: o.description[:100] for o in spec.options}
    choices = {o.name: [app_commands.Choice(name=c, value=_typed(o, c)) for c in o.choices[:25]]
               for o in spec.options if o.choices}
    if choices:
        callback.__discord_app_commands_param_choices__ = choices
    command = app_commands.Command(name=name, description=spec.description[:100] or name, callback=callback)
    if top_level:  # Discord only honours these on top-level commands
        command.guild_only = spec.permission is not Permission.EVERYONE
        command.default_permissions = DEFAULT_PERMISSIONS[spec.permission]
    return command


def _parameter(opt: CommandOption) -> inspect.Parameter:
    if opt.type not in OPTION_TYPES:
        raise TypeError(f"option {opt.name!r} has unknown type {opt.type!r}")
    annotation = OPTION_TYPES[opt.type]
    default = inspect.Parameter.empty
    if not opt.required:
        annotation, default = annotation | None, None
    return inspect.Parameter(opt.name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


def _typed(opt: CommandOption, choice: str) -> Any:
    return {"int": int, "float": float}.get(opt.type, str)(choice)


def _plain(value: Any) -> Any:
    """Discord objects become ids in Invocation.options (members, channels)."""
    return value.id if isinstance(value, discord.abc.Snowflake) else value


def _context_menu(engine, plugin: str, spec: CommandSpec) -> app_commands.ContextMenu:
    if spec.kind is CommandKind.MESSAGE_MENU:
        async def on_message(interaction: discord.Interaction, message: discord.Message) -> None:
            await run_spec(engine, plugin, spec, interaction, target_message_id=message.id,
                           target_message_author_id=message.author.id, target_message_content=message.content)
        callback = on_message
    else:
        async def on_user(interaction: discord.Interaction, user: discord.Member) -> None:
            await run_spec(engine, plugin, spec, interaction, target_user_id=user.id)
        callback = on_user
    menu = app_commands.ContextMenu(name=spec.name, callback=callback)
    menu.guild_only = spec.permission is not Permission.EVERYONE
    if DEFAULT_PERMISSIONS[spec.permission] is not None:
        menu.default_permissions = DEFAULT_PERMISSIONS[spec.permission]
    return menu


def _unknown(channel_id: int) -> None:
    return None


def viewer(guild: discord.Guild | None, member: discord.Member | discord.User):
    """`Invocation.can_view` for the invoker: their view permission on a cached channel or thread.

    A private thread also needs them among its cached members, as its owner or with Manage
    Threads. Unknown (None) for channels and threads the bot has not cached, and for every
    channel when the guild or the invoker's member object is not cached.
    """
    if guild is None or not isinstance(member, discord.Member):
        return _unknown  # a guild command without the guild or member cached: show nothing private

    def can_view(channel_id: int) -> bool | None:
        channel = guild.get_channel_or_thread(channel_id)
        if channel is None:
            return None
        try:
            permissions = channel.permissions_for(member)
        except discord.ClientException:  # a thread whose parent is not cached
            return None
        if not permissions.view_channel:
            return False
        if isinstance(channel, discord.Thread) and channel.is_private() and channel.owner_id != member.id \
                and not permissions.manage_threads:
            return True if any(m.id == member.id for m in channel.members) else None
        return True

    return can_view


async def run_spec(engine, plugin: str, spec: CommandSpec, interaction: discord.Interaction, *,
                   options: dict | None = None, **targets: Any) -> None:
    """Run a command through the engine (which checks permissions) and answer; never silent."""
    inv = Invocation(
        guild_id=interaction.guild_id, channel_id=interaction.channel_id or 0, user=member_of(interaction.user),
        at=interaction.created_at, options=options or {},
        is_guild_admin=interaction.guild_id is not None and interaction.permissions.administrator,
        can_view=viewer(interaction.guild, interaction.user) if interaction.guild_id is not None else None, **targets,
    )
    log.info("command %r by user %s in guild %s", spec.name, interaction.user.id, interaction.guild_id)
    task = asyncio.ensure_future(engine.run_command(plugin, spec, inv))
    try:
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER_S)
        if not done:
            await interaction.response.defer(ephemeral=True, thinking=True)
        response = await task
    except Exception:
        log.exception("command %r failed in guild %s", spec.name, interaction.guild_id)
        response = Response(f"Sorry, `{spec.name}` failed. The error was logged.")
    await send_response(interaction, response)


async def on_tree_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    """Errors discord.py raises before our handler runs (bad options, unknown command)."""
    log.warning("command error in guild %s: %s", interaction.guild_id, error)
    await send_response(interaction, Response("Sorry, that command could not be run. The error was logged."))
