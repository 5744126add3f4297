"""Write the demo export in `examples/export/` (DiscordChatExporter JSON, one file per channel/thread).

    python examples/make_demo_export.py          # rewrites examples/export/*.json

A small made-up community, "Side Project Club", over a week (a quiet weekend, then five busy days): a help channel with questions,
answers and thanks (by mention, by reply and by reaction), a help thread, a forum post, general
banter, a showcase channel, a newcomer who drops the same link in several channels, an invite
spammer, a member who promotes his own things too often, and questions nobody answers.
The output is deterministic; the JSON files are committed so the demo needs nothing but pitchfree.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent / "export"
DISCORD_EPOCH = datetime(2015, 1, 1, tzinfo=UTC)
START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)  # a Monday
EXPORTED_AT = START + timedelta(days=5)


def snowflake(at: datetime, seq: int = 0) -> int:
    """A Discord id for something created at `at`."""
    return (int((at - DISCORD_EPOCH).total_seconds() * 1000) << 22) + seq


GUILD_ID = snowflake(datetime(2021, 6, 1, tzinfo=UTC))
GUILD = {"id": str(GUILD_ID), "name": "Side Project Club", "iconUrl": "Side Project Club.json_Files/icon.png"}
CAT_COMMUNITY = snowflake(datetime(2021, 6, 1, 0, 5, tzinfo=UTC))
CAT_SUPPORT = snowflake(datetime(2021, 6, 1, 0, 6, tzinfo=UTC))
ROLES = {
    "Moderators": (snowflake(datetime(2021, 6, 1, 1, tzinfo=UTC)), "#E74C3C", 4),
    "Helpers": (snowflake(datetime(2021, 6, 1, 2, tzinfo=UTC)), "#2ECC71", 3),
    "Regulars": (snowflake(datetime(2021, 6, 1, 3, tzinfo=UTC)), "#3498DB", 2),
}
# channel key -> (id, kind, category id, category name, name, topic)
CHANNELS = {
    "general": (snowflake(datetime(2021, 6, 1, 0, 10, tzinfo=UTC)), "GuildTextChat", CAT_COMMUNITY,
                "Community", "general", "Chat about anything"),
    "help": (snowflake(datetime(2021, 6, 1, 0, 11, tzinfo=UTC)), "GuildTextChat", CAT_SUPPORT,
             "Support", "help", "Ask questions here. Say what you tried and paste the error."),
    "showcase": (snowflake(datetime(2021, 6, 1, 0, 12, tzinfo=UTC)), "GuildTextChat", CAT_COMMUNITY,
                 "Community", "showcase", "Show what you built. One post per project per week, please."),
    "welcome": (snowflake(datetime(2021, 6, 1, 0, 9, tzinfo=UTC)), "GuildTextChat", CAT_COMMUNITY,
                "Community", "welcome", "Say hi! Read the rules in #rules first."),
}
FORUM_ID = snowflake(datetime(2023, 2, 1, tzinfo=UTC))  # the "questions" forum channel (no file of its own)
MOD_LOG_ID = snowflake(datetime(2021, 6, 1, 0, 13, tzinfo=UTC))

# key -> (username, display name, roles, account created, joined the server (None: during the export))
PEOPLE = {
    "maya": ("maya.codes", "Maya", ["Helpers", "Regulars"], datetime(2019, 4, 2, tzinfo=UTC),
             datetime(2024, 9, 14, 18, 2, tzinfo=UTC)),
    "theo": ("theo_b", "Theo", ["Helpers"], datetime(2018, 11, 20, tzinfo=UTC), datetime(2024, 9, 2, 9, 40, tzinfo=UTC)),
    "lena": ("lena.k", "Lena", ["Moderators"], datetime(2017, 8, 9, tzinfo=UTC), datetime(2024, 9, 1, 12, 0, tzinfo=UTC)),
    "priya": ("priyanka", "Priya", ["Regulars"], datetime(2020, 1, 15, tzinfo=UTC),
              datetime(2024, 10, 3, 20, 15, tzinfo=UTC)),
    "jonas": ("jonas_w", "Jonas", [], datetime(2022, 5, 30, tzinfo=UTC), datetime(2025, 1, 8, 7, 55, tzinfo=UTC)),
    "sam": ("samwise", "Sam", ["Regulars"], datetime(2019, 9, 9, tzinfo=UTC), datetime(2024, 9, 3, 21, 30, tzinfo=UTC)),
    "kofi": ("kofi.dev", "Kofi", ["Regulars"], datetime(2020, 7, 7, tzinfo=UTC), datetime(2024, 11, 11, 11, 11, tzinfo=UTC)),
    "amara": ("amara_o", "Amara", [], datetime(2023, 3, 3, tzinfo=UTC), datetime(2025, 2, 20, 16, 45, tzinfo=UTC)),
    "noor": ("noor.h", "Noor", [], datetime(2021, 12, 12, tzinfo=UTC), datetime(2025, 1, 26, 13, 5, tzinfo=UTC)),
    "devon": ("devonbuilds", "Devon Builds", ["Regulars"], datetime(2020, 10, 1, tzinfo=UTC),
              datetime(2024, 12, 1, 10, 0, tzinfo=UTC)),
    "rico": ("rico.growth", "Rico", [], START + timedelta(days=-3), None),
    "nitro": ("giveaway_bot_2025", "Free Nitro Drops", [], START + timedelta(hours=2), None),
}
WEEKEND = START - timedelta(days=2)  # the export starts on the Saturday before
USER_IDS = {k: snowflake(v[3], i) for i, (k, v) in enumerate(PEOPLE.items())}
WELCOME_AFTER = datetime(2024, 9, 1, tzinfo=UTC)  # #welcome was exported from here (its join messages)

BANTER = [
    ("sam", "morning all ☕"), ("kofi", "morning! anyone else fighting daylight saving bugs this week"),
    ("theo", "timezones are the final boss of every project"), ("priya", "store UTC, render local, pray"),
    ("sam", "did anyone watch the keynote yesterday?"), ("kofi", "only the first half, the demo crashed lol"),
    ("maya", "live demos are a brave choice"), ("sam", "what's everyone building this week?"),
    ("kofi", "a habit tracker that yells at me"), ("priya", "still refactoring the same form component 😅"),
    ("theo", "rewriting my blog in plain HTML. no build step. bliss"), ("jonas", "that's the dream tbh"),
    ("sam", "lunch break, back in 30"), ("maya", "tabs vs spaces debate is banned before noon"),
    ("kofi", "spaces. fight me after noon then"), ("sam", "my cat just deployed to production"),
    ("priya", "hope it wrote tests"), ("theo", "cats don't write tests, they knock them off the table"),
    ("jonas", "anyone going to the meetup on thursday?"), ("maya", "yes! I'll be there"),
    ("kofi", "can't this time, next month for sure"), ("sam", "friday! what are the weekend plans"),
    ("priya", "hiking, no laptop"), ("theo", "laptop, no hiking"), ("noor", "hi everyone, long-time lurker here"),
    ("maya", "welcome Noor!"), ("sam", "the coffee machine at work finally died"),
    ("kofi", "rip. a moment of silence"), ("jonas", "good night folks"), ("amara", "hey all 👋"),
]

WARMUP = [
    ("sam", "anyone around this weekend?"), ("kofi", "yep, procrastinating on chores"),
    ("maya", "same, pretending the garden doesn't exist"), ("theo", "I'm porting my side project to a new framework "
     "for the third time"), ("priya", "the eternal rewrite"), ("sam", "is it still the recipe app?"),
    ("theo", "yes. it has more frameworks than recipes now"), ("lena", "reminder: rules got a small update, "
     "showcase is one post per project per week"), ("kofi", "noted 👍"), ("priya", "makes sense"),
    ("maya", "finally fixed my flaky CI job, it was a test depending on the current date"),
    ("sam", "classic"), ("jonas", "hi all, what's a good first project to learn async python?"),
    ("theo", "a little web scraper with aiohttp is a nice one"), ("maya", "or a discord bot, fittingly"),
    ("jonas", "ha, ok I'll try the scraper first"), ("devon", "morning builders"),
    ("devon", "what's everyone shipping this week?"), ("priya", "a settings page. very glamorous"),
    ("kofi", "photo renamer, almost done"), ("sam", "nothing, I'm on a break and it's great"),
    ("noor", "reading the asyncio docs cover to cover, send help"), ("theo", "the task groups section is worth it"),
    ("amara", "is it ok to ask beginner questions in #help?"), ("lena", "absolutely, that's what it's for"),
    ("amara", "great, thanks!"), ("kofi", "pizza or tacos for dinner"), ("priya", "tacos, obviously"),
    ("sam", "both, it's the weekend"), ("maya", "anyone tried the new python release yet?"),
    ("theo", "upgraded one project, no drama"), ("jonas", "my editor doesn't support it yet 😅"),
    ("noor", "how do people keep up with all the releases"), ("maya", "you don't, you pick a few things"),
    ("priya", "I keep a notes file of things to try. it only grows"), ("kofi", "relatable"),
    ("sam", "good night all"), ("devon", "night!"), ("priya", "morning! sunday coffee ☕"),
    ("maya", "morning"), ("theo", "ok the recipe app works again, on framework number three"),
    ("sam", "ship it before you rewrite it again"), ("kofi", "lol"), ("jonas", "the scraper works!! "
     "50 pages in 2 seconds"), ("theo", "nice, now add a rate limit so you don't hammer the site"),
    ("jonas", "good point, adding a semaphore"), ("maya", "that's the way"), ("noor", "what's a semaphore for, "
     "in that case?"), ("theo", "it caps how many requests run at once, e.g. 5 at a time"),
    ("noor", "oh that's neat"), ("priya", "back to the settings page I go"), ("lena", "have a good week everyone"),
    ("sam", "you too"), ("kofi", "see you tomorrow"), ("amara", "👋"), ("devon", "great chat today folks"),
]

script: list[dict] = []


def post(channel: str, day: float, hh: int, mm: int, who: str, text: str, base: datetime | None = None,
         **extra) -> dict:
    """Add a message; returns it so replies and reactions can point at it."""
    at = (base or START) + timedelta(days=day, hours=hh - 8, minutes=mm, seconds=random.randint(0, 50))
    msg = {"channel": channel, "at": at, "who": who, "text": text, **extra}
    msg["id"] = extra.get("id") or snowflake(at, len(script) % 4096)
    script.append(msg)
    return msg


def build() -> None:
    """The five days, as posted."""
    random.seed(2025)
    threads: dict[str, tuple] = {}
    for key, person in PEOPLE.items():
        if person[4] is not None:
            post("welcome", 0, 8, 0, key, "Joined the server.", base=person[4] - timedelta(hours=0), kind="GuildMemberJoin")
    # -- the weekend before: ordinary chat, so regulars have a history by Monday --
    for i, (who, text) in enumerate(WARMUP):
        day, slot = divmod(i, len(WARMUP) // 2 + 1)
        post("general", day, 9 + slot * 12 // (len(WARMUP) // 2 + 1), (slot * 23) % 60, who, text, base=WEEKEND)
    wq = post("help", 0, 15, 0, "noor", "Why does my asyncio script exit before the tasks finish? I create them "
              "with create_task and then main() returns.", base=WEEKEND + timedelta(days=1))
    wa = post("help", 0, 15, 9, "theo", "main() has to await them: keep the tasks in a list and `await "
              "asyncio.gather(*tasks)`, or use a TaskGroup. When main returns, asyncio.run cancels the rest.",
              reply_to=wq, base=WEEKEND + timedelta(days=1))
    post("help", 0, 15, 20, "noor", "that fixed it, thank you Theo!", reply_to=wa, base=WEEKEND + timedelta(days=1))
    # -- Monday --
    post("general", 0, 8, 5, "sam", BANTER[0][1])
    post("general", 0, 8, 7, "kofi", BANTER[1][1])
    post("general", 0, 8, 12, "theo", BANTER[2][1])
    q1 = post("help", 0, 8, 30, "priya", "My Flask app returns 500 only in production, locally it's fine. The logs "
              "just say Internal Server Error. Where do I even start?")
    a1 = post("help", 0, 8, 41, "maya", "Gunicorn hides the traceback unless you pass --capture-output (or set up "
              "logging to stderr). Turn that on and check the error log, it's usually a missing env var.",
              reply_to=q1, reactions=[("✅", ["priya", "jonas"])])
    post("help", 0, 8, 55, "priya", "that was it, DATABASE_URL wasn't set on the server. thank you so much!",
         reply_to=a1)
    k1 = post("showcase", 0, 9, 15, "kofi", "Finished my weekend project: a small CLI that renames photos by the "
              "date they were taken. Code is here: https://github.com/kofi-dev/photo-dater — feedback welcome!",
              embed="https://github.com/kofi-dev/photo-dater", reactions=[("🎉", ["maya", "sam", "theo"])])
    post("showcase", 0, 9, 20, "theo", "nice! does it handle HEIC files from iPhones?", reply_to=k1)
    post("showcase", 0, 9, 24, "kofi", "not yet, it's next on the list", reply_to=k1)
    post("welcome", 0, 9, 58, "rico", "Joined the server.", kind="GuildMemberJoin")
    post("general", 0, 10, 3, "rico", "hey guys 🔥 I just launched my course on making money with AI tools, "
         "check it out https://rico-growth.io/ai-course")
    post("help", 0, 10, 4, "rico", "if you want to learn this stuff fast my course covers everything "
         "https://rico-growth.io/ai-course")
    post("showcase", 0, 10, 5, "rico", "launching today!! https://rico-growth.io/ai-course use code EARLY50 "
         "for 50% off")
    post("general", 0, 10, 9, "lena", "@Rico welcome, but please don't drop the same link in every channel. "
         "Have a read of the rules first.", mentions=["rico"])
    q2 = post("help", 0, 11, 30, "jonas", "Is there a way to make pytest show print() output only for the tests "
              "that fail?")
    post("help", 0, 11, 52, "theo", "That's the default actually: captured output is shown for failures. If you "
         "want it for passing tests too, run with -rP.", reply_to=q2)
    post("help", 0, 12, 3, "jonas", "@Theo thanks, I had -s in my config which turns capturing off 🤦",
         mentions=["theo"])
    post("help", 0, 14, 10, "amara", "How do I keep a websocket connection alive behind nginx? It drops after "
         "exactly 60 seconds every time.")
    for i, (who, text) in enumerate(BANTER[3:10]):
        post("general", 0, 15 + i // 2, 5 + (i % 2) * 25, who, text)
    # -- Tuesday --
    post("welcome", 1, 8, 58, "nitro", "Joined the server.", kind="GuildMemberJoin")
    post("general", 1, 9, 0, "nitro", "🎁 FREE NITRO for the first 100 members!! claim here discord.gg/n1tr0drops")
    post("help", 1, 9, 0, "nitro", "🎁 free nitro giveaway discord.gg/n1tr0drops")
    post("showcase", 1, 9, 1, "nitro", "claim your nitro before it's gone discord.gg/n1tr0drops")
    post("general", 1, 9, 1, "nitro", "last chance!!! discord.gg/n1tr0drops @everyone")
    post("general", 1, 9, 6, "sam", "lol that was fast, thanks mods")
    post("showcase", 1, 14, 0, "devon", "New video is up: I built a SaaS in 48 hours 🚀 "
         "https://youtube.com/watch?v=dvnBld48h — like and subscribe!", embed="https://youtube.com/watch?v=dvnBld48h")
    q3 = post("help", 1, 15, 20, "kofi", "What's the cleanest way to run a function every 10 minutes in an "
              "asyncio app, without pulling in a scheduler library?")
    a3 = post("help", 1, 15, 31, "maya", "A task with a loop: `while True: await job(); await asyncio.sleep(600)`, "
              "started with asyncio.create_task at startup. Wrap job() in try/except so one failure doesn't end "
              "the loop.", reply_to=q3, reactions=[("🙏", ["kofi"])])
    post("help", 1, 15, 40, "kofi", "perfect, thanks @Maya!", reply_to=a3, mentions=["maya"])
    for i, (who, text) in enumerate(BANTER[10:16]):
        post("general", 1, 11 + i, 15, who, text)
    # -- Wednesday --
    post("general", 2, 10, 0, "devon", "btw my SaaS starter kit is 30% off this week only "
         "https://devonbuilds.dev/kit 🔥")
    forum_at = START + timedelta(days=2, hours=3, minutes=12)
    forum_id = snowflake(forum_at, 77)
    threads["forum"] = (forum_id, "How should I structure a monorepo with two Python packages?", FORUM_ID,
                        "questions", "GuildPublicThread")
    fq = post("forum", 2, 11, 12, "priya", "I have a web app and a shared library, both Python. One repo or two? "
              "If one, how do you lay out the folders so both can be installed?", id=forum_id)
    fa = post("forum", 2, 11, 40, "maya", "One repo works well: packages/app and packages/lib, each with its own "
              "pyproject.toml, and install lib in editable mode in dev. CI builds them separately.",
              reply_to=fq, reactions=[("✅", ["priya"])])
    post("forum", 2, 11, 58, "priya", "thanks @Maya, going with that layout", mentions=["maya"])
    post("forum", 2, 12, 10, "theo", "+1, and pin the lib version the app needs in app's pyproject", reply_to=fa)
    post("showcase", 2, 16, 0, "devon", "Day 2 of building in public: the landing page is live "
         "https://devonbuilds.dev 👀 feedback welcome, and follow me for daily updates!")
    for i, (who, text) in enumerate(BANTER[16:22]):
        post("general", 2, 12 + i, 40, who, text)
    # -- Thursday --
    thread_at = START + timedelta(days=3, hours=1, minutes=3)
    thread_id = snowflake(thread_at, 99)
    post("help", 3, 9, 2, "jonas", "Docker builds on CI never hit the cache, every run rebuilds from scratch. "
         "Opening a thread with details.")
    post("help", 3, 9, 3, "jonas", "Started a thread.", kind="ThreadCreated")
    threads["thread"] = (thread_id, "Docker cache on CI", CHANNELS["help"][0], "help", "GuildPublicThread")
    tq = post("thread", 3, 9, 5, "jonas", "Using GitHub Actions, docker build with a plain Dockerfile. Locally the "
              "cache works. On CI every layer is rebuilt.")
    ta = post("thread", 3, 9, 21, "theo", "CI runners start empty, so there is no local cache to hit. Use buildx "
              "with --cache-from/--cache-to type=gha, or push a cache image and pull it first.", reply_to=tq)
    post("thread", 3, 9, 40, "jonas", "thank you! --cache-from with the gha backend fixed it, builds went from "
         "6 min to 40 s", reply_to=ta)
    post("help", 3, 11, 0, "devon", "honestly you should all just use my starter kit, it solves all of this "
         "https://devonbuilds.dev/kit")
    post("help", 3, 13, 45, "noor", "Anyone used SQLAlchemy 2.0 async with SQLite? I get 'database is locked' "
         "as soon as two requests write at the same time.")
    post("showcase", 3, 17, 30, "maya", "The slides from my meetup talk on testing async code are up: "
         "https://maya-codes.dev/talks/async-testing", embed="https://maya-codes.dev/talks/async-testing",
         reactions=[("❤️", ["theo", "kofi", "priya"])])
    for i, (who, text) in enumerate(BANTER[22:26]):
        post("general", 3, 14 + i, 10, who, text)
    # -- Friday --
    post("showcase", 4, 10, 0, "devon", "Part 2 is out! https://youtube.com/watch?v=dvnBld48h2 smash that like "
         "button and share it with your friends 🚀", embed="https://youtube.com/watch?v=dvnBld48h2")
    post("general", 4, 10, 2, "devon", "new video in #showcase, go watch it https://youtube.com/watch?v=dvnBld48h2")
    post("help", 4, 16, 20, "amara", "What's the best way to find a memory leak in a long-running Python "
         "service? RSS grows slowly over a few days.")
    for i, (who, text) in enumerate(BANTER[26:]):
        post("general", 4, 17 + i, 5, who, text)
    _write(threads)


def _user(key: str, with_roles: bool = True) -> dict:
    username, display, roles, _, _ = PEOPLE[key]
    user = {"id": str(USER_IDS[key]), "name": username, "discriminator": "0000", "nickname": display,
            "color": ROLES[roles[0]][1] if roles else None, "isBot": False}
    if with_roles:
        user["roles"] = [{"id": str(ROLES[r][0]), "name": r, "color": ROLES[r][1], "position": ROLES[r][2]}
                         for r in roles]
    user["avatarUrl"] = f"Side Project Club.json_Files/{username}.png"
    return user


def _message(msg: dict) -> dict:
    text = msg["text"]
    kind = msg.get("kind") or ("Reply" if msg.get("reply_to") else "Default")
    out = {"id": str(msg["id"]), "type": kind, "timestamp": msg["at"].isoformat(timespec="milliseconds"),
           "timestampEdited": None, "callEndedTimestamp": None, "isPinned": False, "content": text,
           "author": _user(msg["who"]), "attachments": [], "embeds": [], "stickers": [], "reactions": [],
           "mentions": [_user(k) for k in msg.get("mentions", [])]}
    if msg.get("embed"):
        out["embeds"].append({"title": "", "url": msg["embed"], "timestamp": None, "description": "",
                              "images": [], "fields": [], "inlineEmojis": []})
    for emoji, users in msg.get("reactions", []):
        out["reactions"].append({"emoji": {"id": "", "name": emoji, "code": "", "isAnimated": False,
                                           "imageUrl": "twemoji.svg"},
                                 "count": len(users), "users": [_user(u, with_roles=False) for u in users]})
    if msg.get("reply_to"):
        parent = msg["reply_to"]
        out["reference"] = {"type": "Default", "messageId": str(parent["id"]),
                            "channelId": str(_channel_id(parent["channel"])), "guildId": str(GUILD_ID)}
    out["inlineEmojis"] = []
    return out


def _channel_id(key: str) -> int:
    return CHANNELS[key][0] if key in CHANNELS else _THREADS[key][0]


_THREADS: dict[str, tuple] = {}


def _write(threads: dict[str, tuple]) -> None:
    _THREADS.update(threads)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    files = {}
    for key, (cid, kind, cat_id, cat, name, topic) in CHANNELS.items():
        files[key] = (f"Side Project Club - {cat} - {name} [{cid}].json",
                      {"id": str(cid), "type": kind, "categoryId": str(cat_id), "category": cat, "name": name,
                       "topic": topic})
    for key, (tid, name, parent_id, parent_name, kind) in threads.items():
        files[key] = (f"Side Project Club - {parent_name} - {name} [{tid}].json",
                      {"id": str(tid), "type": kind, "categoryId": str(parent_id), "category": parent_name,
                       "name": name, "topic": None})
    for key, (filename, channel) in files.items():
        messages = sorted((m for m in script if m["channel"] == key), key=lambda m: m["at"])
        after = (WELCOME_AFTER if key == "welcome" else WEEKEND).isoformat(timespec="milliseconds")
        doc = {"guild": GUILD, "channel": channel, "dateRange": {"after": after, "before": None},
               "exportedAt": EXPORTED_AT.isoformat(timespec="milliseconds"),
               "messages": [_message(m) for m in messages], "messageCount": len(messages)}
        (OUT / filename.replace("?", "")).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n",
                                                     encoding="utf-8")


if __name__ == "__main__":
    build()
    print(f"wrote {len(list(OUT.glob('*.json')))} files to {OUT}")
