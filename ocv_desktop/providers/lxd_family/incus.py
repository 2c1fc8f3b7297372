"""Incus nodes: the shared LXD-family provider with Incus's names (lxd_family.py)."""

from __future__ import annotations

from typing import ClassVar

from ocv_desktop.core.models import Platform
from ocv_desktop.providers.lxd_family.provider import LxdFamilyProvider


class IncusProvider(LxdFamilyProvider):
    type = Platform.INCUS
    binary = "incus"
    socket_paths: ClassVar[tuple[str, ...]] = ("/var/lib/incus/unix.socket",)
    service_units: ClassVar[tuple[str, ...]] = ("incus", "snap.incus.daemon")
