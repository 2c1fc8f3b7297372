"""``Lab``: one slot's worth of real servers, started lazily and torn down by PID.

Usable from pytest (``tests/lab/fixtures.py``) and from scripts (``python -m tests.lab``)::

    with Lab() as lab:
        host = lab.ssh                      # sshd in its own namespace
        lab.docker.docker("ps")             # dockerd + registry + sshd in another one
        print(lab.timings)

Every host is created on first access; ``start_all()`` starts them all in parallel.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tests.lab import slots, system, users
from tests.lab.ssh_host import SshHost, make_keypair
from tests.lab.system import LabError

if TYPE_CHECKING:
    from tests.lab.docker_host import DockerHost
    from tests.lab.images import Images
    from tests.lab.lxd_host import LxdFamilyHost
    from tests.lab.pve_host import PveHost

T = TypeVar("T")

# Subnet index i of the slot (10.77.(16K+i).0/24) for each role. 8..15 are for throwaway hosts.
NET = {
    "ssh": 0,
    "docker": 1,
    "docker-bridge": 2,
    "incus": 3,
    "incus-bridge": 4,
    "lxd": 5,
    "lxd-bridge": 6,
    "pve": 7,
}
SPARE_NETS = range(8, 16)
TMPFS_ENV = "OCV_LAB_TMPFS"  # 0: keep the lab dir on disk
TMPFS_SIZE = "6g"

EXEC_CG = """#!/bin/sh
# usage: exec-cg NS command args...
# Runs the command inside network namespace NS with the cgroup mounts restored (ip netns exec
# re-mounts /sys, which hides them; incusd/lxd then miss the freezer controller). Every step execs,
# so the PID of this script becomes the PID of the command.
ns=$1; shift
exec ip netns exec "$ns" sh -ec '
  mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
  for c in cpu cpuacct cpuset memory devices freezer blkio pids; do
    mkdir -p /sys/fs/cgroup/$c; mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c
  done
  mkdir -p /sys/fs/cgroup/systemd /sys/fs/cgroup/unified
  mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
  mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified
  exec "$@"' sh "$@"
"""


class Lab:
    """One lab: a slot, its temporary directory, and the hosts (see CONTRACT.md)."""

    def __init__(
        self,
        *,
        slot: int | None = None,
        base_dir: str | os.PathLike[str] = "/tmp",
        install_deps: bool = True,
        watchdog: bool = True,
    ) -> None:
        system.require_root()
        if install_deps:
            system.ensure_system_deps()
        self.timings: dict[str, float] = {}
        t0 = time.monotonic()
        self.slot = slots.acquire_slot(slot)
        self._closed = False
        self._locks: dict[str, threading.Lock] = {}
        self._hosts: dict[str, Any] = {}
        self._failures: dict[str, str] = {}
        self._background: list[ThreadPoolExecutor] = []
        self._extra_hosts: list[SshHost] = []
        self._free_nets = list(SPARE_NETS)
        self._agent: subprocess.Popen[bytes] | None = None
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._watchdog_pipe = -1
        try:
            self.dir = Path(tempfile.mkdtemp(prefix=f"ocv-lab{self.slot.index}-", dir=base_dir))
            self.slot.pointer.write_text(str(self.dir))
            if os.environ.get(TMPFS_ENV, "1") != "0":
                # Daemon state on tmpfs: unpacking and deleting images is many times faster than on
                # the CI disk, and teardown is an unmount. Only what is written uses memory.
                system.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0711", "ocv-lab", self.dir])
            # Traversable (not listable) by the lab user: sshd reads its authorized_keys as that user,
            # and its sessions reach the daemons' sockets below this directory.
            self.dir.chmod(0o711)
            self.state = slots.LabState(self.dir, self.slot.index)
            if watchdog:
                self._start_watchdog()
            # Rule 8 of lab-recipes.md: any 10.77 packet that is not for a live lab namespace is dropped.
            system.run(["ip", "route", "replace", "blackhole", "10.77.0.0/16"])
            self.exec_cg = system.write_file(self.dir / "exec-cg", EXEC_CG, 0o755)
            self._make_credentials()
        except BaseException:
            self._teardown()
            raise
        atexit.register(self.close)
        self.timings["lab"] = time.monotonic() - t0

    # --- watchdog ---------------------------------------------------------------------------------------
    def _start_watchdog(self) -> None:
        """A process that cleans the slot if this one dies without close() (tests/lab/watchdog.py)."""
        read_end, self._watchdog_pipe = os.pipe()  # both close-on-exec: no daemon inherits them
        try:
            self._watchdog = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.lab.watchdog",
                    str(self.slot.index),
                    str(self.slot.lock_fd),
                    str(read_end),
                ],
                cwd=system.REPO_ROOT,
                pass_fds=(self.slot.lock_fd, read_end),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            os.close(read_end)

    def _stop_watchdog(self) -> None:
        if self._watchdog_pipe >= 0:
            with contextlib.suppress(OSError):
                os.write(self._watchdog_pipe, b"bye")
            os.close(self._watchdog_pipe)
            self._watchdog_pipe = -1
        if self._watchdog is not None:
            try:
                self._watchdog.wait(timeout=10)
            except subprocess.TimeoutExpired:
                system.kill_pid(self._watchdog.pid, timeout=5, sig=signal.SIGKILL)
            self._watchdog = None

    # --- credentials ------------------------------------------------------------------------------------
    def _make_credentials(self) -> None:
        keys = self.dir / "keys"
        keys.mkdir(mode=0o711)
        self.root_key = make_keypair(keys / "root_key", comment="ocv-lab-root")
        self.user = self.slot.user
        self.user_key_passphrase = "lab pass 'phrase' $1 " + secrets.token_hex(4)
        self.user_key = make_keypair(keys / "user_key", self.user_key_passphrase, comment="ocv-lab-user")
        self.authorized_keys_dir = keys / "authorized"
        self.authorized_keys_dir.mkdir(mode=0o755)
        system.write_file(self.authorized_keys_dir / "root", self.root_key.with_suffix(".pub").read_text())
        system.write_file(self.authorized_keys_dir / self.user, self.user_key.with_suffix(".pub").read_text())
        self.user_password = users.ensure_user(self.user)
        self.state.set("user", self.user)
        self.agent_socket = self.dir / "agent.sock"
        self._agent = subprocess.Popen(
            ["ssh-agent", "-D", "-a", str(self.agent_socket)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.state.add_pid(self._agent.pid, "ssh-agent")
        system.wait_until(self.agent_socket.exists, timeout=10, what="ssh-agent")
        system.run(["ssh-add", "-q", str(self.root_key)], env={"SSH_AUTH_SOCK": str(self.agent_socket)})

    # --- lazy hosts ----------------------------------------------------------------------------------
    def _lazy(self, key: str, make: Callable[[], T]) -> T:
        if self._closed:
            raise LabError("this lab is closed")
        lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key in self._failures:
                # Failed once: say so again at once instead of retrying a slow start in every test.
                raise LabError(f"{key} failed to start earlier in this lab: {self._failures[key]}")
            if key not in self._hosts:
                t0 = time.monotonic()
                try:
                    host = make()
                except Exception as exc:
                    self._failures[key] = str(exc)
                    raise
                self._hosts[key] = host
                self.timings[key] = time.monotonic() - t0
            return self._hosts[key]

    @property
    def images(self) -> Images:
        from tests.lab.images import Images

        return self._lazy("images", lambda: Images(self))

    @property
    def ssh(self) -> SshHost:
        return self._lazy("ssh", lambda: self._start_host(SshHost(self, role="ssh", net_index=NET["ssh"])))

    @property
    def docker(self) -> DockerHost:
        from tests.lab.docker_host import DockerHost

        return self._lazy("docker", lambda: self._start_host(DockerHost(self)))

    @property
    def incus(self) -> LxdFamilyHost:
        from tests.lab.lxd_host import LxdFamilyHost

        return self._lazy("incus", lambda: self._start_host(LxdFamilyHost(self, "incus")))

    @property
    def lxd(self) -> LxdFamilyHost:
        from tests.lab.lxd_host import LxdFamilyHost

        return self._lazy("lxd", lambda: self._start_host(LxdFamilyHost(self, "lxd")))

    @property
    def pve(self) -> PveHost:
        from tests.lab.pve_host import PveHost

        return self._lazy("pve", lambda: self._start_host(PveHost(self)))

    def started(self, key: str) -> Any | None:
        """The host ``key`` (ssh, docker, incus, lxd, pve) if it was started, else None."""
        return self._hosts.get(key)

    def _start_host(self, host: T) -> T:
        try:
            host.start()  # type: ignore[attr-defined]
        except BaseException:
            with contextlib.suppress(Exception):
                host.close()  # type: ignore[attr-defined]
            raise
        return host

    def new_ssh_host(
        self, *, env: Mapping[str, str] | None = None, sshd_options: Mapping[str, str | None] | None = None
    ) -> SshHost:
        """A throwaway SshHost (own namespace and sshd) a test may stop, restart or black-hole.
        ``env``: more session variables (sshd ``SetEnv``); ``sshd_options``: sshd_config directives
        replaced (None: left out). Removed by ``remove_ssh_host`` or at the end of the lab."""
        if self._closed:
            raise LabError("this lab is closed")
        with self._locks.setdefault("spare", threading.Lock()):
            if not self._free_nets:
                raise LabError(f"no free subnet for another throwaway host (at most {len(SPARE_NETS)} at once)")
            i = self._free_nets.pop(0)
        host = SshHost(self, role=f"t{i}", net_index=i, env=env, sshd_options=sshd_options)
        try:
            host.start()
        except BaseException:
            host.close()
            self._free_nets.append(i)
            raise
        self._extra_hosts.append(host)
        return host

    def remove_ssh_host(self, host: SshHost) -> None:
        host.close()
        if host in self._extra_hosts:
            self._extra_hosts.remove(host)
            self._free_nets.append(host.net_index)

    def unique_name(self, prefix: str = "t") -> str:
        """A container name no other test or lab uses (liblxc cgroup names are machine-wide, so two
        daemons, or Incus and LXD in one lab, collide on equal names)."""
        return f"{prefix}-{self.slot.index}-{secrets.token_hex(3)}"

    def start_in_background(self, hosts: tuple[str, ...]) -> None:
        """Begin starting these hosts in parallel threads; accessing one waits for its start (and
        raises its failure). Lets a test session overlap the hosts' start-ups."""
        if not hosts or self._closed:
            return
        pool = ThreadPoolExecutor(max_workers=len(hosts), thread_name_prefix="lab-start")
        for h in hosts:
            pool.submit(self._start_quietly, h)
        pool.shutdown(wait=False)
        self._background.append(pool)

    def _start_quietly(self, key: str) -> None:
        with contextlib.suppress(Exception):  # recorded by _lazy; raised when a test asks for it
            getattr(self, key)

    def start_all(self, *, hosts: tuple[str, ...] = ("ssh", "docker", "incus", "lxd", "pve")) -> dict[str, float]:
        """Start the named hosts in parallel; returns the timings. Raises the first failure."""
        with ThreadPoolExecutor(max_workers=len(hosts)) as pool:
            futures = [pool.submit(getattr, self, h) for h in hosts]
            for f in futures:
                f.result()
        return dict(self.timings)

    # --- teardown --------------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop everything this lab started (by PID), delete its namespaces and its directory."""
        if self._closed:
            return
        t0 = time.monotonic()
        for pool in self._background:  # let background starts finish, so teardown sees every host
            pool.shutdown(wait=True)
        self._closed = True
        try:
            self._teardown()
        finally:
            with contextlib.suppress(Exception):
                atexit.unregister(self.close)
            self.timings["teardown"] = time.monotonic() - t0

    def _teardown(self) -> None:
        errors: list[str] = []
        hosts = [(k, h) for k, h in self._hosts.items() if k != "images"]
        hosts += [(h.role, h) for h in self._extra_hosts]

        def close(key: str, host: Any) -> None:
            t0 = time.monotonic()
            try:
                host.close()
            finally:
                self.timings[f"close-{key}"] = time.monotonic() - t0

        with ThreadPoolExecutor(max_workers=max(1, len(hosts))) as pool:
            for fut in [pool.submit(close, k, h) for k, h in hosts]:
                try:
                    fut.result()
                except Exception as exc:
                    errors.append(f"{exc}")
        self._hosts.clear()
        self._extra_hosts.clear()
        if self._agent is not None:
            system.kill_pid(self._agent.pid, timeout=5)
            with contextlib.suppress(Exception):
                self._agent.wait(timeout=5)
        if getattr(self, "user", None):
            users.lock_password(self.user)
        # Whatever a host failed to stop: the generic sweep of this slot (namespaces, cgroups, dir).
        try:
            slots.clean_leftovers(self.slot)
        except Exception as exc:
            errors.append(str(exc))
        self._stop_watchdog()  # it shares the slot's lock: the slot is free once both let go
        self.slot.release()
        if errors:
            raise LabError("lab teardown: " + "; ".join(errors))

    def leftovers(self) -> list[str]:
        """Anything of this lab's slot still present (namespaces, links, processes, directory)."""
        return slots.leftovers(self.slot.index, self.dir, self.state.history)

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Lab slot={self.slot.index} dir={self.dir} hosts={sorted(self._hosts)}>"
