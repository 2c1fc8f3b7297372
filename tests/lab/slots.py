"""Slots let several labs share one machine (CONTRACT.md, "Rules").

A lab owns slot K while it holds an exclusive ``flock`` on ``/run/ocv-lab/slot-K.lock``; the kernel
drops the lock when the process dies, however it dies. Inside its slot a lab only uses the namespace
names ``ocvK-*``, the interface names ``ocvKh<i>`` / ``ocvKn<i>`` and the subnets ``10.77.(16K+i).0/24``.

What a lab starts is recorded in ``<lab dir>/state.json`` (PIDs with their start times, namespaces,
cgroups), and ``/run/ocv-lab/slot-K.dir`` names that lab dir. The next owner of the slot, or
``make lab-down``, uses this record to remove what a crashed run left behind, touching nothing that
belongs to another slot.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from pathlib import Path
from typing import Any

from tests.lab import system
from tests.lab.system import LabError

RUN_DIR = Path("/run/ocv-lab")
SLOTS = 16
SLOT_ENV = "OCV_LAB_SLOT"


class Slot:
    """An acquired slot: the lock and the names and addresses that belong to it."""

    def __init__(self, index: int, fd: int) -> None:
        self.index = index
        self._fd = fd

    # --- names ------------------------------------------------------------------------------------
    @property
    def ns_prefix(self) -> str:
        return f"ocv{self.index}-"

    def ns(self, role: str) -> str:
        return f"{self.ns_prefix}{role}"

    def host_if(self, i: int) -> str:
        return f"ocv{self.index}h{i}"

    def ns_if(self, i: int) -> str:
        return f"ocv{self.index}n{i}"

    def net(self, i: int) -> str:
        """``10.77.N`` for subnet i of this slot (append ``.1`` for the host side, ``.2`` for the namespace)."""
        if not 0 <= i < 16:
            raise ValueError(f"subnet index {i} outside 0..15")
        return f"10.77.{16 * self.index + i}"

    @property
    def loopback(self) -> str:
        """A loopback address for this slot's in-process servers (fakepve)."""
        return f"127.77.{self.index}.2"

    @property
    def user(self) -> str:
        return f"ocvlab{self.index}"

    # --- files ------------------------------------------------------------------------------------
    @property
    def pointer(self) -> Path:
        return RUN_DIR / f"slot-{self.index}.dir"

    @property
    def lock_fd(self) -> int:
        return self._fd

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _lock_path(k: int) -> Path:
    return RUN_DIR / f"slot-{k}.lock"


def acquire_slot(preferred: int | None = None) -> Slot:
    """Take a free slot (or exactly ``preferred`` / ``$OCV_LAB_SLOT``) and clean what a crashed owner left."""
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    if preferred is None and os.environ.get(SLOT_ENV):
        preferred = int(os.environ[SLOT_ENV])
    candidates = [preferred] if preferred is not None else list(range(SLOTS))
    for k in candidates:
        if not 0 <= k < SLOTS:
            raise LabError(f"slot {k} outside 0..{SLOTS - 1}")
        fd = os.open(_lock_path(k), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        slot = Slot(k, fd)
        try:
            clean_leftovers(slot)
        except BaseException:
            slot.release()
            raise
        return slot
    taken = "slot " + str(preferred) if preferred is not None else f"all {SLOTS} slots"
    raise LabError(f"no free lab slot: {taken} in use (see {RUN_DIR})")


def slot_owner_busy(k: int) -> bool:
    """True while some process holds slot k."""
    fd = os.open(_lock_path(k), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


class LabState:
    """``<lab dir>/state.json``: everything a lab started, so it can be stopped by PID later."""

    def __init__(self, lab_dir: Path, slot: int) -> None:
        self.path = lab_dir / "state.json"
        self._lock = threading.Lock()
        # Every PID ever recorded (also those stopped since), for the leftover check after teardown.
        self.history: list[dict[str, Any]] = []
        self.data: dict[str, Any] = {
            "slot": slot,
            "lab_dir": str(lab_dir),
            "owner_pid": os.getpid(),
            "owner_start": system.start_time(os.getpid()),
            "pids": [],
            "cgroups": [],
            "namespaces": [],
            "container_dirs": [],
        }
        self.save()

    @staticmethod
    def load(lab_dir: Path) -> dict[str, Any]:
        try:
            return json.loads((lab_dir / "state.json").read_text())
        except (OSError, ValueError):
            return {}

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1))
        tmp.replace(self.path)

    def add_pid(self, pid: int, what: str) -> None:
        with self._lock:
            rec = {"pid": pid, "start": system.start_time(pid), "what": what}
            self.data["pids"].append(rec)
            self.history.append(rec)
            self.save()

    def drop_pid(self, pid: int) -> None:
        with self._lock:
            self.data["pids"] = [p for p in self.data["pids"] if p["pid"] != pid]
            self.save()

    def add(self, key: str, value: str) -> None:
        with self._lock:
            if value not in self.data[key]:
                self.data[key].append(value)
                self.save()

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self.data[key] = value
            self.save()


def container_cgroups(container_dirs: list[str]) -> list[str]:
    """The global cgroup names liblxc uses for the containers found in incusd/lxd state dirs."""
    names = []
    for d in container_dirs:
        with contextlib.suppress(OSError):
            for entry in Path(d).iterdir():
                names += [f"lxc.payload.{entry.name}", f"lxc.monitor.{entry.name}"]
    return names


def clean_leftovers(slot: Slot) -> None:
    """Remove what a previous, crashed owner of this slot left: processes (by recorded PID, by
    namespace and by cgroup), namespaces ``ocvK-*``, host links ``ocvKh*``/``ocvKn*``, the lab dir."""
    lab_dir: Path | None = None
    with contextlib.suppress(OSError):
        text = slot.pointer.read_text().strip()
        lab_dir = Path(text) if text else None
    state = LabState.load(lab_dir) if lab_dir else {}
    me = os.getpid()
    for rec in reversed(state.get("pids", [])):
        if rec["pid"] != me:
            system.kill_pid(rec["pid"], rec.get("start"), timeout=5)
    for name in state.get("cgroups", []) + container_cgroups(state.get("container_dirs", [])):
        system.sweep_cgroup(name)
    for ns in system.netns_list():
        if ns.startswith(slot.ns_prefix):
            system.delete_netns(ns)
    for link in system.host_links(f"ocv{slot.index}h") + system.host_links(f"ocv{slot.index}n"):
        system.run(["ip", "link", "del", link], check=False)
    if lab_dir is not None and lab_dir.name.startswith(f"ocv-lab{slot.index}-"):
        system.remove_tree(lab_dir)
    with contextlib.suppress(FileNotFoundError):
        slot.pointer.unlink()


def leftovers(slot_index: int, lab_dir: Path | None, pids: list[dict[str, Any]]) -> list[str]:
    """What of a slot is still there (empty after a clean teardown)."""
    found = [f"namespace {ns}" for ns in system.netns_list() if ns.startswith(f"ocv{slot_index}-")]
    found += [
        f"link {link}" for link in system.host_links(f"ocv{slot_index}h") + system.host_links(f"ocv{slot_index}n")
    ]
    found += [f"process {p['pid']} ({p['what']})" for p in pids if system.alive(p["pid"], p.get("start"))]
    if lab_dir is not None and lab_dir.exists():
        found.append(f"directory {lab_dir}")
    return found
