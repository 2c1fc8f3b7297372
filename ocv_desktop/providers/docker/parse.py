"""Pure parsing of Docker CLI output into the domain model (no I/O, so it is unit-tested with
recorded outputs).

Formats (api-contracts.md §3): ``docker ps``/``docker images`` with ``--format '{{json .}}'`` print
one JSON object per line whose values are all strings (``Platform`` is an object or null since
CLI 28.2, ``HealthStatus`` appears in 29.5; both may be absent). ``docker inspect`` prints one JSON
array of the daemon's raw objects. ``docker version``/``docker info`` with ``{{json .}}`` print one
object. We never split human-formatted columns on whitespace (the original's bug).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ocv_desktop.core.errors import OcvError
from ocv_desktop.core.models import Image, Instance, InstanceStatus, InstanceType
from ocv_desktop.providers.go_time import parse_go_time
from ocv_desktop.providers.shape import MAX_INT, arr, guarded, integer, obj, objs
from ocv_desktop.providers.shape import text as as_text

NONE = "<none>"

# Docker's State words -> the common enum. Unknown words map to UNKNOWN (raw word kept).
_STATUS = {
    "running": InstanceStatus.RUNNING,
    "paused": InstanceStatus.PAUSED,
    "restarting": InstanceStatus.STARTING,
    "created": InstanceStatus.STOPPED,
    "exited": InstanceStatus.STOPPED,
    "dead": InstanceStatus.ERROR,
    "removing": InstanceStatus.STOPPING,
}


class DockerOutputError(OcvError):
    """The Docker CLI printed something we cannot read (a wrapper script, a broken CLI)."""


def map_status(state: str) -> InstanceStatus:
    return _STATUS.get(state.strip().lower(), InstanceStatus.UNKNOWN)


# --- JSON framing ------------------------------------------------------------------------------


def parse_json_lines(text: str, what: str) -> list[dict[str, Any]]:
    """One JSON object per non-empty line (``--format '{{json .}}'``)."""
    rows: list[dict[str, Any]] = []
    for number, raw_line in enumerate(text.splitlines(), 1):
        line = raw_line.strip()
        if not line:
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DockerOutputError(f"unreadable `{what}` output, line {number}: {exc.msg}: {line[:120]!r}") from None
        if not isinstance(row, dict):
            raise DockerOutputError(f"unexpected `{what}` output, line {number}: not a JSON object")
        rows.append(row)
    return rows


def parse_json_document(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DockerOutputError(f"unreadable `{what}` output: {exc.msg}: {text.strip()[:120]!r}") from None


# Above this size a ``docker inspect`` array is decoded one element at a time: one json.loads of
# the whole 10 MB (1000 containers) holds the GIL for its whole run, so even on a worker thread it
# stalled the GUI's loop; between elements the interpreter can switch threads.
INSPECT_BY_ELEMENT = 256 * 1024
_WS = re.compile(r"\s*")


def _json_array_by_element(text: str, what: str) -> list[Any]:
    decoder = json.JSONDecoder()
    pos = _WS.match(text, 0).end()  # type: ignore[union-attr]
    if not text.startswith("[", pos):
        raise DockerOutputError(f"unexpected `{what}` output: not a JSON array")
    items: list[Any] = []
    pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
    if text.startswith("]", pos):
        pos += 1
    else:
        while True:
            try:
                item, pos = decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                raise DockerOutputError(f"unreadable `{what}` output: {exc.msg} at {exc.pos}") from None
            items.append(item)
            pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
            if text.startswith(",", pos):
                pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
            elif text.startswith("]", pos):
                pos += 1
                break
            else:
                raise DockerOutputError(f"unreadable `{what}` output: expected ',' or ']' at {pos}")
    if _WS.match(text, pos).end() != len(text):  # type: ignore[union-attr]
        raise DockerOutputError(f"unreadable `{what}` output: extra data at {pos}")
    return items


def parse_inspect(text: str) -> list[dict[str, Any]]:
    """``docker inspect`` output: a JSON array (``[]`` when nothing was found or the daemon is down)."""
    if not text.strip():
        return []
    if len(text) > INSPECT_BY_ELEMENT:
        doc: Any = _json_array_by_element(text, "docker inspect")
    else:
        doc = parse_json_document(text, "docker inspect")
    if not isinstance(doc, list) or not all(isinstance(o, dict) for o in doc):
        raise DockerOutputError("unexpected `docker inspect` output: not a JSON array of objects")
    return doc


# --- small value parsers -----------------------------------------------------------------------

# go-units HumanSize (used by `docker images` Size) is decimal: kB = 1000 B.
_HUMAN_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "pb": 10**15}
_HUMAN_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgGtTpP]?[bB])\s*$")


def parse_human_size(text: str) -> int | None:
    """``72.9MB`` -> 72900000; ``N/A``, empty or unknown -> None."""
    m = _HUMAN_RE.match(text or "")
    if not m:
        return None
    return round(float(m.group(1)) * _HUMAN_UNITS[m.group(2).lower()])


# Docker's RAMInBytes (used by --storage-opt size=, --memory) is binary: k = 1024.
_RAM_UNITS = {"": 1, "b": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40, "p": 2**50}
_RAM_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgtp]?)(?:i?b)?\s*$", re.IGNORECASE)


def parse_ram_size(text: str) -> int | None:
    m = _RAM_RE.match(text or "")
    if not m:
        return None
    return int(float(m.group(1)) * _RAM_UNITS[m.group(2).lower()])


def format_ram_size(size: int) -> str:
    """Bytes as the shortest exact string Docker's RAMInBytes reads back (``10g``, ``1536m``)."""
    for suffix, factor in (("t", 2**40), ("g", 2**30), ("m", 2**20), ("k", 2**10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{suffix}"
    return str(size)


def parse_cli_time(text: str) -> datetime | None:
    """``2021-03-10 00:15:05 +0100 CET`` (the CLI's CreatedAt). The trailing zone *name* is ignored:
    the numeric offset is authoritative and ``%Z`` only knows a few names."""
    parts = (text or "").split()
    if len(parts) < 3:
        return None
    try:
        return datetime.strptime(" ".join(parts[:3]), "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return None


def _str(value: Any, what: str = "a value") -> str:
    return as_text(value, what)


# --- containers --------------------------------------------------------------------------------


def primary_name(names: str) -> str:
    """``Names`` is comma-joined and, with legacy links, holds ``other/alias`` entries too."""
    candidates = [n.strip().lstrip("/") for n in names.split(",") if n.strip()]
    plain = [n for n in candidates if "/" not in n]
    return (plain or candidates or [""])[0]


def _networks(inspect: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    settings = obj(inspect.get("NetworkSettings"), "NetworkSettings")
    v4: list[str] = []
    v6: list[str] = []
    for name, raw in obj(settings.get("Networks"), "NetworkSettings.Networks").items():
        net = obj(raw, f"NetworkSettings.Networks.{name}")
        if net.get("IPAddress"):
            v4.append(_str(net["IPAddress"], "IPAddress"))
        if net.get("GlobalIPv6Address"):
            v6.append(_str(net["GlobalIPv6Address"], "GlobalIPv6Address"))
    # Very old daemons only fill the top-level fields.
    if not v4 and settings.get("IPAddress"):
        v4.append(_str(settings["IPAddress"], "IPAddress"))
    if not v6 and settings.get("GlobalIPv6Address"):
        v6.append(_str(settings["GlobalIPv6Address"], "GlobalIPv6Address"))
    return tuple(dict.fromkeys(v4)), tuple(dict.fromkeys(v6))


def _cpu_limit(host_config: Mapping[str, Any]) -> float | None:
    nano = integer(host_config.get("NanoCpus"), "HostConfig.NanoCpus") or 0
    if nano:
        return nano / 1e9
    quota = integer(host_config.get("CpuQuota"), "HostConfig.CpuQuota") or 0
    period = integer(host_config.get("CpuPeriod"), "HostConfig.CpuPeriod") or 0
    if quota > 0 and period > 0:
        return quota / period
    return None


def format_port_bindings(bindings: Mapping[str, Any] | None) -> str:
    """``{"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}`` -> ``0.0.0.0:8080->80/tcp`` (ps style)."""
    out: list[str] = []
    for guest, hosts in sorted(obj(bindings, "Ports").items()):
        if not hosts:
            out.append(str(guest))
            continue
        for raw in arr(hosts, f"Ports.{guest}"):
            h = obj(raw, f"Ports.{guest}[]")
            ip = _str(h.get("HostIp"), "HostIp") or "0.0.0.0"  # noqa: S104 - displaying Docker's own default
            ip = f"[{ip}]" if ":" in ip else ip
            out.append(f"{ip}:{_str(h.get('HostPort'), 'HostPort')}->{guest}")
    return ", ".join(out)


def _restart_policy(host_config: Mapping[str, Any]) -> str:
    policy = obj(host_config.get("RestartPolicy"), "HostConfig.RestartPolicy")
    name = _str(policy.get("Name"), "RestartPolicy.Name")
    retries = integer(policy.get("MaximumRetryCount"), "RestartPolicy.MaximumRetryCount") or 0
    return f"{name}:{retries}" if name == "on-failure" and retries else name


def _platform(value: Any) -> str:
    if isinstance(value, Mapping):
        return "/".join(_str(value.get(k)) for k in ("os", "architecture", "variant") if value.get(k))
    return _str(value)


def _from_inspect_fields(inspect: Mapping[str, Any]) -> dict[str, Any]:
    """The Instance fields only inspect knows (limits, addresses, creation time, details)."""
    host_config = obj(inspect.get("HostConfig"), "HostConfig")
    state = obj(inspect.get("State"), "State")
    config = obj(inspect.get("Config"), "Config")
    ipv4, ipv6 = _networks(inspect)
    storage = _str(obj(host_config.get("StorageOpt"), "HostConfig.StorageOpt").get("size"), "StorageOpt.size")
    extra = {
        "hostname": _str(config.get("Hostname")),
        "restart_policy": _restart_policy(host_config),
        "exit_code": _str(state.get("ExitCode")),
        "started_at": _str(state.get("StartedAt")),
        "image_id": _str(inspect.get("Image")),
    }
    health = obj(state.get("Health"), "State.Health").get("Status")
    if health:
        extra["health"] = str(health)
    if state.get("Error"):
        extra["error"] = str(state["Error"])
    if state.get("OOMKilled"):
        extra["oom_killed"] = "true"
    return {
        "cpu_limit": _cpu_limit(host_config),
        "memory_limit": integer(host_config.get("Memory"), "HostConfig.Memory") or None,
        "disk_limit": parse_ram_size(storage) if storage else None,
        "ipv4": ipv4,
        "ipv6": ipv6,
        "created": parse_go_time(inspect.get("Created"), "Created"),
        "extra": extra,
    }


@guarded("a `docker inspect` object")
def instance_from_inspect(inspect: Mapping[str, Any], node_id: str) -> Instance:
    """One container from ``docker inspect`` alone (``get_instance``)."""
    state = obj(inspect.get("State"), "State")
    config = obj(inspect.get("Config"), "Config")
    raw = _str(state.get("Status"), "State.Status")
    fields = _from_inspect_fields(inspect)
    settings = obj(inspect.get("NetworkSettings"), "NetworkSettings")
    extra = {
        "ports": format_port_bindings(
            settings.get("Ports") or obj(inspect.get("HostConfig"), "HostConfig").get("PortBindings")
        ),
        "networks": ",".join(sorted(obj(settings.get("Networks"), "NetworkSettings.Networks"))),
        "platform": _str(inspect.get("Platform")),
        **fields.pop("extra"),
    }
    return Instance(
        id=_str(inspect.get("Id")),
        name=_str(inspect.get("Name")).lstrip("/"),
        node_id=node_id,
        status=map_status(raw),
        raw_status=raw,
        type=InstanceType.CONTAINER,
        image=_str(config.get("Image")),
        extra={k: v for k, v in extra.items() if v},
        **fields,
    )


@guarded("a `docker ps` row")
def instance_from_ps(row: Mapping[str, Any], node_id: str, inspect: Mapping[str, Any] | None = None) -> Instance:
    """One ``docker ps`` row, enriched with its ``docker inspect`` object when we have it."""
    raw = _str(row.get("State"))
    extra = {
        "status_text": _str(row.get("Status")),  # "Up 3 seconds (healthy)"
        "ports": _str(row.get("Ports")),
        "networks": _str(row.get("Networks")),
        "command": _str(row.get("Command")),
        "platform": _platform(row.get("Platform")),
    }
    if row.get("HealthStatus"):
        extra["health"] = _str(row["HealthStatus"])
    fields: dict[str, Any] = {"created": parse_cli_time(_str(row.get("CreatedAt")))}
    if inspect is not None:
        more = _from_inspect_fields(inspect)
        extra.update({k: v for k, v in more.pop("extra").items() if v})
        created = more.pop("created")
        fields.update(more)
        fields["created"] = created or fields["created"]
    return Instance(
        id=_str(row.get("ID")),
        name=primary_name(_str(row.get("Names"))),
        node_id=node_id,
        status=map_status(raw),
        raw_status=raw,
        type=InstanceType.CONTAINER,
        image=_str(row.get("Image")),
        extra={k: v for k, v in extra.items() if v},
        **fields,
    )


@guarded("the `docker ps` / `docker inspect` listing")
def merge_listing(
    ps_rows: Sequence[Mapping[str, Any]], inspected: Iterable[Mapping[str, Any]], node_id: str
) -> list[Instance]:
    """``docker ps --no-trunc`` rows joined with the batched inspect by full id. A container that
    vanished between the two calls (no inspect object) is left out: it no longer exists."""
    by_id = {str(o.get("Id")): o for o in objs(list(inspected), "docker inspect")}
    return [
        instance_from_ps(row, node_id, details)
        for row in ps_rows
        if (details := by_id.get(_str(row.get("ID")))) is not None
    ]


# --- docker stats ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContainerUsage:
    """What one ``docker stats --no-stream`` row says about a running container."""

    cpu_usage: float | None  # fraction of one core (Docker's CPUPerc / 100: 250% = 2.5 cores busy)
    memory_usage: int | None  # bytes
    network_rx: int | None  # bytes since the container started
    network_tx: int | None


_PERCENT_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")
# MemUsage is go-units BytesSize (binary: KiB, MiB); NetIO and BlockIO are HumanSize (decimal: kB, MB).
_STATS_SIZE_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\s*([kKMGTPEZY]?)(i?)B\s*$")
_POWERS = {"": 0, "k": 1, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6, "Z": 7, "Y": 8}


def parse_percent(text: str) -> float | None:
    """``12.5%`` -> 0.125; Docker's ``--`` (no sample yet) or anything else -> None."""
    m = _PERCENT_RE.match(text)
    return float(m.group(1)) / 100 if m else None


def parse_stats_size(text: str) -> int | None:
    """``1.5MiB`` -> 1572864, ``1.2kB`` -> 1200, ``0B`` -> 0; ``--`` or out of range -> None."""
    m = _STATS_SIZE_RE.match(text)
    if not m:
        return None
    base = 1024 if m.group(3) else 1000
    value = float(m.group(1)) * base ** _POWERS[m.group(2)]
    return round(value) if value <= MAX_INT else None


def _pair(text: str) -> tuple[str, str]:
    """``used / limit`` (MemUsage) or ``in / out`` (NetIO) as its two halves."""
    first, _, second = text.partition("/")
    return first.strip(), second.strip()


@guarded("the `docker stats` rows")
def usage_from_stats(rows: Sequence[Mapping[str, Any]]) -> dict[str, ContainerUsage]:
    """``docker stats --no-stream --no-trunc --format '{{json .}}'`` rows by full container id.
    A row without a full id cannot be matched to a container and is left out; a value Docker
    could not sample (``--``) is None. A value of the wrong type is MalformedData."""
    usage: dict[str, ContainerUsage] = {}
    for row in rows:
        container_id = _str(row.get("ID"), "ID")
        if not re.fullmatch(r"[0-9a-f]{64}", container_id):
            continue
        rx, tx = _pair(_str(row.get("NetIO"), "NetIO"))
        usage[container_id] = ContainerUsage(
            cpu_usage=parse_percent(_str(row.get("CPUPerc"), "CPUPerc")),
            memory_usage=parse_stats_size(_pair(_str(row.get("MemUsage"), "MemUsage"))[0]),
            network_rx=parse_stats_size(rx),
            network_tx=parse_stats_size(tx),
        )
    return usage


def with_usage(instances: Sequence[Instance], usage: Mapping[str, ContainerUsage]) -> list[Instance]:
    """The listing with each running container's usage merged in (by full id)."""
    merged = []
    for inst in instances:
        found = usage.get(inst.id)
        merged.append(
            inst
            if found is None
            else dataclasses.replace(
                inst,
                cpu_usage=found.cpu_usage,
                memory_usage=found.memory_usage,
                network_rx=found.network_rx,
                network_tx=found.network_tx,
            )
        )
    return merged


# --- images ------------------------------------------------------------------------------------


def _repo_tag(repo: str, tag: str) -> str | None:
    if not repo or repo == NONE:
        return None
    return f"{repo}:{tag}" if tag and tag != NONE else repo


@guarded("the `docker images` rows")
def images_from_rows(rows: Sequence[Mapping[str, Any]], node_id: str) -> list[Image]:
    """``docker images`` prints one row per tag; rows of the same ID become one Image whose
    ``name`` is the first tag and ``aliases`` all of them. Untagged images are named by short id."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(_str(row.get("ID")), []).append(row)
    images = []
    for image_id, group in grouped.items():
        tags = tuple(dict.fromkeys(t for r in group if (t := _repo_tag(_str(r.get("Repository")), _str(r.get("Tag"))))))
        digests = [d for r in group if (d := _str(r.get("Digest"))) and d not in (NONE, "N/A")]
        first = group[0]
        extra = {"digest": digests[0] if digests else "", "created_since": _str(first.get("CreatedSince"))}
        containers = _str(first.get("Containers"))
        in_use = int(containers) > 0 if containers.isdigit() else None
        images.append(
            Image(
                id=image_id,
                name=tags[0] if tags else short_id(image_id),
                node_id=node_id,
                aliases=tags,
                size=parse_human_size(_str(first.get("Size"))),
                created=parse_cli_time(_str(first.get("CreatedAt"))),
                in_use=in_use,
                extra={k: v for k, v in extra.items() if v},
            )
        )
    return images


@guarded("a `docker image inspect` object")
def image_from_inspect(obj: Mapping[str, Any], node_id: str) -> Image:
    """One ``docker image inspect`` object (after a pull)."""
    image_id = _str(obj.get("Id"))
    tags = tuple(_str(t, "RepoTags[]") for t in arr(obj.get("RepoTags"), "RepoTags"))
    digests = [_str(d, "RepoDigests[]") for d in arr(obj.get("RepoDigests"), "RepoDigests")]
    extra = {"digest": digests[0].rpartition("@")[2] if digests else "", "os": _str(obj.get("Os"))}
    return Image(
        id=image_id,
        name=tags[0] if tags else short_id(image_id),
        node_id=node_id,
        aliases=tags,
        size=integer(obj.get("Size"), "Size"),
        created=parse_go_time(obj.get("Created"), "Created"),
        extra={k: v for k, v in extra.items() if v},
    )


def short_id(image_id: str) -> str:
    return image_id.removeprefix("sha256:")[:12]


# --- docker pull progress ----------------------------------------------------------------------

_LAYER_RE = re.compile(r"^([0-9a-f]{12}): (.+)$")


class PullProgress:
    """Turns ``docker pull`` lines (non-TTY form: ``<layer>: Pulling fs layer`` ... ``Pull
    complete``) into a fraction of layers done. The fraction is None until a layer is known."""

    _DONE = ("Pull complete", "Already exists")

    def __init__(self) -> None:
        self.layers: dict[str, bool] = {}

    def feed(self, line: str) -> float | None:
        m = _LAYER_RE.match(line.strip())
        if m:
            layer, status = m.groups()
            self.layers[layer] = self.layers.get(layer, False) or status.startswith(self._DONE)
        if not self.layers:
            return None
        return sum(self.layers.values()) / len(self.layers)


# --- daemon facts ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DockerVersion:
    client: str
    server: str | None  # None: the CLI could not reach the daemon
    api: str | None

    @property
    def detail(self) -> str:
        return f"Docker {self.server} (API {self.api})" if self.server else f"Docker CLI {self.client}, no daemon"


@guarded("the `docker version` output")
def parse_version(text: str) -> DockerVersion:
    doc = parse_json_document(text, "docker version") if text.strip() else {}
    if not isinstance(doc, dict):
        raise DockerOutputError("unexpected `docker version` output: not a JSON object")
    client = obj(doc.get("Client"), "Client")
    server = doc.get("Server") or None
    return _version(_str(client.get("Version")), server if isinstance(server, dict) else None)


@guarded("the Engine API's `GET /version` answer")
def parse_engine_version(text: str) -> DockerVersion:
    """The Engine API's ``GET /version`` body: the same object as the ``Server`` part of
    ``docker version`` (the CLI asks this endpoint), so the detail reads the same."""
    doc = parse_json_document(text, "GET /version") if text.strip() else None
    if not isinstance(doc, dict) or not isinstance(doc.get("Version"), str):
        raise DockerOutputError("unexpected `GET /version` answer: not a Docker version object")
    return _version("", doc)


_PING_SERVER = re.compile(r"^Docker/(\S+) \(")


def version_from_ping(headers: Mapping[str, str]) -> DockerVersion | None:
    """From the headers (names in lower case) dockerd puts on every answer, ``GET /_ping``
    included: ``Server: Docker/<version> (<os>)`` and ``Api-Version``, the same values as
    ``docker version``'s Server part. None when they do not say so (another engine)."""
    server = _PING_SERVER.match(headers.get("server", ""))
    api = headers.get("api-version", "")
    if server is None or not api:
        return None
    return DockerVersion(client="", server=server.group(1), api=api)


def _version(client: str, server: dict[str, Any] | None) -> DockerVersion:
    return DockerVersion(
        client=client,
        server=(_str(server.get("Version")) or "unknown") if server else None,
        api=(_str(server.get("ApiVersion")) or None) if server else None,
    )


@dataclass(frozen=True, slots=True)
class DiskLimitSupport:
    """Whether ``--storage-opt size=`` can work on this daemon.
    ``supported``: True yes, False no (``reason`` says why), None the daemon decides at create time
    (overlay2/vfs on xfs need the ``pquota`` mount option, which ``docker info`` does not show)."""

    supported: bool | None
    reason: str


@guarded("the `docker info` output")
def disk_limit_support(info: Mapping[str, Any]) -> DiskLimitSupport:
    driver = _str(info.get("Driver"))
    status = {str(k): str(v) for k, v, *_ in arr(info.get("DriverStatus"), "DriverStatus") if k is not None}
    backing = status.get("Backing Filesystem", "")
    if driver in ("btrfs", "zfs", "devicemapper", "windowsfilter"):
        return DiskLimitSupport(True, f"storage driver {driver} supports per-container size limits")
    if driver in ("overlay2", "vfs"):
        if backing == "xfs":
            return DiskLimitSupport(None, f"storage driver {driver} on xfs needs the 'pquota' mount option")
        shown = backing or "unknown"
        return DiskLimitSupport(
            False, f"storage driver {driver} on a {shown} filesystem cannot limit disk size (it needs xfs with pquota)"
        )
    return DiskLimitSupport(False, f"storage driver {driver or 'unknown'} cannot limit a container's disk size")
