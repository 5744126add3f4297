"""The `pitchfree` command line: run without a token, check, schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jsonschema
import yaml

from bot.app import load_config
from bot.cli import main
from bot.config import guild_file_schema


def run_cli(*args, env=None, cwd=None):
    full_env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=120)


def test_run_without_token_prints_one_line_and_exits_2():
    result = run_cli("run")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "DISCORD_TOKEN" in result.stderr and "Traceback" not in result.stderr


def test_version_and_help(capsys):
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("pitchfree ")
    assert main([]) == 2
    assert "run" in capsys.readouterr().out


def test_check_shipped_config_is_valid(root):
    result = run_cli("check", "--config-dir", str(root / "config"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok:")


def test_check_reports_each_problem_with_file_line_and_path(tmp_path, root):
    cfg = tmp_path / "config"
    (cfg / "guilds").mkdir(parents=True)
    (cfg / "default.yaml").write_text((root / "config" / "default.yaml").read_text())
    (cfg / "guilds" / "123.yaml").write_text(
        "moderator_roles: lots\n"          # wrong type
        "mod_log_chanel: 5\n"              # unknown key
        "plugins: {}\n"
        "admin_roles: [1]\n"
    )
    (cfg / "guilds" / "456.yaml").write_text(
        "plugins:\n  nosuch:\n    overrides:\n      - when: {}\n        config: {}\n"  # bad plugin/override
    )
    result = run_cli("check", "--config-dir", str(cfg), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert "config/guilds/123.yaml:1: moderator_roles: Input should be a valid list" in lines
    assert any(line.startswith("config/guilds/123.yaml:2: mod_log_chanel: unknown key") for line in lines)
    assert any(line.startswith("config/guilds/456.yaml:2: plugins.nosuch: unknown plugin") for line in lines)
    assert len(lines) == 3


def test_schema_is_valid_and_shipped_files_validate(root):
    result = run_cli("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name in ("guilds/example.yaml", "default.yaml"):
        data = yaml.safe_load((root / "config" / name).read_text())
        errors = list(validator.iter_errors(data))
        assert not errors, f"{name}: {errors[0].message}"
    assert list(validator.iter_errors({"moderator_roles": "x"})) != []
    assert list(validator.iter_errors({"plugins": {"nosuch": {}}})) != []


def test_committed_schema_copy_is_in_sync(root):
    store, _ = load_config(None)
    committed = json.loads((root / "config" / "schema" / "guild.schema.json").read_text())
    assert committed == json.loads(json.dumps(guild_file_schema(store.models))), (
        "config/schema/guild.schema.json is stale: run `pitchfree schema --out config/schema/guild.schema.json`"
    )
    for name in ("default.yaml", "guilds/example.yaml"):
        first = (root / "config" / name).read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=") and "guild.schema.json" in first


def test_shipped_defaults_list_every_plugin_key_with_its_model_default(root):
    store, _ = load_config(None)
    shipped = yaml.safe_load((root / "config" / "default.yaml").read_text())["plugins"]
    assert set(shipped) == set(store.models)
    for name, model in store.models.items():
        assert shipped[name] == model().model_dump(mode="json"), f"config/default.yaml: plugins.{name} is stale"
        assert all(field.description for field in model.model_fields.values()), name
