"""Events are frozen dataclasses: immutable, comparable, hashable, copyable, cheap to build."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from bot.events import Member, Message, MessageCreated, MessageEdited
from bot.testing import START


def make_message(**changes) -> Message:
    fields = dict(guild_id=1, channel_id=2, message_id=3, author=Member(4, "ann", frozenset({5})),
                  content="hi", created_at=START)
    fields.update(changes)
    return Message(**fields)


def test_events_are_immutable_and_compare_by_value():
    msg = make_message()
    with pytest.raises(dataclasses.FrozenInstanceError):
        msg.content = "changed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        msg.author.role_ids = frozenset()
    assert msg == make_message() and hash(msg) == hash(make_message())
    assert msg != make_message(content="other")
    assert type(msg) is Message and dataclasses.is_dataclass(msg)


def test_replace_copy_and_pickle_keep_type_and_values():
    msg = make_message(mention_ids=(9,), reply_to_message_id=7)
    edited = dataclasses.replace(msg, content="new")
    assert type(edited) is Message and edited.content == "new" and edited.mention_ids == (9,)
    assert copy.copy(msg) == msg and copy.deepcopy(msg) == msg
    assert pickle.loads(pickle.dumps(msg)) == msg


def test_positional_and_keyword_construction_agree_and_missing_fields_fail():
    by_keyword = Member(id=1, display_name="x", role_ids=frozenset({2}), is_bot=True)
    assert Member(1, "x", frozenset({2}), None, None, True) == by_keyword
    with pytest.raises(TypeError):
        Member()
    with pytest.raises(TypeError):
        Message(1, 2)


def test_derived_event_fields():
    msg = make_message()
    created = MessageCreated(msg)
    assert (created.guild_id, created.at, created.event_id) == (1, START, "message:3")
    edit = MessageEdited(after=msg, at=START)
    assert edit.guild_id == 1 and edit.before is None
    assert msg.jump_url == "https://discord.com/channels/1/2/3"
    assert make_message(parent_channel_id=8).root_channel_id == 8 and msg.root_channel_id == 2


def test_the_twin_builder_makes_the_same_frozen_event():
    from bot._frozen import builder_of

    message = make_message()
    twin = builder_of(MessageCreated)(message)
    twin.__class__ = MessageCreated
    assert twin == MessageCreated(message) and hash(twin) == hash(MessageCreated(message))
    with pytest.raises(dataclasses.FrozenInstanceError):
        twin.message = message
    assert pickle.loads(pickle.dumps(twin)) == twin
    # a slot-less subclass storing through object's __setattr__: the cheap class switch (bot/_frozen.py)
    for cls in (Message, MessageCreated, Member):
        twin_cls = builder_of(cls)
        assert twin_cls.__bases__ == (cls,) and twin_cls.__slots__ == () and twin_cls.__setattr__ is object.__setattr__
    built = object.__new__(builder_of(Message))
    builder_of(Message).__init__(built, **{f.name: getattr(message, f.name) for f in dataclasses.fields(Message)})
    built.__class__ = Message
    assert built == message and type(built) is Message
