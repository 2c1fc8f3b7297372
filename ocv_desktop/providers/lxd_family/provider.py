"""What LXD and Incus share: one provider class over two roads (REST API, CLI over SSH).

The semantics live here, once; the roads (lxd_api_backend.py, lxd_cli_backend.py) only say the
primitives. ``lxd.py`` and ``incus.py`` set the binary name, socket paths and service names.

Execution rule (DESIGN.md):
- ``api_only``: the API (client certificate over HTTPS, or the local unix socket); never SSH.
- ``ssh_only``: ``incus``/``lxc`` over SSH; never the API.
- ``auto``: the API when it is configured, and SSH only when the API request *provably did not
  reach the server* (connection refused, DNS failure, TLS handshake failure, connect timeout) for
  every request the method made. Once any request was sent (for example a create POST answered
  202), an error is reported, never retried over SSH, so one click can never create two instances.
  A server certificate that does not match the pin is not a reason to fall back either: it is
  reported loudly, because trust decisions are the user's (DESIGN.md rule 4).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, TypeVar

from ocv_desktop.core.errors import (
    AuthError,
    CertificateError,
    ConfigError,
    InvalidInput,
    MalformedData,
    NotFound,
    OcvError,
    RemoteError,
    Timeout,
    Unsupported,
)
from ocv_desktop.core.models import (
    ExecutionRule,
    Image,
    Instance,
    InstanceSpec,
    InstanceStatus,
    InstanceType,
    NodeConfig,
    NodeSecrets,
    ProgressCallback,
    Snapshot,
)
from ocv_desktop.providers.base import Provider, check_new_password, chpasswd_input, refuse_option_like
from ocv_desktop.providers.lxd_family import parse as lxd_parse
from ocv_desktop.providers.lxd_family.backend import LxdBackend
from ocv_desktop.providers.lxd_family.cli import LxdCliBackend
from ocv_desktop.providers.lxd_family.requests import (
    INSTANCE_NAME_RE,
    NAME_HINT,
    ImageSource,
    check_spec,
    validate_name,
    validate_snapshot_name,
)
from ocv_desktop.providers.routing import api_or_ssh
from ocv_desktop.providers.shape import kind
from ocv_desktop.providers.systemd import SystemdUnits
from ocv_desktop.transport.base import CommandRunner
from ocv_desktop.transport.commands import stderr_tail
from ocv_desktop.transport.console import ConsoleChannel, TermSize
from ocv_desktop.transport.pty import as_pty_runner

log = logging.getLogger(__name__)
T = TypeVar("T")

_COMMAND_NOT_FOUND = (126, 127)  # not executable / not found, as sh and the LXD exec report them


class LxdFamilyProvider(Provider):
    """Shared by ``LxdProvider`` and ``IncusProvider``; not registered itself."""

    binary: ClassVar[str]  # incus | lxc
    socket_paths: ClassVar[tuple[str, ...]]  # local unix sockets, first existing wins
    service_units: ClassVar[tuple[str, ...]]  # systemd units; any active one is enough
    instance_types = (InstanceType.CONTAINER, InstanceType.VM)
    name_pattern = INSTANCE_NAME_RE
    name_hint = NAME_HINT

    # Bounded waits for set_instance_password (seconds); class attributes so tests can shorten them.
    start_wait: ClassVar[float] = 60.0  # an instance that is starting
    agent_wait: ClassVar[float] = 120.0  # a VM whose agent is not up yet
    poll_interval: ClassVar[float] = 1.0

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._runner: CommandRunner | None = None
        self._api: Any = None  # LxdApiBackend; typed loosely so the CLI path never imports httpx
        self._cli: LxdCliBackend | None = None
        self._systemd: SystemdUnits | None = None
        self._cpu_samples: dict[str, tuple[int, float]] = {}

    # --- connection ----------------------------------------------------------------------------

    async def connect(self, node: NodeConfig, secrets: NodeSecrets) -> None:
        await self.disconnect()
        self._node = node
        rule = node.execution_rule
        if rule is not ExecutionRule.SSH_ONLY:
            from ocv_desktop.providers.lxd_family.api_backend import open_api_backend

            self._api = await open_api_backend(
                node, self.context, socket_paths=self.socket_paths, flavour=self.type.value
            )
        if rule is ExecutionRule.API_ONLY and self._api is None:
            raise ConfigError(
                f"node {node.name} is set to api_only but has no client certificate (or local socket)",
                hint=f"run: ocv-desktop nodes enroll {node.name}",
            )
        if rule is not ExecutionRule.API_ONLY:
            self._runner = await self._open_runner(node, secrets, connect_now=self._api is None)
            self._cli = LxdCliBackend(self._runner, self.binary, command_timeout=self.context.command_timeout)
            self._systemd = SystemdUnits(self._runner, self.service_units)

    async def disconnect(self) -> None:
        api, runner = self._api, self._runner
        self._api = self._runner = self._cli = self._systemd = None
        if api is not None:
            await api.close()
        if runner is not None:
            await runner.close()

    # --- choosing the road ---------------------------------------------------------------------

    def _cli_backend(self) -> LxdCliBackend:
        if self._cli is None:
            raise ConfigError(f"node {self.node.name} has no SSH access for the {self.binary} CLI")
        return self._cli

    async def _call(self, what: str, fn: Callable[[LxdBackend], Awaitable[T]]) -> T:
        """Run ``fn`` on the API, or on the CLI per the execution rule (providers/routing.py)."""
        api = self._api
        if api is None:
            return await fn(self._cli_backend())
        sent_before = api.requests_reached

        def never_sent(exc: BaseException) -> bool:  # no request of this call reached the server
            return bool(api.requests_reached == sent_before and api.not_sent(exc))

        return await api_or_ssh(fn, node=self.node, api=api, ssh=self._cli, never_sent=never_sent, what=what)

    # --- instances -----------------------------------------------------------------------------

    def _to_instance(self, raw: dict[str, Any], now: float) -> Instance:
        inst = lxd_parse.parse_instance(raw, self.node.id)
        ns = inst.extra.get("cpu_time_ns")
        if ns is None:
            return inst
        prev = self._cpu_samples.get(inst.id)
        self._cpu_samples[inst.id] = (int(ns), now)
        if prev is None:
            return inst
        rate = lxd_parse.cpu_rate(prev[0], prev[1], int(ns), now)
        return inst if rate is None else dataclasses.replace(inst, cpu_usage=rate)

    async def list_instances(self) -> list[Instance]:
        raw = await self._call("list", lambda b: b.list_instances())
        now = time.monotonic()
        if not isinstance(raw, list):
            raise MalformedData(f"the instance list is {kind(raw)}, expected a list")
        instances = [self._to_instance(r, now) for r in raw]  # MalformedData names what is wrong
        seen = {i.id for i in instances}
        for gone in set(self._cpu_samples) - seen:
            del self._cpu_samples[gone]
        return sorted(instances, key=lambda i: i.name)

    async def get_instance(self, instance_id: str) -> Instance:
        name = validate_name(instance_id)
        raw = await self._call("get", lambda b: b.get_instance(name))
        return self._to_instance(raw, time.monotonic())

    async def create_instance(self, spec: InstanceSpec, progress: ProgressCallback | None = None) -> Instance:
        check_spec(spec)
        if spec.type not in self.instance_types:
            raise Unsupported(f"{self.type.value} cannot create {spec.type.value} instances")
        await self._call("create", lambda b: b.create_instance(spec, progress))
        if progress:
            progress(1.0, f"{spec.name} created")
        return await self.get_instance(spec.name)

    async def _state(self, name: str, action: str, *, timeout: float | None = None, force: bool = False) -> None:
        await self._call(action, lambda b: b.change_state(name, action, timeout=timeout, force=force))

    async def start_instance(self, instance_id: str) -> None:
        name = validate_name(instance_id)
        try:
            await self._state(name, "start")
        except (OcvError, RemoteError) as exc:
            if isinstance(exc, NotFound | AuthError | CertificateError):
                raise
            # The daemon refuses to start a running instance; that is success for the caller.
            if (await self.get_instance(name)).status is not InstanceStatus.RUNNING:
                raise

    async def stop_instance(self, instance_id: str, *, timeout: float = 30.0, force: bool = False) -> None:
        name = validate_name(instance_id)
        try:
            await self._state(name, "stop", timeout=timeout, force=force)
        except OcvError as exc:
            if isinstance(exc, NotFound | AuthError | CertificateError):
                raise
            inst = await self.get_instance(name)
            if inst.status is InstanceStatus.STOPPED:
                return  # it was stopped already, or stopped in the meantime
            if force:
                raise
            # The graceful stop did not finish in time (or the guest ignored it): hard stop.
            log.info("%s: graceful stop of %s failed (%s); forcing", self.node.name, name, exc)
            await self._state(name, "stop", force=True)

    async def restart_instance(self, instance_id: str) -> None:
        name = validate_name(instance_id)
        await self._state(name, "restart", timeout=30.0)

    async def delete_instance(self, instance_id: str, *, force: bool = False, purge_volumes: bool = False) -> None:
        name = validate_name(instance_id)
        inst = await self.get_instance(name)  # NotFound for a missing one, with the daemon's word
        if inst.status is not InstanceStatus.STOPPED:
            if not force:
                raise InvalidInput(
                    f"instance {name} is {inst.raw_status.lower() or inst.status.value}; stop it first",
                    hint="or confirm deleting it while it runs (force)",
                )
            await self.stop_instance(name, force=True)
        await self._call("delete", lambda b: b.delete_instance(name))

    # --- images --------------------------------------------------------------------------------

    async def list_images(self) -> list[Image]:
        raw = await self._call("image list", lambda b: b.list_images())
        return lxd_parse.parse_images(raw, self.node.id)

    async def pull_image(self, ref: str, progress: ProgressCallback | None = None) -> Image:
        fingerprint = await self._call("image pull", lambda b: b.pull_image(ref, progress))
        return await self._image(fingerprint, ref)

    async def pull_image_from(self, source: ImageSource, progress: ProgressCallback | None = None) -> Image:
        """Pull from an image server described in full (server, protocol, alias or fingerprint,
        and for a self-signed incus/lxd remote its certificate and project). API only: the CLI
        knows servers only as remotes configured on the node."""
        if self._api is None:
            raise Unsupported(
                "pulling from an image server given by URL needs the API",
                hint=f"configure the remote on the node (`{self.binary} remote add`) and pull REMOTE:ALIAS",
            )
        fingerprint = await self._api.pull_image(source.label, progress, source=source)
        return await self._image(fingerprint, source.label)

    async def _image(self, fingerprint: str, what: str) -> Image:
        for img in await self.list_images():
            if img.id == fingerprint:
                return img
        raise OcvError(f"the image {what!r} was pulled ({fingerprint[:12]}) but is not in the image list")

    async def delete_image(self, image_id: str, *, force: bool = False) -> None:
        image_id = image_id.strip()
        if not image_id or any(c.isspace() or not c.isprintable() for c in image_id):
            raise InvalidInput(f"invalid image id {image_id!r}")
        refuse_option_like(image_id, "image id")
        if ":" in image_id:
            # The node's CLI reads REMOTE:ALIAS as an image on another server it knows.
            raise InvalidInput(
                f"invalid image id {image_id!r}", hint="name an image on this node by its alias or fingerprint"
            )
        await self._call("image delete", lambda b: b.delete_image(image_id))

    # --- snapshots -----------------------------------------------------------------------------

    async def list_snapshots(self, instance_id: str) -> list[Snapshot]:
        name = validate_name(instance_id)
        raw = await self._call("snapshot list", lambda b: b.list_snapshots(name))
        return lxd_parse.parse_snapshots(raw)

    async def create_snapshot(self, instance_id: str, name: str, description: str = "", stateful: bool = False) -> None:
        inst = validate_name(instance_id)
        snap = validate_snapshot_name(name)
        if description:
            # InstanceSnapshotsPost has no description on LXD or Incus; dropping it silently would
            # leave the user believing it was kept.
            raise Unsupported(f"{self.type.value} snapshots have no description", hint="put what it is for in the name")
        await self._call("snapshot", lambda b: b.create_snapshot(inst, snap, stateful=stateful))

    async def restore_snapshot(self, instance_id: str, name: str) -> None:
        inst = validate_name(instance_id)
        snap = validate_snapshot_name(name)
        await self._call("snapshot restore", lambda b: b.restore_snapshot(inst, snap))

    async def delete_snapshot(self, instance_id: str, name: str) -> None:
        inst = validate_name(instance_id)
        snap = validate_snapshot_name(name)
        await self._call("snapshot delete", lambda b: b.delete_snapshot(inst, snap))

    # --- consoles ------------------------------------------------------------------------------

    async def open_console(self, instance_id: str, size: TermSize) -> ConsoleChannel:
        """``incus exec``/``lxc exec`` with a terminal when the node has a shell road (SSH or
        this computer); otherwise the API's exec websocket (``_open_api_console``)."""
        name = validate_name(instance_id)
        if as_pty_runner(self._runner) is not None:
            from ocv_desktop.providers import console_roads as roads

            marker = roads.new_marker()
            argv = roads.lxd_exec_argv(self.binary, name, marker)
            hangup = roads.lxd_hangup_argv(self.binary, name, marker)
            title = f"{name} ({self.binary} exec)"
            return await roads.open_cli_console(self._runner, self.name, argv, size, title=title, hangup=hangup)
        return await self._open_api_console(name, size)

    async def _open_api_console(self, instance_id: str, size: TermSize) -> ConsoleChannel:
        """A shell in the instance through the API's interactive exec (console_ws.py)."""
        name = validate_name(instance_id)
        if self._api is None:
            raise Unsupported(f"node {self.name} has no API credentials for a console")
        from ocv_desktop.providers.lxd_family.console_ws import open_lxd_console

        return await open_lxd_console(
            self._api.client, self._api.dialer, name, size, title=f"{name} ({self.type.value} exec)"
        )

    # --- passwords -----------------------------------------------------------------------------

    async def _wait_running(self, name: str) -> Instance:
        deadline = time.monotonic() + self.start_wait
        while True:
            inst = await self.get_instance(name)
            if inst.status is InstanceStatus.RUNNING:
                return inst
            if inst.status is not InstanceStatus.STARTING:
                raise OcvError(
                    f"instance {name} is {inst.raw_status.lower() or inst.status.value}; "
                    "start it before setting a password"
                )
            if time.monotonic() >= deadline:
                raise Timeout(f"waiting for instance {name} to finish starting", self.start_wait)
            await asyncio.sleep(self.poll_interval)

    async def _wait_agent(self, name: str) -> None:
        """A VM runs commands through its guest agent, which comes up some seconds after boot."""
        deadline = time.monotonic() + self.agent_wait
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                res = await self._call("exec", lambda b: b.exec(name, ["true"], stdin=b"", timeout=30))
                if res.exit_code == 0:
                    return
            except (OcvError, RemoteError) as exc:
                if isinstance(exc, AuthError | CertificateError):
                    raise
                last = exc
            await asyncio.sleep(max(self.poll_interval, 2.0))
        raise Timeout(
            f"waiting for the guest agent of VM {name}", self.agent_wait, hint=f"last error: {last}" if last else None
        )

    async def set_instance_password(self, instance_id: str, password: str, *, username: str = "root") -> None:
        name = validate_name(instance_id)
        check_new_password(username, password)
        inst = await self._wait_running(name)
        if inst.type is InstanceType.VM:
            await self._wait_agent(name)
        line = chpasswd_input(username, password)
        # chpasswd reads the secret on its stdin: over the API through the exec websocket,
        # over SSH through the channel's stdin; it is in no argv on either road.
        res = await self._call(
            "exec",
            lambda b: b.exec(name, ["chpasswd"], stdin=line, timeout=60, secrets=(password,)),
        )
        if res.exit_code in _COMMAND_NOT_FOUND:
            raise Unsupported(f"instance {name} has no chpasswd; its password cannot be set this way")
        if res.exit_code != 0:
            raise RemoteError(f"chpasswd in {name}", res.exit_code, stderr_tail(res.stderr, (password,)))

    # --- probes --------------------------------------------------------------------------------

    @property
    def command_runner(self) -> CommandRunner | None:
        return self._runner

    @property
    def api_configured(self) -> bool:
        return self._api is not None

    async def probe_api(self) -> str:
        if self._api is None:
            raise Unsupported(f"node {self.name} has no API credentials")
        detail: str = await self._api.probe()
        return detail

    async def probe_service(self) -> str:
        if self._runner is None:
            # No shell (api_only): the daemon answering its API is the best service evidence.
            return await self.probe_api()
        assert self._systemd is not None  # set together with the runner
        # Both questions at once: one round trip per health check.
        info, units = await asyncio.gather(
            self._runner.run([self.binary, "info"], timeout=30), self._systemd.states(timeout=15)
        )
        m = re.search(r"^\s*server_version:\s*\"?([^\s\"]+)", info.out, re.MULTILINE)
        detail = f"{self.type.value} {m.group(1)}" if m else f"{self.binary} info answers"
        # Any one active unit is enough (snap or deb install).
        if units is not None and "active" not in units.values():
            states = ", ".join(f"{u} {st}" for u, st in units.items())
            raise OcvError(f"{'/'.join(self.service_units)} not active ({states}) on {self._runner.description}")
        return detail
