"""``LxdFamilyHost``: incusd 6.0 (bookworm-backports) or LXD 5.0 (bookworm) in its own namespace.

Started through the lab's ``exec-cg`` wrapper (cgroup mounts restored inside ``ip netns exec``), with
all state in the lab dir (``INCUS_DIR``/``LXD_DIR``), and initialised with an explicit preseed: the
bridge gets addresses from the slot (``ipv4.nat`` false, no IPv6), a ``dir`` storage pool,
``core.https_address`` on the namespace address, no image auto-update. Never ``--minimal``/``--auto``
(lab-recipes.md, rule 1). The images ``busybox`` and ``debian`` are imported; a generated client
certificate is trusted. sshd runs in the same namespace with ``INCUS_DIR``/``LXD_DIR`` in its sessions.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.lab import certs, slots, system
from tests.lab.docker_host import http_get_unix
from tests.lab.ssh_host import SshHost
from tests.lab.system import LabError

if TYPE_CHECKING:
    from ocv_desktop.core.models import NodeConfig
    from tests.lab.lab import Lab


@dataclass(frozen=True)
class Flavour:
    name: str
    daemon: tuple[str, ...]
    cli: str
    dir_env: str
    bridge: str
    init: tuple[str, ...]
    trust_cert: tuple[str, ...]  # + the certificate path


FLAVOURS = {
    "incus": Flavour(
        name="incus",
        daemon=("/usr/libexec/incus/incusd", "--group", "incus-admin"),
        cli="incus",
        dir_env="INCUS_DIR",
        bridge="incusbr0",
        init=("incus", "admin", "init", "--preseed"),
        trust_cert=("incus", "config", "trust", "add-certificate"),
    ),
    "lxd": Flavour(
        name="lxd",
        daemon=("/usr/bin/lxd", "--group", "lxd"),
        cli="lxc",
        dir_env="LXD_DIR",
        bridge="lxdbr0",
        init=("lxd", "init", "--preseed"),
        trust_cert=("lxc", "config", "trust", "add"),
    ),
}


class LxdFamilyHost:
    """See CONTRACT.md ``LxdFamilyHost``."""

    def __init__(self, lab: Lab, flavour: str) -> None:
        from tests.lab.lab import NET

        self._lab = lab
        self._f = FLAVOURS[flavour]
        self.flavour = flavour
        self.state_dir = lab.dir / flavour
        self.unix_socket = self.state_dir / "unix.socket"
        self.ssh = SshHost(
            lab,
            role=flavour,
            net_index=NET[flavour],
            env={self._f.dir_env: str(self.state_dir)},
            platform=flavour,
        )
        self.netns = self.ssh.netns
        self.https_address = f"{self.ssh.address}:8443"
        self.bridge = self._f.bridge
        self.bridge_cidr = f"{lab.slot.net(NET[flavour + '-bridge'])}.1/24"
        self.client_cert = self.state_dir.parent / f"{flavour}-client" / "client.crt"
        self.client_key = self.client_cert.with_suffix(".key")
        self.timings: dict[str, float] = {}
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    @property
    def log_path(self) -> Path:
        return self.state_dir / f"{Path(self._f.daemon[0]).name}.log"  # incusd.log / lxd.log

    @property
    def server_cert(self) -> Path:
        return self.state_dir / "server.crt"

    @property
    def server_cert_fingerprint(self) -> str:
        return certs.fingerprint(self.server_cert)

    @property
    def daemon_pid(self) -> int | None:
        return self._proc.pid if self._proc and self._proc.poll() is None else None

    @property
    def env(self) -> dict[str, str]:
        """Environment for the CLI on the host (client config kept in the lab dir, not in ~root)."""
        conf = str(self.state_dir.parent / f"{self.flavour}-client" / "config")
        return {self._f.dir_env: str(self.state_dir), "INCUS_CONF": conf, "LXD_CONF": conf}

    # --- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> LxdFamilyHost:
        t0 = time.monotonic()
        images = self._lab.images
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir.chmod(0o711)
        self.client_cert.parent.mkdir(parents=True, exist_ok=True)
        self._lab.state.add("container_dirs", str(self.state_dir / "containers"))
        self.ssh.create_netns()
        self._start_process()
        self.ssh.start(create_netns=False)
        self._wait_ready()
        self.timings["daemon"] = time.monotonic() - t0
        self._preseed()
        certs.make_client_cert(self.client_cert.parent, common_name=f"ocv-lab-{self.flavour}")
        self.cli_ok(*self._f.trust_cert[1:], str(self.client_cert))
        self.timings["preseed"] = time.monotonic() - t0
        self.cli_ok("image", "import", images.busybox_ready().unified, "--alias", "busybox", timeout=120)
        self.timings["busybox"] = time.monotonic() - t0
        self.cli_ok("image", "import", images.debian_ready().unified, "--alias", "debian", timeout=300)
        self.timings["ready"] = time.monotonic() - t0
        return self

    def _start_process(self) -> None:
        argv = [str(self._lab.exec_cg), self.netns, *self._f.daemon, "--logfile", str(self.log_path)]
        with open(self.state_dir.parent / f"{self.flavour}.out", "ab") as out:
            self._proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                env={**_base_env(), self._f.dir_env: str(self.state_dir)},
                start_new_session=True,
            )
        self._lab.state.add_pid(self._proc.pid, f"{self.flavour}d")

    def _wait_ready(self) -> None:
        def ready() -> bool:
            if self._proc is None or self._proc.poll() is not None:
                raise LabError(f"{self.flavour} daemon exited\n{self._logs()}")
            if not self.unix_socket.exists():
                return False
            return b" 200 " in http_get_unix(self.unix_socket, "/internal/ready", timeout=5).split(b"\r\n", 1)[0]

        try:
            system.wait_until(ready, timeout=90, what=f"{self.flavour} daemon")
        except LabError as exc:
            raise LabError(f"{exc}\n{self._logs()}") from exc

    def _logs(self) -> str:
        return system.log_tail(self.log_path) + "\n" + system.log_tail(self.state_dir.parent / f"{self.flavour}.out")

    def _preseed(self) -> None:
        # Every address explicit (lab-recipes.md rules 1-2): the subnet picker must never run.
        preseed = {
            "config": {"core.https_address": self.https_address, "images.auto_update_interval": "0"},
            "networks": [
                {
                    "name": self.bridge,
                    "type": "bridge",
                    "config": {"ipv4.address": self.bridge_cidr, "ipv4.nat": "false", "ipv6.address": "none"},
                }
            ],
            "storage_pools": [{"name": "default", "driver": "dir"}],
            "profiles": [
                {
                    "name": "default",
                    "devices": {
                        "root": {"path": "/", "pool": "default", "type": "disk"},
                        "eth0": {"name": "eth0", "network": self.bridge, "type": "nic"},
                    },
                }
            ],
        }
        self._run_ok(list(self._f.init), input=json.dumps(preseed))

    def stop_daemon(self) -> None:
        """Stop the daemon by PID (SIGTERM; its containers keep running, as after ``systemctl stop``
        on a real host) and its dnsmasq by the PID in the pidfile."""
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is not None:
                system.kill_pid(proc.pid, timeout=30)
                proc.wait(timeout=5)
                self._lab.state.drop_pid(proc.pid)
            self._kill_dnsmasq()

    def start_daemon(self) -> int:
        with self._lock:
            if self.daemon_pid:
                return self.daemon_pid
            self._start_process()
            self._wait_ready()
            assert self._proc is not None
            return self._proc.pid

    def _kill_dnsmasq(self) -> None:
        # incusd/lxd leave their dnsmasq running when they stop (lab-recipes.md rule 7).
        for pidfile in (self.state_dir / "networks").glob("*/dnsmasq.pid"):
            pid = system.read_pidfile(pidfile)
            if pid and pid in system.netns_pids(self.netns):
                system.kill_pid(pid, timeout=5)

    def close(self) -> None:
        if self.daemon_pid:
            # A forced stop is quick (SIGKILL through liblxc) and lets liblxc remove its cgroups.
            self.cli("stop", "--all", "--force", timeout=60)
        self.stop_daemon()
        for name in slots.container_cgroups([str(self.state_dir / "containers")]):
            system.sweep_cgroup(name)
        self.ssh.close()

    # --- CLI / API --------------------------------------------------------------------------------------
    def _run_ok(self, argv: list[str], input: str | None = None, timeout: float = 120) -> str:
        try:
            return system.run(argv, input=input, env=self.env, timeout=timeout).stdout
        except LabError as exc:
            raise LabError(f"{exc}\n{system.log_tail(self.log_path)}") from exc

    def cli(
        self, *args: str | Path, input: bytes | str | None = None, check: bool = False, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """Run ``incus``/``lxc`` on the host against this daemon (text output)."""
        return system.run(
            [self._f.cli, *map(str, args)], input=input, env=self.env, check=check, timeout=timeout, what=self._f.cli
        )

    def cli_ok(self, *args: str | Path, input: bytes | str | None = None, timeout: float = 120) -> str:
        """``cli(...)`` that raises LabError (with the daemon log tail) on failure; returns stdout."""
        try:
            return self.cli(*args, input=input, check=True, timeout=timeout).stdout
        except LabError as exc:
            raise LabError(f"{exc}\n{system.log_tail(self.log_path)}") from exc

    def trust_token(self, name: str) -> str:
        """A fresh trust token for enrolment tests."""
        if self.flavour == "incus":
            out = self.cli_ok("config", "trust", "add", name, "--quiet")
        else:
            out = self.cli_ok("config", "trust", "add", "--name", name, "--quiet")
        return [line for line in out.splitlines() if line.strip()][-1].strip()

    def node_config(self, **overrides: Any) -> NodeConfig:
        fields: dict[str, Any] = {
            "name": f"lab-{self.flavour}",
            "type": self.flavour,
            "api_endpoint": f"https://{self.https_address}",
            "client_cert": str(self.client_cert),
            "client_key": str(self.client_key),
            "server_cert_fingerprint": self.server_cert_fingerprint,
        }
        fields.update(overrides)
        return self.ssh.node_config(**fields)

    def __repr__(self) -> str:
        return f"<LxdFamilyHost {self.flavour} {self.https_address} pid={self.daemon_pid}>"


def _base_env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    return env
