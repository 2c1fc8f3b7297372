"""Container images built on this machine (no registry or image server is reachable).

- busybox: Debian's busybox-static as a tiny rootfs (lab-recipes.md §6): no chpasswd, no /etc/shadow.
- debian: ``debootstrap --variant=minbase bookworm`` (chpasswd, /etc/shadow with a root entry) plus an
  ``/sbin/init`` that keeps the container running until it is stopped.

Each comes as a rootfs tarball (for ``docker import``) and as a unified image tarball
(``metadata.yaml`` + ``rootfs/``, for ``incus image import`` / ``lxc image import``). They are cached in
``/var/cache/ocv-lab`` (the debootstrap takes a minute or two; later runs reuse it), built once under
a lock so concurrent labs never race, and built in a background thread as soon as a lab asks.
Bump ``VERSION`` when the recipe changes.
"""

from __future__ import annotations

import fcntl
import os
import platform
import shutil
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from tests.lab import system
from tests.lab.system import LabError

if TYPE_CHECKING:
    from tests.lab.lab import Lab

CACHE_DIR = Path(os.environ.get("OCV_LAB_CACHE", "/var/cache/ocv-lab"))
VERSION = "v1"
SOURCES = Path("/etc/apt/sources.list.d/debian.sources")
DEFAULT_MIRROR = "http://deb.debian.org/debian"
BUSYBOX = Path("/bin/busybox")
UDHCPC_SCRIPT = Path("/usr/share/doc/busybox-static/examples/udhcp/simple.script")

DEBIAN_INIT = """#!/bin/sh
# ocv-lab: debootstrap minbase has no init system. Keep PID 1 alive until the container is stopped
# (incus/lxd send SIGPWR, docker SIGTERM) and then exit at once, so a graceful stop is quick.
trap 'exit 0' TERM INT PWR
while :; do sleep 3600 & wait $!; done
"""

BUSYBOX_RCS = """#!/bin/sh
mount -t proc proc /proc 2>/dev/null
ip link set lo up
udhcpc -b -i eth0 -s /usr/share/udhcpc/default.script
"""


def _arch() -> str:
    return {"x86_64": "x86_64", "aarch64": "aarch64"}.get(platform.machine(), platform.machine())


def _metadata(description: str, os_name: str, release: str) -> str:
    return (
        f"architecture: {_arch()}\ncreation_date: {int(time.time())}\nproperties:\n"
        f'  description: {description}\n  os: {os_name}\n  release: "{release}"\n'
    )


def debian_mirror() -> str:
    """The Debian mirror apt already uses (first ``URIs:`` of a stanza with the bookworm suite)."""
    try:
        stanzas = SOURCES.read_text().split("\n\n")
    except OSError:
        return DEFAULT_MIRROR
    for stanza in stanzas:
        fields = dict(line.split(":", 1) for line in stanza.splitlines() if ":" in line and not line.startswith("#"))
        if "bookworm" in fields.get("Suites", "").split() and fields.get("URIs"):
            return fields["URIs"].split()[0]
    return DEFAULT_MIRROR


class _Artifact:
    def __init__(self, stem: str) -> None:
        self.rootfs = CACHE_DIR / f"{stem}-rootfs-{VERSION}.tar"
        self.unified = CACHE_DIR / f"{stem}-unified-{VERSION}.tar"

    def ready(self) -> bool:
        return self.rootfs.exists() and self.unified.exists()


class Images:
    """Both images, built (or found in the cache) in the background; the accessors wait for them."""

    busybox_ref = "lab/busybox:1.35"
    debian_ref = "lab/debian:12"

    def __init__(self, lab: Lab | None = None) -> None:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        self.busybox = _Artifact("busybox-1.35")
        self.debian = _Artifact("debian-bookworm-minbase")
        self.timings: dict[str, float] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lab-images")
        # busybox first: it is small and most tests need it; debian after.
        self._busybox: Future[None] = self._pool.submit(self._ensure, "busybox", self.busybox, self._build_busybox)
        self._debian: Future[None] = self._pool.submit(self._ensure, "debian", self.debian, self._build_debian)
        self._pool.shutdown(wait=False)

    def busybox_ready(self, timeout: float = 300) -> _Artifact:
        self._busybox.result(timeout)
        return self.busybox

    def debian_ready(self, timeout: float = 900) -> _Artifact:
        self._debian.result(timeout)
        return self.debian

    # --- building --------------------------------------------------------------------------------------
    def _ensure(self, name: str, art: _Artifact, build: object) -> None:
        t0 = time.monotonic()
        if not art.ready():
            fd = os.open(CACHE_DIR / "build.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # another lab may be building it right now
                if not art.ready():
                    with tempfile.TemporaryDirectory(prefix=f"build-{name}-", dir=CACHE_DIR) as tmp:
                        staging = Path(tmp)
                        build(staging / "rootfs")  # type: ignore[operator]
                        self._pack(staging, art)
            finally:
                os.close(fd)
        self.timings[name] = time.monotonic() - t0

    @staticmethod
    def _pack(staging: Path, art: _Artifact) -> None:
        # Rootfs at the top (docker import), and metadata.yaml + rootfs/ (incus/lxd image import).
        # Write to temporary names and rename, so a crash never leaves a half tarball in the cache.
        rootfs_tmp = art.rootfs.with_suffix(".part")
        unified_tmp = art.unified.with_suffix(".part")
        system.run(["tar", "--numeric-owner", "-C", staging / "rootfs", "-cf", rootfs_tmp, "."], timeout=600)
        system.run(
            ["tar", "--numeric-owner", "-C", staging, "-cf", unified_tmp, "metadata.yaml", "rootfs"], timeout=600
        )
        rootfs_tmp.replace(art.rootfs)
        unified_tmp.replace(art.unified)

    @staticmethod
    def _build_busybox(rootfs: Path) -> None:
        if not BUSYBOX.exists():
            raise LabError(f"{BUSYBOX} missing: install busybox-static (scripts/install-system-deps.sh)")
        (rootfs / "bin").mkdir(parents=True)
        shutil.copy2(BUSYBOX, rootfs / "bin" / "busybox")
        applets = system.run([rootfs / "bin" / "busybox", "--list-full"]).stdout.split()
        for applet in applets:
            if applet == "bin/busybox":
                continue
            link = rootfs / applet
            link.parent.mkdir(parents=True, exist_ok=True)
            if not link.exists():
                link.symlink_to("/bin/busybox")
        for d in ("proc", "sys", "dev", "tmp", "root", "etc/init.d", "usr/share/udhcpc"):
            (rootfs / d).mkdir(parents=True, exist_ok=True)
        (rootfs / "tmp").chmod(0o1777)
        system.write_file(rootfs / "etc/inittab", "::sysinit:/etc/init.d/rcS\n::shutdown:/bin/umount -a -r\n")
        system.write_file(rootfs / "etc/init.d/rcS", BUSYBOX_RCS, 0o755)
        shutil.copy2(UDHCPC_SCRIPT, rootfs / "usr/share/udhcpc/default.script")
        (rootfs / "usr/share/udhcpc/default.script").chmod(0o755)
        system.write_file(rootfs / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
        system.write_file(rootfs / "etc/group", "root:x:0:\n")
        system.write_file(rootfs.parent / "metadata.yaml", _metadata("busybox lab image", "busybox", "1.35"))

    @staticmethod
    def _build_debian(rootfs: Path) -> None:
        mirror = debian_mirror()
        try:
            system.run(
                ["debootstrap", "--variant=minbase", "bookworm", rootfs, mirror], timeout=1200, what="debootstrap"
            )
        except LabError as exc:
            inner = system.log_tail(rootfs / "debootstrap" / "debootstrap.log")
            raise LabError(f"{exc}\n{inner}") from exc
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for f in (rootfs / junk).glob("*"):
                if f.is_file():
                    f.unlink()
        init = rootfs / "sbin" / "init"
        if init.exists() or init.is_symlink():
            init.unlink()
        system.write_file(init, DEBIAN_INIT, 0o755)
        meta = _metadata("debian bookworm minbase lab image", "debian", "12")
        system.write_file(rootfs.parent / "metadata.yaml", meta)
