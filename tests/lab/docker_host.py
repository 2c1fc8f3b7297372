"""``DockerHost``: Debian's dockerd 20.10 in its own namespace, with sshd and a registry beside it.

All dockerd state is private (``--data-root``, ``--exec-root``, ``--pidfile``, its own unix socket,
an empty ``--config-file``); ``--iptables=false`` and an explicit ``--bip`` from the slot keep it off
the machine's firewall and addresses; containers go under the cgroup ``/ocvK-docker`` so a crashed run's
containers can be found and stopped. Images come from ``docker import`` of the lab's own rootfs
tarballs; ``lab/busybox:1.35`` is also pushed to the registry (Debian's ``docker-registry``, plain
HTTP on ``<address>:5000``, listed in ``--insecure-registry``).
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.lab import system
from tests.lab.ssh_host import SshHost
from tests.lab.system import LabError

if TYPE_CHECKING:
    from ocv_desktop.core.models import NodeConfig
    from tests.lab.lab import Lab

DOCKERD = "/usr/sbin/dockerd"
REGISTRY = "/usr/bin/docker-registry"


def _docker_cli() -> str:
    # /usr/local/bin/docker (Docker 28 CLI) when present, else Debian's 20.10 CLI.
    for path in ("/usr/local/bin/docker", "/usr/bin/docker"):
        if Path(path).exists():
            return path
    raise LabError("no docker CLI found (install docker.io)")


def http_get_unix(sock: Path, path: str, timeout: float = 2) -> bytes:
    """A tiny HTTP/1.0 GET over a unix socket (readiness checks without extra dependencies)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(str(sock))
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: lab\r\n\r\n".encode())
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def http_get_tcp(host: str, port: int, path: str, timeout: float = 2) -> bytes:
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode())
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


class DockerHost:
    """See CONTRACT.md ``DockerHost``."""

    busybox = "lab/busybox:1.35"
    debian = "lab/debian:12"

    def __init__(self, lab: Lab) -> None:
        from tests.lab.lab import NET

        self._lab = lab
        self.dir = lab.dir / "docker"
        self.socket = self.dir / "docker.sock"
        self.ssh = SshHost(lab, role="docker", net_index=NET["docker"], env={"DOCKER_HOST": f"unix://{self.socket}"})
        self.netns = self.ssh.netns
        self.bridge_cidr = f"{lab.slot.net(NET['docker-bridge'])}.1/24"
        self.cgroup_parent = f"{lab.slot.ns_prefix}docker"
        self.registry = f"{self.ssh.address}:5000"
        self.registry_busybox = f"{self.registry}/{self.busybox}"
        self.storage_driver = "overlay2"
        self.timings: dict[str, float] = {}
        self._dockerd: subprocess.Popen[bytes] | None = None
        self._registry: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    @property
    def log_path(self) -> Path:
        return self.dir / "dockerd.log"

    @property
    def dockerd_pid(self) -> int | None:
        return self._dockerd.pid if self._dockerd and self._dockerd.poll() is None else None

    # --- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> DockerHost:
        t0 = time.monotonic()
        images = self._lab.images  # starts building/finding the images in the background
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o755)  # the lab user's sessions reach the socket below it
        system.write_file(self.dir / "daemon.json", "{}\n")
        self._lab.state.add("cgroups", self.cgroup_parent)
        self.ssh.create_netns()
        self._start_dockerd_process()
        self.ssh.start(create_netns=False)
        self._start_registry()
        self._wait_dockerd()
        self.timings["dockerd"] = time.monotonic() - t0
        art = images.busybox_ready()
        self.docker_ok("import", art.rootfs, self.busybox)
        self.docker_ok("tag", self.busybox, self.registry_busybox)
        self.docker_ok("push", "--quiet", self.registry_busybox, timeout=120)
        self.timings["busybox"] = time.monotonic() - t0
        art = images.debian_ready()
        self.docker_ok("import", art.rootfs, self.debian, timeout=300)
        self.timings["ready"] = time.monotonic() - t0
        return self

    def _dockerd_argv(self) -> list[str]:
        return [
            str(self._lab.exec_cg), self.netns, DOCKERD,
            f"--storage-driver={self.storage_driver}",
            "--iptables=false", "--ip6tables=false",
            f"--bip={self.bridge_cidr}",
            "--data-root", str(self.dir / "root"),
            "--exec-root", str(self.dir / "exec"),
            "--pidfile", str(self.dir / "dockerd.pid"),
            "--config-file", str(self.dir / "daemon.json"),
            "-H", f"unix://{self.socket}",
            "--insecure-registry", self.registry,
            "--cgroup-parent", f"/{self.cgroup_parent}",
            "--shutdown-timeout", "5",
        ]  # fmt: skip

    def _start_dockerd_process(self) -> None:
        with open(self.log_path, "ab") as log:
            self._dockerd = subprocess.Popen(
                self._dockerd_argv(), stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
            )
        self._lab.state.add_pid(self._dockerd.pid, "dockerd")

    def _wait_dockerd(self) -> None:
        def ready() -> bool:
            if self._dockerd is None or self._dockerd.poll() is not None:
                raise LabError(f"dockerd exited\n{system.log_tail(self.log_path)}")
            return b" 200 OK" in http_get_unix(self.socket, "/_ping").split(b"\r\n", 1)[0]

        try:
            system.wait_until(ready, timeout=60, what="dockerd", log=self.log_path)
        except LabError:
            if self.storage_driver != "overlay2":
                raise
            # overlay2 can fail on some filesystems (e.g. overlay on overlay): fall back to vfs.
            self._stop_dockerd_process()
            self.storage_driver = "vfs"
            self._start_dockerd_process()
            system.wait_until(ready, timeout=60, what="dockerd (vfs)", log=self.log_path)

    def _start_registry(self) -> None:
        reg = self.dir / "registry"
        (reg / "data").mkdir(parents=True, exist_ok=True)
        config = system.write_file(
            reg / "config.yml",
            "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n"
            f"    rootdirectory: {reg / 'data'}\n  delete:\n    enabled: true\n"
            f"http:\n  addr: {self.registry}\n",
        )
        log_path = reg / "registry.log"
        with open(log_path, "ab") as log:
            self._registry = subprocess.Popen(
                ["ip", "netns", "exec", self.netns, REGISTRY, "serve", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self._lab.state.add_pid(self._registry.pid, "docker-registry")

        def ready() -> bool:
            if self._registry is None or self._registry.poll() is not None:
                raise LabError(f"docker-registry exited\n{system.log_tail(log_path)}")
            return b" 200 " in http_get_tcp(self.ssh.address, 5000, "/v2/").split(b"\r\n", 1)[0]

        system.wait_until(ready, timeout=30, what="docker-registry", log=log_path)

    def stop_daemon(self) -> None:
        """Stop dockerd by PID (it stops its containers and its containerd)."""
        with self._lock:
            self._stop_dockerd_process()

    def _stop_dockerd_process(self) -> None:
        proc, self._dockerd = self._dockerd, None
        if proc is None:
            return
        system.kill_pid(proc.pid, timeout=30)
        proc.wait(timeout=5)
        self._lab.state.drop_pid(proc.pid)

    def start_daemon(self) -> int:
        with self._lock:
            if self.dockerd_pid:
                return self.dockerd_pid
            self._start_dockerd_process()
            self._wait_dockerd()
            assert self._dockerd is not None
            return self._dockerd.pid

    def close(self) -> None:
        if self._registry is not None:
            system.kill_pid(self._registry.pid, timeout=5)
            self._registry.wait(timeout=5)
        # Kill the containers first (their cgroup): dockerd would otherwise give each one the full
        # --shutdown-timeout to ignore SIGTERM (a `sleep` as PID 1 does) before killing it.
        system.sweep_cgroup(self.cgroup_parent)
        self.stop_daemon()
        system.sweep_cgroup(self.cgroup_parent)
        self.ssh.close()

    # --- CLI ----------------------------------------------------------------------------------------
    def docker(
        self, *args: str | Path, input: bytes | str | None = None, check: bool = False, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """Run the Docker CLI on the host against this dockerd (text output)."""
        argv = [_docker_cli(), "-H", f"unix://{self.socket}", *map(str, args)]
        env = {"DOCKER_CONFIG": str(self.dir / "cli-config")}
        return system.run(argv, input=input, check=check, timeout=timeout, env=env, what="docker")

    def docker_ok(self, *args: str | Path, input: bytes | str | None = None, timeout: float = 120) -> str:
        """``docker(...)`` that raises LabError (with stderr and the dockerd log tail) on failure."""
        try:
            return self.docker(*args, input=input, check=True, timeout=timeout).stdout
        except LabError as exc:
            raise LabError(f"{exc}\n{system.log_tail(self.log_path)}") from exc

    def node_config(self, **overrides: Any) -> NodeConfig:
        return self.ssh.node_config(**{"name": "lab-docker", "type": "docker", **overrides})

    def __repr__(self) -> str:
        return f"<DockerHost {self.ssh.address} socket={self.socket} pid={self.dockerd_pid}>"
