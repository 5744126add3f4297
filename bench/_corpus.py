"""A seeded, realistic mix of guild messages as Discord gateway MESSAGE_CREATE payloads."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

GUILD_ID = 900_000_000_000_000_001
CHANNEL_BASE = 910_000_000_000_000_000
ROLE_BASE = 920_000_000_000_000_000
USER_BASE = 930_000_000_000_000_000
MESSAGE_BASE = 1_100_000_000_000_000_000
SKU_BASE = 1_300_000_000_000_000_000
NONCE_BASE = 1_099_000_000_000_000_000  # clients send a nonce with each message
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

CHAT = [
    "morning all", "lol that's brilliant", "anyone watching the game tonight?", "same here tbh",
    "I finally got the build working after lunch", "brb coffee", "haha yes", "that's fair",
    "the new release looks solid", "nice one", "ok I'll try that later", "agreed 100%",
    "has anyone tried the beta?", "not sure I follow, can you explain?", "weekend plans anyone?",
    "it rained all day here", "👍", "😂😂", "this channel is so helpful", "gg",
]
QUESTIONS = [
    "How do I configure the logging level for production?",
    "Why does my container exit immediately after start?",
    "Is there a way to run the tests in parallel?",
    "Does anyone know how to fix 'permission denied' when mounting the volume?",
    "what's the best way to cache API responses here?",
    "Can someone explain how the retry policy works?",
]
ANSWERS = [
    "You need to set the env var before the process starts, then restart it.",
    "Check the entrypoint: it probably runs a command that finishes right away.",
    "Yes, install the xdist plugin and pass -n auto.",
    "Try adding :z to the mount or fix the owner with chown on the host.",
    "Have a look at the docs section on caching, there is an example with TTLs.",
]
THANKS = [
    "thanks {m}, that fixed it!", "thank you so much, that worked", "ty {m}",
    "thx, appreciate it", "that worked, cheers {m}", "+rep {m} great answer",
]
LINKS = [
    "here's the doc page https://docs.python.org/3/library/asyncio.html",
    "see https://github.com/example/project/issues/42 for the bug report",
    "I wrote about it https://en.wikipedia.org/wiki/Rate_limiting",
]
PROMO = [
    "check out my channel https://youtube.com/@someone and subscribe!!",
    "join my server discord.gg/abcdef free nitro giveaway",
    "DM me for cheap followers, link in bio",
    "use my referral code https://shop.dealhub.net/?ref=abc123 for 20% off",
    "new stream tonight https://twitch.tv/someone come hang out",
    "grab it here https://bit.ly/3xYz12",
]
LONG = (
    "So here's the whole story of what happened with our deployment yesterday. We rolled out "
    "the new version to staging first, everything looked fine, the health checks were green and "
    "the logs were clean. Then in production the memory started climbing slowly and after about "
    "two hours the pods were restarted by the orchestrator. We rolled back, and now we are trying "
    "to reproduce it locally with the same traffic shape. "
)
UNICODE = [
    "Привет всем, как дела?", "¿Alguien sabe cómo instalar esto en Windows?", "Danke, das hat geholfen!",
    "日本語のチャンネルはありますか？", "ça marche très bien merci", "🔥🔥🔥 ѕυρєя ¢σσℓ",
]


@dataclass(frozen=True, slots=True)
class Corpus:
    """Payloads plus the guild they belong to."""

    guild: dict
    payloads: list[dict]


def _user(uid: int) -> dict:
    """A user object with every field Discord sends on MESSAGE_CREATE today.

    Profile extras appear in assumed shares (not measured): an avatar for 85% of members, a
    server tag (`primary_guild`, mirrored in the older `clan`) for 15%, an avatar decoration for
    10%, a nameplate (`collectibles`) for 5%. Seeded by the id, so a member looks the same in
    every message.
    """
    roll = random.Random(uid)
    avatar, tag, decoration, nameplate = (roll.random() < share for share in (0.85, 0.15, 0.10, 0.05))
    badge = {"identity_guild_id": str(GUILD_ID + 7), "identity_enabled": True, "tag": f"T{uid % 97:02d}",
             "badge": f"{roll.getrandbits(128):032x}"} if tag else None
    return {
        "id": str(uid), "username": f"user{uid % 100000}", "global_name": f"User {uid % 100000}",
        "avatar": f"{roll.getrandbits(128):032x}" if avatar else None, "discriminator": "0",
        "public_flags": 0, "flags": 0, "banner": None, "accent_color": None,
        "avatar_decoration_data": {"asset": f"a_{roll.getrandbits(128):032x}", "sku_id": str(SKU_BASE + uid % 50),
                                   "expires_at": None} if decoration else None,
        "collectibles": {"nameplate": {"sku_id": str(SKU_BASE + 100 + uid % 20), "asset": "nameplates/nameplates/twilight/",
                                       "label": "COLLECTIBLES_NAMEPLATES_TWILIGHT_A11Y", "palette": "violet",
                                       "expires_at": None}} if nameplate else None,
        "display_name_styles": None, "primary_guild": badge, "clan": dict(badge) if badge else None,
    }


def _member(uid: int, roles: list[int], joined: datetime) -> dict:
    return {"roles": [str(r) for r in roles], "joined_at": joined.isoformat(), "nick": None, "avatar": None,
            "banner": None, "communication_disabled_until": None, "deaf": False, "mute": False, "flags": 0,
            "pending": False, "premium_since": None}


def make_guild(channels: int = 12, members: int = 400, seed: int = 7) -> tuple[dict, list[tuple[int, list[int], datetime]]]:
    """A GUILD_CREATE payload and the member list (id, roles, joined-at)."""
    rng = random.Random(seed)
    roles = [{"id": str(GUILD_ID), "name": "@everyone", "permissions": "1071698660929", "position": 0,
              "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}]
    for i in range(1, 6):
        roles.append({"id": str(ROLE_BASE + i), "name": f"role{i}", "permissions": "0", "position": i,
                      "color": 0, "hoist": False, "managed": False, "mentionable": True, "flags": 0})
    chans = [{"id": str(CHANNEL_BASE + i), "type": 0, "name": f"channel-{i}", "position": i,
              "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None,
              "rate_limit_per_user": 0, "last_message_id": None} for i in range(channels)]
    people = []
    for i in range(members):
        uid = USER_BASE + i
        member_roles = [ROLE_BASE + rng.randint(1, 5)] if rng.random() < 0.3 else []
        joined = START - timedelta(days=rng.choice([0.5, 2, 10, 60, 400]))
        people.append((uid, member_roles, joined))
    guild = {
        "id": str(GUILD_ID), "name": "Bench Guild", "icon": None, "owner_id": str(USER_BASE),
        "roles": roles, "emojis": [], "stickers": [], "features": [], "channels": chans, "threads": [],
        "members": [dict(_member(uid, r, j), user=_user(uid)) for uid, r, j in people],
        "member_count": members, "large": False, "unavailable": False, "verification_level": 0,
        "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0,
        "system_channel_flags": 0, "premium_tier": 0, "preferred_locale": "en-US", "nsfw_level": 0,
        "voice_states": [], "presences": [], "afk_timeout": 300, "afk_channel_id": None,
        "system_channel_id": None, "rules_channel_id": None, "public_updates_channel_id": None,
        "premium_progress_bar_enabled": False,
    }
    return guild, people


def make_corpus(n: int, *, seed: int = 42, channels: int = 12, members: int = 400) -> Corpus:
    """`n` MESSAGE_CREATE payloads: ~55% chat, 10% questions, 10% answers (replies), 6% thanks,
    6% ordinary links, 5% promotion, 4% long, 4% non-English."""
    guild, people = make_guild(channels, members, seed)
    rng = random.Random(seed)
    payloads: list[dict] = []
    recent: list[dict] = []
    now = START
    for i in range(n):
        now += timedelta(seconds=rng.expovariate(1 / 3))
        uid, roles, joined = people[rng.randrange(len(people))]
        channel = CHANNEL_BASE + rng.randrange(channels)
        roll = rng.random()
        reference = None
        mentions: list[int] = []
        if roll < 0.55:
            content = rng.choice(CHAT)
        elif roll < 0.65:
            content = rng.choice(QUESTIONS)
        elif roll < 0.75 and recent:
            reference = rng.choice(recent[-20:])
            content = rng.choice(ANSWERS)
            channel = int(reference["channel_id"])
        elif roll < 0.81 and recent:
            reference = rng.choice(recent[-20:])
            mentions = [int(reference["author"]["id"])]
            content = rng.choice(THANKS).format(m=f"<@{mentions[0]}>")
            channel = int(reference["channel_id"])
        elif roll < 0.87:
            content = rng.choice(LINKS)
        elif roll < 0.92:
            content = rng.choice(PROMO)
        elif roll < 0.96:
            content = LONG * rng.randint(1, 4)
        else:
            content = rng.choice(UNICODE)
        payload = {
            "id": str(MESSAGE_BASE + i), "channel_id": str(channel), "guild_id": str(GUILD_ID),
            "author": _user(uid), "member": _member(uid, roles, joined), "content": content[:2000],
            "timestamp": now.isoformat(), "edited_timestamp": None, "tts": False,
            "mention_everyone": False,
            "mentions": [dict(_user(m), member=_member(m, [], START)) for m in mentions],
            "mention_roles": [], "attachments": [], "embeds": [], "pinned": False,
            "type": 19 if reference else 0, "flags": 0, "components": [], "channel_type": 0,
            "nonce": str(NONCE_BASE + i),
        }
        if reference is not None:
            payload["message_reference"] = {"message_id": reference["id"], "channel_id": reference["channel_id"],
                                            "guild_id": str(GUILD_ID)}
            payload["referenced_message"] = {k: reference[k] for k in (
                "id", "channel_id", "author", "content", "timestamp", "edited_timestamp", "tts",
                "mention_everyone", "mentions", "mention_roles", "attachments", "embeds", "pinned",
                "type", "flags", "components")}
        payloads.append(payload)
        recent.append(payload)
        if len(recent) > 200:
            del recent[:100]
    return Corpus(guild, payloads)
