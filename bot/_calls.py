"""One generated function per community and event hook: the plugins' calls, unrolled.

The engine calls every enabled plugin for every gateway event, and for an ordinary message
each plugin settles it in a few dozen bytecodes. A loop over the plugins cost more than that
(unpacking its entries, finding each plugin's rules, branching on argument shapes and timers:
about a third of the bytecodes an ordinary message runs). So for each community and hook the
engine builds, once, a function that calls each enabled implementation in order, positionally,
with its config and context bound (closure variables); a plugin with overrides resolves them
inline, and a disabled one is left out. The code is compiled once per layout (each plugin's
argument shape and whether it is on, off or has overrides) and shared by every community laid
out alike.

The function returns None when every implementation returned None (the usual case). At the
first one that returns something, or raises, it stops and returns
`(index, value, raised)`: the engine finishes that call (awaits a coroutine, checks
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

Stop = tuple[int, Any, bool]
GENERAL: Stop = (-1, None, False)
_ARGS = {1: "event", 2: "event, config", 3: "event, config, ctx", 4: "event, ctx"}


class Calls:
    """A hook's generated calls for one community, valid while its config and implementations are.

    `generation` is the config store's when the calls were built (the engine rebuilds them after
    a reload); `impls` is the hook caller's tuple of implementations they call, and `plan` the
    engine's (implementation, argument shape, context) entries for them, in the same order.
    """

    __slots__ = ("guild", "impls", "plan", "run", "generation")

    def __init__(self, guild: GuildConfig, impls: tuple[Impl, ...], plan: tuple[tuple[Impl, int, PluginContext], ...],
                 run: Callable[[Any], Stop | None], generation: int) -> None:
        self.guild, self.impls, self.plan, self.run, self.generation = guild, impls, plan, run, generation


def compile_calls(guild: GuildConfig, impls: tuple[Impl, ...], plan: tuple[tuple[Impl, int, PluginContext], ...],
                  scope: Callable[[Any], tuple], generation: int) -> Calls:
    """The unrolled calls of the engine's `plan` for a hook (of `impls`) under `guild`'s rules.

    An implementation whose arguments are not one of the engine's positional shapes is called
    with keyword arguments by the general loop, so such a hook is not unrolled. The source
    depends only on each implementation's shape and on whether its plugin is on, off or has
    overrides, so communities alike share one compiled factory; each gets a closure over its
    own functions, configs and contexts.
    """
    if any(shape == 0 for _, shape, _ in plan):
        return Calls(guild, impls, plan, _general, generation)
    layout, bound = [], {"_scope": scope}
    for i, (impl, shape, ctx) in enumerate(plan):
        rules = guild.plugins.get(impl.plugin)
        if rules is not None and rules.overrides:
            layout.append((shape, "resolve"))
            bound[f"r{i}"] = rules
        elif rules is None or rules.enabled:
            layout.append((shape, "call"))
            bound[f"c{i}"] = rules.base if rules is not None else None
        else:
            layout.append((shape, "off"))
            continue
        bound[f"f{i}"], bound[f"x{i}"] = impl.function, ctx
    key = tuple(layout)
    factory = _factories.get(key)
    if factory is None:
        if len(_factories) >= _MAX_FACTORIES:
            _factories.clear()
        factory = _factories[key] = _factory(key)
    return Calls(guild, impls, plan, factory(**bound), generation)


_factories: dict[tuple[tuple[int, str], ...], Callable[..., Callable[[Any], Stop | None]]] = {}
_MAX_FACTORIES = 256


def _factory(layout: tuple[tuple[int, str], ...]) -> Callable[..., Callable[[Any], Stop | None]]:
    """Compile `make(...)`, which returns the unrolled `run(event)` for one community's bindings."""
    params, body = ["_scope"], []
    if any(kind == "resolve" for _, kind in layout):
        body.append("        where = None")
    for i, (shape, kind) in enumerate(layout):
        if kind == "off":
            continue
        params += [f"f{i}", f"x{i}"]
        indent = "        "
        if kind == "resolve":
            params.append(f"r{i}")
            body += ["        where = where or _scope(event)",
                     f"        enabled, c{i} = r{i}.resolve(*where)",
                     "        if enabled:"]
            indent += "    "
        else:
            params.append(f"c{i}")
        call = f"f{i}({_ARGS[shape].replace('config', f'c{i}').replace('ctx', f'x{i}')})"
        body += [f"{indent}try:",
                 f"{indent}    result = {call}",
                 f"{indent}except Exception as exc:",
                 f"{indent}    return {i}, exc, True",
                 f"{indent}if result is not None:",
                 f"{indent}    return {i}, result, False"]
    lines = [f"def make({', '.join(params)}):", "    def run(event):", *body, "        return None", "    return run"]
    names: dict[str, Any] = {}
    exec(compile("\n".join(lines), f"<pitchfree calls: {len(layout)} plugin(s)>", "exec"), names)
    return names["make"]


def _general(event: Any) -> Stop:
    return GENERAL
