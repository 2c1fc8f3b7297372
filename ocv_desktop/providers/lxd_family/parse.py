"""Pure mapping of LXD/Incus JSON onto our models.

The same shapes arrive by two roads: ``GET /1.0/instances?recursion=2`` gives ``[InstanceFull]`` and
``incus list --format json`` / ``lxc list --format json`` print exactly that list (the CLI encodes
``[]api.InstanceFull``); ``GET /1.0/images?recursion=1`` and ``image list --format json`` both give
``[Image]``. So one parser serves the API path and the CLI-over-SSH path.

Everything here is defensive about ``null``: a stopped instance has ``state.network: null`` (a Go nil
map), and older servers leave out keys newer ones send.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ocv_desktop.core.errors import MalformedData
from ocv_desktop.core.models import Image, Instance, InstanceStatus, InstanceType, Snapshot
from ocv_desktop.providers.go_time import parse_go_time
from ocv_desktop.providers.shape import guarded, integer, kind

# Operation/instance status codes (doc/rest-api.md). The code is authoritative, the text is not.
_STATUS_BY_CODE: dict[int, InstanceStatus] = {
    101: InstanceStatus.RUNNING,  # started
    102: InstanceStatus.STOPPED,
    103: InstanceStatus.RUNNING,
    106: InstanceStatus.STARTING,
    107: InstanceStatus.STOPPING,
    109: InstanceStatus.FROZEN,  # freezing: on its way to frozen
    110: InstanceStatus.FROZEN,
    111: InstanceStatus.RUNNING,  # thawed
    112: InstanceStatus.ERROR,
    113: InstanceStatus.RUNNING,  # ready (VM agent up)
}
_STATUS_BY_WORD: dict[str, InstanceStatus] = {
    "running": InstanceStatus.RUNNING,
    "stopped": InstanceStatus.STOPPED,
    "frozen": InstanceStatus.FROZEN,
    "freezing": InstanceStatus.FROZEN,
    "starting": InstanceStatus.STARTING,
    "stopping": InstanceStatus.STOPPING,
    "error": InstanceStatus.ERROR,
    "ready": InstanceStatus.RUNNING,
    "thawed": InstanceStatus.RUNNING,
}

API_TYPE_CONTAINER = "container"
API_TYPE_VM = "virtual-machine"


def map_status(word: str | None, code: int | None = None) -> InstanceStatus:
    if isinstance(code, int) and code in _STATUS_BY_CODE:
        return _STATUS_BY_CODE[code]
    return _STATUS_BY_WORD.get((word or "").strip().lower(), InstanceStatus.UNKNOWN)


def instance_type_from_api(word: str | None) -> InstanceType:
    # CLI csv output says CONTAINER / VIRTUAL-MACHINE; JSON says container / virtual-machine.
    return InstanceType.VM if (word or "").strip().lower() == API_TYPE_VM else InstanceType.CONTAINER


def instance_type_to_api(kind: InstanceType) -> str:
    return API_TYPE_VM if kind is InstanceType.VM else API_TYPE_CONTAINER


# --- sizes -----------------------------------------------------------------------------------------

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKMGTPE]i?B|B)?\s*$")
_UNITS: dict[str, int] = {
    "B": 1,
    "kB": 10**3, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "PB": 10**15, "EB": 10**18,
    "KiB": 2**10, "kiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40, "PiB": 2**50, "EiB": 2**60,
}  # fmt: skip


def parse_size(value: str | None) -> int | None:
    """An LXD size string (``512MiB``, ``10GB``, ``1073741824``) in bytes; None for empty values,
    percentages (``50%``) and anything we do not understand."""
    if value is None:
        return None
    m = _SIZE_RE.match(str(value))
    if not m:
        return None
    return int(float(m.group(1)) * _UNITS[m.group(2) or "B"])


def format_mib(size_bytes: int) -> str:
    """Bytes as whole MiB for ``limits.memory`` / disk ``size`` (LXD rejects the seed's ``512m``)."""
    mib = max(1, -(-size_bytes // 2**20))  # round up: never ask for less than the user did
    return f"{mib}MiB"


def parse_cpu_limit(value: str | None) -> float | None:
    """``limits.cpu`` is either a count (``2``) or a cpuset (``0-3``, ``1,3``, ``0-1,4``)."""
    if not value:
        return None
    text = str(value).strip()
    if text.isdigit():
        return float(int(text))
    count = 0
    for part in text.split(","):
        lo, sep, hi = part.strip().partition("-")
        if not lo.isdigit() or (sep and not hi.isdigit()):
            return None
        count += int(hi) - int(lo) + 1 if sep else 1
    return float(count) if count > 0 else None


def format_cpu_limit(cpus: float) -> str:
    """Our cores as ``limits.cpu``. LXD takes whole cores; fractions go to ``limits.cpu.allowance``,
    which callers set separately, so round up here."""
    return str(max(1, int(-(-cpus // 1))))


# --- instances -------------------------------------------------------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _addresses(network: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Global addresses of every interface except loopback; link-local and host-local scopes
    (fe80::, 127.0.0.1) are useless to a user connecting from outside."""
    v4: list[str] = []
    v6: list[str] = []
    for ifname in sorted(network):
        iface = _mapping(network[ifname])
        if ifname == "lo" or iface.get("type") == "loopback":
            continue
        for item in iface.get("addresses") or ():
            addr = _mapping(item)
            address = addr.get("address")
            if not address or addr.get("scope") in ("link", "local"):
                continue
            if addr.get("family") == "inet":
                v4.append(str(address))
            elif addr.get("family") == "inet6":
                v6.append(str(address))
    return tuple(v4), tuple(v6)


def _traffic(network: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """Bytes received and sent by every interface but loopback (``state.network.*.counters``);
    (None, None) when the daemon gave no counters (a stopped instance)."""
    rx = tx = None
    for ifname in sorted(network):
        iface = _mapping(network[ifname])
        if ifname == "lo" or iface.get("type") == "loopback":
            continue
        counters = _mapping(iface.get("counters"))
        got_rx = integer(counters.get("bytes_received"), f"state.network.{ifname}.counters.bytes_received")
        got_tx = integer(counters.get("bytes_sent"), f"state.network.{ifname}.counters.bytes_sent")
        if got_rx is not None:
            rx = (rx or 0) + got_rx
        if got_tx is not None:
            tx = (tx or 0) + got_tx
    return rx, tx


def _image_label(config: Mapping[str, Any]) -> str:
    desc = config.get("image.description")
    if desc:
        return str(desc)
    parts = [str(config[k]) for k in ("image.os", "image.release") if config.get(k)]
    return " ".join(parts)


@guarded("an LXD/Incus instance object")
def parse_instance(obj: Mapping[str, Any], node_id: str) -> Instance:
    """One ``InstanceFull`` (or a recursion=1 ``Instance`` without ``state``) as our Instance."""
    name = str(obj.get("name") or "")
    state = _mapping(obj.get("state"))
    if state:
        status = map_status(state.get("status"), state.get("status_code"))
        raw_status = str(state.get("status") or obj.get("status") or "")
    else:
        status = map_status(obj.get("status"), obj.get("status_code"))
        raw_status = str(obj.get("status") or "")
    config = _mapping(obj.get("expanded_config")) or _mapping(obj.get("config"))
    devices = _mapping(obj.get("expanded_devices")) or _mapping(obj.get("devices"))
    root_name, root = next(
        (
            (k, _mapping(d))
            for k, d in devices.items()
            if _mapping(d).get("type") == "disk" and _mapping(d).get("path") == "/"
        ),
        ("root", {}),
    )
    memory = _mapping(state.get("memory"))
    root_usage = _mapping(_mapping(state.get("disk")).get(root_name))
    ipv4, ipv6 = _addresses(_mapping(state.get("network")))
    network_rx, network_tx = _traffic(_mapping(state.get("network")))

    extra: dict[str, str] = {}
    cpu = _mapping(state.get("cpu"))
    cpu_ns = integer(cpu.get("usage"), "state.cpu.usage")
    if cpu_ns is not None:
        # Cumulative CPU time in ns; the provider turns two samples into a rate.
        extra["cpu_time_ns"] = str(cpu_ns)
    for key, cfg_key in (("base_image", "volatile.base_image"), ("architecture", None), ("project", None)):
        value = config.get(cfg_key) if cfg_key else obj.get(key)
        if value:
            extra[key] = str(value)
    if obj.get("description"):
        extra["description"] = str(obj["description"])
    if root.get("pool"):
        extra["storage_pool"] = str(root["pool"])
    pid = integer(state.get("pid"), "state.pid")
    if pid is not None and pid > 0:
        extra["pid"] = str(pid)

    location = str(obj.get("location") or "")
    return Instance(
        id=name,
        name=name,
        node_id=node_id,
        status=status,
        raw_status=raw_status,
        type=instance_type_from_api(obj.get("type")),
        image=_image_label(config),
        cpu_limit=parse_cpu_limit(config.get("limits.cpu")),
        memory_limit=parse_size(config.get("limits.memory")),
        memory_usage=integer(memory.get("usage"), "state.memory.usage") if state else None,
        disk_limit=parse_size(root.get("size")),
        disk_usage=integer(root_usage.get("usage"), "state.disk.usage"),
        network_rx=network_rx,
        network_tx=network_tx,
        ipv4=ipv4,
        ipv6=ipv6,
        created=parse_go_time(obj.get("created_at"), "created_at"),
        location="" if location == "none" else location,  # non-clustered servers say "none"
        extra=extra,
    )


def parse_instances(items: Any, node_id: str) -> list[Instance]:
    """A recursion=2 list (or CLI JSON). Anything that is not a list of objects is a protocol error,
    reported by the caller; URL strings (recursion=0) are refused so the bug of the original cannot
    come back as an empty list."""
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise MalformedData(f"the instance list is {kind(items)}, expected a list of instance objects")
    return sorted((parse_instance(i, node_id) for i in items), key=lambda i: i.name)


def cpu_rate(previous_ns: int, previous_at: float, current_ns: int, current_at: float) -> float | None:
    """CPU use as a fraction of one core between two samples (0.0 .. cores)."""
    elapsed = current_at - previous_at
    if elapsed <= 0 or current_ns < previous_ns:
        return None  # restarted instance or clock trouble: no honest value
    return (current_ns - previous_ns) / 1e9 / elapsed


# --- images ----------------------------------------------------------------------------------------


@guarded("an LXD/Incus image object")
def parse_image(obj: Mapping[str, Any], node_id: str) -> Image:
    fingerprint = str(obj.get("fingerprint") or "")
    aliases = tuple(str(a.get("name")) for a in obj.get("aliases") or () if isinstance(a, Mapping) and a.get("name"))
    props = _mapping(obj.get("properties"))
    extra: dict[str, str] = {}
    for key in ("architecture", "os", "release", "variant"):
        value = obj.get(key) if key == "architecture" else props.get(key)
        if value:
            extra[key] = str(value)
    if isinstance(obj.get("public"), bool):
        extra["public"] = "true" if obj["public"] else "false"
    if isinstance(obj.get("cached"), bool):
        extra["cached"] = "true" if obj["cached"] else "false"
    size = obj.get("size")
    return Image(
        id=fingerprint,
        name=aliases[0] if aliases else fingerprint[:12],
        node_id=node_id,
        aliases=aliases,
        type=instance_type_from_api(obj.get("type")),
        size=integer(size, "size"),
        created=parse_go_time(obj.get("created_at"), "created_at")
        or parse_go_time(obj.get("uploaded_at"), "uploaded_at"),
        description=str(props.get("description") or ""),
        extra=extra,
    )


def parse_images(items: Any, node_id: str) -> list[Image]:
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise MalformedData(f"the image list is {kind(items)}, expected a list of image objects")
    return sorted((parse_image(i, node_id) for i in items), key=lambda i: (i.name, i.id))


# --- snapshots -------------------------------------------------------------------------------------


@guarded("an LXD/Incus snapshot object")
def parse_snapshot(obj: Mapping[str, Any]) -> Snapshot:
    """One ``InstanceSnapshot``. Its ``name`` is the snapshot's own (``snap0``); an older answer
    may say ``instance/snap0``, which is cut. LXD/Incus keep no parent chain."""
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        raise MalformedData(f"a snapshot's name is {kind(name)}, expected a string")
    stateful = obj.get("stateful")
    if stateful is not None and not isinstance(stateful, bool):
        raise MalformedData(f"snapshot {name!r}: stateful is {kind(stateful)}, expected a boolean")
    description = obj.get("description")
    return Snapshot(
        name=name.rsplit("/", 1)[-1],
        created=parse_go_time(obj.get("created_at"), "created_at"),
        description=description if isinstance(description, str) else "",
        stateful=bool(stateful),
        parent=None,
    )


def parse_snapshots(items: Any) -> list[Snapshot]:
    """A snapshot list, oldest first (then by name)."""
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise MalformedData(f"the snapshot list is {kind(items)}, expected a list of snapshot objects")
    snaps = [parse_snapshot(i) for i in items]
    return sorted(snaps, key=lambda s: (s.created is None, s.created.timestamp() if s.created else 0.0, s.name))
