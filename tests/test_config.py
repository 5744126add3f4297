"""Config files: validation errors with file:line, override semantics, reload, safety limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from bot.config import ConfigError, ConfigStore, StrictModel, load_yaml_text


class Limits(StrictModel):
    per_day: int = 1


class DemoConfig(StrictModel):
    max_links: int = 2
    words: list[str] = Field(default_factory=lambda: ["a", "b"])
    limits: Limits = Field(default_factory=Limits)
    note: str = "base"


MODELS = {"demo": DemoConfig}


def write(dirpath: Path, name: str, text: str) -> Path:
    path = dirpath / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def cfg_dir(tmp_path):
    write(tmp_path, "default.yaml", "moderator_roles: [1]\nplugins:\n  demo:\n    max_links: 3\n")
    return tmp_path


def load(cfg_dir) -> tuple[ConfigStore, list[str]]:
    store = ConfigStore(cfg_dir, MODELS)
    report = store.load()
    return store, [str(p) for p in report.problems]


def test_defaults_and_guild_layering(cfg_dir):
    write(cfg_dir, "guilds/42.yaml", "timezone: Europe/Berlin\nplugins:\n  demo:\n    limits: {per_day: 5}\n")
    store, problems = load(cfg_dir)
    assert problems == []
    guild = store.guild(42)
    assert guild.core.timezone == "Europe/Berlin" and guild.core.moderator_roles == [1]
    demo = guild.plugins["demo"].base
    assert (demo.max_links, demo.limits.per_day, demo.words) == (3, 5, ["a", "b"])
    assert store.guild(999).plugins["demo"].base.max_links == 3  # unknown guild: defaults


def test_errors_name_file_line_and_key_path(cfg_dir):
    write(cfg_dir, "guilds/7.yaml", "\n".join([
        "moderator_roles: [1]",            # 1
        "plugins:",                        # 2
        "  demo:",                         # 3
        "    max_links: lots",             # 4  wrong type
        "    max_linkz: 3",                # 5  unknown key
        "    overrides:",                  # 6
        "      - when: {channels: [5]}",   # 7
        "        config:",                 # 8
        "          limits: {per_day: x}",  # 9  bad override value
        "      - when: {}",                # 10 empty when
        "        config: {note: y}",       # 11
        "  nosuch: {}",                    # 12 unknown plugin
    ]) + "\n")
    store, problems = load(cfg_dir)
    text = "\n".join(problems)
    assert "guilds/7.yaml:4: plugins.demo.max_links: Input should be a valid integer" in text
    assert "guilds/7.yaml:5: plugins.demo.max_linkz: unknown key 'max_linkz' (did you mean 'max_links'?)" in text
    assert "guilds/7.yaml:9: plugins.demo.overrides[0].config.limits.per_day: Input should be a valid integer" in text
    assert "guilds/7.yaml:10: plugins.demo.overrides[1].when" in text and "at least one of" in text
    assert "guilds/7.yaml:12: plugins.nosuch: unknown plugin 'nosuch'" in text
    assert len(problems) == 5
    assert 7 not in store.guild_ids()


def test_core_key_errors(cfg_dir):
    write(cfg_dir, "guilds/8.yaml", "timezone: Mars/Olympus\nmod_log_chanel: 5\n")
    _, problems = load(cfg_dir)
    assert any(":1: timezone: " in p and "unknown timezone" in p for p in problems)
    assert any(":2: mod_log_chanel: unknown key" in p and "mod_log_channel" in p for p in problems)


OVERRIDES = """
plugins:
  demo:
    words: [x, y]
    overrides:
      - when: {channels: [10]}
        config: {max_links: 10, limits: {per_day: 9}}
      - when: {roles: [77]}
        config: {max_links: 77, words: [z]}
      - when: {channels: [10], roles: [88]}
        config: {note: both}
      - when: {categories: [500]}
        config: {enabled: false}
      - when: {users: [1234]}
        config: {note: user}
"""


def test_override_semantics(cfg_dir):
    write(cfg_dir, "guilds/1.yaml", OVERRIDES)
    store, problems = load(cfg_dir)
    assert problems == []
    rules = store.guild(1).plugins["demo"]

    def resolve(channel=1, parent=None, category=None, roles=(), user=2):
        return rules.resolve(channel, parent, category, frozenset(roles), user)

    enabled, base = resolve()
    assert enabled and (base.max_links, base.words, base.note) == (3, ["x", "y"], "base")
    # dicts deep-merge: limits.per_day replaced, nothing else lost
    _, in_10 = resolve(channel=10)
    assert (in_10.max_links, in_10.limits.per_day, in_10.words) == (10, 9, ["x", "y"])
    # a thread inside channel 10 matches through its parent
    assert resolve(channel=999, parent=10)[1].max_links == 10
    # later overrides win; lists replace
    _, both = resolve(channel=10, roles=[77])
    assert (both.max_links, both.words, both.limits.per_day) == (77, ["z"], 9)
    # keys AND together: channel 10 alone or role 88 alone does not match override 3
    assert resolve(channel=10)[1].note == "base"
    assert resolve(roles=[88])[1].note == "base"
    assert resolve(channel=10, roles=[88])[1].note == "both"
    # enabled can be overridden; users match exactly
    assert resolve(category=500)[0] is False
    assert resolve(user=1234)[1].note == "user"
    # resolution is cached per matching set
    assert resolve(channel=10)[1] is resolve(channel=10, roles=[5])[1]


def test_reload_keeps_previous_valid_config(cfg_dir):
    path = write(cfg_dir, "guilds/5.yaml", "plugins:\n  demo:\n    max_links: 4\n")
    store, _ = load(cfg_dir)
    assert store.guild(5).plugins["demo"].base.max_links == 4
    path.write_text("plugins:\n  demo:\n    max_links: [oops]\n")
    report = store.load()
    assert not report.ok
    assert store.guild(5).plugins["demo"].base.max_links == 4
    assert any("still using the previous valid config" in line for line in report.lines())
    path.write_text("")
    report = store.load()
    assert any("empty" in line for line in report.lines())
    assert store.guild(5).plugins["demo"].base.max_links == 4
    path.write_text("plugins:\n  demo:\n    max_links: 6\n")
    assert store.load().ok and store.guild(5).plugins["demo"].base.max_links == 6


def test_invalid_default_keeps_previous_defaults(cfg_dir):
    store, _ = load(cfg_dir)
    write(cfg_dir, "default.yaml", "plugins: [broken\n")
    report = store.load()
    assert not report.ok
    assert store.guild(None).plugins["demo"].base.max_links == 3


@pytest.mark.parametrize("text, expected", [
    ("a: &x [1]\nb: *x\n", "anchors and aliases"),
    ("a: 1\na: 2\n", "duplicate key"),
    ("- 1\n- 2\n", "top level must be a mapping"),
    ("a: [1,\n", "invalid YAML"),
    ("", "file is empty"),
    ("!!python/object:os.system {}\n", "invalid YAML"),
])
def test_unsafe_or_malformed_yaml_is_rejected(text, expected):
    with pytest.raises(ConfigError) as info:
        load_yaml_text(text, "x.yaml")
    assert expected in str(info.value)
    assert str(info.value).startswith("x.yaml")


def test_billion_laughs_and_size_limit(tmp_path):
    bomb = "a: &a ['lol','lol']\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\n"
    with pytest.raises(ConfigError, match="anchors"):
        load_yaml_text(bomb, "bomb.yaml")
    big = tmp_path / "guilds" / "3.yaml"
    big.parent.mkdir()
    big.write_text("a: '" + "x" * (1024 * 1024) + "'\n")
    (tmp_path / "default.yaml").write_text("language: en\n")
    _, problems = load(tmp_path)
    assert any("1 MiB" in p for p in problems)


def test_blocks_of_builtin_plugins_left_out_are_skipped_not_errors(cfg_dir):
    write(cfg_dir, "guilds/4.yaml", "plugins:\n  absent_builtin: {anything: 1}\n  typo_plugin: {}\n")
    store = ConfigStore(cfg_dir, MODELS, not_loaded=frozenset({"absent_builtin"}))
    problems = [str(p) for p in store.load().problems]
    assert len(problems) == 1 and "unknown plugin 'typo_plugin'" in problems[0]


def test_admin_regexes_are_linear_time_or_refused():
    import time

    from bot.config import compile_admin_regex

    with pytest.raises(ValueError, match="backreferences"):
        compile_admin_regex(r"(a)\1")
    evil = compile_admin_regex(r"(a+)+$")  # catastrophic for backtracking engines
    start = time.perf_counter()
    assert evil.search("a" * 50_000 + "!") is None
    assert time.perf_counter() - start < 1.0
    assert compile_admin_regex("Free NITRO").search("free nitro here")
