"""Proxmox VE provider: the REST API (token or ticket), or ``pvesh``/``pct``/``qm`` over SSH.

One node config may point at a whole cluster: listing is one ``GET /cluster/resources?type=vm``
and every later call goes to the cluster member the guest lives on, on the right ``qemu`` or
``lxc`` path (looked up, never assumed). Every mutating call returns a UPID that is polled to its
exit status; a failed task raises ``OperationFailed`` with the task log's tail. A guest whose config
is locked by another task (``can't lock file ... got timeout``) is retried a few times.

Execution rule (DESIGN.md): ``auto`` uses the API when credentials exist and SSH otherwise, falling
back to SSH only when an API request provably never reached the server (the connection was not
established); ``api_only`` never opens SSH; ``ssh_only`` never talks to the API. Over SSH the same
API paths are called through ``pvesh <verb> <path> --output-format json`` (argv lists; secrets
never in argv: passwords go to ``pct exec ... chpasswd`` / ``qm guest passwd`` on stdin).

Things the API cannot do: run a command in a container (there is no container exec endpoint), so
container passwords need SSH to the node. VM passwords use the QEMU guest agent; when no agent
answers, cloud-init's ``cipassword`` plus a reboot is used only if the caller consents
(``allow_reboot=True``).

Templates are not instances: VM templates are listed as images, and ``create_instance`` clones
them (``InstanceSpec.image`` = the template's vmid or name). Containers are created from a
template volume (``local:vztmpl/...``); VMs from an ISO volume (``local:iso/...``, or
``extra["iso"]``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from ocv_desktop.core.errors import (
    ApiError,
    ConfigError,
    ConnectError,
    InvalidInput,
    NotFound,
    OcvError,
    OperationFailed,
    RemoteError,
    Timeout,
    Unsupported,
)
from ocv_desktop.core.models import (
    ExecutionRule,
    Image,
    Instance,
    InstanceSpec,
    InstanceType,
    NodeConfig,
    NodeSecrets,
    Platform,
    ProgressCallback,
    ResourceSample,
    Snapshot,
)
from ocv_desktop.providers.base import (
    Provider,
    ProviderContext,
    check_new_password,
    chpasswd_input,
    no_progress,
    parse_off_loop,
    passwd_input,
    validate_instance_name,
)
from ocv_desktop.providers.proxmox import parse as pp
from ocv_desktop.providers.proxmox.api import pve_endpoint
from ocv_desktop.providers.proxmox.backends import ApiBackend, PveBackend, PveshBackend
from ocv_desktop.providers.routing import api_or_ssh, may_fall_back
from ocv_desktop.providers.shape import obj, objs
from ocv_desktop.transport.base import CommandResult, CommandRunner
from ocv_desktop.transport.commands import stderr_tail
from ocv_desktop.transport.console import ConsoleChannel, TermSize
from ocv_desktop.transport.http import request_never_sent
from ocv_desktop.transport.pty import as_pty_runner
from ocv_desktop.transport.viewer import GraphicalConsole

log = logging.getLogger(__name__)
T = TypeVar("T")

# The three daemons a working PVE node runs (the web/API proxy, the privileged API, the stats collector).
SERVICES = ("pveproxy", "pvedaemon", "pvestatd")
# Guest names: PVE checks them as DNS names (``dns-name``); we accept one label, which every
# guest kind and the hostname of a container take.
_GUEST_NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
# A login name chpasswd / the guest agent will take (no ':' or whitespace; Windows names allow capitals).
_USERNAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}\$?$")
_FILENAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,254}$")
_STORAGE_RE = re.compile(r"^[a-z][a-z0-9\-_.]*[a-z0-9]$", re.IGNORECASE)
_TEMPLATE_EXT_RE = re.compile(r"\.tar\.(?:gz|xz|zst|bz2)$")
# Snapshot names: PVE's ``pve-configid`` format, at most 40 characters; 'current', 'vzdump' and
# 'pending' are names PVE keeps for itself.
_SNAPSHOT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{1,39}$")
_RESERVED_SNAPSHOTS = ("current", "vzdump", "pending")
# Storage types that snapshot a guest's volumes themselves; a file storage (dir, nfs, cifs, ...)
# snapshots only qcow2 VM disks. Used only to name the culprit after PVE said no.
_SNAPSHOT_STORAGE_TYPES = ("zfspool", "lvmthin", "rbd", "btrfs")
_FILE_STORAGE_TYPES = ("dir", "nfs", "cifs", "glusterfs", "cephfs")
_NO_SNAPSHOT_FEATURE = "snapshot feature is not available"
_ISO_EXT_RE = re.compile(r"\.(?:iso|img)$", re.IGNORECASE)
# InstanceSpec.extra keys passed through to PVE's create call as they are (property strings and
# simple options the schema checks itself); anything else is refused so a typo is not ignored.
_CT_EXTRA = ("net0", "net1", "features", "nameserver", "searchdomain", "tags", "pool", "description", "swap", "onboot")
_VM_EXTRA = ("net0", "net1", "ostype", "scsihw", "tags", "pool", "description", "onboot", "bios", "machine", "cpu")
_OWN_EXTRA = ("node", "vmid", "iso", "unprivileged")
# A PVE node name is a host name label (pve-cluster's node name rule).
_PVE_NODE_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def _check_pve_node(name: str) -> str:
    if not _PVE_NODE_RE.fullmatch(name):
        raise InvalidInput(f"invalid Proxmox node name {name!r}", hint="letters, digits and '-', like a host name")
    return name


def _seg(part: object) -> str:
    """One API path segment: node, storage and guest names come from the node or the user, and a
    '/', '?' or '#' in them must not change which endpoint is called."""
    return urllib.parse.quote(str(part), safe="")


# --- guests ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Guest:
    """Where a guest lives: enough to build its API path."""

    vmid: str
    kind: str  # pp.QEMU or pp.LXC
    node: str
    name: str
    status: str
    template: bool

    @property
    def path(self) -> str:
        return f"/nodes/{_seg(self.node)}/{_seg(self.kind)}/{_seg(self.vmid)}"

    @property
    def label(self) -> str:
        what = "VM" if self.kind == pp.QEMU else "container"
        return f"{what} {self.vmid} ({self.name})"


def _guest(item: Mapping[str, Any]) -> Guest:
    vmid = str(pp.as_int(item.get("vmid")))
    return Guest(
        vmid=vmid,
        kind=str(item["type"]),
        node=str(item.get("node") or ""),
        name=str(item.get("name") or vmid),
        status=str(item.get("status") or "unknown"),
        template=pp.as_bool(item.get("template")),
    )


# --- the provider ------------------------------------------------------------------------------------


class ProxmoxProvider(Provider):
    type = Platform.PROXMOX
    instance_types = (InstanceType.CONTAINER, InstanceType.VM)
    name_pattern = _GUEST_NAME_RE
    name_hint = "a hostname: letters, digits and '-', not starting or ending with '-', at most 63 characters"

    # Config-lock contention: retries and the base delay (seconds, multiplied by the attempt number).
    lock_retries = 5
    lock_retry_delay = 2.0

    def __init__(self, context: ProviderContext) -> None:
        super().__init__(context)
        self._secrets = NodeSecrets()
        self._api: ApiBackend | None = None
        self._shell: PveshBackend | None = None
        self._runner: CommandRunner | None = None
        self._api_error: OcvError | None = None  # why the API could not be opened (auto rule, SSH used)
        self._pve_node: str | None = None

    # --- connection ----------------------------------------------------------------------------

    async def connect(self, node: NodeConfig, secrets: NodeSecrets) -> None:
        if node.type is not Platform.PROXMOX:
            raise ConfigError(f"node {node.name!r} is a {node.type.value} node, not a Proxmox VE node")
        await self.disconnect()
        self._node, self._secrets = node, secrets
        rule = ExecutionRule(node.execution_rule)
        if rule is ExecutionRule.API_ONLY and not self._has_api_credentials():
            raise ConfigError(
                f"node {node.name!r} is set to use the API only, but no API credentials are configured",
                hint="add an API token (USER@REALM!TOKENID and its secret) or a user and password",
            )
        try:
            if rule is not ExecutionRule.SSH_ONLY and self._has_api_credentials():
                try:
                    self._api = await self._open_api()
                except (ConnectError, Timeout) as exc:
                    # auto: an API that provably could not be reached leaves SSH as the road.
                    if not may_fall_back(rule, exc, ssh_available=True, never_sent=request_never_sent(exc)):
                        raise
                    log.warning("API of %s unreachable (%s); using pvesh over SSH", node.name, exc)
                    self._api_error = exc
            if rule is not ExecutionRule.API_ONLY:
                # Beside the API, SSH connects on first use (container passwords, health, fallback).
                self._runner = await self._open_runner(node, secrets, connect_now=self._api is None)
                self._shell = PveshBackend(
                    self._runner, min(self.context.command_timeout, 120.0), self.context.operation_timeout
                )
        except BaseException:
            await self.disconnect()
            raise

    async def _open_api(self) -> ApiBackend:
        """An API client that has proven it trusts the server and the server trusts us (a first
        contact with an unpinned self-signed certificate raises CertificateUnknown here)."""
        from ocv_desktop.providers.proxmox.api import open_pve_client

        node = self.node  # open_pve_client finds the default endpoint itself
        if not self._secrets.api_token_secret:
            node = node.replace(api_token_id=None)  # a token id without its secret: log in with the password
        client = open_pve_client(node, self._secrets, timeout=min(self.context.command_timeout, 60.0))
        backend = ApiBackend(client, self.api_endpoint)
        try:
            await backend.call("GET", "/version")
        except BaseException:
            await backend.close()
            raise
        return backend

    async def disconnect(self) -> None:
        api, self._api = self._api, None
        runner, self._runner = self._runner, None
        self._shell = None
        self._api_error = None
        self._pve_node = None
        if api is not None:
            await api.close()
        if runner is not None:
            await runner.close()

    @property
    def api_endpoint(self) -> str:
        return pve_endpoint(self.node)

    def _has_api_credentials(self) -> bool:
        node, secrets = self._node, self._secrets
        if node is None:
            return False
        token = bool(node.api_token_id and secrets.api_token_secret)
        ticket = bool(node.api_user and secrets.api_password)
        return token or ticket

    @property
    def command_runner(self) -> CommandRunner | None:
        return self._runner

    @property
    def api_configured(self) -> bool:
        if self._node is None or ExecutionRule(self._node.execution_rule) is ExecutionRule.SSH_ONLY:
            return False
        return self._has_api_credentials()

    # --- the one way we call PVE ---------------------------------------------------------------

    def _backend(self) -> PveBackend:
        if self._api is not None:
            return self._api
        if self._shell is not None:
            return self._shell
        raise ConnectError(f"not connected to {self.name}")

    async def _via(self, op: Callable[[PveBackend], Awaitable[T]]) -> T:
        """Each request on its own: a request that never left may go over SSH instead; one that
        may have reached the server is never repeated (one click never creates two guests)."""
        backend = self._backend()
        if backend is not self._api:
            return await op(backend)
        shell: PveBackend | None = self._shell
        return await api_or_ssh(
            op, node=self.node, api=backend, ssh=shell, never_sent=request_never_sent, what="a request"
        )

    async def _call(self, method: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return await self._via(lambda b: b.call(method, path, params))

    async def _task(
        self, method: str, path: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        """A call that may start a task: the UPID is polled to its exit status. Config-lock
        contention (another task holds the guest) is retried with a growing delay."""
        limit = self.context.operation_timeout if timeout is None else timeout
        for attempt in range(self.lock_retries + 1):
            try:
                result = await self._call(method, path, params)
                if pp.is_upid(result):

                    async def wait(b: PveBackend, upid: str = result) -> None:
                        await b.wait(upid, timeout=limit)

                    await self._via(wait)
                return result
            except (ApiError, OperationFailed, RemoteError) as exc:
                if attempt >= self.lock_retries or not pp.is_lock_timeout(str(exc)):
                    raise
                delay = self.lock_retry_delay * (attempt + 1)
                log.info("%s %s: guest config locked, retrying in %.1f s", method, path, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def pve_node(self) -> str:
        """The cluster member we talk to: configured, or the one /cluster/status marks local."""
        if self._pve_node:
            return self._pve_node
        if self.node.proxmox_node:
            self._pve_node = self.node.proxmox_node
            return self._pve_node
        entries = await self._call("GET", "/cluster/status")
        nodes = [e for e in objs(entries, "/cluster/status") if e.get("type") == "node"]
        local = [e for e in nodes if pp.as_bool(e.get("local"))] or nodes
        if not local or not local[0].get("name"):
            raise NotFound(
                f"could not find out which Proxmox node {self.name} is", hint="set proxmox_node in its config"
            )
        self._pve_node = str(local[0]["name"])
        return self._pve_node

    # --- lookup --------------------------------------------------------------------------------

    async def _resources(self) -> list[Mapping[str, Any]]:
        data = await self._call("GET", "/cluster/resources", {"type": "vm"})
        return pp.guests_from_resources(data or [])

    async def _find(self, instance_id: str, *, templates: bool = False) -> Guest:
        """A guest by vmid or by (unique) name, with its node and kind: one listing call."""
        return _guest(await self._find_item(instance_id, templates=templates))

    async def _find_item(self, instance_id: str, *, templates: bool = False) -> Mapping[str, Any]:
        ref = str(instance_id).strip()
        by_id = pp.is_vmid(ref)
        found = []
        for item in await self._resources():
            if pp.as_bool(item.get("template")) != templates:
                continue
            key = str(pp.as_int(item.get("vmid"))) if by_id else str(item.get("name") or "")
            if key == ref:
                found.append(item)
        if len(found) > 1:
            ids = ", ".join(str(i.get("vmid")) for i in found)
            raise InvalidInput(f"several guests on {self.name} are named {ref!r} ({ids})", hint="use the VMID")
        if not found:
            what = "VM template" if templates else "VM or container"
            raise NotFound(f"no {what} {ref!r} on {self.name}")
        return found[0]

    # --- instances -----------------------------------------------------------------------------

    async def list_instances(self) -> list[Instance]:
        data = await self._call("GET", "/cluster/resources", {"type": "vm"})
        return pp.instances_from_resources(data or [], self.node.id)

    async def get_instance(self, instance_id: str) -> Instance:
        return pp.instance_from_resource(await self._find_item(instance_id), self.node.id)

    async def start_instance(self, instance_id: str) -> None:
        guest = await self._find(instance_id)
        if guest.status == "running":
            return
        await self._task("POST", f"{guest.path}/status/start")

    async def stop_instance(self, instance_id: str, *, timeout: float = 30.0, force: bool = False) -> None:
        guest = await self._find(instance_id)
        await self._stop(guest, timeout=timeout, force=force)

    async def _stop(self, guest: Guest, *, timeout: float, force: bool) -> None:
        if guest.status == "stopped":
            return
        if not force:
            seconds = max(1, int(timeout))
            try:
                # forceStop=0: PVE gives up after `timeout` and the task fails; then we stop hard.
                await self._task("POST", f"{guest.path}/status/shutdown", {"timeout": seconds}, timeout=seconds + 60.0)
                return
            except (OperationFailed, Timeout) as exc:
                log.info("%s did not shut down within %d s (%s); stopping it", guest.label, seconds, exc)
        # overrule-shutdown: abort a shutdown task that may still be waiting for the guest.
        await self._task("POST", f"{guest.path}/status/stop", {"overrule-shutdown": True})

    async def restart_instance(self, instance_id: str) -> None:
        guest = await self._find(instance_id)
        if guest.status != "running":
            await self._task("POST", f"{guest.path}/status/start")
            return
        try:
            await self._task("POST", f"{guest.path}/status/reboot")
        except OperationFailed as exc:
            # The reboot is a shutdown inside PVE; a guest that ignores it is stopped hard and started.
            log.info("%s did not reboot (%s); stopping and starting it", guest.label, exc)
            await self._task("POST", f"{guest.path}/status/stop", {"overrule-shutdown": True})
            await self._task("POST", f"{guest.path}/status/start")

    async def delete_instance(self, instance_id: str, *, force: bool = False, purge_volumes: bool = False) -> None:
        """Destroy the guest with its disks (PVE removes the volumes a guest owns) and purge it
        from backup jobs, replication and HA (``purge``); unreferenced disks of the vmid go too."""
        guest = await self._find(instance_id)
        await self._destroy(guest, force=force)

    async def _destroy(self, guest: Guest, *, force: bool) -> None:
        if guest.status not in ("stopped", "unknown"):
            if not force:
                raise InvalidInput(
                    f"{guest.label} on {self.name} is {guest.status}; stop it first",
                    hint="or delete it with force, which stops it",
                )
            await self._stop(guest, timeout=0, force=True)
        await self._task("DELETE", guest.path, {"purge": True, "destroy-unreferenced-disks": True})

    # --- resource history ------------------------------------------------------------------------

    async def resource_history(self, instance_id: str | None = None) -> list[ResourceSample]:
        """``rrddata`` of the node (the cluster member we talk to) or of one guest: a day at
        PVE's day resolution (about 70 averaged steps), parsed off the loop when it is big."""
        params = {"timeframe": "day", "cf": "AVERAGE"}
        if instance_id is None:
            path = f"/nodes/{_seg(await self.pve_node())}/rrddata"
            parse = pp.node_rrddata
        else:
            path = f"{(await self._find(instance_id)).path}/rrddata"
            parse = pp.guest_rrddata
        data = await self._call("GET", path, params)
        return await parse_off_loop(len(data) if isinstance(data, list) else 0, parse, data)

    # --- snapshots -----------------------------------------------------------------------------

    async def list_snapshots(self, instance_id: str) -> list[Snapshot]:
        guest = await self._find(instance_id)
        return pp.snapshots_from_list(await self._call("GET", f"{guest.path}/snapshot"))

    async def create_snapshot(self, instance_id: str, name: str, description: str = "", stateful: bool = False) -> None:
        snap = _check_snapshot_name(name)
        guest = await self._find(instance_id)
        params: dict[str, Any] = {"snapname": snap}
        if description:
            params["description"] = description
        if stateful:
            if guest.kind != pp.QEMU:
                raise Unsupported("Proxmox container snapshots cannot keep the running state (only VMs can)")
            params["vmstate"] = True
        try:
            await self._task("POST", f"{guest.path}/snapshot", params)
        except (OperationFailed, ApiError, RemoteError) as exc:
            if _NO_SNAPSHOT_FEATURE not in str(exc):
                raise
            raise await self._snapshot_unsupported(guest) from exc

    async def restore_snapshot(self, instance_id: str, name: str) -> None:
        """PVE stops the guest for a rollback; it is left stopped unless the snapshot saved the
        VM's memory (then it resumes as it was)."""
        snap = _check_snapshot_name(name)
        guest = await self._find(instance_id)
        await self._task("POST", f"{guest.path}/snapshot/{_seg(snap)}/rollback")

    async def delete_snapshot(self, instance_id: str, name: str) -> None:
        snap = _check_snapshot_name(name)
        guest = await self._find(instance_id)
        await self._task("DELETE", f"{guest.path}/snapshot/{_seg(snap)}")

    async def _snapshot_unsupported(self, guest: Guest) -> Unsupported:
        """PVE said "snapshot feature is not available": name the storage(s) of the guest's volumes
        that cannot snapshot, from its config and the node's storage types."""
        config = obj(await self._call("GET", f"{guest.path}/config"), "the guest config")
        listed = await self._call("GET", f"/nodes/{_seg(guest.node)}/storage")
        storages = {str(s.get("storage")): str(s.get("type") or "") for s in objs(listed, "the storage list")}
        culprits: list[str] = []
        for key, value in config.items():
            volume = _guest_volume(guest.kind, str(key), value)
            if volume is None:
                continue
            sid, _, vol = volume.partition(":")
            stype = storages.get(sid, "")
            can = stype in _SNAPSHOT_STORAGE_TYPES or (
                guest.kind == pp.QEMU and stype in _FILE_STORAGE_TYPES and vol.endswith(".qcow2")
            )
            label = f"{sid} ({stype})" if stype else sid
            if not can and label not in culprits:
                culprits.append(label)
        where = ", ".join(culprits) if culprits else "its storage"
        return Unsupported(
            f"{guest.label} on {self.name} cannot be snapshotted: storage {where} does not support snapshots",
            hint="move its disks to a storage that can (ZFS, LVM-thin, Ceph RBD, Btrfs"
            + (", or qcow2 on a directory storage)" if guest.kind == pp.QEMU else ")"),
        )

    # --- create --------------------------------------------------------------------------------

    async def create_instance(self, spec: InstanceSpec, progress: ProgressCallback | None = None) -> Instance:
        report = progress or no_progress
        name = validate_instance_name(spec.name, _GUEST_NAME_RE)
        allowed = (_CT_EXTRA if spec.type is InstanceType.CONTAINER else _VM_EXTRA) + _OWN_EXTRA
        unknown = sorted(set(spec.extra) - set(allowed))
        if unknown:
            raise InvalidInput(
                f"unknown Proxmox option(s) for a {spec.type.value}: {', '.join(unknown)}",
                hint=f"allowed: {', '.join(sorted(allowed))}",
            )
        wanted_node = spec.extra.get("node")
        node = _check_pve_node(wanted_node) if wanted_node else await self.pve_node()
        report(None, f"allocating a VMID on {self.name}")
        if spec.type is InstanceType.CONTAINER:
            vmid = await self._create_container(spec, name, node, report)
        else:
            vmid = await self._create_vm(spec, name, node, report)
        if spec.start:
            report(None, f"starting {vmid}")
            guest = await self._find(vmid)  # a clone may live where its template lives
            await self._task("POST", f"{guest.path}/status/start")
        report(1.0, f"created {vmid}")
        return await self.get_instance(vmid)

    async def _new_vmid(self, spec: InstanceSpec) -> str:
        wanted = spec.extra.get("vmid")
        if wanted is not None:
            if not pp.is_vmid(wanted):
                raise InvalidInput(f"invalid VMID {wanted!r}", hint="an integer from 100 to 999999999")
            # With vmid, PVE answers only when that id is free (400 otherwise).
            return str(await self._call("GET", "/cluster/nextid", {"vmid": wanted}))
        return str(await self._call("GET", "/cluster/nextid"))

    async def _create_with_vmid(
        self, spec: InstanceSpec, make: Callable[[str], Awaitable[None]], *, attempts: int = 3
    ) -> str:
        """Take the next free VMID and create; another client may take the same id in between,
        then PVE says it exists and we take the next one."""
        for attempt in range(attempts):
            vmid = await self._new_vmid(spec)
            try:
                await make(vmid)
                return vmid
            except ApiError as exc:
                taken = "already exists" in str(exc)
                if not taken or "vmid" in spec.extra or attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    async def _storage_for(self, node: str, content: str, wanted: str | None) -> str:
        """The storage to put a volume of this content on: the asked one, else the first active
        storage of the node that allows it."""
        if wanted:
            if not _STORAGE_RE.match(wanted):
                raise InvalidInput(f"invalid storage name {wanted!r}")
            return wanted
        storages = await self._call("GET", f"/nodes/{_seg(node)}/storage", {"content": content, "enabled": True})
        active = [s for s in objs(storages, f"/nodes/{node}/storage") if pp.as_bool(s.get("active", 1))]
        if not active:
            raise NotFound(f"no active storage on {node} takes {content!r} content", hint="choose a storage")
        return str(active[0]["storage"])

    async def _create_container(self, spec: InstanceSpec, name: str, node: str, report: ProgressCallback) -> str:
        ostemplate = await self._resolve_ct_template(spec.image)
        storage = await self._storage_for(node, "rootdir", spec.storage)
        params: dict[str, Any] = {
            "ostemplate": ostemplate,
            "hostname": _hostname(spec, name),
            "rootfs": f"{storage}:{pp.to_gib(spec.disk) if spec.disk else 8}",
            # Unprivileged is PVE's recommended default; privileged only when asked explicitly.
            "unprivileged": pp.as_bool(spec.extra.get("unprivileged", "1")),
        }
        params.update(_cpu_params(spec.cpus))
        if spec.memory:
            params["memory"] = pp.to_mib(spec.memory)
        params.update({k: v for k, v in spec.extra.items() if k in _CT_EXTRA})

        async def make(vmid: str) -> None:
            report(None, f"creating container {vmid} from {ostemplate}")
            await self._task("POST", f"/nodes/{_seg(node)}/lxc", {"vmid": vmid, **params})

        return await self._create_with_vmid(spec, make)

    async def _resolve_ct_template(self, image: str) -> str:
        """A volid (``local:vztmpl/...``) as given; a bare file name is looked up in the node's storages."""
        if pp.is_volid(image):
            if pp.volid_content(image) != "vztmpl":
                raise InvalidInput(f"{image!r} is not a container template volume", hint="e.g. local:vztmpl/<file>")
            return image
        for img in await self.list_images():
            if img.extra.get("content") == "vztmpl" and image in (img.name, *img.aliases):
                return img.id
        raise NotFound(f"no container template {image!r} on {self.name}", hint="pull it first or give its volid")

    async def _create_vm(self, spec: InstanceSpec, name: str, node: str, report: ProgressCallback) -> str:
        iso = spec.extra.get("iso") or (spec.image if pp.volid_content(spec.image) == "iso" else None)
        if iso:
            return await self._create_vm_from_iso(spec, name, node, iso, report)
        return await self._clone_vm(spec, name, report)

    async def _create_vm_from_iso(
        self, spec: InstanceSpec, name: str, node: str, iso: str, report: ProgressCallback
    ) -> str:
        if pp.volid_content(iso) != "iso":
            raise InvalidInput(f"{iso!r} is not an ISO volume", hint="e.g. local:iso/<file>.iso")
        storage = await self._storage_for(node, "images", spec.storage)
        params: dict[str, Any] = {
            "name": name,
            "scsihw": "virtio-scsi-single",
            "scsi0": f"{storage}:{pp.to_gib(spec.disk) if spec.disk else 32}",
            "ide2": f"{iso},media=cdrom",
            "boot": "order=scsi0;ide2",
            "ostype": "l26",
            # The guest agent is how we set passwords later; installing it in the guest is up to the user.
            "agent": "1",
        }
        params.update(_cpu_params(spec.cpus))
        if spec.memory:
            params["memory"] = pp.to_mib(spec.memory)
        params.update({k: v for k, v in spec.extra.items() if k in _VM_EXTRA})

        async def make(vmid: str) -> None:
            report(None, f"creating VM {vmid} with {iso}")
            await self._task("POST", f"/nodes/{_seg(node)}/qemu", {"vmid": vmid, **params})

        return await self._create_with_vmid(spec, make)

    async def _clone_vm(self, spec: InstanceSpec, name: str, report: ProgressCallback) -> str:
        if not spec.image:
            raise InvalidInput("a VM needs a template to clone or an ISO", hint="image=<template vmid or name>")
        template = await self._find(spec.image, templates=True)
        if template.kind != pp.QEMU:
            raise InvalidInput(f"{spec.image!r} is a container template; create a container from a vztmpl volume")
        params: dict[str, Any] = {"name": name, "full": True}
        if spec.storage:
            params["storage"] = await self._storage_for(template.node, "images", spec.storage)
        target = spec.extra.get("node")
        if target:
            _check_pve_node(target)
        if target and target != template.node:
            params["target"] = target

        async def make(vmid: str) -> None:
            report(None, f"cloning template {template.vmid} to VM {vmid}")
            await self._task("POST", f"{template.path}/clone", {"newid": vmid, **params})

        vmid = await self._create_with_vmid(spec, make)
        node = target or template.node
        config: dict[str, Any] = _cpu_params(spec.cpus)
        if spec.memory:
            config["memory"] = pp.to_mib(spec.memory)
        config.update({k: v for k, v in spec.extra.items() if k in _VM_EXTRA})
        if config:
            report(None, f"configuring VM {vmid}")
            await self._task("PUT", f"/nodes/{_seg(node)}/qemu/{_seg(vmid)}/config", config)
        if spec.disk:
            await self._grow_boot_disk(node, vmid, spec.disk, report)
        return vmid

    async def _grow_boot_disk(self, node: str, vmid: str, size: int, report: ProgressCallback) -> None:
        """Grow the clone's boot disk to ``size`` (PVE can only grow disks)."""
        config = obj(await self._call("GET", f"/nodes/{_seg(node)}/qemu/{_seg(vmid)}/config"), "VM config")
        disk = _boot_disk(config or {})
        if disk is None:
            raise Unsupported(f"VM {vmid} has no disk to resize")
        current = _drive_size(str(config.get(disk, "")))
        if current is not None and current >= size:
            return
        report(None, f"resizing {disk} of VM {vmid} to {pp.to_gib(size)} GiB")
        await self._task(
            "PUT", f"/nodes/{_seg(node)}/qemu/{_seg(vmid)}/resize", {"disk": disk, "size": f"{pp.to_gib(size)}G"}
        )

    # --- images --------------------------------------------------------------------------------

    async def list_images(self) -> list[Image]:
        """VM templates (cloned by create) plus container templates and ISOs on every storage of
        the node whose content allows them."""
        images = pp.template_images(await self._call("GET", "/cluster/resources", {"type": "vm"}) or [], self.node.id)
        node = await self.pve_node()
        storages = await self._call("GET", f"/nodes/{_seg(node)}/storage", {"content": "vztmpl,iso", "enabled": True})
        for storage in objs(storages, f"/nodes/{node}/storage"):
            if not pp.as_bool(storage.get("active", 1)):
                continue
            sid = str(storage["storage"])
            allowed = re.split(r"[,;\s]+", str(storage.get("content") or ""))
            for content in ("vztmpl", "iso"):
                if content not in allowed:
                    continue
                items = await self._call(
                    "GET", f"/nodes/{_seg(node)}/storage/{_seg(sid)}/content", {"content": content}
                )
                images += [
                    pp.image_from_volume(i, self.node.id, storage=sid, pve_node=node)
                    for i in objs(items, f"storage {sid} content")
                ]
        return images

    async def pull_image(self, ref: str, progress: ProgressCallback | None = None) -> Image:
        """``[storage:]https://.../file.iso|.tar.zst`` downloads a URL into a storage;
        ``[storage:][vztmpl/]template-name`` fetches an appliance template (``pveam``'s catalogue)."""
        report = progress or no_progress
        node = await self.pve_node()
        storage, rest = _split_storage(ref.strip())
        if re.match(r"^https?://", rest):
            filename = urllib.parse.unquote(urllib.parse.urlsplit(rest).path.rsplit("/", 1)[-1])
            content = "iso" if _ISO_EXT_RE.search(filename) else "vztmpl" if _TEMPLATE_EXT_RE.search(filename) else None
            if content is None or not _FILENAME_RE.match(filename):
                raise InvalidInput(
                    f"cannot tell what {filename!r} is", hint="the URL must end in .iso, .img or .tar.{gz,xz,zst,bz2}"
                )
            sid = await self._storage_for(node, content, storage)
            report(None, f"downloading {filename} into {sid}")
            await self._task(
                "POST",
                f"/nodes/{_seg(node)}/storage/{_seg(sid)}/download-url",
                {"content": content, "filename": filename, "url": rest},
            )
        else:
            template = rest.removeprefix("vztmpl/")
            if not _FILENAME_RE.match(template) or not _TEMPLATE_EXT_RE.search(template):
                raise InvalidInput(
                    f"{ref!r} is neither a URL nor an appliance template name",
                    hint="e.g. debian-12-standard_12.7-1_amd64.tar.zst (see `pveam available`) or an https:// URL",
                )
            content, filename = "vztmpl", template
            sid = await self._storage_for(node, content, storage)
            report(None, f"fetching appliance template {template} into {sid}")
            await self._task("POST", f"/nodes/{_seg(node)}/aplinfo", {"storage": sid, "template": template})
        volid = f"{sid}:{content}/{filename}"
        report(1.0, f"stored {volid}")
        items = await self._call("GET", f"/nodes/{_seg(node)}/storage/{_seg(sid)}/content", {"content": content})
        for item in objs(items, f"storage {sid} content"):
            if item.get("volid") == volid:
                return pp.image_from_volume(item, self.node.id, storage=sid, pve_node=node)
        # The task ended OK but the storage does not list the file (yet): describe what we know.
        return pp.image_from_volume({"volid": volid, "content": content}, self.node.id, storage=sid, pve_node=node)

    async def delete_image(self, image_id: str, *, force: bool = False) -> None:
        """A volume (``storage:vztmpl/...``, ``storage:iso/...``) or a VM template (by vmid/name)."""
        ref = image_id.strip()
        if pp.is_volid(ref):
            node = await self.pve_node()
            sid = ref.partition(":")[0]
            volume = urllib.parse.quote(ref, safe="")
            await self._task("DELETE", f"/nodes/{_seg(node)}/storage/{_seg(sid)}/content/{volume}")
            return
        template = await self._find(ref, templates=True)
        await self._task("DELETE", template.path, {"purge": True, "destroy-unreferenced-disks": True})

    # --- consoles ------------------------------------------------------------------------------

    async def open_console(self, instance_id: str, size: TermSize) -> ConsoleChannel:
        """A container on the node we reach over SSH: ``pct enter`` with a terminal. VMs, other
        cluster members and nodes without SSH: the API road (``_open_api_console``)."""
        if as_pty_runner(self._runner) is not None:
            guest = await self._find(instance_id)
            if guest.kind == pp.LXC and guest.node == await self.pve_node():
                from ocv_desktop.providers.console_roads import open_cli_console, pct_enter_argv

                title = f"{guest.name} (pct enter)"
                return await open_cli_console(self._runner, self.name, pct_enter_argv(guest.vmid), size, title=title)
        return await self._open_api_console(instance_id, size)

    def _api_client(self, what: str) -> Any:
        if self._api is None:
            raise Unsupported(f"{what} on {self.name} needs the Proxmox API", hint="configure an API token or user")
        return self._api.client

    async def _open_api_console(self, instance_id: str, size: TermSize) -> ConsoleChannel:
        """The guest's text console through ``termproxy`` (termproxy.py): a VM's serial port, a
        container's console (its login prompt)."""
        from ocv_desktop.providers.proxmox.termproxy import open_termproxy

        client = self._api_client("a console")
        guest = await self._find(instance_id)
        kind = "serial" if guest.kind == pp.QEMU else "console"
        return await open_termproxy(client, guest.path, size, title=f"{guest.label} ({kind})")

    async def open_graphical_console(self, instance_id: str) -> GraphicalConsole:
        """A VM's screen in an installed viewer (vnc.py): ``vncproxy`` relayed to a local port."""
        from ocv_desktop.providers.proxmox.vnc import open_vnc_viewer

        client = self._api_client("a graphical console")
        guest = await self._find(instance_id)
        if guest.kind != pp.QEMU:
            raise Unsupported(f"{guest.label} has no graphical console", hint="open its text console instead")
        return await open_vnc_viewer(client, guest.path, title=f"{guest.label} - {self.name}")

    # --- passwords -----------------------------------------------------------------------------

    async def set_instance_password(
        self, instance_id: str, password: str, *, username: str = "root", allow_reboot: bool = False
    ) -> None:
        """Containers: ``pct exec <vmid> -- chpasswd`` over SSH (the API cannot run commands in a
        container). VMs: the QEMU guest agent; without an answering agent, cloud-init's
        ``cipassword`` — applied by a reboot, so only when ``allow_reboot`` (or the VM is off)."""
        check_new_password(username, password, _USERNAME_RE)
        guest = await self._find(instance_id)
        if guest.kind == pp.LXC:
            await self._container_password(guest, username, password)
        else:
            await self._vm_password(guest, username, password, allow_reboot=allow_reboot)

    async def _container_password(self, guest: Guest, username: str, password: str) -> None:
        if self._runner is None:
            raise Unsupported(
                f"setting the password of {guest.label} needs SSH access to the Proxmox node "
                f"{guest.node} as root or a user with sudo",
                hint="the Proxmox API cannot run commands inside containers; configure SSH for this node "
                "(execution rule auto or ssh_only)",
            )
        if guest.status != "running":
            raise InvalidInput(f"{guest.label} is {guest.status}; start it to set its password")
        # SSH reaches the node the API calls "local" (both are node.host); pct only sees its own guests.
        here = await self.pve_node()
        if here != guest.node:
            raise Unsupported(
                f"{guest.label} runs on {guest.node}, but SSH goes to {here}",
                hint=f"add {guest.node} as its own node to set this container's password",
            )
        argv = ["pct", "exec", guest.vmid, "--", "chpasswd"]
        result = await self._run_with_password(argv, chpasswd_input(username, password), password)
        if not result.ok:
            tail = stderr_tail(result.stderr, (password,))
            if result.exit_status == 127 or ("chpasswd" in tail and "not found" in tail.lower()):
                raise Unsupported(f"{guest.label} has no chpasswd command", hint="install the passwd package in it")
            raise RemoteError("pct exec " + guest.vmid + " -- chpasswd", result.exit_status, tail)

    async def _vm_password(self, guest: Guest, username: str, password: str, *, allow_reboot: bool) -> None:
        if self._api is None:
            await self._vm_password_over_ssh(guest, username, password)
            return
        agent_error = await self._agent_ping(guest)
        if agent_error is None:
            await self._call(
                "POST", f"{guest.path}/agent/set-user-password", {"username": username, "password": password}
            )
            return
        await self._cloudinit_password(guest, username, password, allow_reboot=allow_reboot, why=agent_error)

    async def _agent_ping(self, guest: Guest) -> str | None:
        """None when the guest agent answers, else why not."""
        if guest.status != "running":
            return f"{guest.label} is {guest.status}"
        try:
            await self._call("POST", f"{guest.path}/agent/ping")
        except (ApiError, RemoteError, Timeout) as exc:
            return str(exc)
        return None

    async def _cloudinit_password(
        self, guest: Guest, username: str, password: str, *, allow_reboot: bool, why: str
    ) -> None:
        config = await self._call("GET", f"{guest.path}/config")
        if not any("cloudinit" in str(v) for v in obj(config, f"{guest.label} config").values()):
            raise Unsupported(
                f"cannot set the password of {guest.label}: no guest agent answers ({why}) "
                "and it has no cloud-init drive",
                hint="install and start qemu-guest-agent in the VM and enable the agent option",
            )
        running = guest.status == "running"
        if running and not allow_reboot:
            raise Unsupported(
                f"no guest agent answers in {guest.label} ({why}); the password can only be set through "
                "cloud-init, which needs a reboot of the VM",
                hint="allow the reboot (allow_reboot=True; CLI: reset-password --allow-reboot), "
                "or start qemu-guest-agent in the VM",
            )
        # The password travels in the request body only; PVE stores it hashed in the VM config.
        await self._task("PUT", f"{guest.path}/config", {"ciuser": username, "cipassword": password})
        if running:
            await self._task("POST", f"{guest.path}/status/reboot")

    async def _vm_password_over_ssh(self, guest: Guest, username: str, password: str) -> None:
        """``qm guest passwd`` reads the password twice from stdin when it is not a terminal."""
        if guest.status != "running":
            raise InvalidInput(f"{guest.label} is {guest.status}; start it to set its password")
        argv = ["qm", "guest", "passwd", guest.vmid, username]
        result = await self._run_with_password(argv, passwd_input(password), password)
        if not result.ok:
            tail = stderr_tail(result.stderr, (password,))
            if "agent" in tail.lower():
                raise Unsupported(
                    f"no guest agent answers in {guest.label}: {tail}",
                    hint="start qemu-guest-agent in the VM; the cloud-init way needs the API",
                )
            raise RemoteError(f"qm guest passwd {guest.vmid} {username}", result.exit_status, tail)

    async def _run_with_password(self, argv: list[str], stdin: bytes, password: str) -> CommandResult:
        """A password tool on the node over SSH: the password on its stdin, never in the argv."""
        assert self._runner is not None
        timeout = min(self.context.command_timeout, 120.0)
        return await self._runner.run(argv, input=stdin, timeout=timeout, check=False, secrets=(password,))

    # --- health probes -------------------------------------------------------------------------

    async def probe_api(self) -> str:
        if self._api is None and self._api_error is not None:
            # The API was down when we connected (auto rule: SSH took over). Each health check
            # tries it once more, so the node goes back to the API when it answers again.
            try:
                api = await self._open_api()
            except OcvError as exc:
                self._api_error = exc
                raise ConnectError(f"the API of {self.name} could not be reached: {exc}") from None
            if self._api is None and self._api_error is not None:
                self._api, self._api_error = api, None
                log.info("API of %s answers again; using it", self.name)
            else:  # another caller reopened it meanwhile, or we were disconnected
                # (mypy keeps the narrowing from before the await, when the other task had not run)
                await api.close()  # type: ignore[unreachable]
        if self._api is None:
            raise Unsupported(f"{self.name} has no API connection")
        data = obj(await self._api.call("GET", "/version"), "/version")
        return f"Proxmox VE {data.get('version', '?')} (release {data.get('release', '?')})"

    async def probe_service(self) -> str:
        """Over SSH: ``systemctl is-active`` of the three PVE daemons and the ``pveversion``.
        Without SSH: the same daemons' state from the API."""
        if self._runner is None:
            return await self._service_state_via_api()
        quick = min(self.context.command_timeout, 30.0)
        states, version = await asyncio.gather(
            self._runner.run(["systemctl", "is-active", *SERVICES], timeout=quick, check=False),
            self._runner.run(["pveversion"], timeout=quick, check=False),
        )
        words = states.out.split()
        down = [f"{s} {w}" for s, w in zip(SERVICES, words, strict=False) if w != "active"]
        if len(words) < len(SERVICES) or down:
            detail = ", ".join(down) or states.err.strip()[-200:] or "no answer"
            raise RemoteError("systemctl is-active " + " ".join(SERVICES), states.exit_status, detail)
        try:
            release = pp.parse_pveversion(version.out)
        except ValueError:
            raise RemoteError("pveversion", version.exit_status, version.err or version.out) from None
        return f"{release}, {', '.join(SERVICES)} active"

    async def _service_state_via_api(self) -> str:
        """The API's view of the same units: systemd's ActiveState, what ``systemctl is-active`` prints."""
        if self._api is None:
            raise ConnectError(f"not connected to {self.name}")
        node = await self.pve_node()
        api = self._api
        states = await asyncio.gather(
            *(api.call("GET", f"/nodes/{_seg(node)}/services/{_seg(s)}/state") for s in SERVICES)
        )
        words = [str(obj(st, "service state").get("active-state") or "unknown") for st in states]
        down = [f"{s} {w}" for s, w in zip(SERVICES, words, strict=True) if w != "active"]
        if down:
            raise ApiError(f"Proxmox services on {node} are not all active: {', '.join(down)}")
        return f"{', '.join(SERVICES)} active on {node}"


# --- helpers -------------------------------------------------------------------------------------


def _cpu_params(cpus: float | None) -> dict[str, Any]:
    """Whole cores, plus a CPU-time limit (``cpulimit``) when a fraction was asked (e.g. 1.5)."""
    if not cpus:
        return {}
    if cpus <= 0:
        raise InvalidInput(f"invalid CPU count {cpus:g}")
    params: dict[str, Any] = {"cores": math.ceil(cpus)}
    if cpus != math.ceil(cpus):
        params["cpulimit"] = f"{cpus:g}"
    return params


def _hostname(spec: InstanceSpec, name: str) -> str:
    return validate_instance_name(spec.hostname, _GUEST_NAME_RE) if spec.hostname else name


def _check_snapshot_name(name: str) -> str:
    if not _SNAPSHOT_RE.fullmatch(name) or name.lower() in _RESERVED_SNAPSHOTS:
        raise InvalidInput(
            f"invalid snapshot name {name!r}",
            hint="Proxmox snapshot names: a letter, then letters, digits and '_', 2 to 40 characters; "
            "not 'current', 'vzdump' or 'pending'",
        )
    return name


_VOLUME_KEY_RE = {
    pp.LXC: re.compile(r"^(?:rootfs|mp\d+)$"),
    pp.QEMU: re.compile(r"^(?:scsi|virtio|sata|ide|efidisk|tpmstate)\d+$"),
}


def _guest_volume(kind: str, key: str, value: Any) -> str | None:
    """The ``storage:volume`` of a config line that holds a guest volume (no CD-ROM, cloud-init
    drive, bind mount or passed-through device), else None."""
    pattern = _VOLUME_KEY_RE.get(kind)
    if pattern is None or not pattern.fullmatch(key) or not isinstance(value, str):
        return None
    first, *props = value.split(",")
    volume = first.partition("=")[2] if first.startswith("volume=") else first
    if "media=cdrom" in props or "cloudinit" in volume or volume.startswith("/") or volume == "none":
        return None
    storage, sep, _ = volume.partition(":")
    return volume if sep and _STORAGE_RE.fullmatch(storage) else None


def _split_storage(ref: str) -> tuple[str | None, str]:
    """``local:https://...`` / ``local:vztmpl/x`` / ``local:x`` -> (``local``, rest); else (None, ref)."""
    head, sep, rest = ref.partition(":")
    if sep and _STORAGE_RE.match(head) and not rest.startswith("//"):
        return head, rest
    return None, ref


def _boot_disk(config: Mapping[str, Any]) -> str | None:
    """The disk a VM boots from: the first disk of ``boot: order=...``, else the first scsi/virtio/sata/ide disk."""
    order = str(config.get("boot") or "")
    if order.startswith("order="):
        for dev in order[len("order=") :].split(";"):
            if dev in config and "media=cdrom" not in str(config[dev]):
                return dev
    for prefix in ("scsi", "virtio", "sata", "ide"):
        for key in sorted(k for k in config if re.fullmatch(prefix + r"\d+", k)):
            if "media=cdrom" not in str(config[key]) and "cloudinit" not in str(config[key]):
                return key
    return None


def _drive_size(value: str) -> int | None:
    m = re.search(r"(?:^|,)size=(\d+(?:\.\d+)?)([KMGT]?)", value)
    if not m:
        return None
    unit = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}[m.group(2)]
    return int(float(m.group(1)) * unit)
