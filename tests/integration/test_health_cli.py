"""The real CLI: ``ocv-desktop health [NODE ...] [--json]`` against the lab's Docker, Incus and Proxmox
nodes (and a black-holed one), in a home whose nodes were added through NodeService, host keys
trusted, the Proxmox token secret in a private Secret Service (``keyring_env``).
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import time

import pytest

from ocv_desktop.core.models import NodeSecrets
from ocv_desktop.services.nodes import NodeService
from ocv_desktop.store.config import Settings
from ocv_desktop.store.secrets import SecretStore
from tests.cli_process import ocv, ocv_argv
from tests.figures import figure

pytestmark = [pytest.mark.lab]

NODES = ("lab-docker", "lab-incus", "lab-pve")
DEAD_TIMEOUT = 6.0  # settings.health_timeout once the black-holed node is added (the default, 10, otherwise)


@pytest.fixture
async def service(lab_home, lab_docker, lab_incus, lab_pve, keyring_env) -> NodeService:
    lab_home.known_hosts.write_text(
        "".join(h.host_key_line + "\n" for h in (lab_docker.ssh, lab_incus.ssh, lab_pve.ssh))
    )
    service = NodeService(lab_home, await SecretStore.open())
    await service.add_node(lab_docker.node_config(name="lab-docker"))
    await service.add_node(lab_incus.node_config(name="lab-incus"))
    await service.add_node(
        lab_pve.node_config(name="lab-pve", api_user=None), NodeSecrets(api_token_secret=lab_pve.token_secret)
    )
    return service


@pytest.fixture
async def black_node(service, lab):
    """A Docker node whose host drops every packet (added last, so it is last in config order)."""
    host = lab.new_ssh_host()
    with service.home.known_hosts.open("a") as f:
        f.write(host.host_key_line + "\n")
    await service.add_node(host.node_config(name="lab-black", type="docker"))
    await service.update_settings(Settings(health_timeout=DEAD_TIMEOUT))
    host.blackhole(True)
    yield host
    lab.remove_ssh_host(host)


def test_json_for_healthy_nodes_in_config_order_and_exit_0(service):
    proc = ocv(service.home, "health", "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    doc = json.loads(proc.stdout)
    assert doc["healthy"] is True
    assert [n["node"] for n in doc["nodes"]] == list(NODES)
    config = {n.name: n for n in service.config.nodes}
    for entry in doc["nodes"]:
        assert set(entry) == {"node", "id", "type", "state", "checked_at", "checks", "resources"}
        assert entry["id"] == config[entry["node"]].id and entry["type"] == config[entry["node"]].type.value
        assert entry["state"] == "healthy"
        assert [c["kind"] for c in entry["checks"]] == ["ssh", "api", "service"]
        for check in entry["checks"]:
            assert set(check) == {"kind", "status", "latency", "error", "detail"}
        assert set(entry["resources"]) == {
            "cpu_cores",
            "memory_total",
            "memory_used",
            "disk_total",
            "disk_free",
            "load1",
        }
        assert entry["resources"]["cpu_cores"] == os.cpu_count()
    by_name = {e["node"]: {c["kind"]: c for c in e["checks"]} for e in doc["nodes"]}
    assert by_name["lab-docker"]["api"]["status"] == "not_checked"
    assert by_name["lab-docker"]["service"]["status"] == "online"
    assert by_name["lab-incus"]["api"]["status"] == "online"
    assert by_name["lab-pve"]["service"]["detail"].startswith("pve-manager/9.0.10")


def test_plain_lines_when_not_a_terminal_and_selected_nodes_only(service):
    proc = ocv(service.home, "health", "lab-docker", "lab-pve")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout
    lines = proc.stdout.splitlines()
    assert sorted(line.split()[0] for line in lines) == ["lab-docker", "lab-pve"]
    docker = next(line for line in lines if line.startswith("lab-docker"))
    assert docker.split()[1] == "healthy"
    assert re.search(r" ssh online \d+ ms · service online \d+ ms \(Docker 20\.10", docker), docker
    assert "api" not in docker  # Docker nodes have no API check: not shown in the text line
    assert " cpu " in docker and " mem " in docker and " disk " in docker and " load " in docker


def test_dead_node_exit_1_cut_at_its_timeout_and_the_others_print_first(service, black_node):
    start = time.monotonic()
    proc = subprocess.Popen(
        ocv_argv(service.home, "health"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    arrivals = [(time.monotonic() - start, line) for line in proc.stdout]
    proc.wait(timeout=30)
    assert proc.returncode == 1, proc.stderr.read() if proc.stderr else ""
    names = [line.split()[0] for _, line in arrivals]
    assert sorted(names[:3]) == sorted(NODES) and names[3] == "lab-black"  # as each finished
    black_at, black_line = arrivals[3]
    assert black_line.split()[1] == "unhealthy"
    assert f"timed out after {DEAD_TIMEOUT:g} s" in black_line
    # The healthy lines were on screen before the black hole's (order above; its line names its bound).
    figure("health CLI: slowest healthy line", max(t for t, _ in arrivals[:3]))
    figure(f"health CLI: black-holed node's line (bound {DEAD_TIMEOUT:g} s)", black_at)

    doc = json.loads(ocv(service.home, "health", "--json").stdout)
    assert doc["healthy"] is False
    assert [n["node"] for n in doc["nodes"]] == [*NODES, "lab-black"]  # JSON: config order
    black = doc["nodes"][3]
    assert black["state"] == "unhealthy" and black["resources"] is None
    assert [(c["kind"], c["status"]) for c in black["checks"]] == [
        ("ssh", "offline"),
        ("api", "not_checked"),
        ("service", "offline"),
    ]


def test_colour_on_a_terminal_unless_no_color(service):
    def on_a_tty(no_color: str | None) -> str:
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        if no_color is not None:
            env["NO_COLOR"] = no_color
        master, slave = pty.openpty()
        try:
            proc = subprocess.Popen(
                ocv_argv(service.home, "health", "lab-docker"),
                stdout=slave,
                stderr=subprocess.PIPE,
                env=env,
            )
            os.close(slave)
            slave = -1
            chunks = []
            while True:
                try:
                    data = os.read(master, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            assert proc.wait(timeout=60) == 0, (b"".join(chunks), proc.stderr.read() if proc.stderr else b"")
        finally:
            os.close(master)
            if slave >= 0:
                os.close(slave)
        return b"".join(chunks).decode()

    assert "\x1b[32mhealthy\x1b[0m" in on_a_tty(None)
    assert "\x1b[32mhealthy\x1b[0m" in on_a_tty("")  # no-color.org: an empty NO_COLOR does not count
    plain = on_a_tty("1")
    assert "\x1b[" not in plain and "healthy" in plain


def test_unknown_node_is_a_clear_error(service):
    proc = ocv(service.home, "health", "lab-docker", "no-such-node")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.strip().startswith("ocv-desktop: error: no node named 'no-such-node'")
    assert "Traceback" not in proc.stderr
