"""discord.py messages -> neutral events, through a real ConnectionState (no network)."""

from __future__ import annotations

import copy

from bench._corpus import ROLE_BASE, make_corpus
from bench._floor import make_state
from bot.discord_adapter._convert import created, snowflake_time


def parse(corpus, payloads):
    parsed = []
    state = make_state(corpus, parsed)
    for payload in payloads:
        state.parse_message_create(payload)
    return parsed


def test_message_fields_survive_conversion():
    corpus = make_corpus(300, seed=3)
    reply = next(p for p in corpus.payloads if p.get("message_reference") and p["mentions"])
    [msg] = parse(corpus, [reply])
    event = created(msg)
    m = event.message
    assert (m.guild_id, m.channel_id, m.message_id) == (int(reply["guild_id"]), int(reply["channel_id"]),
                                                         int(reply["id"]))
    assert m.content == reply["content"]
    assert m.author.id == int(reply["author"]["id"])
    assert m.author.role_ids == frozenset(int(r) for r in reply["member"]["roles"])
    assert m.reply_to_message_id == int(reply["message_reference"]["message_id"])
    assert m.reply_to_author_id == int(reply["referenced_message"]["author"]["id"])
    assert m.mention_ids == tuple(int(u["id"]) for u in reply["mentions"])
    assert m.created_at == snowflake_time(int(reply["id"])) == msg.created_at
    assert event.at == m.created_at and event.guild_id == m.guild_id


def test_cached_member_is_rebuilt_when_roles_name_or_join_date_change():
    corpus = make_corpus(50, seed=4)
    first = corpus.payloads[0]
    second = copy.deepcopy(first)
    second["id"] = str(int(first["id"]) + 1)
    new_role = ROLE_BASE + 4 if first["member"]["roles"] != [str(ROLE_BASE + 4)] else ROLE_BASE + 5
    second["member"]["roles"] = [str(new_role)]
    third = copy.deepcopy(second)
    third["id"] = str(int(first["id"]) + 2)
    third["member"]["nick"] = "Renamed"
    fourth = copy.deepcopy(third)  # left and joined again
    fourth["id"] = str(int(first["id"]) + 3)
    fourth["member"]["joined_at"] = "2026-03-01T12:00:00+00:00"
    # convert each message as it arrives, as the adapter does
    a, b, c, d = (created(parse(corpus, [p])[0]).message.author for p in (first, second, third, fourth))
    assert b.role_ids == frozenset({new_role}) and a.role_ids != b.role_ids
    assert c.display_name == "Renamed" and c.role_ids == b.role_ids
    assert d.joined_at != c.joined_at and d.joined_at.isoformat() == "2026-03-01T12:00:00+00:00"
    again = created(parse(corpus, [first])[0]).message.author
    assert again == a


def test_lone_surrogates_become_replacement_characters():
    # JSON escapes can carry them; nothing downstream (RE2, SQLite, output files) can encode them
    corpus = make_corpus(50, seed=5)
    payload = copy.deepcopy(corpus.payloads[0])
    payload["content"] = "sub to my channel https://youtube.com/@me \ud800"
    payload["member"]["nick"] = "Nick\udfff"
    payload["attachments"] = [{"id": "1", "filename": "a\ud800.png", "size": 1, "url": "https://x/a", "proxy_url": "p"}]
    m = created(parse(corpus, [payload])[0]).message
    assert m.content == "sub to my channel https://youtube.com/@me \ufffd"
    assert m.author.display_name == "Nick\ufffd" and m.attachment_names == ("a\ufffd.png",)
    for text in (m.content, m.author.display_name, *m.attachment_names):
        text.encode("utf-8")  # no UnicodeEncodeError


def test_member_fields_read_off_the_user_match_discord_py():
    """The adapter reads a member's name, id and bot flag from its user, skipping discord.py's
    properties: the results must be what those properties return, for members and plain users."""
    corpus = make_corpus(60, seed=6)
    variants = []
    for i, (nick, global_name, bot) in enumerate([("Nick", "Global", False), (None, "Global", False),
                                                  (None, None, False), (None, None, True), ("", "G", False)]):
        payload = copy.deepcopy(corpus.payloads[i])
        payload["member"]["nick"] = nick
        payload["author"] = dict(payload["author"], global_name=global_name, bot=bot, id=str(950 + i),
                                 username=f"name{i}")
        variants.append(payload)
    webhook = copy.deepcopy(corpus.payloads[10])
    del webhook["member"]  # no member data: discord.py gives a plain User
    variants.append(webhook)
    for payload in variants:
        [msg] = parse(corpus, [payload])
        author = created(msg).message.author
        expected = msg.author
        assert (author.id, author.display_name, author.is_bot) == (expected.id, expected.display_name, expected.bot)
    assert [created(m).message.author.display_name for m in parse(corpus, variants[:3])] == ["Nick", "Global", "name2"]


def test_a_messages_time_matches_its_snowflake_in_any_order():
    """The minute kept between messages gives the same datetime as `snowflake_time`, whatever the order."""
    import random

    corpus = make_corpus(5, seed=11)
    payload = corpus.payloads[0]
    rng = random.Random(11)
    base = 1_100_000_000_000_000_000
    ids = [(rng.randrange(0, 2**41) << 22) + rng.randrange(1 << 22) for _ in range(200)]  # 2015 to 2084
    ids += [base + ((60_000 * k + edge) << 22) for k in range(3) for edge in (0, 59_999, 1_000, 999)]
    ids += [1 << 22, (2**63 - 1)]  # the first millisecond after Discord's epoch, the last id it can issue
    ordered = ids + sorted(ids) + sorted(ids, reverse=True)
    messages = parse(corpus, [dict(payload, id=str(message_id)) for message_id in ordered])
    for message_id, msg in zip(ordered, messages, strict=True):
        got = created(msg).message.created_at
        assert got == snowflake_time(message_id) == msg.created_at, message_id
        assert got.utcoffset().total_seconds() == 0


def test_the_event_built_field_by_field_equals_one_built_the_ordinary_way():
    """`created` fills the frozen events through their twins: same class, fields, equality and immutability."""
    import dataclasses

    import pytest

    from bot import events as ev

    corpus = make_corpus(60, seed=12)
    for msg in parse(corpus, corpus.payloads):
        event = created(msg)
        assert type(event) is ev.MessageCreated and type(event.message) is ev.Message
        fields = {f.name: getattr(event.message, f.name) for f in dataclasses.fields(ev.Message)}
        again = ev.MessageCreated(ev.Message(**fields))
        assert again == event and hash(again) == hash(event)
        with pytest.raises(dataclasses.FrozenInstanceError):
            event.message = again.message
