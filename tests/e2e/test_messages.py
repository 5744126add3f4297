"""A member's message reaches a plugin as a neutral event; the plugin's actions become REST calls."""

from __future__ import annotations

import pytest

from bot import actions as act
from bot import events as ev
from tests.e2e._probe import Probe
from tests.e2e._util import wait_for_outcomes

pytestmark = pytest.mark.e2e


def _respond_to_trigger(event):
    """Return one of each action for messages containing 'trigger'."""
    if not isinstance(event, ev.MessageCreated) or "trigger" not in event.message.content:
        return []
    m = event.message
    common = {"plugin": "probe", "reason": "test", "guild_id": m.guild_id}
    return [
        act.DeleteMessage(channel_id=m.channel_id, message_id=m.message_id, author_id=m.author.id, **common),
        act.Reply(channel_id=m.channel_id, content="please don't", reply_to_message_id=m.reply_to_message_id,
                  **common),
        act.PrivateNotice(user_id=m.author.id, content="your message was removed",
                          fallback_channel_id=m.channel_id, **common),
        act.Timeout(user_id=m.author.id, seconds=600, **common),
        act.React(channel_id=m.channel_id, message_id=m.reply_to_message_id, emoji="👀", **common),
        act.RecordCase(case_key=f"probe:{m.message_id}", user_id=m.author.id, decision="removed", **common),
    ]


async def test_message_reaches_plugin_with_roles_and_reply_data(fake, world, runner):
    probe = Probe(_respond_to_trigger)
    await runner.start(probe)
    first = await fake.send_message(world.general, world.alice, "hello everyone")
    reply = await fake.send_message(world.general, world.bob, "a reply with trigger", reply_to=first.id)
    await fake.wait_until(lambda: len(probe.of_type(ev.MessageCreated)) == 2, what="two messages")

    hello, answer = (e.message for e in probe.of_type(ev.MessageCreated))
    assert hello.content == "hello everyone"
    assert hello.author.id == world.alice.id
    assert hello.author.role_ids == frozenset({world.member_role.id})
    assert hello.author.joined_at is not None and not hello.author.is_bot
    assert hello.category_id is not None and hello.parent_channel_id is None and not hello.is_thread
    assert answer.message_id == reply.id
    assert answer.reply_to_message_id == first.id
    assert answer.reply_to_author_id == world.alice.id

    cid = world.general.id
    deletes = await fake.wait_for_call("DELETE", rf"^/channels/{cid}/messages/{reply.id}$")
    assert deletes[0].status == 204
    replies = await fake.wait_for_call("POST", rf"^/channels/{cid}/messages$")
    assert replies[0].json["content"] == "please don't"
    assert int(replies[0].json["message_reference"]["message_id"]) == first.id
    dm_open = await fake.wait_for_call("POST", r"^/users/@me/channels$")
    assert int(dm_open[0].json["recipient_id"]) == world.bob.id
    timeouts = await fake.wait_for_call("PATCH", rf"^/guilds/{world.guild.id}/members/{world.bob.id}$")
    assert timeouts[0].json["communication_disabled_until"]
    assert world.guild.members[world.bob.id].communication_disabled_until is not None
    await fake.wait_for_call("PUT", rf"^/channels/{cid}/messages/{first.id}/reactions/.+/@me$")

    # the outcomes of the Discord actions are stored on the case
    case = await wait_for_outcomes(runner.bot.engine, world.guild.id, f"probe:{reply.id}")
    statuses = {o["action"]: o["status"] for o in case.outcomes}
    assert statuses == {"delete_message": "ok", "reply": "ok", "private_notice": "ok", "timeout": "ok",
                        "react": "ok"}


async def test_thread_forum_and_other_events_are_converted(fake, world, runner):
    probe = Probe(lambda e: [act.TagThread(plugin="probe", reason="solved", guild_id=e.guild_id,
                                           thread_id=e.message.channel_id, tag_name="solved")]
                  if isinstance(e, ev.MessageCreated) and e.message.is_forum_post else [])
    await runner.start(probe)
    msg = await fake.send_message(world.post, world.bob, "thanks, that fixed it")
    await fake.wait_until(lambda: probe.of_type(ev.MessageCreated), what="forum message")
    m = probe.of_type(ev.MessageCreated)[0].message
    assert m.is_thread and m.is_forum_post
    assert m.parent_channel_id == world.forum.id and m.root_channel_id == world.forum.id
    assert m.thread_owner_id == world.alice.id and m.thread_name == "How do I?"
    calls = await fake.wait_for_call("PATCH", rf"^/channels/{world.post.id}$")
    solved = next(t["id"] for t in world.forum.available_tags if t["name"] == "Solved")
    assert calls[0].json["applied_tags"] == [solved]

    await fake.add_reaction(msg, world.alice, "🙏")
    await fake.edit_message(msg, "thanks, edited")
    newcomer = await fake.member_join(world.guild, "newcomer")
    await fake.delete_message(msg)
    await fake.wait_until(lambda: probe.of_type(ev.MessageDeleted), what="delete event")
    reaction = probe.of_type(ev.ReactionAdded)[0]
    assert (reaction.user_id, reaction.message_author_id, reaction.emoji) == (world.alice.id, world.bob.id, "🙏")
    assert probe.of_type(ev.MessageEdited)[0].after.content == "thanks, edited"
    assert probe.of_type(ev.MemberJoined)[0].member.id == newcomer.id
    assert probe.of_type(ev.MessageDeleted)[0].message_id == msg.id
