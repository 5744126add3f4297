"""Carries out the core's actions with discord.py; failures come back as results, never raise."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import discord

from bot import actions as act
from bot.commands import button_custom_id
from bot.discord_adapter._batching import AlertGrouper, DeleteBatcher
from bot.executor import ActionResult

log = logging.getLogger("pitchfree.discord.executor")

MAX_TIMEOUT_S = 28 * 24 * 3600  # Discord's limit
FALLBACK_NOTICE_TTL_S = 120.0  # in-channel notices (DMs closed) are removed after this
_STYLES = {"primary": discord.ButtonStyle.primary, "secondary": discord.ButtonStyle.secondary,
           "success": discord.ButtonStyle.success, "danger": discord.ButtonStyle.danger}
_NO_PINGS = discord.AllowedMentions.none()


class Skip(Exception):
    """The bot deliberately does not act (e.g. the member is above the bot's role)."""


class DiscordExecutor:
    """The production executor. `bind(bot)` before use; `mod_log_channel(guild_id)` finds alert channels.

    Deletes go through a per-channel bulk-delete queue and alerts through a wave grouper
    (`_batching`), so a spam wave costs a few API calls and one mod-log message.
    """

    def __init__(self) -> None:
        self.bot: discord.Client | None = None
        self.mod_log_channel: Callable[[int], int | None] = lambda guild_id: None
        self._handlers = {
            act.DeleteMessage: self._delete, act.Reply: self._reply, act.PrivateNotice: self._notice,
            act.Timeout: self._timeout, act.AddRole: self._add_role, act.RemoveRole: self._remove_role,
            act.React: self._react, act.TagThread: self._tag_thread, act.ModAlert: self._alert,
        }
        self.deletes = DeleteBatcher(lambda: self.bot.http)
        self.alerts = AlertGrouper(self._post_alert, lambda a: alert_message(a)[0])

    def bind(self, bot: discord.Client) -> None:
        """Use this client for every action."""
        self.bot = bot

    async def execute(self, action: act.Action) -> ActionResult:
        """Do one action; Discord errors are logged with guild and action and returned as failures."""
        handler = self._handlers.get(type(action))
        if handler is None:  # RecordCase, Audit: the engine handles them, nothing to do on Discord
            return ActionResult(action, ok=True)
        try:
            note = await handler(action)
        except Skip as exc:
            log.info("skipped %s in guild %s for %s: %s", action.kind, action.guild_id, action.plugin, exc)
            return ActionResult(action, ok=False, error=str(exc), skipped=True)
        except discord.HTTPException as exc:
            error = f"{exc.status} {_describe(exc)}"
            log.warning("%s failed in guild %s for %s: %s", action.kind, action.guild_id, action.plugin, error)
            return ActionResult(action, ok=False, error=error)
        except Exception as exc:
            log.exception("%s crashed in guild %s for %s", action.kind, action.guild_id, action.plugin)
            return ActionResult(action, ok=False, error=f"{type(exc).__name__}: {exc}")
        return ActionResult(action, ok=True, error=note)

    # -- lookups --

    def _guild(self, guild_id: int) -> discord.Guild:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            raise Skip(f"the bot is not in guild {guild_id}")
        return guild

    async def _member(self, guild: discord.Guild, user_id: int) -> discord.Member:
        member = guild.get_member(user_id)
        if member is None:
            member = await guild.fetch_member(user_id)
        return member

    def _check_hierarchy(self, guild: discord.Guild, member: discord.Member) -> None:
        me = guild.me
        if member.id == guild.owner_id:
            raise Skip("member is the server owner")
        if me is not None and member.top_role >= me.top_role:
            raise Skip(f"member's top role '{member.top_role.name}' is not below the bot's '{me.top_role.name}'")

    def _messageable(self, guild_id: int, channel_id: int) -> discord.abc.Messageable:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        return channel

    # -- actions --

    async def _delete(self, a: act.DeleteMessage) -> None:
        await self.deletes.delete(a.channel_id, a.message_id)

    async def _reply(self, a: act.Reply) -> None:
        channel = self._messageable(a.guild_id, a.channel_id)
        reference = None
        if a.reply_to_message_id is not None:
            reference = discord.MessageReference(message_id=a.reply_to_message_id, channel_id=a.channel_id,
                                                 guild_id=a.guild_id, fail_if_not_exists=False)
        await channel.send(a.content, reference=reference,
                           allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=True,
                                                                    replied_user=True))

    async def _notice(self, a: act.PrivateNotice) -> str | None:
        try:
            dm = await self.bot.create_dm(discord.Object(a.user_id))
            await dm.send(a.content, allowed_mentions=_NO_PINGS)
            return None
        except discord.Forbidden as exc:
            if a.fallback_channel_id is None:
                raise
            log.info("DMs closed for user %s in guild %s (%s); posting in channel %s instead",
                     a.user_id, a.guild_id, _describe(exc), a.fallback_channel_id)
        channel = self._messageable(a.guild_id, a.fallback_channel_id)
        await channel.send(f"<@{a.user_id}> {a.content}", delete_after=FALLBACK_NOTICE_TTL_S,
                           allowed_mentions=discord.AllowedMentions(everyone=False, roles=False,
                                                                    users=[discord.Object(a.user_id)]))
        return f"DMs closed: posted in channel {a.fallback_channel_id}"

    async def _timeout(self, a: act.Timeout) -> None:
        guild = self._guild(a.guild_id)
        member = await self._member(guild, a.user_id)
        self._check_hierarchy(guild, member)
        if member.guild_permissions.administrator:
            raise Skip("administrators cannot be timed out")
        seconds = max(1, min(int(a.seconds), MAX_TIMEOUT_S))
        await member.timeout(timedelta(seconds=seconds), reason=_audit(a))

    async def _role(self, a: act.AddRole | act.RemoveRole) -> tuple[discord.Member, discord.Role]:
        guild = self._guild(a.guild_id)
        role = guild.get_role(a.role_id)
        if role is None:
            raise Skip(f"unknown role {a.role_id}")
        if guild.me is not None and role >= guild.me.top_role:
            raise Skip(f"role '{role.name}' is not below the bot's top role")
        member = await self._member(guild, a.user_id)
        self._check_hierarchy(guild, member)
        return member, role

    async def _add_role(self, a: act.AddRole) -> None:
        member, role = await self._role(a)
        await member.add_roles(role, reason=_audit(a))

    async def _remove_role(self, a: act.RemoveRole) -> None:
        member, role = await self._role(a)
        await member.remove_roles(role, reason=_audit(a))

    async def _react(self, a: act.React) -> None:
        await self._messageable(a.guild_id, a.channel_id).get_partial_message(a.message_id).add_reaction(a.emoji)

    async def _tag_thread(self, a: act.TagThread) -> str | None:
        thread = self.bot.get_channel(a.thread_id) or await self.bot.fetch_channel(a.thread_id)
        if not isinstance(thread, discord.Thread) or not isinstance(thread.parent, discord.ForumChannel):
            raise Skip(f"channel {a.thread_id} is not a forum post")
        wanted = a.tag_name.casefold()
        tag = next((t for t in thread.parent.available_tags if t.name.casefold() == wanted), None)
        if tag is None:
            raise Skip(f"forum has no tag named '{a.tag_name}'")
        if any(t.id == tag.id for t in thread.applied_tags):
            return "already tagged"
        await thread.add_tags(tag, reason=_audit(a))
        return None

    async def _alert(self, a: act.ModAlert) -> str | None:
        if self.mod_log_channel(a.guild_id) is None:
            raise Skip("no mod_log_channel configured")
        return await self.alerts.alert(a)

    async def _post_alert(self, a: act.ModAlert, embed: discord.Embed | None) -> discord.Message:
        channel_id = self.mod_log_channel(a.guild_id)
        if channel_id is None:
            raise Skip("no mod_log_channel configured")
        default, view = alert_message(a)
        return await self._messageable(a.guild_id, channel_id).send(embed=embed or default, view=view,
                                                                     allowed_mentions=_NO_PINGS)


def alert_message(a: act.ModAlert) -> tuple[discord.Embed, discord.ui.View | None]:
    """The alert embed and its buttons (custom ids `pf:<plugin>:<action>:<case key>`)."""
    embed = discord.Embed(title=a.title[:256], description=a.reason[:4000] or None,
                          colour=discord.Colour.orange(), timestamp=discord.utils.utcnow())
    if a.reasons:
        embed.add_field(name="Reasons", value="\n".join(f"• {r}" for r in a.reasons)[:1024], inline=False)
    if a.message_link:
        embed.add_field(name="Message", value=a.message_link, inline=False)
    if a.author_id is not None:
        embed.add_field(name="Author", value=f"<@{a.author_id}> (`{a.author_id}`)")
    if a.score is not None:
        embed.add_field(name="Score", value=f"{a.score:.2f}")
    if a.taken:
        embed.add_field(name="Action taken", value=", ".join(a.taken)[:1024], inline=False)
    embed.set_footer(text=f"{a.plugin}" + (f" · {a.case_key}" if a.case_key else ""))
    if not a.buttons or not a.case_key:
        return embed, None
    view = discord.ui.View(timeout=None)
    for b in a.buttons[:25]:
        view.add_item(discord.ui.Button(label=b.label[:80], custom_id=button_custom_id(a.plugin, b.action, a.case_key),
                                        style=_STYLES.get(b.style, discord.ButtonStyle.secondary)))
    view.stop()  # clicks are routed by the persistent dynamic item, not by this view object
    return embed, view


def _audit(a: act.Action) -> str:
    return f"pitchfree/{a.plugin}: {a.reason}"[:512]


def _describe(exc: discord.HTTPException) -> str:
    return f"(code {exc.code}) {exc.text}" if exc.code else (exc.text or type(exc).__name__)
