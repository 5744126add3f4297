"""Engagement config validation."""

import pytest
from pydantic import ValidationError

from plugins.engagement import EngagementConfig


def test_every_field_is_described():
    assert all(f.description for f in EngagementConfig.model_fields.values())


@pytest.mark.parametrize("bad", [{"question_languages": ["xx"]}, {"nudge_after_minutes": 0},
                                 {"quiet_hours_start": 24}, {"unknown_key": 1}])
def test_invalid_values_are_rejected(bad):
    with pytest.raises(ValidationError):
        EngagementConfig(**bad)
