"""Domain model shared by every layer: node configuration, instances, images, health.

Plain dataclasses and enums with no I/O, so they can be built in tests, parsed from YAML, shown
in Qt models and printed as JSON by the CLI. Sizes are always **bytes** (ints) and durations
**seconds** (floats); conversion to human units happens only at the edges (CLI, UI).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Platform(StrEnum):
    DOCKER = "docker"
    LXD = "lxd"
    INCUS = "incus"
    PROXMOX = "proxmox"


class AuthMethod(StrEnum):
    """How we log in over SSH."""

    PASSWORD = "password"
    KEY = "key"
    AGENT = "agent"


class ExecutionRule(StrEnum):
    """API or SSH per node (DESIGN.md, Provider contract)."""

    AUTO = "auto"  # API when credentials exist; SSH only when the API call provably did not happen
    API_ONLY = "api_only"
    SSH_ONLY = "ssh_only"


class InstanceType(StrEnum):
    CONTAINER = "container"
    VM = "vm"


class InstanceStatus(StrEnum):
    """One normalised status; each provider maps its platform's words onto it."""

    RUNNING = "running"
    STOPPED = "stopped"
    PAUSED = "paused"
    FROZEN = "frozen"
    STARTING = "starting"
    STOPPING = "stopping"
    ERROR = "error"
    UNKNOWN = "unknown"


class HealthState(StrEnum):
    HEALTHY = "healthy"  # every applicable check passed
    PARTIAL = "partial"  # some passed
    UNHEALTHY = "unhealthy"  # none passed
    UNKNOWN = "unknown"  # no applicable check, or not run yet


class CheckKind(StrEnum):
    SSH = "ssh"
    API = "api"
    SERVICE = "service"


class CheckStatus(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    NOT_CHECKED = "not_checked"


class SecretField(StrEnum):
    """Names of the per-node secrets kept in the keyring under ``node/<node-id>/<field>``."""

    SSH_PASSWORD = "ssh_password"
    KEY_PASSPHRASE = "key_passphrase"
    API_TOKEN_SECRET = "api_token_secret"  # Proxmox API token secret (the part after '=')
    API_PASSWORD = "api_password"  # Proxmox user password for ticket auth
    TOTP_SECRET = "totp_secret"  # Proxmox TOTP seed, when the user chose to store it


def new_node_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class NodeConfig:
    """One node as the user configured it. Contains no secrets (those live in the keyring)."""

    name: str
    type: Platform
    host: str
    id: str = field(default_factory=new_node_id)
    port: int = 22  # SSH port
    username: str = "root"
    auth: AuthMethod = AuthMethod.AGENT
    key_path: str | None = None
    use_sudo: bool = False  # non-root users: prefix remote commands with `sudo -n`
    local: bool = False  # "this computer": run commands locally instead of over SSH
    api_endpoint: str | None = None  # https://host:8443, https://host:8006/api2/json, unix:///path
    api_user: str | None = None  # Proxmox ticket auth: user@realm
    api_token_id: str | None = None  # Proxmox: USER@REALM!TOKENID (secret in the keyring)
    proxmox_node: str | None = None  # Proxmox node name; None = discover
    client_cert: str | None = None  # LXD/Incus client certificate (PEM path)
    client_key: str | None = None  # LXD/Incus client key (PEM path)
    server_cert_fingerprint: str | None = None  # pinned SHA-256 of the server certificate (hex)
    ca_file: str | None = None  # trust this CA instead of pinning
    execution_rule: ExecutionRule = ExecutionRule.AUTO
    tags: tuple[str, ...] = ()
    notes: str = ""

    def replace(self, **changes: Any) -> NodeConfig:
        return dataclasses.replace(self, **changes)

    @property
    def display_address(self) -> str:
        if self.local:
            return "this computer"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.username}@{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class NodeSecrets:
    """Secrets for one node, loaded from the keyring just before connecting. Never logged."""

    ssh_password: str | None = None
    key_passphrase: str | None = None
    api_token_secret: str | None = None
    api_password: str | None = None
    totp_secret: str | None = None

    def __repr__(self) -> str:  # secrets must not leak through logs or tracebacks
        present = [f.name for f in dataclasses.fields(self) if getattr(self, f.name)]
        return f"NodeSecrets(present={present})"

    def values(self) -> tuple[str, ...]:
        """Every secret value, for redaction."""
        return tuple(v for f in dataclasses.fields(self) if (v := getattr(self, f.name)))


@dataclass(frozen=True, slots=True)
class Instance:
    """A container or VM as listed by a provider. ``id`` is the platform's own id."""

    id: str
    name: str
    node_id: str
    status: InstanceStatus
    raw_status: str  # the platform's own word, kept for display and debugging
    type: InstanceType = InstanceType.CONTAINER
    image: str = ""
    cpu_limit: float | None = None  # cores
    cpu_usage: float | None = None  # fraction of one core's time, 0.0 .. cores
    memory_limit: int | None = None  # bytes
    memory_usage: int | None = None  # bytes
    disk_limit: int | None = None  # bytes
    disk_usage: int | None = None  # bytes
    ipv4: tuple[str, ...] = ()
    ipv6: tuple[str, ...] = ()
    created: datetime | None = None
    location: str = ""  # Proxmox node / cluster member the instance lives on
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        """Unique across the whole app: (node id, instance id)."""
        return (self.node_id, self.id)


@dataclass(frozen=True, slots=True)
class Image:
    id: str  # Docker image id, LXD/Incus fingerprint, Proxmox volid
    name: str  # what a user types to use it: repo:tag, alias, volid
    node_id: str
    aliases: tuple[str, ...] = ()
    type: InstanceType = InstanceType.CONTAINER
    size: int | None = None  # bytes
    created: datetime | None = None
    description: str = ""
    in_use: bool | None = None  # None = unknown
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A point-in-time copy of one instance, as the platform lists it."""

    name: str
    created: datetime | None = None
    description: str = ""
    stateful: bool = False  # holds the running memory state (LXD/Incus stateful, Proxmox vmstate)
    parent: str | None = None  # the snapshot this one was taken on top of, where the platform says


class Protocol(StrEnum):
    TCP = "tcp"
    UDP = "udp"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class PortMapping:
    host_port: int
    guest_port: int
    protocol: Protocol = Protocol.TCP
    host_ip: str = ""  # "" = all addresses


@dataclass(frozen=True, slots=True)
class InstanceSpec:
    """What the user asks ``create_instance`` to build. Providers ignore what does not apply
    to them and raise ``Unsupported`` for what they cannot honour."""

    name: str
    image: str
    type: InstanceType = InstanceType.CONTAINER
    cpus: float | None = None
    memory: int | None = None  # bytes
    disk: int | None = None  # bytes (root disk size)
    storage: str | None = None  # storage pool / Proxmox storage id
    hostname: str | None = None
    ports: tuple[PortMapping, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    command: tuple[str, ...] = ()
    restart_policy: str | None = None  # Docker: no|always|unless-stopped|on-failure
    start: bool = True
    extra: Mapping[str, str] = field(default_factory=dict)  # provider-specific options


@dataclass(frozen=True, slots=True)
class CheckResult:
    kind: CheckKind
    status: CheckStatus
    latency: float | None = None  # seconds
    error: str = ""
    detail: str = ""  # e.g. the service version


@dataclass(frozen=True, slots=True)
class Resources:
    cpu_cores: int | None = None
    memory_total: int | None = None  # bytes
    memory_used: int | None = None  # bytes
    disk_total: int | None = None  # bytes (root filesystem)
    disk_free: int | None = None  # bytes
    load1: float | None = None
    # The first line of /proc/stat (all CPUs, in clock ticks since boot): a CPU % is the change of
    # busy over the change of total between two rounds (services/history.py keeps the previous).
    cpu_busy_ticks: int | None = None
    cpu_total_ticks: int | None = None


@dataclass(frozen=True, slots=True)
class ResourceSample:
    """One point of a node's or guest's resource history as the platform keeps it (Proxmox
    rrddata): what the app was not running to see. None where the platform had no value."""

    time: float  # epoch seconds
    cpu_percent: float | None = None  # of all the node's (or guest's) CPUs
    cpu_cores: float | None = None  # cores busy (guests: Instance.cpu_usage's unit)
    memory_used: int | None = None  # bytes
    memory_total: int | None = None
    disk_used: int | None = None  # bytes (node: root filesystem)
    disk_total: int | None = None
    load1: float | None = None  # nodes only


def overall_state(checks: tuple[CheckResult, ...]) -> HealthState:
    """healthy when every applicable check passed, partial when some, unhealthy when none,
    unknown when no check applied."""
    ran = [c for c in checks if c.status is not CheckStatus.NOT_CHECKED]
    if not ran:
        return HealthState.UNKNOWN
    online = sum(c.status is CheckStatus.ONLINE for c in ran)
    if online == len(ran):
        return HealthState.HEALTHY
    return HealthState.PARTIAL if online else HealthState.UNHEALTHY


@dataclass(frozen=True, slots=True)
class HealthReport:
    node_id: str
    checks: tuple[CheckResult, ...] = ()
    resources: Resources | None = None
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def state(self) -> HealthState:
        return overall_state(self.checks)

    def check(self, kind: CheckKind) -> CheckResult | None:
        return next((c for c in self.checks if c.kind is kind), None)


ProgressCallback = Callable[[float | None, str], None]
"""``progress(fraction, message)``: fraction in 0..1, or None when the amount is unknown."""


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, enums and datetimes as plain JSON values (for ``--json`` and logs)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, StrEnum):
        return obj.value
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    return obj
