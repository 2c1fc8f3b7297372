"""LXD nodes: the shared LXD-family provider with LXD's names (lxd_family.py).

The snap (the usual install) keeps its socket under /var/snap; Debian's and source builds use
/var/lib/lxd. The CLI is ``lxc`` in both.
"""

from __future__ import annotations

from typing import ClassVar

from ocv_desktop.core.models import Platform
from ocv_desktop.providers.lxd_family.provider import LxdFamilyProvider


class LxdProvider(LxdFamilyProvider):
    type = Platform.LXD
    binary = "lxc"
    socket_paths: ClassVar[tuple[str, ...]] = ("/var/snap/lxd/common/lxd/unix.socket", "/var/lib/lxd/unix.socket")
    service_units: ClassVar[tuple[str, ...]] = ("snap.lxd.daemon", "lxd")
