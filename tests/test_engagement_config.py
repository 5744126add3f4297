"""The shipped default block matches the config model."""

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from plugins.engagement import EngagementConfig

DEFAULTS = Path(__file__).resolve().parent.parent / "plugins" / "engagement" / "default_config.yaml"


def test_default_config_lists_every_key_with_its_default():
    data = yaml.safe_load(DEFAULTS.read_text())
    assert set(data) == set(EngagementConfig.model_fields)
    assert EngagementConfig(**data) == EngagementConfig()


def test_every_field_is_described():
    assert all(f.description for f in EngagementConfig.model_fields.values())


@pytest.mark.parametrize("bad", [{"question_languages": ["xx"]}, {"nudge_after_minutes": 0},
                                 {"quiet_hours_start": 24}, {"unknown_key": 1}])
def test_invalid_values_are_rejected(bad):
    with pytest.raises(ValidationError):
        EngagementConfig(**bad)
