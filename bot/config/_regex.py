"""Admin-supplied regexes, compiled with RE2 so that no pattern can stall the bot."""

from __future__ import annotations

import re2


def compile_admin_regex(pattern: str, *, case_sensitive: bool = False):
    """Compile an admin pattern with RE2 (linear time) or raise ValueError saying why it was refused.

    Use it in config validators, so that a bad pattern is reported at load with file and line.
    """
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = case_sensitive
    options.max_mem = 8 << 20
    try:
        return re2.compile(pattern, options)
    except Exception as exc:  # re2.error carries the parser's message
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise ValueError(
            f"regex {pattern!r} is not valid RE2 ({detail}); RE2 runs in linear time and does not "
            "support backreferences (\\1) or lookaround ((?=...), (?!...), (?<=...))"
        ) from None
