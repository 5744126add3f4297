"""Random strings shaped by a regex: what its consuming parts match, lookarounds left out.

For coverage checks: a string sampled here may still fail the regex (a lookaround, a word
boundary), so a test keeps only the samples the real regex finds.
"""

from __future__ import annotations

import random
import re._constants as C
import re._parser as P

_CATEGORY_CHARS = {C.CATEGORY_WORD: "abcxyz019_é", C.CATEGORY_SPACE: " ", C.CATEGORY_DIGIT: "0123456789",
                   C.CATEGORY_NOT_WORD: " !.,", C.CATEGORY_NOT_SPACE: "ab!", C.CATEGORY_NOT_DIGIT: "ab "}
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)


def _class_choices(items) -> list[str]:
    """Characters a character class may match (a few, for a negated one)."""
    chars: list[str] = []
    negated = False
    for op, arg in items:
        if op is C.NEGATE:
            negated = True
        elif op is C.LITERAL:
            chars.append(chr(arg))
        elif op is C.RANGE:
            chars.extend(chr(x) for x in range(arg[0], min(arg[1], arg[0] + 30) + 1))
        elif op is C.CATEGORY:
            chars.extend(_CATEGORY_CHARS.get(arg, "a"))
    if negated:
        return [ch for ch in " a.!1xz" if ch not in chars] or ["~"]
    return chars or ["a"]


def sample(pattern: str, rng: random.Random) -> str:
    """One random string built from `pattern`'s consuming parts (each repeat at most twice more than its minimum)."""
    groups: dict[int, str] = {}

    def walk(items) -> str:
        out = []
        for op, arg in items:
            if op is C.LITERAL:
                out.append(chr(arg))
            elif op is C.NOT_LITERAL:
                out.append("b" if chr(arg) == "a" else "a")
            elif op is C.ANY:
                out.append(rng.choice("a !"))
            elif op is C.IN:
                out.append(rng.choice(_class_choices(arg)))
            elif op is C.BRANCH:
                out.append(walk(rng.choice(arg[1])))
            elif op is C.SUBPATTERN:
                text = walk(arg[3])
                out.append(text)
                if arg[0]:
                    groups[arg[0]] = text
            elif op in _REPEATS:
                low, high, body = arg
                out.extend(walk(body) for _ in range(rng.randint(low, min(high, low + 2))))
            elif op is C.GROUPREF:
                out.append(groups.get(arg, ""))
            elif op is C.ATOMIC_GROUP:
                out.append(walk(arg))
            # AT, ASSERT, ASSERT_NOT: they consume nothing
        return "".join(out)

    return walk(P.parse(pattern))
