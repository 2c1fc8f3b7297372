"""A "remote host" for SSH tests: a network namespace with a veth, running the real OpenSSH sshd.

The namespace shares files, users and PIDs with the machine; only its network is separate, so the
daemons started in the same namespace (dockerd, incusd, lxd) are this host's local services, and
their unix sockets are ordinary files the session environment points at (sshd ``SetEnv``).
"""

from __future__ import annotations

import base64
import hashlib
import re
import socket
import subprocess
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.lab import system
from tests.lab.system import LabError

if TYPE_CHECKING:
    from ocv_desktop.core.models import NodeConfig
    from tests.lab.lab import Lab

SSHD = "/usr/sbin/sshd"
SFTP_SERVER = "/usr/lib/openssh/sftp-server"
SESSION_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
BLACKHOLE_TABLE = "ocvlab_blackhole"
_ACCEPTED = re.compile(r"^.*Accepted \S+ for \S+ from ", re.M)


def make_keypair(path: Path, passphrase: str = "", comment: str = "ocv-lab") -> Path:
    """An ed25519 key in OpenSSH format (what ssh-keygen makes by default; a passphrase uses bcrypt)."""
    path.unlink(missing_ok=True)
    path.with_suffix(".pub").unlink(missing_ok=True)
    system.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", comment, "-f", str(path)])
    path.chmod(0o600)
    return path


@dataclass(frozen=True)
class PublicKey:
    type: str
    blob: str  # base64

    @classmethod
    def read(cls, pub: Path) -> PublicKey:
        kind, blob = pub.read_text().split()[:2]
        return cls(kind, blob)

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256(base64.b64decode(self.blob)).digest()
        return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


class SshHost:
    """See CONTRACT.md ``SshHost``. Made by ``Lab``; do not construct directly."""

    port = 22

    def __init__(
        self,
        lab: Lab,
        *,
        role: str,
        net_index: int,
        netns: str | None = None,
        env: Mapping[str, str] | None = None,
        platform: str = "docker",
        sshd_options: Mapping[str, str | None] | None = None,
    ) -> None:
        self._lab = lab
        self.name = f"lab-{role}"
        self.role = role
        self.net_index = net_index
        self._own_netns = netns is None
        self.netns = netns or lab.slot.ns(role)
        net = lab.slot.net(net_index)
        self.host_address = f"{net}.1"
        self.address = f"{net}.2"
        self.host_if = lab.slot.host_if(net_index)
        self.ns_if = lab.slot.ns_if(net_index)
        self.dir = lab.dir / "ssh" / role
        # SHLVL=1: Debian's bash sources ~/.bashrc for a command sshd runs when SHLVL < 2 (its
        # SSH_SOURCE_BASHRC build option); with 1 inherited the shell counts 2 and skips it. The lab's
        # hosts share this machine's /root, whose .bashrc runs `pyenv init` (a rehash behind a lock
        # file): 50 concurrent commands queued on that lock for up to 60 s, and a stale lock hung every
        # lab command. A node's own shell set-up is not what the tests are about.
        self._env = {"PATH": SESSION_PATH, "SHLVL": "1", **(env or {})}
        self._sshd_options = dict(sshd_options or {})
        self._platform = platform
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._blackholed = False

    # --- credentials, shared by every host of the lab ---------------------------------------------
    @property
    def root_key(self) -> Path:
        return self._lab.root_key

    @property
    def user(self) -> str:
        return self._lab.user

    @property
    def user_password(self) -> str:
        return self._lab.user_password

    @property
    def user_key(self) -> Path:
        return self._lab.user_key

    @property
    def user_key_passphrase(self) -> str:
        return self._lab.user_key_passphrase

    @property
    def agent_socket(self) -> Path:
        return self._lab.agent_socket

    # --- host key ----------------------------------------------------------------------------------
    @property
    def host_key_path(self) -> Path:
        return self.dir / "ssh_host_ed25519_key"

    @property
    def host_key(self) -> PublicKey:
        return PublicKey.read(self.host_key_path.with_suffix(".pub"))

    @property
    def host_key_type(self) -> str:
        return self.host_key.type

    @property
    def host_key_fingerprint(self) -> str:
        return self.host_key.fingerprint

    @property
    def host_key_line(self) -> str:
        key = self.host_key
        host = self.address if self.port == 22 else f"[{self.address}]:{self.port}"
        return f"{host} {key.type} {key.blob}"

    # --- files -------------------------------------------------------------------------------------
    @property
    def log_path(self) -> Path:
        return self.dir / "sshd.log"

    @property
    def config_path(self) -> Path:
        return self.dir / "sshd_config"

    @property
    def pidfile(self) -> Path:
        return self.dir / "sshd.pid"

    @property
    def sshd_pid(self) -> int | None:
        return self._proc.pid if self._proc and self._proc.poll() is None else None

    def _config(self) -> str:
        setenv = " ".join(f"{k}={v}" for k, v in self._env.items())
        options: dict[str, str | None] = {
            "ListenAddress": f"{self.address}:{self.port}",
            "HostKey": str(self.host_key_path),
            "PidFile": str(self.pidfile),
            "AuthorizedKeysFile": f"{self._lab.authorized_keys_dir}/%u",
            "PermitRootLogin": "prohibit-password",
            "PubkeyAuthentication": "yes",
            "PasswordAuthentication": "no",
            "KbdInteractiveAuthentication": "no",
            "UsePAM": "no",
            "StrictModes": "no",
            "AllowUsers": f"root {self.user}",
            "LogLevel": "VERBOSE",
            "PrintMotd": "no",
            # Debian's stock setting: an sftp-server process per SFTP session (not internal-sftp).
            "Subsystem": f"sftp {SFTP_SERVER}",
            "SetEnv": setenv,
        }
        options.update(self._sshd_options)  # a test's overrides; None leaves the directive out
        lines = [f"# ocv-lab sshd for {self.name} (namespace {self.netns})"]
        lines += [f"{key} {value}" for key, value in options.items() if value is not None]
        lines += [f"Match User {self.user}", "    PasswordAuthentication yes"]
        return "\n".join(lines) + "\n"

    # --- lifecycle -----------------------------------------------------------------------------------
    def start(self, *, create_netns: bool = True) -> SshHost:
        """Create the namespace (if this host owns it and it is not there yet), the host key and the
        config, and start sshd."""
        self.dir.mkdir(parents=True, exist_ok=True)
        if self._own_netns and create_netns:
            self.create_netns()
        make_keypair(self.host_key_path, comment=f"{self.name}-host")
        # A throwaway host may reuse the directory of an earlier one: its log starts empty, so the
        # count_* methods count this host only (they do count across its own restarts).
        self.log_path.unlink(missing_ok=True)
        system.write_file(self.config_path, self._config())
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        system.run([SSHD, "-t", "-f", self.config_path], what=f"sshd -t ({self.name})")
        self.start_sshd()
        return self

    def create_netns(self) -> None:
        self._lab.state.add("namespaces", self.netns)
        system.create_netns(self.netns, self.host_if, self.ns_if, self.host_address, self.address)

    def start_sshd(self) -> int:
        with self._lock:
            if self.sshd_pid:
                return self.sshd_pid
            with open(self.log_path, "ab") as log:
                self._proc = subprocess.Popen(
                    ["ip", "netns", "exec", self.netns, SSHD, "-D", "-f", self.config_path, "-E", self.log_path],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            self._lab.state.add_pid(self._proc.pid, f"sshd {self.name}")
            system.wait_until(self._answers, timeout=15, what=f"sshd on {self.address}", log=self.log_path)
            return self._proc.pid

    def _answers(self) -> bool:
        if self._proc is None or self._proc.poll() is not None:
            raise LabError(f"sshd for {self.name} exited\n{system.log_tail(self.log_path)}")
        with socket.create_connection((self.address, self.port), timeout=1) as s:
            return s.recv(64).startswith(b"SSH-2.0-")

    def stop_sshd(self, drop_connections: bool = True) -> None:
        """Stop sshd by PID. With ``drop_connections`` (the default) the per-connection sshd processes
        are stopped too, so clients see their connection drop; without it open sessions survive, as
        with ``systemctl restart ssh`` on a real server."""
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is not None:
                system.kill_pid(proc.pid, timeout=5)
                proc.wait(timeout=5)
                self._lab.state.drop_pid(proc.pid)
        if drop_connections:
            self.drop_connections()

    def drop_connections(self) -> int:
        """Stop every sshd connection process in the namespace (not the listener); returns how many."""
        listener = self.sshd_pid
        victims = []
        for pid in system.netns_pids(self.netns):
            try:
                exe = Path(f"/proc/{pid}/exe").readlink()
            except OSError:
                continue
            if str(exe) == SSHD and pid != listener:
                victims.append((pid, system.start_time(pid)))
        for pid, started in victims:
            system.kill_pid(pid, started, timeout=3)
        return len(victims)

    def restart_sshd(self, drop_connections: bool = True) -> int:
        """A new sshd process (new PID) with the same host key; open connections dropped by default."""
        self.stop_sshd(drop_connections)
        return self.start_sshd()

    def replace_host_key(self) -> str:
        """A new host key (sshd restarted); returns the new fingerprint."""
        self.stop_sshd()
        make_keypair(self.host_key_path, comment=f"{self.name}-host")
        self.start_sshd()
        return self.host_key_fingerprint

    def blackhole(self, on: bool) -> None:
        """Silently drop every packet that reaches the namespace through its veth, so connects and
        open connections time out (nothing is refused). Loopback inside the namespace still works."""
        if on == self._blackholed:
            return
        if on:
            rules = (
                f"add table inet {BLACKHOLE_TABLE}\n"
                f"add chain inet {BLACKHOLE_TABLE} input {{ type filter hook input priority -300 ; }}\n"
                f'add rule inet {BLACKHOLE_TABLE} input iifname "{self.ns_if}" drop\n'
            )
        else:
            rules = f"delete table inet {BLACKHOLE_TABLE}\n"
        system.run(["ip", "netns", "exec", self.netns, "nft", "-f", "-"], input=rules, what="nft")
        self._blackholed = on

    def sshd_log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def count_connections(self) -> int:
        """TCP connections sshd accepted so far (its ``Connection from`` lines, across restarts)."""
        return sum(1 for line in self.sshd_log().splitlines() if "Connection from " in line)

    def count_logins(self) -> int:
        """Successful authentications so far (``Accepted <method> for <user>`` lines)."""
        return len(_ACCEPTED.findall(self.sshd_log()))

    def count_sessions(self) -> int:
        """Sessions sshd started so far: every exec, shell and subsystem (SFTP) request, i.e. every
        time sshd started a process for a client (its ``Starting session:`` lines, LogLevel VERBOSE).
        Port and socket forwarding channels start no process and are not counted."""
        return sum(1 for line in self.sshd_log().splitlines() if "Starting session: " in line)

    def run_in_netns(
        self, *argv: str, input: str | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """Run a command inside this host's namespace (as root, outside sshd): for lab checks."""
        return system.run(["ip", "netns", "exec", self.netns, *argv], input=input, timeout=timeout, check=False)

    def close(self) -> None:
        self.stop_sshd()
        if self._own_netns:
            system.delete_netns(self.netns)

    # --- config for the app -----------------------------------------------------------------------
    def node_config(self, **overrides: Any) -> NodeConfig:
        """A NodeConfig that logs in as root with ``root_key``; ``type`` defaults to docker."""
        from ocv_desktop.core.models import AuthMethod, NodeConfig, Platform

        fields: dict[str, Any] = {
            "name": self.name,
            "type": Platform(self._platform),
            "host": self.address,
            "port": self.port,
            "username": "root",
            "auth": AuthMethod.KEY,
            "key_path": str(self.root_key),
        }
        fields.update(overrides)
        fields["type"] = Platform(fields["type"])
        return NodeConfig(**fields)

    def __repr__(self) -> str:
        return f"<SshHost {self.name} {self.address} ns={self.netns} pid={self.sshd_pid}>"
