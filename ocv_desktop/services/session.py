"""The Session: the headless application core both faces use (DESIGN.md rule 6).

It runs the work as asyncio tasks and reports back through plain events (``SessionListener``);
the GUI's thin bridge (ui/bridge.py) turns them into Qt signals, and user-visible words come from
an injected ``tr`` (the bridge's Qt translation). It owns, for the lifetime of the window:

- ``NodeService`` (the one place nodes change) and the ``SecretStore`` it was given;
- ``ProviderPool``: one connected provider per node, shared by refreshes, actions and health checks;
- ``HealthMonitor``: periodic checks driven by the user's ``Settings``;
- the caches the views show: nodes, the last health report and the instances of every node.

Tasks: every task is started through ``run_task(name, coro)`` (services/tasks.py: kept
referenced, a newer task of the same name replaces the older, failures shown, never lost);
- mutations of one node run one at a time (``ProviderPool.exclusive``); a bulk action runs one task
  per node, so different nodes work concurrently and each node serially.

Trust (DESIGN.md rule 4): an unknown SSH host key or TLS certificate is never accepted silently.
Health checks only *mark* the node as needing trust (a check every 30 s must not open a dialog
every 30 s); when the user acts on the node (refresh, an action, a click on its badge) the
session asks once per node at a time through the injected ``ask_trust`` (the GUI's trust
dialogs), records the answer (services/trust.py: known_hosts, or the certificate pin) and retries.

``shutdown()`` stops the monitor, cancels every task and closes the pool within a time limit, so
closing the window never hangs on a dead node and leaves no pending task behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import inspect
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ocv_desktop.core.errors import (
    CertificateError,
    ConfigError,
    HostKeyError,
    NotFound,
    OcvError,
    Timeout,
    Unsupported,
)
from ocv_desktop.core.models import (
    HealthReport,
    HealthState,
    Image,
    Instance,
    InstanceSpec,
    NodeConfig,
    NodeSecrets,
    Platform,
    ProgressCallback,
    Snapshot,
)
from ocv_desktop.health.checks import check_provider, failed_connect_report
from ocv_desktop.health.monitor import HealthMonitor, MonitorSettings
from ocv_desktop.providers.base import Provider, create_provider
from ocv_desktop.services.activity import Activity, ActivityState
from ocv_desktop.services.history import BUCKET, History
from ocv_desktop.services.nodes import NodeService
from ocv_desktop.services.pool import ProviderPool
from ocv_desktop.services.sessions import provider_context
from ocv_desktop.services.tasks import NamedTasks
from ocv_desktop.services.trust import Ask, TrustError, TrustService
from ocv_desktop.store.config import AppConfig, Settings
from ocv_desktop.store.home import Home
from ocv_desktop.store.oneclickvirt import ImportReport
from ocv_desktop.store.secrets import SecretStore

if TYPE_CHECKING:
    from ocv_desktop.providers.lxd_family.enrollment import EnrollResult

log = logging.getLogger(__name__)

T = TypeVar("T")
SHUTDOWN_TIMEOUT = 2.0
LIST_TIMEOUT = 60.0  # listing instances, on top of the connect time limit
# Background refreshes (start-up, the first look at a scope, stale lists) listing at once; the rest
# wait their turn. 200 nodes refreshed together meant 200 connects, failures and views updates in
# the same few loop turns (issue 15: a 240-1300 ms stall right after the first paint). A refresh
# the user asked for (interactive) never waits.
BACKGROUND_REFRESHES = 8


class InstanceAction(StrEnum):
    START = "start"
    STOP = "stop"
    RESTART = "restart"
    DELETE = "delete"


class SnapshotAction(StrEnum):
    CREATE = "create"
    RESTORE = "restore"
    DELETE = "delete"


class SessionListener(Protocol):
    """The events a session reports (ui/bridge.py emits each as the Qt signal of the same meaning)."""

    def nodes_changed(self) -> None: ...  # the configured nodes changed (added, edited, removed, imported)
    def health_changed(self, node_id: str) -> None: ...  # a new health report arrived
    def node_state_changed(self, node_id: str) -> None: ...  # last error / needs-trust changed
    def instances_changed(self, node_id: str) -> None: ...  # its instance list changed
    def activity_changed(self, activity: Activity) -> None: ...  # new, or its state/progress changed
    def keyring_state_changed(self) -> None: ...
    def settings_changed(self) -> None: ...
    def problem(self, text: str) -> None: ...  # something the user should see (config errors, bugs)


class Translate(Protocol):
    """Qt's ``tr`` signature: ``%n`` takes ``n`` (plural forms where a translation has them)."""

    def __call__(self, text: str, disambiguation: str | None = None, n: int = -1) -> str: ...


def untranslated(text: str, disambiguation: str | None = None, n: int = -1) -> str:
    return text.replace("%n", str(n)) if n >= 0 else text


class _Silent:
    """A listener that hears nothing (headless use, tests)."""

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args: None


async def _decline(question: TrustError) -> bool:
    return False


class Session:
    def __init__(
        self,
        home: Home,
        secrets: SecretStore,
        *,
        listener: SessionListener | None = None,
        tr: Translate = untranslated,
        ask_trust: Ask = _decline,
    ) -> None:
        self.listener: SessionListener = listener if listener is not None else _Silent()
        self.tr = tr
        self._confirm_trust = ask_trust  # shows the user what the node presents; True = trust it
        self.home = home
        self.secrets = secrets
        self.node_service = NodeService(home, secrets)
        self.settings = Settings()
        self.pool = ProviderPool(home, secrets, self.settings)
        self.monitor: HealthMonitor | None = None

        self._nodes: dict[str, NodeConfig] = {}
        self.health: dict[str, HealthReport] = {}
        # the last 24 h of every node's resources and running instance's usage (issue 16)
        self.history = History(interval=self.settings.health_interval)
        self._history_asked: dict[str, float] = {}  # node id -> monotonic time rrddata was asked for
        self._instances: dict[str, list[Instance]] = {}
        self._listed_at: dict[str, float] = {}  # node id -> monotonic time of its last listing
        self.errors: dict[str, str] = {}  # node id -> why its last refresh failed
        self.config_error: ConfigError | None = None  # config.yaml did not load (left untouched)
        self.trust_needed: dict[str, TrustError] = {}  # untrusted, so the node cannot be reached
        # The node works (e.g. over its API), but something else it uses is untrusted (its SSH host
        # key, which the terminal needs): shown on the badge, never blocks a refresh.
        self.trust_advised: dict[str, TrustError] = {}

        self._tasks = NamedTasks(self._task_failed)
        self._trust_prompts: dict[str, asyncio.Task[bool]] = {}
        self._batch_ids = itertools.count(1)
        self._background_refreshes = asyncio.Semaphore(BACKGROUND_REFRESHES)
        self._shutdown: asyncio.Task[None] | None = None

    # --- reading -----------------------------------------------------------------------------

    @property
    def nodes(self) -> list[NodeConfig]:
        return list(self._nodes.values())

    def node(self, node_id: str) -> NodeConfig | None:
        return self._nodes.get(node_id)

    def node_names(self) -> dict[str, str]:
        return {n.id: n.name for n in self._nodes.values()}

    def instances_of(self, node_id: str) -> list[Instance]:
        return self._instances.get(node_id, [])

    def loaded(self, node_id: str) -> bool:
        return node_id in self._instances

    def refreshing(self, node_id: str) -> bool:
        """Whether a refresh of the node is running (its ``refresh:<node-id>`` task)."""
        return self._tasks.running(f"refresh:{node_id}")

    def health_state(self, node_id: str) -> HealthState:
        report = self.health.get(node_id)
        return report.state if report is not None else HealthState.UNKNOWN

    def healthy_count(self) -> int:
        return sum(self.health_state(n) is HealthState.HEALTHY for n in self._nodes)

    @property
    def closing(self) -> bool:
        return self._tasks.closing

    # --- start and stop ------------------------------------------------------------------------

    async def start(self, *, monitor: bool = True, refresh: bool = True) -> None:
        """Read the config, start the health monitor and the first refresh of every node."""
        try:
            config = await self.node_service.reload()
        except ConfigError as exc:
            # Left untouched on disk (rule 5); the window shows every problem instead of the
            # first-node prompt (a node added now could not be saved) and stays usable.
            self._config_broken(exc)
            config = AppConfig()
        else:
            self.config_error = None
        self._apply_config(config)
        self.listener.keyring_state_changed()
        self.begin(monitor=monitor, refresh=refresh)

    def config_problems(self) -> list[str]:
        """Every problem of the config file that did not load (one line each, ``path:line: field:
        message``), or [] when it loaded."""
        exc = self.config_error
        if exc is None:
            return []
        each = getattr(exc, "problems", None)  # store.yamlfile.InvalidFile lists them all
        return [str(p) for p in each] if each else [exc.message]

    def _config_broken(self, exc: ConfigError) -> None:
        before = self.config_problems()
        self.config_error = exc
        if self.config_problems() != before:  # once per problem set (the file watcher may reload again)
            for line in self.config_problems():
                log.error("config file problem: %s", line)
        if self._nodes:  # a hand edit broke it while nodes are on screen: they stay, the banner says why
            self.listener.problem(self.tr("The configuration could not be read: {error}").format(error=exc))
        else:  # without nodes the window shows the problems (config_problems) where the first-node prompt was
            self.listener.nodes_changed()

    def begin(self, *, monitor: bool = True, refresh: bool = True) -> None:
        """Start the health monitor and the first refresh of every node (``start`` does it unless
        told not to; the GUI does it itself once the window is shown and the imports are warm)."""
        if monitor and self.monitor is None:
            self.monitor = HealthMonitor(
                self._check,
                self._deliver,
                self._monitor_settings(),
                warm=lambda node: self.pool.connected(node.id) is not None,  # see health/monitor.py
            )
            self.monitor.start(self.nodes)
        if refresh:
            for node_id in self._nodes:
                self.refresh(node_id)

    async def shutdown(self, timeout: float = SHUTDOWN_TIMEOUT) -> None:
        """Stop everything within ``timeout`` seconds. Safe to call more than once."""
        if self._shutdown is None:
            self._shutdown = asyncio.get_running_loop().create_task(self._stop_all(timeout), name="shutdown")
        await asyncio.shield(self._shutdown)

    async def _stop_all(self, timeout: float) -> None:
        self._tasks.closing = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        if self.monitor is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.monitor.stop(), max(0.1, deadline - loop.time()))
        await self._tasks.stop(deadline - loop.time())
        try:
            # A dead (black-holed) node must not hold the window open: its goodbye is abandoned.
            await asyncio.wait_for(self.pool.close(), max(0.1, deadline - loop.time()))
        except TimeoutError:
            log.warning("closing the node connections took longer than %g s; abandoned", timeout)
        log.info("workspace stopped in %.2f s", timeout - (deadline - loop.time()))

    # --- tasks ---------------------------------------------------------------------------------

    def run_task(self, name: str, coro: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
        """Run ``coro`` as a task named ``name``; a running task of that name is cancelled and
        replaced. Unexpected exceptions are logged and shown in the banner, never lost."""
        return self._tasks.run(name, coro)

    def pending_tasks(self) -> list[asyncio.Future[Any]]:
        return self._tasks.pending()

    def _task_failed(self, name: str, exc: BaseException) -> None:
        if isinstance(exc, OcvError):  # the flows show their own errors; this is the fallback
            log.info("task %s failed: %s", name, exc)
            self.listener.problem(str(exc))
        else:
            self._report_bug(exc)

    def _report_bug(self, exc: BaseException) -> str:
        log.error("unexpected error", exc_info=exc)
        text = self.tr("Unexpected error (a bug, please report it): {kind}: {error}").format(
            kind=type(exc).__name__, error=exc
        )
        self.listener.problem(text)
        return text

    # --- health --------------------------------------------------------------------------------

    def _monitor_settings(self) -> MonitorSettings:
        return MonitorSettings.from_settings(self.settings)

    async def _check(self, node: NodeConfig) -> HealthReport:
        """The monitor's check: ``ProviderPool.check_health``, noting *why* a node could not be
        connected. A trust problem marks the node (the user is asked when they act on it, never by
        the timer); a connected node is no longer marked."""

        def connected(error: OcvError | None) -> None:
            if error is None:
                self._clear_trust(node.id)
            elif isinstance(error, HostKeyError | CertificateError):
                self._mark_trust(node.id, error)

        def ssh_trust(error: TrustError | None) -> None:
            if error is not None:
                self._advise_trust(node.id, error)
            elif self.trust_advised.pop(node.id, None) is not None:
                self.listener.node_state_changed(node.id)

        return await self.pool.check_health(node, on_connect=connected, on_ssh_trust=ssh_trust)

    def _advise_trust(self, node_id: str, exc: TrustError) -> None:
        if node_id in self._nodes and self.trust_advised.get(node_id) != exc:
            self.trust_advised[node_id] = exc
            self.listener.node_state_changed(node_id)

    def untrusted(self, node_id: str) -> TrustError | None:
        """What the badge's "!" is about: what blocks the node, else what it uses untrusted."""
        return self.trust_needed.get(node_id) or self.trust_advised.get(node_id)

    def _deliver(self, report: HealthReport) -> None:
        if self._tasks.closing or report.node_id not in self._nodes:
            return
        self.health[report.node_id] = report
        self.history.record_health(report)
        self._ask_platform_history(report)
        self.listener.health_changed(report.node_id)

    def _ask_platform_history(self, report: HealthReport) -> None:
        """Proxmox keeps its own resource history (RRD): asked once the node answers, so the
        tooltip shows the hours before the app started; again every 15 min (a new coarse bucket)
        while our rounds read no resources of it (a node reached over its API only)."""
        node = self._nodes.get(report.node_id)
        if node is None or node.type is not Platform.PROXMOX or report.state is HealthState.UNHEALTHY:
            return
        asked = self._history_asked.get(node.id)
        if asked is not None and (report.resources is not None or time.monotonic() - asked < BUCKET):
            return
        self._history_asked[node.id] = time.monotonic()
        self.backfill_history(node.id)

    def backfill_history(self, node_id: str, instance_id: str | None = None) -> asyncio.Future[int]:
        """Ask the node for the resource history it kept itself (Proxmox rrddata) and put it before
        what the health rounds recorded (``history:<node-id>[:<instance-id>]``). Resolves to the
        points added: 0 on platforms that keep none, or when the node could not be asked (logged:
        history is a nicety, never an error dialog)."""
        name = f"history:{node_id}" + (f":{instance_id}" if instance_id else "")
        return self.run_task(name, self._backfill(node_id, instance_id))

    async def _backfill(self, node_id: str, instance_id: str | None) -> int:
        node = self._nodes.get(node_id)
        if node is None:
            return 0
        limit = self.settings.connect_timeout + LIST_TIMEOUT
        try:
            async with asyncio.timeout(limit):
                provider = await self.pool.get(node)
                samples = await provider.resource_history(instance_id)
        except Unsupported:
            return 0
        except (OcvError, TimeoutError) as exc:
            log.info("the resource history of %s could not be read: %s", node.name, exc or "timed out")
            return 0
        if node_id not in self._nodes:  # removed meanwhile
            return 0
        if instance_id is None:
            return self.history.backfill_node(node_id, samples)
        return self.history.backfill_instance(node_id, instance_id, samples)

    def check_now(self, node_ids: Iterable[str] | None = None) -> None:
        """Check these nodes (default all) right away, forgetting their backoff."""
        if self.monitor is not None:
            self.monitor.check_now(None if node_ids is None else list(node_ids))

    # --- instances -----------------------------------------------------------------------------

    def refresh_if_stale(self, node_id: str) -> asyncio.Future[None] | None:
        """Keep a visible node's list current: list it again when the last listing is older than
        the health interval and no refresh of it is running (an explicit refresh is never
        replaced by this one). The window calls it when a health report for the node arrives."""
        if self.closing or node_id not in self._nodes or node_id in self.trust_needed or self.refreshing(node_id):
            return None
        if time.monotonic() - self._listed_at.get(node_id, 0.0) < self.settings.health_interval:
            return None
        return self.refresh(node_id)

    def refresh(self, node_id: str, *, interactive: bool = False, record: bool = False) -> asyncio.Future[None]:
        """List the node's instances again (``refresh:<node-id>``; a newer refresh replaces a
        running one). ``interactive``: the user asked, so a trust problem opens the trust dialog.
        ``record``: show it in the activity log."""
        return self.run_task(f"refresh:{node_id}", self._refresh(node_id, interactive, record))

    async def _refresh(self, node_id: str, interactive: bool, record: bool) -> None:
        node = self._nodes.get(node_id)
        if node is None:
            return
        activity = self._new_activity(self.tr("Refresh"), node) if record else None
        try:
            if activity:
                self._begin(activity)
            if interactive:
                instances = await self._with_trust(node_id, self._list, interactive=True)
            else:
                async with self._background_refreshes:
                    instances = await self._with_trust(node_id, self._list, interactive=False)
        except asyncio.CancelledError:
            if activity:
                self._finish(activity, ActivityState.CANCELLED, self.tr("replaced by a newer refresh"))
            raise
        except OcvError as exc:
            self.errors[node_id] = str(exc)
            self.listener.node_state_changed(node_id)
            if activity:
                self._finish(activity, ActivityState.FAILED, str(exc))
            return
        # A separate loop turn for the views' update: the provider has just spent its turn
        # parsing the listing, and the two together would be one long stall.
        await asyncio.sleep(0)
        if node_id not in self._nodes:  # removed while listing
            return
        self.errors.pop(node_id, None)
        self._instances[node_id] = instances
        self._listed_at[node_id] = time.monotonic()
        self.history.record_instances(node_id, instances)
        if activity:
            self._finish(activity, ActivityState.SUCCEEDED, self.tr("%n instance(s)", "", len(instances)))
        self.listener.node_state_changed(node_id)
        self.listener.instances_changed(node_id)
        await self._add_usage(node_id, instances)

    async def _add_usage(self, node_id: str, instances: list[Instance]) -> None:
        """The listing's second step (Provider.with_usage: Docker's `docker stats`), shown when it
        comes; dropped when the list changed meanwhile (an action's fresh row, a newer listing)."""
        node = self._nodes.get(node_id)
        if node is None:
            return
        limit = self.settings.connect_timeout + LIST_TIMEOUT
        try:
            async with asyncio.timeout(limit):
                provider = await self.pool.get(node)
                fresh = await provider.with_usage(instances)
        except (OcvError, TimeoutError) as exc:
            log.info("%s: no usage: %s", node.name, exc)
            return
        if fresh is not instances and self._instances.get(node.id) is instances:
            self._instances[node.id] = fresh
            # The first step recorded nothing for these rows (no usage yet): this is their point.
            self.history.record_instances(node.id, fresh)
            self.listener.instances_changed(node.id)

    async def _list(self, node: NodeConfig) -> list[Instance]:
        limit = self.settings.connect_timeout + LIST_TIMEOUT
        try:
            async with asyncio.timeout(limit):
                provider = await self.pool.get(node)
                return await provider.list_instances()
        except TimeoutError:
            raise Timeout(f"listing the instances of {node.name}", limit) from None

    def run_instance_action(
        self, action: InstanceAction, instances: Sequence[Instance], *, force: bool = False
    ) -> asyncio.Future[list[Any]]:
        """Run ``action`` on every instance: one task per node, concurrently across nodes and one
        after the other within a node. Each instance gets its own row in the activity log.
        Returns a future that completes when every node is done (tests wait on it)."""
        by_node: dict[str, list[Instance]] = {}
        for inst in instances:
            if inst.node_id in self._nodes:
                by_node.setdefault(inst.node_id, []).append(inst)
        tasks = []
        label = self._action_label(action)
        for node_id, items in by_node.items():
            node = self._nodes[node_id]
            activities = [self._new_activity(label, node, inst.name) for inst in items]
            for act in activities:
                act.cancel = functools.partial(self._cancel_queued, act)
            batch = self._node_batch(node_id, action, items, activities, force)
            tasks.append(self.run_task(f"{action}:{node_id}:{next(self._batch_ids)}", batch))
        return asyncio.gather(*tasks, return_exceptions=True)

    def _action_label(self, action: InstanceAction) -> str:
        return {
            InstanceAction.START: self.tr("Start"),
            InstanceAction.STOP: self.tr("Stop"),
            InstanceAction.RESTART: self.tr("Restart"),
            InstanceAction.DELETE: self.tr("Delete"),
        }[action]

    async def _node_batch(
        self, node_id: str, action: InstanceAction, items: list[Instance], activities: list[Activity], force: bool
    ) -> None:
        me = asyncio.current_task()
        try:
            for inst, act in zip(items, activities, strict=True):
                if act.state is not ActivityState.QUEUED:  # cancelled while waiting
                    continue
                op = asyncio.ensure_future(self._instance_op(node_id, action, inst, force))
                act.cancel = op.cancel
                self._begin(act)
                try:
                    message = await op
                except asyncio.CancelledError:
                    if me is not None and me.cancelling():
                        self._finish(act, ActivityState.CANCELLED, self.tr("cancelled"))
                        raise
                    self._finish(act, ActivityState.CANCELLED, self.tr("cancelled (the node may still finish it)"))
                except OcvError as exc:
                    self._finish(act, ActivityState.FAILED, str(exc))
                except Exception as exc:
                    self._finish(act, ActivityState.FAILED, self._report_bug(exc))
                else:
                    self._finish(act, ActivityState.SUCCEEDED, message)
        finally:
            for act in activities:
                if act.active:
                    self._finish(act, ActivityState.CANCELLED, self.tr("cancelled"))
        if not self._tasks.closing:
            self.refresh(node_id)  # anything else that changed meanwhile

    async def _instance_op(self, node_id: str, action: InstanceAction, inst: Instance, force: bool) -> str:
        async def op(node: NodeConfig) -> Instance | None:
            async with self.pool.exclusive(node) as provider:
                await _call_action(provider, action, inst.id, force)
                if action is InstanceAction.DELETE:
                    return None
                try:
                    return await provider.get_instance(inst.id)
                except NotFound:
                    return None

        fresh = await self._with_trust(node_id, op, interactive=True)
        self._put_instance(inst, fresh)
        if fresh is None:
            return self.tr("deleted") if action is InstanceAction.DELETE else self.tr("gone")
        return self.tr("now {status}").format(status=fresh.status.value)

    def _put_instance(self, old: Instance, fresh: Instance | None) -> None:
        """Update one instance in the cache (None: it is gone) so its row changes at once."""
        current = self._instances.get(old.node_id)
        if current is None:
            return
        if fresh is None:
            updated = [i for i in current if i.id != old.id]
        else:
            updated = [fresh if i.id == old.id else i for i in current]
            if not any(i.id == old.id for i in current):
                updated.append(fresh)
        self._instances[old.node_id] = updated
        self.listener.instances_changed(old.node_id)

    async def reset_password(
        self, inst: Instance, *, username: str = "root", password: str | None = None, allow_reboot: bool = False
    ) -> str | None:
        """Set ``username``'s password in the instance: ``password`` when given, else a newly
        generated one. Returns the password set, or None when it failed (the activity log says
        why). ``allow_reboot``: the consent the CLI's ``--allow-reboot`` gives (a Proxmox VM
        without the guest agent gets the password through cloud-init and a reboot); only passed
        to providers that take it. The password goes to the caller only; it is never logged."""
        node = self._nodes.get(inst.node_id)
        if node is None:
            return None
        act = self._new_activity(self.tr("Reset password"), node, inst.name)
        self._begin(act)

        async def op(node: NodeConfig) -> str:
            async with self.pool.exclusive(node) as provider:
                consent: dict[str, Any] = {}
                if allow_reboot and "allow_reboot" in inspect.signature(provider.set_instance_password).parameters:
                    consent["allow_reboot"] = True
                if password is None:
                    return await provider.reset_instance_password(inst.id, username=username, **consent)
                await provider.set_instance_password(inst.id, password, username=username, **consent)
                return password

        try:
            result = await self._with_trust(inst.node_id, op, interactive=True)
        except asyncio.CancelledError:
            self._finish(act, ActivityState.CANCELLED, self.tr("cancelled"))
            raise
        except OcvError as exc:
            self._finish(act, ActivityState.FAILED, str(exc))
            return None
        self._finish(act, ActivityState.SUCCEEDED, self.tr("new password set for {user}").format(user=username))
        return result

    # --- snapshots -----------------------------------------------------------------------------

    async def list_snapshots(self, inst: Instance) -> list[Snapshot]:
        """The instance's snapshots (raises OcvError: the caller shows why, e.g. Docker's
        Unsupported). A read: no activity row, and it does not wait for the node's mutations."""

        async def op(node: NodeConfig) -> list[Snapshot]:
            provider = await self.pool.get(node)
            return await provider.list_snapshots(inst.id)

        return await self._with_trust(inst.node_id, op, interactive=True)

    async def snapshot_action(
        self, action: SnapshotAction, inst: Instance, name: str, *, description: str = "", stateful: bool = False
    ) -> bool:
        """Create, restore or delete snapshot ``name`` of ``inst``, one mutation at a time per node,
        with a row in the activity log. True when the platform said it is done; False when it
        failed (the activity says why). A restore may change the instance's state: it is re-read."""
        node = self._nodes.get(inst.node_id)
        if node is None:
            return False
        label = {
            SnapshotAction.CREATE: self.tr("Take snapshot"),
            SnapshotAction.RESTORE: self.tr("Restore snapshot"),
            SnapshotAction.DELETE: self.tr("Delete snapshot"),
        }[action]
        act = self._new_activity(label, node, f"{inst.name} @ {name}")
        self._begin(act)

        async def op(node: NodeConfig) -> Instance | None:
            async with self.pool.exclusive(node) as provider:
                if action is SnapshotAction.CREATE:
                    await provider.create_snapshot(inst.id, name, description=description, stateful=stateful)
                elif action is SnapshotAction.RESTORE:
                    await provider.restore_snapshot(inst.id, name)
                else:
                    await provider.delete_snapshot(inst.id, name)
                if action is not SnapshotAction.RESTORE:
                    return inst
                try:
                    return await provider.get_instance(inst.id)
                except NotFound:
                    return None

        try:
            fresh = await self._recorded(act, self._with_trust(inst.node_id, op, interactive=True))
        except OcvError:  # the activity row says why
            return False
        if action is SnapshotAction.RESTORE:
            self._put_instance(inst, fresh)
        done = {
            SnapshotAction.CREATE: self.tr("snapshot {name} taken"),
            SnapshotAction.RESTORE: self.tr("restored to {name}"),
            SnapshotAction.DELETE: self.tr("snapshot {name} deleted"),
        }[action]
        self._finish(act, ActivityState.SUCCEEDED, done.format(name=name))
        return True

    async def commit_instance(self, inst: Instance, image_ref: str) -> Image:
        """Save the instance's filesystem as image ``image_ref`` (Docker's commit; not a snapshot),
        with a row in the activity log. Raises the node's ``OcvError`` (the activity says it too)."""
        node = self._require_node(inst.node_id)
        act = self._new_activity(self.tr("Commit to image"), node, f"{inst.name} → {image_ref}")
        self._begin(act)

        async def op(node: NodeConfig) -> Image:
            async with self.pool.exclusive(node) as provider:
                return await provider.commit_instance(inst.id, image_ref)

        image = await self._recorded(act, self._with_trust(inst.node_id, op, interactive=True))
        self._finish(act, ActivityState.SUCCEEDED, self.tr("saved as {image}").format(image=image.name))
        return image

    # --- logs ----------------------------------------------------------------------------------

    async def instance_log(self, inst: Instance, lines: int = 200) -> str:
        """The last ``lines`` lines of the instance's log (Provider.instance_log), with a row in
        the activity log (it may take a while on a big log). Raises the node's ``OcvError``."""
        node = self._require_node(inst.node_id)
        act = self._new_activity(self.tr("Load log"), node, inst.name)
        self._begin(act)

        async def op(node: NodeConfig) -> str:
            limit = self.settings.connect_timeout + LIST_TIMEOUT
            try:
                async with asyncio.timeout(limit):
                    provider = await self.pool.get(node)
                    return await provider.instance_log(inst.id, lines)
            except TimeoutError:
                raise Timeout(f"reading the log of {inst.name}", limit) from None

        text = await self._recorded(act, self._with_trust(inst.node_id, op, interactive=True))
        self._finish(act, ActivityState.SUCCEEDED, self.tr("%n line(s)", "", len(text.splitlines())))
        return text

    # --- creating instances, images ----------------------------------------------------------

    async def create_instance(self, node_id: str, spec: InstanceSpec) -> Instance:
        """Create (and, when ``spec.start``, start) an instance on the node; its progress shows
        in the activity record and the new row joins the node's list at once. Raises the
        node's ``OcvError`` so the create dialog can show it beside the values the user typed."""
        node = self._require_node(node_id)
        act = self._new_activity(self.tr("Create"), node, spec.name)
        self._begin(act)

        async def op(node: NodeConfig) -> Instance:
            async with self.pool.exclusive(node) as provider:
                return await provider.create_instance(spec, progress=self._progress(act))

        inst = await self._recorded(act, self._with_trust(node_id, op, interactive=True))
        self._put_instance(inst, inst)
        self._finish(act, ActivityState.SUCCEEDED, self.tr("created, {status}").format(status=inst.status.value))
        self.refresh(node_id)  # the platform's own view of the new instance (addresses, ports)
        return inst

    async def list_images(self, node_id: str) -> list[Image]:
        """The node's images (Docker images, LXD/Incus images, Proxmox templates and ISOs)."""
        self._require_node(node_id)

        async def op(node: NodeConfig) -> list[Image]:
            limit = self.settings.connect_timeout + LIST_TIMEOUT
            try:
                async with asyncio.timeout(limit):
                    provider = await self.pool.get(node)
                    return await provider.list_images()
            except TimeoutError:
                raise Timeout(f"listing the images of {node.name}", limit) from None

        return await self._with_trust(node_id, op, interactive=True)

    async def pull_image(self, node_id: str, ref: str, progress: ProgressCallback | None = None) -> Image:
        """Pull ``ref`` onto the node, its progress streamed into the activity record (and to
        ``progress``, the images panel's bar)."""
        node = self._require_node(node_id)
        act = self._new_activity(self.tr("Pull image"), node, ref)
        self._begin(act)

        async def op(node: NodeConfig) -> Image:
            async with self.pool.exclusive(node) as provider:
                return await provider.pull_image(ref, progress=self._progress(act, progress))

        image = await self._recorded(act, self._with_trust(node_id, op, interactive=True))
        self._finish(act, ActivityState.SUCCEEDED, self.tr("pulled"))
        return image

    async def delete_image(self, node_id: str, image: Image) -> None:
        """Delete an image; the node's refusal (an image in use) is raised as its ``OcvError``."""
        node = self._require_node(node_id)
        act = self._new_activity(self.tr("Delete image"), node, image_ref(image))
        self._begin(act)

        async def op(node: NodeConfig) -> None:
            async with self.pool.exclusive(node) as provider:
                await provider.delete_image(image_ref(image))

        await self._recorded(act, self._with_trust(node_id, op, interactive=True))
        self._finish(act, ActivityState.SUCCEEDED, self.tr("deleted"))

    def _require_node(self, node_id: str) -> NodeConfig:
        node = self._nodes.get(node_id)
        if node is None:
            raise NotFound(f"node {node_id} is not configured")
        return node

    def _progress(self, act: Activity, also: ProgressCallback | None = None) -> ProgressCallback:
        """A provider ProgressCallback that shows each step in the activity row (and tells ``also``)."""

        def report(fraction: float | None, message: str) -> None:
            if also is not None:
                also(fraction, message)
            if fraction is not None:
                act.progress = max(0.0, min(1.0, fraction))
            if message:
                act.message = message
            self.listener.activity_changed(act)

        return report

    async def _recorded(self, act: Activity, work: Awaitable[T]) -> T:
        """``work``; a failure or cancellation finishes ``act`` with why, then propagates."""
        try:
            return await work
        except asyncio.CancelledError:
            self._finish(act, ActivityState.CANCELLED, self.tr("cancelled (the node may still finish it)"))
            raise
        except OcvError as exc:
            self._finish(act, ActivityState.FAILED, str(exc))
            raise

    # --- trust ---------------------------------------------------------------------------------

    async def _with_trust(self, node_id: str, op: Callable[[NodeConfig], Awaitable[T]], *, interactive: bool) -> T:
        """``op(node)``; on an untrusted host key or certificate, ask (when interactive), record
        and retry. A node can need both (SSH key first, then the API certificate)."""
        for _ in range(3):
            node = self._nodes.get(node_id)
            if node is None:
                raise NotFound(f"node {node_id} was removed")
            try:
                result = await op(node)
            except (HostKeyError, CertificateError) as exc:
                self._mark_trust(node_id, exc)
                if not interactive or not await self.resolve_trust(node_id, exc):
                    raise
                continue
            self._clear_trust(node_id)
            return result
        raise OcvError(f"the node {node_id} still presents an untrusted key after it was trusted")

    def _mark_trust(self, node_id: str, exc: TrustError) -> None:
        if node_id in self._nodes:
            self.trust_needed[node_id] = exc
            self.listener.node_state_changed(node_id)

    def _clear_trust(self, node_id: str) -> None:
        if self.trust_needed.pop(node_id, None) is not None:
            self.listener.node_state_changed(node_id)

    @property
    def trust(self) -> TrustService:
        return TrustService(self.home, self.node_service, self.settings.connect_timeout)

    def review_trust(self, node_id: str) -> asyncio.Future[None]:
        """The user clicked the node's badge or "Review trust…": offer every untrusted thing the
        node uses (its SSH host key even when the API works without it, services/trust.py), then
        refresh it interactively (asks about anything the connection still finds)."""
        return self.run_task(f"trust:{node_id}", self._review_trust(node_id))

    async def _review_trust(self, node_id: str) -> None:
        node = self._nodes.get(node_id)
        if node is None:
            return
        try:
            read, failures = await self.trust.read_parts(node)
        except OcvError as nothing:  # nothing to trust (api_only over a CA-checked https://): refresh, which says why
            log.info("%s: %s", node.name, nothing)
            read, failures = [], []
        for what, exc in failures:  # shown by the refresh and the health check; one line in the log
            log.info("%s: the %s could not be read: %s", node.name, what, exc)
        for _, question in read:
            if question is not None and not await self.resolve_trust(node_id, question):
                break  # declined: ask nothing more now
        self.check_now([node_id])
        await self.refresh(node_id, interactive=True, record=True)

    async def resolve_trust(self, node_id: str, exc: TrustError) -> bool:
        """Ask the user about ``exc`` and record the answer. One question per node at a time:
        concurrent callers share it. True when the key or certificate is trusted now."""
        prompt = self._trust_prompts.get(node_id)
        if prompt is None or prompt.done():
            prompt = asyncio.get_running_loop().create_task(self._ask_trust(node_id, exc), name=f"trust:{node_id}")
            self._trust_prompts[node_id] = prompt
            self._tasks.keep(prompt)
        return await asyncio.shield(prompt)

    async def _ask_trust(self, node_id: str, exc: TrustError) -> bool:
        node = self._nodes[node_id]
        label = self.tr("Trust host key") if isinstance(exc, HostKeyError) else self.tr("Trust certificate")
        if not await self._confirm_trust(exc):
            return False
        act = self._new_activity(label, node)
        self._begin(act)
        try:
            await self.trust.record(node_id, exc)
            if isinstance(exc, CertificateError):
                self._apply_config(self.node_service.config)  # the node has a new pin
        except OcvError as err:
            self._finish(act, ActivityState.FAILED, str(err))
            return False
        await self.pool.drop(node_id)
        self._clear_trust(node_id)
        if isinstance(exc, HostKeyError) and self.trust_advised.pop(node_id, None) is not None:
            self.listener.node_state_changed(node_id)  # the badge's "!" goes (the tree caches it)
        self._finish(act, ActivityState.SUCCEEDED, exc.fingerprint)
        self.check_now([node_id])
        return True

    # --- nodes ---------------------------------------------------------------------------------

    async def add_node(self, node: NodeConfig, secrets: NodeSecrets | None = None) -> NodeConfig:
        """Add a node (raises OcvError with a clear message when it cannot be added)."""
        act = self._new_activity(self.tr("Add node"), node)
        return await self._node_change(act, self.node_service.add_node(node, secrets or NodeSecrets()), node.id)

    async def update_node(self, node: NodeConfig, secrets: NodeSecrets | None = None) -> NodeConfig:
        act = self._new_activity(self.tr("Edit node"), node)
        if secrets is not None and secrets.values():
            await self.pool.drop(node.id)  # new credentials: reconnect with them
        return await self._node_change(act, self.node_service.update_node(node, secrets), node.id)

    async def remove_node(self, node_id: str) -> NodeConfig | None:
        node = self._nodes.get(node_id)
        if node is None:
            return None
        act = self._new_activity(self.tr("Remove node"), node)
        # its refresh and its action batches stop (not the caller's own flow, which awaits this)
        prefixes = (f"refresh:{node_id}", f"trust:{node_id}", *(f"{action}:{node_id}:" for action in InstanceAction))
        self._tasks.cancel_matching(prefixes)
        removed = await self._node_change(act, self.node_service.remove_node(node_id), None)
        await self.pool.drop(node_id)
        return removed

    async def import_oneclickvirt(self, path: Path) -> ImportReport:
        act = self._new_activity(self.tr("Import"), None, Path(path).name)
        self._begin(act)
        try:
            report = await self.node_service.import_oneclickvirt(path)
        except OcvError as exc:
            self._finish(act, ActivityState.FAILED, str(exc))
            raise
        self._apply_config(self.node_service.config)
        for node in (*report.added, *report.updated):
            self.refresh(node.id)
        self._finish(
            act,
            ActivityState.FAILED if report.errors and not (report.added or report.updated) else ActivityState.SUCCEEDED,
            self.tr("{added} added, {updated} updated, {errors} skipped").format(
                added=len(report.added), updated=len(report.updated), errors=len(report.errors)
            ),
        )
        return report

    async def reload_config(self) -> bool:
        """Follow config.yaml after another process (a CLI run, a second window) changed it: new
        and changed nodes are refreshed, removed ones disconnected. True when something changed.
        A file that does not load (mid hand-edit) is reported and the current nodes are kept."""
        try:
            config = await self.node_service.reload_between_changes()
        except ConfigError as exc:
            self._config_broken(exc)
            return False
        if self.config_error is not None:  # fixed: the window leaves its problem list
            self.config_error = None
            self._apply_config(config)
            return True
        if config.nodes == tuple(self._nodes.values()) and config.settings == self.settings:
            return False  # our own save, or a change that changed nothing
        changed = [n.id for n in config.nodes if self._nodes.get(n.id) != n]
        gone = set(self._nodes) - {n.id for n in config.nodes}
        self._apply_config(config)
        for node_id in gone:
            await self.pool.drop(node_id)
        if changed:
            self.check_now(changed)
            for node_id in changed:
                self.refresh(node_id)
        return True

    async def set_group_by(self, group_by: str) -> None:
        """Remember the tree grouping in config.yaml (settings.group_by)."""
        if group_by == self.settings.group_by:
            return
        self.settings = dataclasses.replace(self.settings, group_by=group_by)
        self.listener.settings_changed()
        try:
            config = await self.node_service.update_settings(self.settings)
        except OcvError as exc:
            self.listener.problem(self.tr("The grouping could not be saved: {error}").format(error=exc))
            return
        self.settings = config.settings

    async def test_connection(self, node: NodeConfig, typed: NodeSecrets | None = None) -> HealthReport:
        """The health check of a node as the editor shows it, before it is saved: a connection of
        its own (not the pool's), the typed secrets over the stored ones (an empty field keeps the
        stored value), closed afterwards. Saves nothing; trust problems come back as a failed
        check (the editor says so; the trust dialog follows the save)."""
        secrets = await self._typed_over_stored(node, typed)
        timeout = self.settings.health_timeout
        deadline = asyncio.get_running_loop().time() + timeout
        provider = create_provider(node.type, provider_context(self.home, self.settings))
        try:
            try:
                async with asyncio.timeout_at(deadline):
                    await provider.connect(node, secrets)
            except TimeoutError:
                return failed_connect_report(node, Timeout(f"connecting to {node.display_address}", timeout))
            except OcvError as exc:
                return failed_connect_report(node, exc)
            return await check_provider(provider, timeout=timeout, deadline=deadline)
        finally:
            with contextlib.suppress(OcvError, OSError, TimeoutError):
                await asyncio.wait_for(provider.disconnect(), SHUTDOWN_TIMEOUT)

    async def _typed_over_stored(self, node: NodeConfig, typed: NodeSecrets | None) -> NodeSecrets:
        """The secrets the editor's typed fields say: a typed value, else the stored one."""
        stored = await self.secrets.load(node.id) if node.id in self._nodes else NodeSecrets()
        given = typed or NodeSecrets()
        return NodeSecrets(
            **{f.name: getattr(given, f.name) or getattr(stored, f.name) for f in dataclasses.fields(NodeSecrets)}
        )

    async def enroll(
        self,
        node: NodeConfig,
        typed: NodeSecrets | None = None,
        *,
        token: str | None = None,
        accept_fingerprint: str | None = None,
    ) -> EnrollResult:
        """Make an LXD/Incus node trust this app, as ``ocv-desktop nodes enroll`` does (the same
        ``providers.lxd_family.enrollment.enroll``): with ``token``, else over SSH with the
        node's own CLI. Raises ``CertificateUnknown`` at first contact (the caller shows the
        fingerprint and calls again with ``accept_fingerprint``) and OcvError on failure. Saves
        nothing: the returned node (endpoint, certificate paths, pin) is the editor's to save."""
        # imported here: it brings httpx and asyncssh, which the GUI loads off the loop (issue 15)
        from ocv_desktop.providers.lxd_family.enrollment import enroll

        secrets = await self._typed_over_stored(node, typed)
        return await enroll(
            node,
            self.home,
            secrets,
            token=token,
            accept_fingerprint=accept_fingerprint,
            connect_timeout=self.settings.connect_timeout,
        )

    async def update_settings(self, settings: Settings) -> Settings:
        """Save new settings to config.yaml through the config's own validation (store/config.py:
        a value it would not read back is refused with the same message) and follow them: the
        monitor's interval, the pool's time limits, the window's theme. Raises OcvError."""
        config = await self.node_service.update_settings(settings)
        self._apply_config(config)
        return config.settings

    async def _node_change(self, act: Activity, change: Awaitable[NodeConfig], refresh_id: str | None) -> NodeConfig:
        self._begin(act)
        try:
            result = await change
        except OcvError as exc:
            self._finish(act, ActivityState.FAILED, str(exc))
            raise
        self._apply_config(self.node_service.config)
        self._finish(act, ActivityState.SUCCEEDED, self.tr("saved"))
        if refresh_id is not None:
            self.check_now([refresh_id])
            self.refresh(refresh_id)
        return result

    def _apply_config(self, config: AppConfig) -> None:
        """Follow a new config: nodes, settings, the pool and the monitor; drop state of removed nodes."""
        old_ids = set(self._nodes)
        self._nodes = {n.id: n for n in config.nodes}
        if config.settings != self.settings:
            interval_changed = self._monitor_settings() != MonitorSettings.from_settings(config.settings)
            self.settings = config.settings
            self.pool.settings = config.settings
            self.listener.settings_changed()
            self.history.interval = config.settings.health_interval  # sizes rings made from now on
            if interval_changed and self.monitor is not None:
                self.monitor.settings = self._monitor_settings()
        for gone in old_ids - set(self._nodes):
            caches = (
                self.health,
                self._instances,
                self.errors,
                self.trust_needed,
                self.trust_advised,
                self._listed_at,
                self._history_asked,
            )
            for cache in caches:
                cache.pop(gone, None)
            self.history.forget(gone)
        if self.monitor is not None and not self._tasks.closing:
            self.monitor.set_nodes(self.nodes)
        self.listener.nodes_changed()
        for gone in old_ids - set(self._nodes):
            self.listener.instances_changed(gone)

    # --- activity log --------------------------------------------------------------------------

    def _new_activity(self, action: str, node: NodeConfig | None, instance_name: str = "") -> Activity:
        act = Activity(
            action=action,
            node_id=node.id if node else "",
            node_name=node.name if node else "",
            instance_name=instance_name,
        )
        self.listener.activity_changed(act)
        return act

    def _begin(self, act: Activity) -> None:
        act.begin()
        self.listener.activity_changed(act)

    def _cancel_queued(self, act: Activity) -> None:
        """Cancel an action that is still waiting for its turn (its batch skips it)."""
        if act.state is ActivityState.QUEUED:
            self._finish(act, ActivityState.CANCELLED, self.tr("cancelled before it started"))

    def _finish(self, act: Activity, state: ActivityState, message: str = "") -> None:
        act.finish(state, message)
        if state is ActivityState.FAILED:
            log.info("%s %s %s failed: %s", act.action, act.node_name, act.instance_name, message)
        self.listener.activity_changed(act)


# --- helpers -------------------------------------------------------------------------------------


def image_ref(image: Image) -> str:
    """What to name an image by when deleting it: its name (Docker: removing one of several tags
    only untags it, as `docker rmi repo:tag` does), or its id when it has no usable name (a
    dangling Docker image shows as <none>)."""
    return image.name if image.name and "<none>" not in image.name else image.id


async def _call_action(provider: Provider, action: InstanceAction, instance_id: str, force: bool) -> None:
    if action is InstanceAction.START:
        await provider.start_instance(instance_id)
    elif action is InstanceAction.STOP:
        await provider.stop_instance(instance_id)
    elif action is InstanceAction.RESTART:
        await provider.restart_instance(instance_id)
    elif action is InstanceAction.DELETE:
        await provider.delete_instance(instance_id, force=force)
