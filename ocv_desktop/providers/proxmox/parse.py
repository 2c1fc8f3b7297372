"""Pure mapping of Proxmox VE API data onto our models: no I/O, fed with recorded outputs in tests.

What the wire looks like (api-contracts.md §2): booleans come as 0/1 (or "0"/"1" through
``pvesh``), ``vmid`` is an integer on PVE 8+ and a string on 7.x, undocumented keys appear,
``cpu`` is the used fraction of the guest's ``maxcpu``, ``disk`` is 0 for VMs (PVE cannot see
inside a VM's disk). Templates are not instances: they are listed as images (VM templates are what
``create_instance`` clones).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ocv_desktop.core.errors import MalformedData
from ocv_desktop.core.models import Image, Instance, InstanceStatus, InstanceType, ResourceSample, Snapshot
from ocv_desktop.providers.shape import MAX_INT, guarded, objs
from ocv_desktop.providers.shape import kind as shape_kind

# PVE's own names for the two guest kinds, as they appear in URLs and in /cluster/resources.
QEMU = "qemu"
LXC = "lxc"
GUEST_TYPES = {QEMU: InstanceType.VM, LXC: InstanceType.CONTAINER}
API_KIND = {InstanceType.VM: QEMU, InstanceType.CONTAINER: LXC}

MIB = 1024**2
GIB = 1024**3

_STATUS = {
    "running": InstanceStatus.RUNNING,
    "stopped": InstanceStatus.STOPPED,
    # qmpstatus words of a running QEMU process
    "paused": InstanceStatus.PAUSED,
    "suspended": InstanceStatus.PAUSED,
    "prelaunch": InstanceStatus.STARTING,
    "inmigrate": InstanceStatus.STARTING,
    "postmigrate": InstanceStatus.STOPPING,
    "shutdown": InstanceStatus.STOPPING,
    "io-error": InstanceStatus.ERROR,
    "internal-error": InstanceStatus.ERROR,
    # /cluster/resources on an offline cluster member
    "unknown": InstanceStatus.UNKNOWN,
}

_UPID_RE = re.compile(
    r"^UPID:(?P<node>[a-zA-Z0-9](?:[a-zA-Z0-9.\-]*[a-zA-Z0-9])?):(?P<pid>[0-9A-Fa-f]+):(?P<pstart>[0-9A-Fa-f]+):"
    r"(?P<starttime>[0-9A-Fa-f]+):(?P<type>[^:\s]+):(?P<id>[^:\s]*):(?P<user>[^:\s]+):$"
)
_PVE_MANAGER_RE = re.compile(r"\bpve-manager/(\S+)")
_VOLID_RE = re.compile(r"^[a-z][a-z0-9\-_.]*[a-z0-9]:.+$", re.IGNORECASE)


# --- scalar helpers ----------------------------------------------------------------------------


def as_bool(value: Any) -> bool:
    """PVE booleans: 0/1, "0"/"1", true/false (JSON through pvesh), absent -> False."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def as_int(value: Any, what: str = "a number") -> int | None:
    """A whole number (int, or a string of one through pvesh); None when absent or not a number.
    NaN, Infinity and numbers beyond int64 are MalformedData: no PVE field holds them."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        raise MalformedData(f"{what} is {value}")
    try:
        result = int(float(value)) if isinstance(value, str) and "." in value else int(value)
    except (TypeError, ValueError):
        return None
    except OverflowError:
        raise MalformedData(f"{what} is out of range ({str(value)[:24]})") from None
    if abs(result) > MAX_INT:
        raise MalformedData(f"{what} is out of range ({str(result)[:24]}...)")
    return result


def as_float(value: Any, what: str = "a number") -> float | None:
    """A finite number; None when absent or not a number; NaN/Infinity are MalformedData."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    except OverflowError:
        raise MalformedData(f"{what} is out of range ({str(value)[:24]})") from None
    if not math.isfinite(result):
        raise MalformedData(f"{what} is {value!r}, expected a finite number")
    return result


def to_mib(size_bytes: int) -> int:
    """Bytes -> MiB for PVE's ``memory``, rounded up so the guest never gets less than asked."""
    return max(1, math.ceil(size_bytes / MIB))


def to_gib(size_bytes: int) -> int:
    """Bytes -> GiB for a new volume (``<storage>:<GiB>``), rounded up."""
    return max(1, math.ceil(size_bytes / GIB))


def map_status(status: str | None, qmpstatus: str | None = None) -> InstanceStatus:
    """PVE's status (and QEMU's finer qmpstatus when known) -> our status."""
    word = (qmpstatus if status == "running" and qmpstatus else status) or ""
    return _STATUS.get(word.lower(), InstanceStatus.UNKNOWN)


def is_vmid(text: str) -> bool:
    """A PVE guest id: an integer 100 .. 999999999 written without sign or leading zero."""
    return bool(re.fullmatch(r"[1-9][0-9]{2,8}", text))


def is_volid(text: str) -> bool:
    """A storage volume id such as ``local:vztmpl/debian-12.tar.zst`` or ``local:iso/x.iso``."""
    return bool(_VOLID_RE.match(text))


def volid_content(volid: str) -> str | None:
    """``local:iso/x.iso`` -> ``iso``; ``local:vztmpl/...`` -> ``vztmpl``; None when not a file volume."""
    _, _, volname = volid.partition(":")
    head, slash, _ = volname.partition("/")
    return head if slash and head in ("iso", "vztmpl", "import", "backup", "snippets") else None


# --- tasks -------------------------------------------------------------------------------------


def upid_node(upid: str) -> str | None:
    """The node a task runs on (its status must be asked there), or None if this is not a UPID."""
    m = _UPID_RE.match(upid.strip()) if isinstance(upid, str) else None
    return m.group("node") if m else None


def is_upid(value: Any) -> bool:
    return isinstance(value, str) and upid_node(value) is not None


def is_lock_timeout(message: str) -> bool:
    """PVE's config-lock contention (``can't lock file '...' - got timeout``): worth a retry."""
    text = message.lower()
    return ("can't lock file" in text or "lock file" in text) and "timeout" in text


# --- instances ---------------------------------------------------------------------------------


@guarded("a Proxmox guest entry")
def instance_from_resource(item: Mapping[str, Any], node_id: str) -> Instance:
    """One ``/cluster/resources?type=vm`` entry (or a per-node list entry with ``type``) -> Instance."""
    kind = str(item.get("type") or "")
    number = as_int(item.get("vmid"), "vmid")
    vmid = str(number if number is not None else item.get("vmid", ""))
    itype = GUEST_TYPES.get(kind, InstanceType.VM)
    raw = str(item.get("status") or "unknown")
    maxcpu = as_float(item.get("maxcpu") if item.get("maxcpu") is not None else item.get("cpus"), "maxcpu")
    cpu = as_float(item.get("cpu"), "cpu")
    extra: dict[str, str] = {"pve_type": kind}
    for key in ("tags", "lock", "pool", "hastate", "uptime", "qmpstatus"):
        if item.get(key) not in (None, ""):
            extra[key] = str(item[key])
    if as_bool(item.get("template")):
        extra["template"] = "1"
    name = str(item.get("name") or f"{'CT' if itype is InstanceType.CONTAINER else 'VM'} {vmid}")
    disk = as_int(item.get("disk"), "disk")
    return Instance(
        id=vmid,
        name=name,
        node_id=node_id,
        status=map_status(raw, item.get("qmpstatus")),
        raw_status=raw,
        type=itype,
        cpu_limit=maxcpu,
        cpu_usage=(cpu * maxcpu) if cpu is not None and maxcpu else cpu,
        memory_limit=as_int(item.get("maxmem"), "maxmem"),
        memory_usage=as_int(item.get("mem"), "mem"),
        disk_limit=as_int(item.get("maxdisk"), "maxdisk"),
        # PVE reports disk 0 for every VM: it cannot look into the guest's filesystem.
        disk_usage=disk if itype is InstanceType.CONTAINER else (disk or None),
        location=str(item.get("node") or ""),
        extra=extra,
    )


def guests_from_resources(items: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The guest entries (qemu and lxc) of a /cluster/resources answer, templates included.
    Anything but a list of objects (``{"data": ["oops"]}``) is MalformedData."""
    items = objs(items, "the /cluster/resources list")
    return [i for i in items if i.get("type") in GUEST_TYPES and as_int(i.get("vmid"), "vmid") is not None]


@guarded("the Proxmox guest list")
def instances_from_resources(items: Iterable[Mapping[str, Any]], node_id: str) -> list[Instance]:
    """Guests that are instances: templates are left out (they are images, see template_images)."""
    return [instance_from_resource(i, node_id) for i in guests_from_resources(items) if not as_bool(i.get("template"))]


# --- images ------------------------------------------------------------------------------------


def _created(ctime: Any) -> datetime | None:
    seconds = as_int(ctime, "ctime")
    if not seconds:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError):
        raise MalformedData(f"ctime {seconds} is not a time") from None


@guarded("a Proxmox storage content entry")
def image_from_volume(item: Mapping[str, Any], node_id: str, *, storage: str, pve_node: str) -> Image:
    """One ``/nodes/{n}/storage/{s}/content`` entry (vztmpl or iso) -> Image whose id is the volid."""
    volid = str(item.get("volid") or "")
    content = str(item.get("content") or volid_content(volid) or "")
    filename = volid.partition(":")[2].partition("/")[2] or volid
    return Image(
        id=volid,
        name=volid,
        node_id=node_id,
        aliases=(filename,) if filename != volid else (),
        type=InstanceType.CONTAINER if content == "vztmpl" else InstanceType.VM,
        size=as_int(item.get("size"), "size"),
        created=_created(item.get("ctime")),
        description=f"{content} on {storage}",
        in_use=None,
        extra={"storage": storage, "content": content, "format": str(item.get("format") or ""), "node": pve_node},
    )


@guarded("the Proxmox template list")
def template_images(items: Iterable[Mapping[str, Any]], node_id: str) -> list[Image]:
    """VM templates of a /cluster/resources answer as images: ``create_instance`` clones them."""
    images = []
    for item in guests_from_resources(items):
        if not as_bool(item.get("template")) or item.get("type") != QEMU:
            continue
        vmid = str(as_int(item.get("vmid"), "vmid"))
        name = str(item.get("name") or f"VM {vmid}")
        images.append(
            Image(
                id=vmid,
                name=name,
                node_id=node_id,
                aliases=(vmid,),
                type=InstanceType.VM,
                size=as_int(item.get("maxdisk"), "maxdisk"),
                description=f"VM template {vmid} on {item.get('node', '')}",
                extra={"content": "template", "node": str(item.get("node") or ""), "vmid": vmid},
            )
        )
    return images


# --- node shell output -------------------------------------------------------------------------


def parse_pveversion(text: str) -> str:
    """``pveversion`` prints ``pve-manager/9.0.10/<hash> (running kernel: ...)``; return
    ``pve-manager/9.0.10``. (``proxmox-ve`` only appears with ``-v``, so we never look for it.)"""
    m = _PVE_MANAGER_RE.search(text)
    if not m:
        raise ValueError(f"not pveversion output: {text.strip()[:80]!r}")
    return "pve-manager/" + m.group(1).split("/")[0]


# --- snapshots ---------------------------------------------------------------------------------


@guarded("a Proxmox snapshot entry")
def snapshot_from_entry(item: Mapping[str, Any]) -> Snapshot:
    """One entry of ``GET .../{qemu,lxc}/VMID/snapshot``: ``snaptime`` in epoch seconds, ``vmstate``
    1 when the VM's memory was saved, ``parent`` the snapshot it was taken on top of."""
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise MalformedData(f"a snapshot's name is {shape_kind(name)}, expected a string")
    parent = item.get("parent")
    description = item.get("description")
    return Snapshot(
        name=name,
        created=_created(item.get("snaptime")),
        description=description.strip() if isinstance(description, str) else "",
        stateful=as_bool(item.get("vmstate")),
        parent=str(parent) if isinstance(parent, str) and parent else None,
    )


def snapshots_from_list(items: Any) -> list[Snapshot]:
    """The snapshot list without PVE's ``current`` entry ("You are here!"), oldest first."""
    entries = objs(items, "the snapshot list")
    snaps = [snapshot_from_entry(i) for i in entries if i.get("name") != "current"]
    return sorted(snaps, key=lambda s: (s.created is None, s.created.timestamp() if s.created else 0.0, s.name))


# --- resource history (rrddata) --------------------------------------------------------------------
# ``GET /nodes/{node}/rrddata`` and ``.../{qemu,lxc}/{vmid}/rrddata``: one object per RRD step,
# ``time`` in epoch seconds. PVE leaves a field out for a step it has no value for (the node was
# down, the guest stopped): that is None here, not a zero. Node fields: cpu (fraction of all
# CPUs), memused/memtotal, rootused/roottotal, loadavg; guest fields: cpu (fraction of maxcpu),
# maxcpu, mem/maxmem, disk/maxdisk.


def _rrd_points(items: Any, what: str) -> list[Mapping[str, Any]]:
    """The steps that carry a time; a step without one places nothing on a time axis and is left
    out (fakepve's schema-built answer is ``[{}]``), a time that is not a number is MalformedData."""
    points = []
    for i, p in enumerate(objs(items, what)):
        t = p.get("time")
        if t is None:
            continue
        if isinstance(t, bool) or as_int(t, f"{what}[{i}].time") is None:
            raise MalformedData(f"{what}[{i}].time is {shape_kind(t)}, expected epoch seconds")
        points.append(p)
    return points


def _fraction(value: Any, what: str) -> float | None:
    number = as_float(value, what)
    if number is not None and not 0 <= number <= 1.5:  # a little over 1 happens (rounding, steal)
        raise MalformedData(f"{what} is {number}, expected a fraction")
    return number


@guarded("the Proxmox node's rrddata")
def node_rrddata(items: Any) -> list[ResourceSample]:
    """Node RRD steps, oldest first."""
    out = []
    for i, p in enumerate(_rrd_points(items, "rrddata")):
        cpu = _fraction(p.get("cpu"), f"rrddata[{i}].cpu")
        out.append(
            ResourceSample(
                time=float(as_int(p["time"]) or 0),
                cpu_percent=cpu * 100 if cpu is not None else None,
                memory_used=as_int(p.get("memused"), "memused"),
                memory_total=as_int(p.get("memtotal"), "memtotal"),
                disk_used=as_int(p.get("rootused"), "rootused"),
                disk_total=as_int(p.get("roottotal"), "roottotal"),
                load1=as_float(p.get("loadavg"), "loadavg"),
            )
        )
    return sorted(out, key=lambda s: s.time)


@guarded("the Proxmox guest's rrddata")
def guest_rrddata(items: Any) -> list[ResourceSample]:
    """Guest RRD steps, oldest first; CPU in cores busy (Instance.cpu_usage's unit)."""
    out = []
    for i, p in enumerate(_rrd_points(items, "rrddata")):
        cpu = _fraction(p.get("cpu"), f"rrddata[{i}].cpu")
        maxcpu = as_float(p.get("maxcpu"), "maxcpu")
        out.append(
            ResourceSample(
                time=float(as_int(p["time"]) or 0),
                cpu_percent=cpu * 100 if cpu is not None else None,
                cpu_cores=cpu * maxcpu if cpu is not None and maxcpu else None,
                memory_used=as_int(p.get("mem"), "mem"),
                memory_total=as_int(p.get("maxmem"), "maxmem"),
                disk_used=as_int(p.get("disk"), "disk"),
                disk_total=as_int(p.get("maxdisk"), "maxdisk"),
            )
        )
    return sorted(out, key=lambda s: s.time)
