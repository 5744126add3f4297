"""Pitch-free zone: self-promotion detection with transparent, weighted signals and an explainable ladder."""

from plugins.self_promotion._plugin import SelfPromotion

__all__ = ["SelfPromotion"]
