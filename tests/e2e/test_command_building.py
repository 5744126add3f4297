"""CommandSpecs -> discord.py app commands, without a connection: groups, permissions, bad specs."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.commands import CommandKind, CommandOption, CommandSpec, Permission, Response
from bot.discord_adapter._commands import install


class _Engine:
    def __init__(self, specs: list[CommandSpec]) -> None:
        self._specs = [("plug", s) for s in specs]

    def commands(self):
        return self._specs


def _ok(inv):
    return Response("ok")


def _tree(specs: list[CommandSpec]) -> tuple[app_commands.CommandTree, list[str]]:
    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    return tree, install(tree, _Engine(specs))


def test_groups_permissions_and_menus():
    tree, skipped = _tree([
        CommandSpec("rep give", "give", _ok, Permission.MODERATOR),
        CommandSpec("rep admin reset", "reset", _ok, Permission.ADMIN),
        CommandSpec("cfg set", "set", _ok, Permission.ADMIN),
        CommandSpec("hello", "hi", _ok),
        CommandSpec("Explain", "why", _ok, Permission.MODERATOR, kind=CommandKind.MESSAGE_MENU),
        CommandSpec("History", "cases", _ok, Permission.MODERATOR, kind=CommandKind.USER_MENU),
    ])
    assert skipped == []
    rep = tree.get_command("rep")
    assert rep.default_permissions == discord.Permissions(manage_messages=True) and rep.guild_only
    assert {c.name for c in rep.commands} == {"give", "admin"}
    assert tree.get_command("cfg").default_permissions == discord.Permissions(manage_guild=True)
    assert tree.get_command("hello").default_permissions is None
    menu = tree.get_command("Explain", type=discord.AppCommandType.message)
    assert menu.default_permissions == discord.Permissions(manage_messages=True) and menu.guild_only
    assert tree.get_command("History", type=discord.AppCommandType.user) is not None


def test_bad_specs_are_skipped_and_the_rest_still_load():
    tree, skipped = _tree([
        CommandSpec("clash", "single", _ok),
        CommandSpec("clash sub", "grouped", _ok),
        CommandSpec("a b", "cmd", _ok),
        CommandSpec("a b c", "under a command", _ok),
        CommandSpec("odd when", "bad option type", _ok, options=(CommandOption("day", "d", type="date"),)),
        CommandSpec("NotLower", "bad name", _ok),
        CommandSpec("fine", "fine", _ok),
    ])
    assert sorted(skipped) == ["NotLower", "a b c", "clash", "odd when"]
    assert tree.get_command("fine") is not None
    assert [c.name for c in tree.get_command("clash").commands] == ["sub"]
