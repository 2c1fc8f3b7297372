"""Request bodies for the LXD/Incus REST API, built as plain dicts by pure functions.

Kept apart from the code that sends them so the contract tests can build every body the provider
sends (VM creation included, which cannot run here) and validate it against the official specs.
The original sent misspelt keys (``wait-for-ws``), raw ``512m`` sizes and a flat pull body; each
builder below documents the real shape.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ocv_desktop.core.errors import InvalidInput, Unsupported
from ocv_desktop.core.models import InstanceSpec, InstanceType, Protocol
from ocv_desktop.providers.base import refuse_option_like, validate_instance_name
from ocv_desktop.providers.lxd_family.parse import format_cpu_limit, format_mib, instance_type_to_api

# LXD/Incus instance names are hostnames: letters, digits and '-', not starting with a digit or '-',
# not ending with '-', no '--', at most 63 characters (incus/internal/instance/instance_utils.go ValidName).
INSTANCE_NAME_RE = re.compile(r"^(?!.*--)[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
FINGERPRINT_RE = re.compile(r"^[0-9a-f]{64}$")
IMAGE_PROTOCOLS = ("simplestreams", "incus", "lxd")


NAME_HINT = "LXD/Incus names are hostnames: letters, digits and '-', starting with a letter, at most 63"


def validate_name(name: str) -> str:
    return validate_instance_name(name, INSTANCE_NAME_RE, hint=NAME_HINT)


# Snapshot names: the daemons refuse only '/' (and names that are not URL-safe on newer ones); we
# keep to what every version, the CLI and a URL segment take unchanged, never starting with '-'.
SNAPSHOT_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


def validate_snapshot_name(name: str) -> str:
    if not SNAPSHOT_NAME_RE.fullmatch(name):
        raise InvalidInput(
            f"invalid snapshot name {name!r}",
            hint="use letters, digits, '-', '_' and '.', starting with a letter or digit, at most 63 characters",
        )
    return name


@dataclass(frozen=True, slots=True)
class ImageSource:
    """Where an image comes from: this server (``server`` None) or a remote image server."""

    alias: str | None = None
    fingerprint: str | None = None
    server: str | None = None  # https URL of the remote
    protocol: str | None = None  # simplestreams | incus | lxd
    certificate: str | None = None  # PEM of a remote with a self-signed certificate
    project: str | None = None  # project on the remote (incus/lxd protocols)

    @property
    def label(self) -> str:
        what = self.alias or self.fingerprint or "?"
        return f"{self.server}#{what}" if self.server else what


@dataclass(frozen=True, slots=True)
class RemoteRef:
    """``REMOTE:ALIAS`` naming a remote the node's CLI may know (``images:debian/12``)."""

    remote: str
    name: str


# The remotes every LXD/Incus CLI ships with; the API path maps them to their servers.
WELL_KNOWN_REMOTES: dict[str, tuple[str, str]] = {
    "images": ("https://images.linuxcontainers.org", "simplestreams"),
}
_REMOTE_REF_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*):(.+)$")


def parse_image_ref(ref: str) -> ImageSource | RemoteRef:
    """What a user types to name an image:

    - ``ALIAS`` or a 64-hex ``FINGERPRINT``: an image on this server;
    - ``REMOTE:ALIAS``: a named remote (``images:debian/12``);
    - ``[PROTOCOL+]https://HOST[:PORT][/PATH]#ALIAS``: any image server; PROTOCOL is simplestreams
      (default), incus or lxd.
    """
    text = ref.strip()
    if not text or any(c.isspace() or not c.isprintable() for c in text):
        raise InvalidInput(f"invalid image reference {ref!r}")
    # Each part may end up as an argv element of the node's CLI (incus init IMAGE NAME).
    refuse_option_like(text, "image reference")
    proto, plus, rest = text.partition("+")
    if plus and proto in IMAGE_PROTOCOLS and rest.startswith("https://"):
        text_url, protocol = rest, proto
    elif text.startswith("https://"):
        text_url, protocol = text, "simplestreams"
    else:
        m = _REMOTE_REF_RE.match(text)
        if m:
            return RemoteRef(m.group(1), refuse_option_like(m.group(2), "image name"))
        if FINGERPRINT_RE.fullmatch(text):
            return ImageSource(fingerprint=text)
        return ImageSource(alias=text)
    server, _, alias = text_url.partition("#")
    refuse_option_like(alias, "image alias")
    parts = urlsplit(server)
    if not parts.hostname or not alias:
        raise InvalidInput(
            f"invalid image reference {ref!r}", hint="use [simplestreams|incus|lxd+]https://HOST[:PORT][/PATH]#ALIAS"
        )
    if FINGERPRINT_RE.fullmatch(alias):
        return ImageSource(fingerprint=alias, server=server.rstrip("/"), protocol=protocol)
    return ImageSource(alias=alias, server=server.rstrip("/"), protocol=protocol)


def resolve_remote(ref: RemoteRef) -> ImageSource:
    """A ``REMOTE:ALIAS`` for the API path, which knows only the well-known remotes."""
    known = WELL_KNOWN_REMOTES.get(ref.remote)
    if known is None:
        raise Unsupported(
            f"unknown image remote {ref.remote!r}",
            hint="use images:ALIAS or [simplestreams|incus|lxd+]https://HOST[:PORT]#ALIAS",
        )
    server, protocol = known
    return ImageSource(alias=ref.name, server=server, protocol=protocol)


def _source_fields(src: ImageSource) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if src.fingerprint:
        out["fingerprint"] = src.fingerprint
    else:
        out["alias"] = src.alias
    if src.server:
        out["server"] = src.server
        out["protocol"] = src.protocol or "simplestreams"
        if src.certificate:
            out["certificate"] = src.certificate
        if src.project:
            out["project"] = src.project
    return out


# --- instances -------------------------------------------------------------------------------------


def build_proxy_devices(spec: InstanceSpec) -> dict[str, dict[str, str]]:
    """Port mappings as proxy devices: the host listens, the instance's loopback receives."""
    devices: dict[str, dict[str, str]] = {}
    for port in spec.ports:
        protos = ("tcp", "udp") if port.protocol is Protocol.BOTH else (port.protocol.value,)
        host_ip = port.host_ip or "0.0.0.0"  # noqa: S104 - the user asked for all addresses
        try:
            # One argv element on the CLI road (`listen=...`): only an address may go in it.
            host_ip = str(ipaddress.ip_address(host_ip))
        except ValueError:
            raise InvalidInput(f"invalid host address {port.host_ip!r} for a port mapping") from None
        if ":" in host_ip:
            host_ip = f"[{host_ip}]"
        for proto in protos:
            devices[f"proxy-{proto}-{port.host_port}"] = {
                "type": "proxy",
                "listen": f"{proto}:{host_ip}:{port.host_port}",
                "connect": f"{proto}:127.0.0.1:{port.guest_port}",
            }
    return devices


def build_instance_config(spec: InstanceSpec) -> dict[str, str]:
    """``config`` keys for a new instance. Every value is a string (the API's ConfigMap)."""
    if spec.command:
        raise Unsupported("LXD/Incus run a full init system; a custom command is not supported")
    if spec.restart_policy not in (None, "", "no", "always", "unless-stopped"):
        raise Unsupported(f"restart policy {spec.restart_policy!r} is not supported by LXD/Incus")
    config: dict[str, str] = {}
    if spec.cpus is not None:
        if spec.cpus <= 0:
            raise InvalidInput("the CPU limit must be positive")
        config["limits.cpu"] = format_cpu_limit(spec.cpus)
        if spec.cpus != int(spec.cpus):
            # Fractional cores: round the CPU count up and cap the time with a CFS quota, which
            # counts across all CPUs (150ms per 100ms = 1.5 cores).
            config["limits.cpu.allowance"] = f"{round(spec.cpus * 100)}ms/100ms"
    if spec.memory is not None:
        if spec.memory <= 0:
            raise InvalidInput("the memory limit must be positive")
        config["limits.memory"] = format_mib(spec.memory)
    if spec.restart_policy in ("always", "unless-stopped"):
        config["boot.autostart"] = "true"
    for key, value in spec.env.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise InvalidInput(f"invalid environment variable name {key!r}")
        config[f"environment.{key}"] = value
    return config


def build_root_device(spec: InstanceSpec, default_pool: str | None) -> dict[str, str] | None:
    """A ``root`` disk device when the user chose a size or a pool; None keeps the profile's."""
    if spec.disk is None and not spec.storage:
        return None
    pool = spec.storage or default_pool
    if not pool:
        raise InvalidInput("no storage pool given and the default profile has no root disk pool")
    root = {"type": "disk", "path": "/", "pool": pool}
    if spec.disk is not None:
        if spec.disk <= 0:
            raise InvalidInput("the disk size must be positive")
        root["size"] = format_mib(spec.disk)
    return root


def check_spec(spec: InstanceSpec) -> None:
    """What neither road can honour, refused before anything is created."""
    validate_name(spec.name)
    if spec.storage:
        refuse_option_like(spec.storage, "storage pool")
    if spec.hostname and spec.hostname != spec.name:
        raise Unsupported("LXD/Incus instances use their name as host name", hint=f"name the instance {spec.hostname}")
    if spec.ports and spec.type is InstanceType.VM:
        raise Unsupported("port mappings on LXD/Incus VMs are not supported; use a bridged network")


def build_create_body(spec: InstanceSpec, source: ImageSource, *, default_pool: str | None = None) -> dict[str, Any]:
    """``POST /1.0/instances`` (InstancesPost). The server applies the ``default`` profile when
    ``profiles`` is absent; our ``root`` device overrides only the profile's root disk."""
    check_spec(spec)
    devices: dict[str, Any] = dict(build_proxy_devices(spec))
    root = build_root_device(spec, default_pool)
    if root is not None:
        devices["root"] = root
    return {
        "name": spec.name,
        "type": instance_type_to_api(spec.type),
        "source": {"type": "image", **_source_fields(source)},
        "config": build_instance_config(spec),
        "devices": devices,
        "start": bool(spec.start),
    }


STATE_ACTIONS = ("start", "stop", "restart", "freeze", "unfreeze")


def build_state_body(action: str, *, timeout: float | None = None, force: bool = False) -> dict[str, Any]:
    """``PUT /1.0/instances/{name}/state`` (InstanceStatePut). ``timeout`` is whole seconds."""
    if action not in STATE_ACTIONS:
        raise ValueError(f"unknown state action {action!r}")
    body: dict[str, Any] = {"action": action, "force": force}
    if timeout is not None:
        body["timeout"] = max(1, round(timeout))
    return body


def build_snapshot_body(name: str, *, stateful: bool = False) -> dict[str, Any]:
    """``POST /1.0/instances/{name}/snapshots`` (InstanceSnapshotsPost: name, stateful, expires_at;
    no description: neither LXD nor Incus takes one for a snapshot)."""
    return {"name": validate_snapshot_name(name), "stateful": bool(stateful)}


def build_restore_body(snapshot: str) -> dict[str, Any]:
    """``PUT /1.0/instances/{name}`` (InstancePut) with ``restore``: the server restores the snapshot
    and ignores the other fields, as ``incus snapshot restore`` / ``lxc restore`` send it."""
    return {"restore": validate_snapshot_name(snapshot), "stateful": False}


def build_exec_body(
    command: list[str], *, environment: dict[str, str] | None = None, websocket: bool = True
) -> dict[str, Any]:
    """``POST /1.0/instances/{name}/exec`` (InstanceExecPost). With ``websocket`` the server waits
    for us to attach stdin/stdout/stderr; otherwise it records the output to log files. Incus
    refuses ``record-output`` together with ``wait-for-websocket``, so exactly one is true."""
    return {
        "command": list(command),
        "environment": dict(environment or {}),
        "interactive": False,
        "wait-for-websocket": websocket,
        "record-output": not websocket,
    }


def build_console_exec_body(command: list[str], *, width: int, height: int, term: str) -> dict[str, Any]:
    """``POST /1.0/instances/{name}/exec`` for an interactive shell: the server allocates a PTY of
    ``width`` x ``height`` and offers two websockets, ``0`` (the PTY, both ways) and ``control``
    (window-resize, signal). Sizes are strings-or-ints on the wire; the spec has them as ints."""
    return {
        "command": list(command),
        "environment": {"TERM": term},
        "interactive": True,
        "wait-for-websocket": True,
        "record-output": False,
        "width": int(width),
        "height": int(height),
    }


# --- images ----------------------------------------------------------------------------------------


def build_image_pull_body(source: ImageSource) -> dict[str, Any]:
    """``POST /1.0/images`` (ImagesPost) pulling from a remote image server. The original sent
    ``{server, protocol, alias}`` at the top level; the server wants a ``source`` object."""
    if not source.server:
        raise InvalidInput(f"{source.label} is not on a remote image server", hint="name a remote, e.g. images:ALIAS")
    return {
        "source": {"type": "image", "mode": "pull", **_source_fields(source)},
        "auto_update": False,
        "public": False,
    }


def build_alias_body(name: str, target: str, description: str = "") -> dict[str, Any]:
    """``POST /1.0/images/aliases`` (ImageAliasesPost)."""
    return {"name": name, "target": target, "description": description}


# --- trust -----------------------------------------------------------------------------------------


def build_certificate_token_body(token: str, *, name: str, explicit_trust_token: bool) -> dict[str, Any]:
    """``POST /1.0/certificates`` from an untrusted client presenting a trust token. Incus and
    LXD >= 5.21 (API extension ``explicit_trust_token``) take ``trust_token``; LXD 5.0 takes the
    token in ``password``, as its own ``lxc remote add`` does."""
    body: dict[str, Any] = {"type": "client", "name": name}
    body["trust_token" if explicit_trust_token else "password"] = token
    return body
