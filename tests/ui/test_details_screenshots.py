"""Pictures of the instance details dock under Xvfb (issue 14 item 3, issue 16): the Usage tab of a
busy Docker container and the Snapshots tab of an Incus container with two snapshots, in light,
dark and zh_CN. Saved as test-artifacts/details-*.png (gitignored) for a human to look at; the test
checks what a machine can: the pictures were saved and the dock showed live usage, the snapshots
and the variant's language."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocv_desktop.services.nodes import NodeService
from ocv_desktop.store.config import Settings
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore
from ocv_desktop.transport.known_hosts import trust_host_key
from tests.ui.test_window_screenshots import xvfb  # noqa: F401 - the fixture

pytestmark = [pytest.mark.lab, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
VARIANTS = {"light": ("light", ""), "dark": ("dark", ""), "zh_CN": ("light", "zh_CN")}


@pytest.fixture
def details_home(tmp_path, lab, lab_docker, lab_incus, keyring_env) -> Iterator[tuple[Path, str, str]]:
    busy, web = lab.unique_name("busy"), lab.unique_name("web")
    try:
        lab_docker.docker_ok(
            "run", "-d", "--name", busy, "-p", "18480:80", lab_docker.busybox, "sh", "-c", "while :; do :; done"
        )  # fmt: skip
        lab_incus.cli_ok("launch", "busybox", web)
        lab_incus.cli_ok("snapshot", "create", web, "before_upgrade")
        lab_incus.cli_ok("snapshot", "create", web, "known-good")
        home = Home(tmp_path / "home").ensure()

        async def setup() -> None:
            store = await SecretStore.open()
            service = NodeService(home, store)
            await service.update_settings(Settings(health_interval=5.0, health_timeout=10.0))
            for node, ssh in ((lab_docker.node_config(), lab_docker.ssh), (lab_incus.node_config(), lab_incus.ssh)):
                await service.add_node(node)
                trust_host_key(home.known_hosts, ssh.address, ssh.port, ssh.host_key_line)

        asyncio.run(setup())
        yield home.root, busy, web
    finally:
        lab_docker.docker("rm", "-f", busy)
        lab_incus.cli("delete", "--force", web)


def shoot(home: Path, variant: str, display: str, env: dict[str, str], busy: str, web: str) -> dict:
    theme, language = VARIANTS[variant]
    run_env = {k: v for k, v in env.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    run_env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", QT_SCALE_FACTOR="1", OCV_DESKTOP_LANG=language or "en_US")
    proc = subprocess.run(
        [sys.executable, "-m", "tests.ui.details_screenshot", str(home), str(ARTIFACTS), variant, theme, busy, web],
        cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_screenshots_of_the_details_dock(xvfb, details_home, keyring_env):  # noqa: F811
    home, busy, web = details_home
    shots = {variant: shoot(home, variant, xvfb, keyring_env, busy, web) for variant in VARIANTS}
    for variant, facts in shots.items():
        assert facts["platform"] == "xcb" and facts["usage_png"] and facts["snapshots_png"]
        assert "%" in facts["usage"]["cpuUsage"] and "B" in facts["usage"]["memoryUsage"]
        assert facts["snapshots"] == ["before_upgrade", "known-good"]
        assert facts["dark"] is (variant == "dark")
        for kind in ("usage", "snapshots"):
            assert (ARTIFACTS / f"details-{kind}-{variant}.png").stat().st_size > 20_000
    assert shots["light"]["usage_tab"] == "Usage" and shots["zh_CN"]["usage_tab"] == "用量"
    assert "快照" in shots["zh_CN"]["snapshot_status"]
