"""JSON Schema of a guild config file, generated from the config models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, create_model

from bot.config._models import CoreConfig, Override


def guild_file_schema(models: dict[str, type[BaseModel]]) -> dict[str, Any]:
    """Build the JSON Schema (draft 2020-12) that editors use to validate guild files."""
    blocks = {}
    for name, model in sorted(models.items()):
        block = create_model(
            f"{model.__name__}File",
            __base__=model,
            enabled=(bool, Field(default=True, description="Turn the plugin off for this community.")),
            overrides=(
                list[Override],
                Field(default_factory=list, description="Partial configs applied where `when` matches."),
            ),
        )
        blocks[name] = (block | None, Field(default=None, description=(model.__doc__ or "").strip()))
    plugins = create_model("Plugins", __base__=_Forbid, **blocks)
    guild_file = create_model(
        "GuildFile",
        __base__=CoreConfig,
        plugins=(plugins | None, Field(default=None, description="Per-plugin settings.")),
    )
    schema = guild_file.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "pitchfree guild config"
    return schema


class _Forbid(BaseModel):
    model_config = {"extra": "forbid"}
