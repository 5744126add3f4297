"""Config faults through `/pitchfree config reload`: the running config stays and the admin is told why."""

from __future__ import annotations

import time

import pytest
import yaml

pytestmark = pytest.mark.e2e

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True))


async def _reload(fake, world) -> str:
    record = await fake.invoke_slash("pitchfree config reload", {}, world.admin, world.general)
    text, ephemeral = await record.wait_text()
    assert ephemeral
    return text


async def _still_in_force(fake, world, bot, mod_log: int, threshold: float) -> None:
    guild = bot.engine.config.guild(world.guild.id)
    assert guild.core.mod_log_channel == mod_log
    assert guild.plugins["self_promotion"].base.threshold == threshold
    record = await fake.invoke_slash("pitchfree status", {}, world.mod, world.general)  # roles still apply
    text, _ = await record.wait_text()
    assert "pitchfree status" in text


@pytest.mark.parametrize(("content", "expected"), [
    ("mod_log_channel: [not, a, channel]\nplugins:\n  self_promotion:\n    treshold: 2\n", ("treshold", ".yaml:4:", "did you mean")),
    ("", ("file is empty",)),
    ("   \n# only a comment\n", ("file is empty",)),
    ("moderator_roles: [1, 2\n", ("invalid yaml",)),
    ("- just\n- a list\n", ("top level must be a mapping",)),
    (BOMB, ("anchors and aliases",)),
    ("x: " + "y" * (1024 * 1024 + 10) + "\n", ("1 mib",)),
    (b"\xff\xfe not utf-8", ("not valid utf-8",)),
], ids=["invalid", "empty", "comment-only", "bad-yaml", "not-a-mapping", "yaml-bomb", "too-large", "binary"])
async def test_a_bad_guild_file_keeps_the_running_config(fake, world, config_dir, plugin_runner, content, expected):
    path = config_dir / "guilds" / f"{world.guild.id}.yaml"
    good = yaml.safe_load(path.read_text())
    good["plugins"] = {"self_promotion": {"threshold": 1.5}}
    path.write_text(yaml.safe_dump(good))
    bot = await plugin_runner.start()
    generation = bot.engine.config.generation
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    started = time.perf_counter()
    text = await _reload(fake, world)
    took = time.perf_counter() - started
    lowered = text.lower()
    assert "problems" in lowered and f"{world.guild.id}.yaml" in text, text
    for word in expected:
        assert word.lower() in lowered, text
    assert "still using the previous valid config" in lowered
    assert took < 2.0  # the bomb is refused before it expands
    await _still_in_force(fake, world, bot, world.mod_log.id, 1.5)
    assert bot.engine.config.generation == generation + 1
    # fixing the file applies it again
    good["plugins"]["self_promotion"]["threshold"] = 1.25
    path.write_text(yaml.safe_dump(good))
    assert "no problems" in (await _reload(fake, world)).lower()
    assert bot.engine.config.guild(world.guild.id).plugins["self_promotion"].base.threshold == 1.25


async def test_a_bad_default_file_keeps_the_running_defaults(fake, world, config_dir, plugin_runner):
    bot = await plugin_runner.start()
    (config_dir / "default.yaml").write_text("language: [en\n")
    text = await _reload(fake, world)
    assert "default.yaml" in text and "invalid yaml" in text.lower() and "previous valid config" in text
    await _still_in_force(fake, world, bot, world.mod_log.id,
                          bot.engine.config.guild(world.guild.id).plugins["self_promotion"].base.threshold)


async def test_files_for_unknown_guilds_do_not_touch_the_running_config(fake, world, config_dir, plugin_runner):
    bot = await plugin_runner.start()
    before = bot.engine.config.guild(world.guild.id)
    (config_dir / "guilds" / "424242.yaml").write_text("mod_log_channel: 1\nmoderator_roles: [2]\n")
    (config_dir / "guilds" / "general.yaml").write_text("mod_log_channel: 5\n")
    (config_dir / "guilds" / "13.yaml").write_text("no_such_key: 1\n")
    text = await _reload(fake, world)
    assert "13.yaml" in text and "no_such_key" in text
    assert "424242.yaml: the bot is not in a server with id 424242" in text
    assert bot.engine.config.guild(world.guild.id) == before
    await _still_in_force(fake, world, bot, world.mod_log.id, before.plugins["self_promotion"].base.threshold)
