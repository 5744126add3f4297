"""Runs the `pitchfree` CLI (e.g. `run`) in a subprocess against the fake (never the real Discord)."""

import os
import sys

import discord
import yarl

from bot.cli import main

if __name__ == "__main__":
    api, gateway = os.environ["FAKE_DISCORD_API"], os.environ["FAKE_DISCORD_GATEWAY"]
    if not api.startswith("http://127.0.0.1:") or not gateway.startswith("ws://127.0.0.1:"):
        sys.exit("refusing to run against anything but the loopback fake")
    discord.http.Route.BASE = api
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    sys.exit(main(sys.argv[1:]))
