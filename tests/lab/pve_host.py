"""``PveHost``: fakepve (a stateful fake of the Proxmox VE API) in this process, plus an SSH shell.

There is no real Proxmox VE here. fakepve runs on its own asyncio loop in a daemon thread, listening
with a generated certificate on the slot's loopback address (``127.77.K.2:8006``), with the API token
``root@pam!ci`` injected and a random ``root@pam`` password. ``fake`` is the FakePve object itself, for
fault injection and state inspection (fakepve is AGPL test tooling: tests only, never shipped).

``ssh`` is an SshHost whose sessions find recording shims ``pct``, ``qm``, ``pvesh``, ``pveversion``
and ``systemctl`` (no systemd in the lab) first in PATH (``pve_shim.py``). The shims answer from the
same fakepve, which for that purpose also listens on the host side of the SSH host's veth (reachable
from its namespace only).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import ssl
import threading
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tests.lab import certs
from tests.lab.ssh_host import SESSION_PATH, SshHost

if TYPE_CHECKING:
    from fakepve import FakePve

    from ocv_desktop.core.models import NodeConfig
    from tests.lab.lab import Lab

T = TypeVar("T")
SHIM_NAMES = ("pct", "qm", "pvesh", "pveversion", "systemctl")
SHIM_SOURCE = Path(__file__).with_name("pve_shim.py")
START_TIMEOUT = 30


class PveHost:
    """See CONTRACT.md ``PveHost``."""

    port = 8006
    token_id = "root@pam!ci"
    user = "root@pam"
    node_name = "pve1"

    def __init__(self, lab: Lab) -> None:
        from tests.lab.lab import NET

        self._lab = lab
        self.dir = lab.dir / "pve"
        self.shim_dir = self.dir / "shims"
        self.host = lab.slot.loopback
        self.url = f"https://{self.host}:{self.port}/api2/json"
        self.token_secret = str(uuid.uuid4())
        self.password = "Pve-" + secrets.token_urlsafe(12)
        self.ssh = SshHost(
            lab, role="pve", net_index=NET["pve"], env={"PATH": f"{self.shim_dir}:{SESSION_PATH}"}, platform="proxmox"
        )
        self.fake: FakePve | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------------------
    def start(self) -> PveHost:
        from fakepve import FakePve
        from fakepve.certs import make_cert

        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o755)
        # Shims need the fake reachable from the SSH host's namespace: its veth's host side.
        self.ssh.create_netns()
        certfile, keyfile, _ = make_cert(str(self.dir), name="pve-ssl", hosts=(self.host, self.ssh.host_address))
        self.server_cert = Path(certfile)
        self.server_cert.chmod(0o644)
        self.server_cert_fingerprint = certs.fingerprint(self.server_cert)
        fake = FakePve(user=self.user, password=self.password, host=self.host, port=self.port)
        fake.time_scale = 0
        fake.apitokens[self.token_id] = self.token_secret
        self.fake = fake
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"fakepve-{self.host}", daemon=True)
        self._thread.start()
        self.call(fake.start(certfile, keyfile))
        self.call(self._listen_on_veth(certfile, keyfile))
        self._write_shims()
        self.ssh.start(create_netns=False)
        return self

    async def _listen_on_veth(self, certfile: str, keyfile: str) -> None:
        from aiohttp import web

        assert self.fake is not None and self.fake.runner is not None
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(certfile, keyfile)
        await web.TCPSite(self.fake.runner, self.ssh.host_address, self.port, ssl_context=ctx).start()

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = START_TIMEOUT) -> T:
        """Run a coroutine on fakepve's loop (e.g. ``fakepve.settle()``) and wait for its result."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def _write_shims(self) -> None:
        self.shim_dir.mkdir(parents=True, exist_ok=True)
        self.shim_dir.chmod(0o755)
        target = self.shim_dir / "pve_shim.py"
        shutil.copyfile(SHIM_SOURCE, target)
        target.chmod(0o755)
        for name in SHIM_NAMES:
            (self.shim_dir / name).symlink_to("pve_shim.py")
        config = {
            "api": f"https://{self.ssh.host_address}:{self.port}/api2/json",
            "token": f"{self.token_id}={self.token_secret}",
            "cafile": str(self.server_cert),
            "node": self.node_name,
            "log": str(self.shim_log),
            "responses": str(self.shim_dir / "responses.json"),
        }
        (self.shim_dir / "shim.json").write_text(json.dumps(config, indent=1))
        (self.shim_dir / "responses.json").write_text("[]")
        self.shim_log.touch()
        self.shim_log.chmod(0o666)  # the lab user's sessions append to it too

    @property
    def shim_log(self) -> Path:
        return self.dir / "shim-calls.jsonl"

    def close(self) -> None:
        if self._loop is not None and self.fake is not None:
            try:
                from fakepve import settle

                self.call(settle())
                self.call(self.fake.stop())
            finally:
                self._loop.call_soon_threadsafe(self._loop.stop)
                if self._thread is not None:
                    self._thread.join(START_TIMEOUT)
                if self._thread is None or not self._thread.is_alive():
                    self._loop.close()
                self._loop = None
        self.ssh.close()

    # --- shims ---------------------------------------------------------------------------------------------
    def shim_calls(self) -> list[dict[str, Any]]:
        """Every shim call so far, oldest first: ``[{"argv": [...], "stdin": "..."}]``."""
        text = self.shim_log.read_text(encoding="utf-8") if self.shim_log.exists() else ""
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def clear_shim_calls(self) -> None:
        self.shim_log.write_text("")

    def shim_respond(self, argv_prefix: list[str], stdout: str = "", stderr: str = "", exit_code: int = 0) -> None:
        """Answer shim calls whose argv starts with ``argv_prefix`` (e.g. ``["pct", "exec", "101"]``)
        with this output instead of the built-in behaviour. The newest matching rule wins."""
        path = self.shim_dir / "responses.json"
        rules = json.loads(path.read_text())
        rules.insert(0, {"argv": list(argv_prefix), "stdout": stdout, "stderr": stderr, "exit_code": exit_code})
        path.write_text(json.dumps(rules))

    def clear_shim_responses(self) -> None:
        (self.shim_dir / "responses.json").write_text("[]")

    # --- config for the app ---------------------------------------------------------------------------------
    def node_config(self, **overrides: Any) -> NodeConfig:
        fields: dict[str, Any] = {
            "name": "lab-pve",
            "type": "proxmox",
            "api_endpoint": self.url,
            "api_user": self.user,
            "api_token_id": self.token_id,
            "proxmox_node": self.node_name,
            "server_cert_fingerprint": self.server_cert_fingerprint,
        }
        fields.update(overrides)
        return self.ssh.node_config(**fields)

    def __repr__(self) -> str:
        return f"<PveHost {self.url} ssh={self.ssh.address}>"
