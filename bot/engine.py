"""The async core: routes events to plugins, executes their actions, runs commands and timers."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from datetime import UTC, datetime
from types import CoroutineType
from typing import Any

import pluggy
from pydantic import BaseModel

from bot import events as ev
from bot._calls import Calls, Stop, compile_calls
from bot.actions import Action, Audit, ModAlert, RecordCase
from bot.commands import ButtonClick, CommandSpec, Invocation, Permission, Response
from bot.config import ConfigStore, GuildConfig, LoadReport
from bot.context import PluginContext
from bot.executor import ActionResult, Executor
from bot.hookcaller import Failed, HookCaller, Impl
from bot.storage import CASES_MIGRATIONS, BatchedWriter, CaseStore, Database, Migration, restore_spill

log = logging.getLogger("pitchfree.engine")

HOOK_FOR_EVENT: dict[type, str] = {
    ev.MessageCreated: "pitchfree_message",
    ev.MessageEdited: "pitchfree_message_edit",
    ev.MessageDeleted: "pitchfree_message_delete",
    ev.ReactionAdded: "pitchfree_reaction_add",
    ev.ReactionRemoved: "pitchfree_reaction_remove",
    ev.MemberJoined: "pitchfree_member_join",
    ev.MemberLeft: "pitchfree_member_leave",
}

STORAGE_ALERT_INTERVAL_S = 600
_CREATED = ev.MessageCreated
_MESSAGE_HOOK = HOOK_FOR_EVENT[_CREATED]
_SEEN_LIMIT = 50_000  # recent event ids remembered to drop gateway replays
_NO_CALLS: dict = {}


def plugin_models(pm: pluggy.PluginManager) -> dict[str, type[BaseModel]]:
    """Collect each plugin's config model (plugins without one get an empty model)."""
    caller = HookCaller(pm)
    models = {}
    for plugin, model in caller.call_declarations("pitchfree_config_model"):
        if model is not None:
            models[plugin] = model
    return models


def _scope(event: Any) -> tuple[int | None, int | None, int | None, frozenset[int], int | None]:
    """(channel, parent channel, category, role ids, user) used to resolve overrides."""
    if isinstance(event, ev.MessageCreated):
        m = event.message
        return m.channel_id, m.parent_channel_id, m.category_id, m.author.role_ids, m.author.id
    if isinstance(event, ev.MessageEdited):
        m = event.after
        return m.channel_id, m.parent_channel_id, m.category_id, m.author.role_ids, m.author.id
    if isinstance(event, ev.MemberJoined):
        return None, None, None, event.member.role_ids, event.member.id
    user = getattr(event, "user_id", None) or getattr(event, "author_id", None)
    return getattr(event, "channel_id", None), None, None, frozenset(), user


class Engine:
    """Owns the plugin manager, config, storage and executor for one bot process."""

    def __init__(
        self,
        pm: pluggy.PluginManager,
        config: ConfigStore,
        executor: Executor,
        db: Database | None = None,
        *,
        hook_timeout_s: float = 5.0,
        writer_max_rows: int = 1000,
        writer_max_delay_ms: int = 1000,
    ) -> None:
        self.pm = pm
        self.config = config
        self.executor = executor
        self.db = db
        self.caller = HookCaller(pm, timeout_s=hook_timeout_s)
        self.writer = BatchedWriter(
            db, max_rows=writer_max_rows, max_delay_ms=writer_max_delay_ms, on_failure=self._storage_trouble
        ) if db else None
        self._last_storage_alert: float = float("-inf")
        self.cases = CaseStore(db, self.writer) if db else None
        self.services: dict[str, Any] = {}
        # called after every config reload (the Discord adapter syncs commands to new communities)
        self.reload_listeners: list[Callable[[LoadReport], Awaitable[None]]] = []
        self.contexts: dict[str, PluginContext] = {}
        self.started_at: datetime | None = None
        self.events_processed = 0
        self.duplicates_dropped = 0
        # Recent event ids, in two generations: when the newer one holds _SEEN_LIMIT ids it
        # replaces the older one, so between 50,000 and 100,000 ids are remembered. Cheaper per
        # event than an ordered dict that drops its oldest id each time (2% of a replay).
        self._seen: set[int | str] = set()
        self._seen_before: set[int | str] = set()
        self._plans: dict[str, tuple[tuple[Impl, ...], tuple[tuple[Impl, int, PluginContext], ...]]] = {}
        self._message_calls: dict[int | None, Calls] = {}  # the new-message hook's, per community
        self._calls: dict[str, dict[int | None, Calls]] = {_MESSAGE_HOOK: self._message_calls}  # per hook and community
        self._shared_calls: dict[tuple[str, int], Calls] = {}  # per hook and config object
        self._shared_generation = -1
        self._commands: list[tuple[str, CommandSpec]] | None = None
        self._background: set[asyncio.Task] = set()

    # -- lifecycle --

    def plugin_names(self) -> list[str]:
        """Registered plugin names."""
        return [name for name, _ in self.pm.list_name_plugin()]

    def context(self, plugin: str) -> PluginContext:
        """The plugin's context (created on first use)."""
        ctx = self.contexts.get(plugin)
        if ctx is None:
            ctx = self.contexts[plugin] = PluginContext(
                plugin, self.config, self.db, self.writer, self.cases, self.services,
                self.report_figures,
            )
        return ctx

    async def start(self) -> None:
        """Migrate storage, restore spilled rows, start the writer and call startup hooks."""
        if self.db is not None:
            await self.db.migrate("core", CASES_MIGRATIONS)
            for plugin, migrations in self.caller.call_declarations("pitchfree_migrations"):
                await self.db.migrate(plugin, _as_migrations(plugin, migrations))
            if self.db.path != ":memory:":
                await restore_spill(self.db, self.spill_path)
            self.writer.start()
        for plugin in self.plugin_names():
            self.context(plugin)
        await self._call_lifecycle("pitchfree_startup")
        self.started_at = datetime.now(UTC)

    async def stop(self) -> None:
        """Call shutdown hooks, flush the batched writer (spilling if it must) and close the DB."""
        await self._call_lifecycle("pitchfree_shutdown")
        if self.writer is not None:
            spill = self.spill_path if self.db and self.db.path != ":memory:" else None
            try:
                await self.writer.close(spill_path=spill)
            except RuntimeError as exc:
                log.error("shutdown: %s", exc)
        if self.db is not None:
            await self.db.close()

    @property
    def spill_path(self) -> str:
        """Where rows that could not be written at shutdown are kept until the next start."""
        return f"{self.db.path}.pending.jsonl"

    async def _call_lifecycle(self, hook: str) -> None:
        for impl in self.caller.impls(hook):
            with contextlib.suppress(Failed):
                await self.caller.invoke(hook, impl, {"ctx": self.context(impl.plugin)})

    # -- events --

    async def dispatch(self, event: ev.Event) -> list[ActionResult]:
        """Send an event to every enabled plugin and execute the actions they return."""
        pending = self.handle(event)
        return [] if pending is None else await pending

    def handle(self, event: ev.Event) -> Coroutine[Any, Any, list[ActionResult]] | None:
        """`dispatch` without a coroutine of its own for the usual event.

        None when the event is settled (a replayed one, or no plugin returned anything);
        otherwise a coroutine to await for the rest (finishing a plugin's result, the other
        plugins, executing the actions), whose value is what `dispatch` returns.
        """
        # A new message is remembered by its id (an int): no event-id string for every message.
        # Other events' ids are strings, so the two kinds of key never collide.
        if type(event) is _CREATED:
            message = event.message
            key, guild_id, hook, by_guild = message.message_id, message.guild_id, _MESSAGE_HOOK, self._message_calls
        else:
            key, guild_id = event.event_id, event.guild_id
            hook = HOOK_FOR_EVENT[type(event)]
            by_guild = self._calls.get(hook, _NO_CALLS)
        seen = self._seen
        if key in seen or key in self._seen_before:
            self.duplicates_dropped += 1
            return None
        seen.add(key)
        if len(seen) >= _SEEN_LIMIT:
            self._seen_before, self._seen = seen, set()
        self.events_processed += 1
        caller = self.caller
        if caller.trace or caller.timings is not None:
            return self._dispatch_from(event, hook, self.config.guild(guild_id), self._plan(hook)[1], None)
        calls = by_guild.get(guild_id)
        if calls is None or calls.generation != self.config.generation or calls.impls is not caller._impls.get(hook):
            calls = self._compile(hook, guild_id)
        stop = calls.run(event)
        if stop is None:  # the usual case: every plugin settled the event without actions
            return None
        return self._dispatch_rest(event, hook, calls, stop)

    async def _dispatch_rest(self, event: ev.Event, hook: str, calls: Calls, stop: Stop) -> list[ActionResult]:
        """Finish the call the generated calls stopped at, then carry on with the general loop.

        The rest of the round uses the implementations the calls were built from, even if plugins
        change while a coroutine here waits.
        """
        index, value, raised = stop
        if index < 0:
            return await self._dispatch_from(event, hook, calls.guild, calls.plan, None)
        caller = self.caller
        impl = calls.plan[index][0]
        actions = None
        try:
            if raised:
                if not isinstance(value, Failed):  # as the general loop: Failed is already recorded
                    caller.record_exception(hook, impl, value, event.event_id)
                value = None
            elif type(value) is CoroutineType:  # an async hook, or a plain hook's slow path
                value = await caller.finish(hook, impl, value, event.event_id, timed=False)
        except Failed:
            value = None
        if value is not None:
            actions = self._checked(impl.plugin, hook, value, event.event_id)
        return await self._dispatch_from(event, hook, calls.guild, calls.plan[index + 1:], actions)

    def _compile(self, hook: str, guild_id: int | None) -> Calls:
        """Build (and keep) the hook's generated calls for this community's current config (see bot._calls).

        Communities without a file of their own share the default config, and so its calls.
        """
        impls, plan = self._plan(hook)
        guild, generation = self.config.guild(guild_id), self.config.generation
        if self._shared_generation != generation:
            self._shared_calls.clear()
            self._shared_generation = generation
        calls = self._shared_calls.get((hook, id(guild)))
        if calls is None or calls.guild is not guild or calls.impls is not impls:
            calls = compile_calls(guild, impls, plan, _scope, generation)
            self._shared_calls[(hook, id(guild))] = calls
        self._calls.setdefault(hook, {})[guild_id] = calls
        return calls

    async def _dispatch_from(self, event: ev.Event, hook: str, guild: GuildConfig,
                             entries: tuple[tuple[Impl, int, PluginContext], ...],
                             actions: list[Action] | None) -> list[ActionResult]:
        """Call the implementations of `entries` (the hook's plan, or its rest) one by one, then execute every action.

        The general path: traced or timed calls, keyword-argument hooks, and the rest of a round
        after the generated calls stopped at an implementation that returned something.
        """
        plugins = guild.plugins
        caller = self.caller
        direct = not caller.trace
        timings = caller.timings
        scope = None
        for impl, shape, ctx in entries:
            rules = plugins.get(impl.plugin)
            config = None
            if rules is not None:
                if rules.overrides:
                    scope = scope or _scope(event)
                    enabled, config = rules.resolve(*scope)
                else:
                    enabled, config = rules.enabled, rules.base
                if not enabled:
                    continue
            if shape and direct:
                # A positional call, no kwargs dict; the timer only when benchmarks ask for it.
                if timings is not None:
                    start_s = time.perf_counter()
                try:
                    if shape == 3:
                        result = impl.function(event, config, ctx)
                    elif shape == 2:
                        result = impl.function(event, config)
                    elif shape == 1:
                        result = impl.function(event)
                    else:
                        result = impl.function(event, ctx)
                    if type(result) is CoroutineType:  # an async hook, or a plain hook's slow path
                        result = await caller.finish(hook, impl, result, event.event_id, timed=False)
                except Failed:
                    continue
                except Exception as exc:
                    caller.record_exception(hook, impl, exc, event.event_id)
                    continue
                finally:
                    if timings is not None:  # the bookkeeping after the clock stops is not counted
                        caller.record_timing(hook, impl, time.perf_counter() - start_s)
            else:
                try:
                    result = await caller.invoke(hook, impl, {"event": event, "config": config, "ctx": ctx},
                                                 event.event_id)
                except Failed:
                    continue
            if result is not None:
                checked = self._checked(impl.plugin, hook, result, event.event_id)
                actions = checked if actions is None else actions + checked
        if not actions:
            return []
        return await self.execute(actions, getattr(event, "at", None))

    def _plan(self, hook: str) -> tuple[tuple[Impl, ...], tuple[tuple[Impl, int, PluginContext], ...]]:
        """The hook's implementations and, per plugin, (implementation, argument shape, context).

        Rebuilt when the implementations change (the hook caller's cache is replaced then).
        """
        impls = self.caller.impls(hook)
        plan = self._plans.get(hook)
        if plan is None or plan[0] is not impls:
            plan = self._plans[hook] = (impls, tuple((i, i.event_shape, self.context(i.plugin)) for i in impls))
        return plan

    async def tick(self, now: datetime | None = None) -> list[ActionResult]:
        """Run every plugin's periodic timer for every configured community."""
        now = now or datetime.now(UTC)
        actions: list[Action] = []
        for guild_id in self.config.guild_ids():
            guild = self.config.guild(guild_id)
            for impl in self.caller.impls("pitchfree_tick"):
                rules = guild.plugins.get(impl.plugin)
                if rules is not None and not rules.enabled:
                    continue
                kwargs = {"guild_id": guild_id, "now": now, "config": rules.base if rules else None,
                          "ctx": self.context(impl.plugin)}
                try:
                    result = await self.caller.invoke("pitchfree_tick", impl, kwargs, f"tick:{guild_id}")
                except Failed:
                    continue
                if result is not None:
                    actions.extend(self._checked(impl.plugin, "pitchfree_tick", result, f"tick:{guild_id}"))
        return await self.execute(actions, now) if actions else []

    def _checked(self, plugin: str, hook: str, result: Any, event_id: str) -> list[Action]:
        """Keep the real actions a plugin returned; report anything else as a fault."""
        if isinstance(result, Action):
            result = (result,)
        try:
            items = list(result)
        except TypeError:
            self.caller.record_fault(plugin, hook, f"returned {type(result).__name__}, expected actions", event_id)
            return []
        good = [a for a in items if isinstance(a, Action)]
        if len(good) != len(items):
            bad = next(type(a).__name__ for a in items if not isinstance(a, Action))
            self.caller.record_fault(plugin, hook, f"returned a {bad} among its actions (ignored)", event_id)
        return good

    async def execute(self, actions: Iterable[Action], at: datetime | None = None) -> list[ActionResult]:
        """Execute actions in order, then store each case with the outcomes of its plugin's actions.

        A case is written once, after its actions ran, in a single statement (idempotent on
        its key), queued as an urgent row of the batched writer: no event waits for the database.
        """
        actions = list(actions)
        results = []
        for action in actions:
            try:
                result = await self.executor.execute(action)
            except Exception as exc:  # executors should not raise; be safe anyway
                log.exception("executor raised on %s", action.kind)
                result = ActionResult(action, ok=False, error=f"{type(exc).__name__}: {exc}")
            results.append(result)
        if self.cases is not None:
            for action in actions:
                if isinstance(action, RecordCase):
                    outcomes = [r.as_outcome() for r in results
                                if r.action.plugin == action.plugin and r.action.guild_id == action.guild_id
                                and not isinstance(r.action, RecordCase | Audit)]
                    self._record_case(action, at or datetime.now(UTC), outcomes)
        return results

    def _record_case(self, action: RecordCase, at: datetime, outcomes: list[dict]) -> None:
        # Through the batched writer as an urgent row: committed within a round trip, without
        # holding up the next event (a failing database is retried, alerted and spilled as usual).
        self.cases.record_soon(
            guild_id=action.guild_id, case_key=action.case_key, plugin=action.plugin,
            user_id=action.user_id, decision=action.decision, reason=action.reason, at=at,
            channel_id=action.channel_id, message_id=action.message_id, score=action.score,
            signals=action.signals, outcomes=outcomes,
        )

    def _storage_trouble(self, exc: Exception, pending: int) -> None:
        """The batched writer failed: alert moderators (at most every 10 minutes) and carry on."""
        now = time.monotonic()
        if now - self._last_storage_alert < STORAGE_ALERT_INTERVAL_S:
            return
        self._last_storage_alert = now
        alerts = [
            ModAlert(plugin="core", reason="storage failure", guild_id=guild_id,
                     title="pitchfree cannot write to its database",
                     reasons=(f"{type(exc).__name__}: {exc}",
                              f"{pending} rows are held in memory and retried; moderation continues."))
            for guild_id in self.config.guild_ids()
            if self.config.guild(guild_id).core.mod_log_channel is not None
        ]
        if alerts:
            task = asyncio.get_running_loop().create_task(self.execute(alerts))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    # -- commands and buttons --

    def commands(self) -> list[tuple[str, CommandSpec]]:
        """(plugin, spec) for every command plugins declare."""
        if self._commands is None:
            found = []
            for plugin, specs in self.caller.call_declarations("pitchfree_commands"):
                for spec in specs or ():
                    found.append((plugin, spec))
            self._commands = found
        return self._commands

    def find_command(self, name: str, kind: str | None = None) -> tuple[str, CommandSpec] | None:
        """Look a command up by its full name (e.g. `promo explain`)."""
        for plugin, spec in self.commands():
            if spec.name == name and (kind is None or spec.kind.value == kind):
                return plugin, spec
        return None

    def allowed(self, permission: Permission, guild_id: int | None, role_ids: frozenset[int],
                is_guild_admin: bool) -> bool:
        """Server-side permission check against the community's configured roles."""
        if permission is Permission.EVERYONE:
            return True
        if guild_id is None:
            return False
        guild = self.config.guild(guild_id)
        if permission is Permission.ADMIN:
            return guild.is_admin(role_ids, is_guild_admin)
        return guild.is_moderator(role_ids, is_guild_admin)

    async def run_command(self, plugin: str, spec: CommandSpec, inv: Invocation) -> Response:
        """Check permissions, run the handler, execute its actions; never raise."""
        if spec.permission is not Permission.EVERYONE and inv.guild_id is None:
            return Response("This command only works inside a server.")
        if not self.allowed(spec.permission, inv.guild_id, inv.user.role_ids, inv.is_guild_admin):
            return Response(f"Only {spec.permission.value}s can use this command.")
        # A handler is not a hook, but it gets the same isolation, timeout and tracing.
        impl = Impl(plugin, spec.handler, ("inv",), inspect.iscoroutinefunction(spec.handler))
        try:
            response = await self.caller.invoke(f"command:{spec.name}", impl, {"inv": inv})
        except Failed:
            fault = self.caller.faults.get(plugin)
            detail = f" ({fault.last_error})" if fault else ""
            return Response(f"Sorry, `{spec.name}` failed{detail}. The error was logged.")
        if not isinstance(response, Response):
            return Response(f"`{spec.name}` did not return a response. The error was logged.")
        if response.actions:
            await self.execute(response.actions, inv.at)
        return response

    async def click(self, click: ButtonClick) -> Response:
        """Route an alert-button click to the plugin that raised the alert (moderators only)."""
        guild = self.config.guild(click.guild_id)
        if not guild.is_moderator(click.user.role_ids, click.is_guild_admin):
            return Response("Only moderators can use these buttons.")
        for impl in self.caller.impls("pitchfree_button"):
            if impl.plugin != click.plugin:
                continue
            rules = guild.plugins.get(impl.plugin)
            kwargs = {"click": click, "config": rules.base if rules else None, "ctx": self.context(impl.plugin)}
            try:
                response = await self.caller.invoke("pitchfree_button", impl, kwargs, click.case_key)
            except Failed:
                return Response("Sorry, that button failed. The error was logged.")
            if isinstance(response, Response):
                if response.actions:
                    await self.execute(response.actions, click.at)
                return response
            return Response("Done.")
        return Response(f"The plugin `{click.plugin}` that raised this alert is not loaded.")

    # -- config and status --

    async def reload_config(self) -> LoadReport:
        """Reload every config file; invalid ones keep their previous config."""
        report = self.config.load()
        for guild_id in [None, *self.config.guild_ids()]:
            for impl in self.caller.impls("pitchfree_config_reloaded"):
                with contextlib.suppress(Failed):
                    await self.caller.invoke("pitchfree_config_reloaded", impl,
                                             {"guild_id": guild_id, "ctx": self.context(impl.plugin)})
        for listener in list(self.reload_listeners):
            try:
                await listener(report)
            except Exception:  # a failing listener must not make the reload look failed
                log.exception("a config reload listener failed")
        return report

    async def report_figures(self, guild_id: int, start: datetime, end: datetime) -> dict[str, dict]:
        """Figures each plugin contributes to a report, keyed by plugin name."""
        figures = {}
        for impl in self.caller.impls("pitchfree_report_figures"):
            if not self.context(impl.plugin).enabled(guild_id):
                continue
            kwargs = {"guild_id": guild_id, "start": start, "end": end, "ctx": self.context(impl.plugin)}
            try:
                result = await self.caller.invoke("pitchfree_report_figures", impl, kwargs)
            except Failed:
                continue
            if isinstance(result, dict):
                figures[impl.plugin] = result
        return figures

    def status(self) -> dict[str, Any]:
        """What `/pitchfree status` shows."""
        uptime = (datetime.now(UTC) - self.started_at).total_seconds() if self.started_at else 0.0
        return {
            "plugins": self.plugin_names(),
            "faults": {name: {"count": f.count, "last_error": f.last_error, "hook": f.last_hook}
                       for name, f in self.caller.faults.items()},
            "config_generation": self.config.generation,
            "guilds_configured": self.config.guild_ids(),
            "db_path": self.db.path if self.db else None,
            "uptime_s": round(uptime, 1),
            "events_processed": self.events_processed,
            "duplicates_dropped": self.duplicates_dropped,
            "writer_pending": self.writer.pending if self.writer else 0,
            "writer_failures": self.writer.failures if self.writer else 0,
        }


def _as_migrations(plugin: str, migrations: Any) -> list[Migration]:
    if not isinstance(migrations, list | tuple) or not all(isinstance(m, Migration) for m in migrations):
        raise TypeError(f"plugin {plugin}: pitchfree_migrations must return a list of Migration")
    return list(migrations)
