"""pitchfree: a self-hosted Discord moderation bot that keeps communities pitch-free."""

__version__ = "0.1.0"
