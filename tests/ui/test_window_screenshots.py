"""Pictures of the populated main window under a real X server (Xvfb, the xcb platform): at 100 %,
at 200 % (QT_SCALE_FACTOR=2) and with the dark palette. Saved as test-artifacts/main-window*.png
(gitignored) for a human to look at; the test checks what a machine can: the picture was made at
the right size, and the window showed the lab's nodes with the right badges and their instances.

The app runs in a subprocess (tests/ui/window_screenshot.py) so this process's offscreen
QApplication is not disturbed. Xvfb is started here by PID on a display it picks itself
(``-displayfd``) and stopped by PID. The home uses the test Secret Service, so the subprocess finds
the Proxmox token secret in the keyring like the real app would.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocv_desktop.core.models import NodeSecrets
from ocv_desktop.services.nodes import NodeService
from ocv_desktop.store.config import Settings
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore
from ocv_desktop.transport.known_hosts import trust_host_key

pytestmark = [pytest.mark.lab, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
BUSYBOX = "lab/busybox:1.35"
SERVICE = ("sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done")


@pytest.fixture(scope="module")
def xvfb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        pytest.fail("Xvfb is missing; scripts/install-system-deps.sh installs it (make test does)")
    log = tmp_path_factory.mktemp("xvfb") / "xvfb.log"
    read_fd, write_fd = os.pipe()
    with log.open("wb") as err:
        proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "2800x1800x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=err,
            pass_fds=(write_fd,),
        )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()  # written once the server accepts clients
        if not number:
            pytest.fail(f"Xvfb did not start: {log.read_text(errors='replace')[-2000:]}")
        yield f":{number}"
    finally:
        proc.terminate()  # by PID: our own child
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture
def populated_home(tmp_path, lab, lab_docker, lab_incus, lab_pve, keyring_env) -> Iterator[Path]:
    """A home with the lab's Docker, Incus and Proxmox nodes, one node that answers SSH but has no
    Docker (amber), and one that refuses connections (red), plus a few real containers."""
    spare = lab.new_ssh_host()
    names: list[str] = []
    incus_name = lab.unique_name("web")
    try:
        for options, prefix in ((("--memory", "256m", "--cpus", "0.5"), "api"), ((), "worker"), ((), "cache")):
            name = lab.unique_name(prefix)
            names.append(name)
            lab_docker.docker_ok("run", "-d", "--name", name, *options, BUSYBOX, *SERVICE)
        stopped = lab.unique_name("batch")
        names.append(stopped)
        lab_docker.docker_ok("create", "--name", stopped, BUSYBOX, "true")
        lab_incus.cli_ok("launch", "debian", incus_name)

        home = Home(tmp_path / "home").ensure()
        entries = [
            (lab_docker.node_config(tags=("prod",)), NodeSecrets(), lab_docker.ssh),
            (lab_incus.node_config(tags=("prod",)), NodeSecrets(), lab_incus.ssh),
            (
                lab_pve.node_config(),
                NodeSecrets(api_token_secret=lab_pve.token_secret, api_password=lab_pve.password),
                lab_pve.ssh,
            ),
            (spare.node_config(name="web-old", type="docker", tags=("legacy",)), NodeSecrets(), spare),
            (spare.node_config(name="backup-nas", type="docker", port=2222), NodeSecrets(), None),
        ]

        async def setup() -> None:
            store = await SecretStore.open()
            assert store.persistent, store.reason
            service = NodeService(home, store)
            await service.update_settings(Settings(health_interval=5.0, health_timeout=10.0))
            for node, secrets, ssh in entries:
                await service.add_node(node, secrets)
                if ssh is not None:
                    trust_host_key(home.known_hosts, ssh.address, ssh.port, ssh.host_key_line)

        asyncio.run(setup())
        yield home.root
    finally:
        if names:
            lab_docker.docker("rm", "-f", *names)
        lab_incus.cli("delete", "--force", incus_name)
        lab.remove_ssh_host(spare)


def shoot(home: Path, out: Path, display: str, env: dict[str, str], *, scale: str = "1", theme: str = "light") -> dict:
    run_env = {k: v for k, v in env.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    run_env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", QT_SCALE_FACTOR=scale)
    proc = subprocess.run(
        [sys.executable, "-m", "tests.ui.window_screenshot", str(home), str(out), theme],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-4000:]
    facts = json.loads(proc.stdout.strip().splitlines()[-1])
    print(out.name, json.dumps(facts))
    return facts


def test_screenshots_of_the_populated_window(xvfb, populated_home, keyring_env):
    normal = shoot(populated_home, ARTIFACTS / "main-window.png", xvfb, keyring_env)
    big = shoot(populated_home, ARTIFACTS / "main-window-200.png", xvfb, keyring_env, scale="2")
    dark = shoot(populated_home, ARTIFACTS / "main-window-dark.png", xvfb, keyring_env, theme="dark")

    for facts in (normal, big, dark):
        assert facts["saved"] and facts["platform"] == "xcb"
        assert facts["badges"] == {
            "lab-docker": "healthy",
            "lab-incus": "healthy",
            "lab-pve": "healthy",
            "web-old": "partial",
            "backup-nas": "unhealthy",
        }
        assert facts["rows"] >= 5  # 4 docker containers + the incus one (+ whatever else the lab has)
        assert facts["activity_rows"] >= 5 and facts["activities_running"] == 0  # every refresh finished
        assert facts["status_bar"][0] == "3 of 5 nodes healthy"
        assert facts["status_bar"][1].startswith("credentials in the system keyring")
    assert normal["pixels"] == normal["logical_size"]
    assert big["device_pixel_ratio"] == 2.0
    assert big["pixels"] == [2 * big["logical_size"][0], 2 * big["logical_size"][1]]
    assert not normal["dark"] and dark["dark"]
    for name in ("main-window.png", "main-window-200.png", "main-window-dark.png"):
        assert (ARTIFACTS / name).stat().st_size > 20_000
