"""Write a large synthetic DiscordChatExporter export, for measuring `pitchfree replay`.

    python examples/make_large_export.py /tmp/big --messages 1000000 --channels 8

Messages are spread over several channels (one file each), written as a stream so the generator's
own memory stays small. Content is varied chat with occasional links, mentions, replies and thanks.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

GUILD = {"id": "900000000000000001", "name": "Synthetic Guild", "iconUrl": ""}
_TEXT = ("the build fails when I run the tests on windows any idea why maybe the path is wrong try "
         "updating your python version it works on my machine though could be caching did you clear "
         "the venv first yes still broken ok weird let me check the logs")
WORDS = _TEXT.split()
EXTRAS = ("thanks a lot, that fixed it!", "see the docs at https://docs.python.org/3/library/asyncio.html",
          "ty @{name}", "lol", "good morning everyone", "here's the traceback https://gist.github.com/abc123")
PROMOS = ("check out my new tool https://example.com/launch, link in bio!", "join my server discord.gg/abcdef",
          "subscribe to my channel https://youtube.com/watch?v=xyz for daily tips")


def _user(i: int) -> dict:
    return {"id": str(100000000000000000 + i), "name": f"user{i}", "discriminator": "0000",
            "nickname": f"User {i}", "color": None, "isBot": False,
            "roles": [{"id": "800000000000000001", "name": "Member", "color": None, "position": 1}]}


def write(out: Path, messages: int, channels: int, users: int, promo_rate: float = 0.002, seed: int = 7) -> None:
    """Write `channels` export files holding `messages` messages in all."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    people = [_user(i) for i in range(users)]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    per = messages // channels
    for c in range(channels):
        cid = 700000000000000000 + c
        path = out / f"channel-{c}.json"
        with path.open("w", encoding="utf-8") as f:
            header = {"guild": GUILD, "channel": {"id": str(cid), "type": "GuildTextChat",
                                                  "categoryId": "600000000000000001", "category": "Text",
                                                  "name": f"channel-{c}", "topic": None},
                      "dateRange": {"after": None, "before": None},
                      "exportedAt": (start + timedelta(seconds=per * 20)).isoformat()}
            f.write(json.dumps(header, indent=2)[:-2] + ',\n  "messages": [\n')
            t = start
            last_id = None
            for n in range(per):
                t += timedelta(seconds=rng.uniform(1, 39))
                author = people[rng.randrange(users)]
                words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 18)))
                if rng.random() < 0.1:
                    words += " " + rng.choice(EXTRAS).format(name=people[rng.randrange(users)]["nickname"])
                elif rng.random() < promo_rate:
                    words += " " + rng.choice(PROMOS)
                mid = (int((t - datetime(2015, 1, 1, tzinfo=UTC)).total_seconds() * 1000) << 22) + c * 4096 + n % 4096
                msg = {"id": str(mid), "type": "Default", "timestamp": t.isoformat(), "timestampEdited": None,
                       "callEndedTimestamp": None, "isPinned": False, "content": words, "author": author,
                       "attachments": [], "embeds": [], "stickers": [], "reactions": [], "mentions": [],
                       "inlineEmojis": []}
                if last_id and rng.random() < 0.15:
                    msg["type"] = "Reply"
                    msg["reference"] = {"type": "Default", "messageId": last_id, "channelId": str(cid),
                                        "guildId": GUILD["id"]}
                text = json.dumps(msg, indent=2, ensure_ascii=False).replace("\n", "\n    ")
                f.write(("    " if n == 0 else ",\n    ") + text)
                last_id = msg["id"]
            f.write(f'\n  ],\n  "messageCount": {per}\n}}\n')


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--promo-rate", type=float, default=0.002, help="share of messages that promote")
    args = parser.parse_args()
    write(args.out, args.messages, args.channels, args.users, args.promo_rate)


if __name__ == "__main__":
    main()
