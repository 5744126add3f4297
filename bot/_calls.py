"""One generated function per community and event hook: the plugins' calls, unrolled.

The engine calls every enabled plugin for every gateway event, and for an ordinary message
each plugin settles it in a few dozen bytecodes. A loop over the plugins cost more than that
(unpacking its entries, finding each plugin's rules, branching on argument shapes and timers:
about a third of the bytecodes an ordinary message runs). So for each community and hook the
engine builds, once, a function that calls each enabled implementation in order, positionally,
with its config and context bound as constants; a plugin with overrides resolves them inline,
and a disabled one is left out.

The function returns None when every implementation returned None (the usual case). At the
first one that returns something, or raises, it stops and returns
`(index, value, config, raised)`: the engine finishes that call (awaits a coroutine, checks
the actions, records a fault) and carries on with its general loop from the next
implementation, so order and fault isolation are the loop's. A hook that cannot be unrolled
returns `GENERAL` (index -1) at once: the general loop does everything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.config import GuildConfig
from bot.context import PluginContext
from bot.hookcaller import Impl

Stop = tuple[int, Any, Any, bool]
GENERAL: Stop = (-1, None, None, False)
_ARGS = {1: "event", 2: "event, config", 3: "event, config, ctx", 4: "event, ctx"}


class Calls:
    """A hook's generated calls for one community, valid while its config and implementations are.

    `generation` is the config store's when the calls were built (the engine rebuilds them after
    a reload); `impls` is the hook caller's tuple of implementations they call.
    """

    __slots__ = ("guild", "impls", "run", "generation")

    def __init__(self, guild: GuildConfig, impls: tuple[Impl, ...], run: Callable[[Any], Stop | None]) -> None:
        self.guild, self.impls, self.run = guild, impls, run
        self.generation = -1


def compile_calls(guild: GuildConfig, impls: tuple[Impl, ...], contexts: list[PluginContext],
                  scope: Callable[[Any], tuple]) -> Calls:
    """The unrolled calls of `impls` under `guild`'s rules.

    An implementation whose arguments are not one of the engine's positional shapes is called
    with keyword arguments by the general loop, so such a hook is not unrolled.
    """
    if any(impl.event_shape == 0 for impl in impls):
        return Calls(guild, impls, _general)
    names: dict[str, Any] = {"_scope": scope}
    lines = ["def run(event):"]
    if any(_rules(guild, impl) is not None and _rules(guild, impl).overrides for impl in impls):
        lines.append("    where = None")
    for i, (impl, ctx) in enumerate(zip(impls, contexts, strict=True)):
        rules = _rules(guild, impl)
        names[f"f{i}"], names[f"x{i}"] = impl.function, ctx
        indent = "    "
        if rules is None:
            names[f"c{i}"] = None
        elif rules.overrides:
            names[f"r{i}"] = rules
            lines += ["    where = where or _scope(event)",
                      f"    enabled, c{i} = r{i}.resolve(*where)",
                      "    if enabled:"]
            indent = "        "
        elif rules.enabled:
            names[f"c{i}"] = rules.base
        else:
            continue
        call = f"f{i}({_ARGS[impl.event_shape].replace('config', f'c{i}').replace('ctx', f'x{i}')})"
        lines += [f"{indent}try:",
                  f"{indent}    result = {call}",
                  f"{indent}except Exception as exc:",
                  f"{indent}    return {i}, exc, c{i}, True",
                  f"{indent}if result is not None:",
                  f"{indent}    return {i}, result, c{i}, False"]
    lines.append("    return None")
    exec(compile("\n".join(lines), f"<pitchfree calls: {len(impls)} plugin(s)>", "exec"), names)
    return Calls(guild, impls, names["run"])


def _general(event: Any) -> Stop:
    return GENERAL


def _rules(guild: GuildConfig, impl: Impl):
    return guild.plugins.get(impl.plugin)
