"""Per-community YAML rules: loading, validation with file:line errors, overrides, reload."""

from bot.config._guild import GuildConfig, PluginRules, build_guild_config
from bot.config._models import CoreConfig, Override, StrictModel, When, deep_merge, only_known
from bot.config._regex import compile_admin_regex, search_test
from bot.config._schema import guild_file_schema
from bot.config._store import ConfigStore, LoadReport
from bot.config._yaml import ConfigError, ConfigProblem, load_yaml_file, load_yaml_text

__all__ = [
    "ConfigError",
    "ConfigProblem",
    "ConfigStore",
    "CoreConfig",
    "GuildConfig",
    "LoadReport",
    "Override",
    "PluginRules",
    "StrictModel",
    "When",
    "build_guild_config",
    "compile_admin_regex",
    "search_test",
    "deep_merge",
    "guild_file_schema",
    "load_yaml_file",
    "load_yaml_text",
    "only_known",
]
