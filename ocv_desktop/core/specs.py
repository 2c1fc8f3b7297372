"""Values a user types for a new instance, read the same way by the CLI (``--port``, ``--memory``)
and the window's create dialog: sizes like ``512M``, port mappings like ``8080:80/tcp`` (as
OneClickVirt's ``Ports``). Each raises ``InvalidInput`` with the rule in words."""

from __future__ import annotations

import ipaddress
import re

from ocv_desktop.core.errors import InvalidInput
from ocv_desktop.core.models import PortMapping, Protocol

_SIZE_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgtp]?)(i?b)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40, "p": 2**50}

_PORT_RE = re.compile(
    r"^(?:(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<ip4>[0-9.]+)):)?(?P<host>\d+):(?P<guest>\d+)(?:/(?P<proto>\w+))?$"
)
_ENV_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_size(text: str) -> int:
    """``512M``, ``2G``, ``1.5GiB``, ``10g`` or plain bytes -> bytes (units are binary: M = MiB)."""
    m = _SIZE_RE.match(text)
    if not m:
        raise InvalidInput(f"invalid size {text!r} (examples: 512M, 2G, 10G)")
    size = int(float(m.group(1)) * _SIZE_UNITS[m.group(2).lower()])
    if size <= 0:
        raise InvalidInput(f"size must be positive, not {text!r}")
    return size


def parse_port(text: str) -> PortMapping:
    """``[HOST_IP:]HOST:GUEST[/tcp|udp|both]``; an IPv6 host address goes in brackets."""
    m = _PORT_RE.match(text.strip())
    if not m:
        raise InvalidInput(f"invalid port mapping {text!r} (examples: 8080:80, 127.0.0.1:53:53/udp)")
    host_ip = m.group("ip6") or m.group("ip4") or ""
    if host_ip:
        try:
            ipaddress.ip_address(host_ip)
        except ValueError:
            raise InvalidInput(f"invalid address {host_ip!r} in port mapping {text!r}") from None
    try:
        protocol = Protocol((m.group("proto") or "tcp").lower())
    except ValueError:
        raise InvalidInput(f"invalid protocol in {text!r}: use tcp, udp or both") from None
    host_port, guest_port = int(m.group("host")), int(m.group("guest"))
    for port in (host_port, guest_port):
        if not 1 <= port <= 65535:
            raise InvalidInput(f"invalid port {port} in {text!r}: use 1-65535")
    return PortMapping(host_port=host_port, guest_port=guest_port, protocol=protocol, host_ip=host_ip)


def parse_env_line(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` (the value may be empty and may contain '=')."""
    key, sep, value = text.partition("=")
    if not sep or not _ENV_KEY_RE.fullmatch(key):
        raise InvalidInput(f"expected KEY=VALUE with a name of letters, digits and '_', got {text!r}")
    return key, value
