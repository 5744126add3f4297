"""`pitchfree replay`: dry-run a community's rules over DiscordChatExporter JSON exports, offline."""

from bot.replay._convert import ChannelInfo, Converter, channel_infos
from bot.replay._reader import ExportError, ExportReader
from bot.replay._run import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, run_replay

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_OK",
    "EXIT_USAGE",
    "ChannelInfo",
    "Converter",
    "ExportError",
    "ExportReader",
    "channel_infos",
    "run_replay",
]
