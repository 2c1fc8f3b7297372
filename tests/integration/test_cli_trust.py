"""``ocv-desktop trust NODE`` (the real CLI in a subprocess) against the lab's Incus node: its sshd
and its HTTPS API with a self-signed certificate. The node starts with nothing trusted."""

from __future__ import annotations

import json

import pytest

from ocv_desktop.core.models import ExecutionRule, NodeConfig, NodeSecrets
from ocv_desktop.services.nodes import NodeService
from ocv_desktop.store.config import load_config
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore
from ocv_desktop.transport.known_hosts import recorded_host_keys, trust_host_key
from tests.cli_process import ocv, ocv_on_terminal
from tests.lab.lab import Lab
from tests.lab.lxd_host import LxdFamilyHost
from tests.lab.pve_host import PveHost
from tests.lab.ssh_host import SshHost

pytestmark = pytest.mark.lab

NODE = "trust-me"


async def add_node(home: Home, node: NodeConfig) -> None:
    await NodeService(home, await SecretStore.open()).add_node(node)


def pinned(home: Home) -> str | None:
    return load_config(home.config_file).find(NODE).server_cert_fingerprint


async def test_yes_trusts_host_key_and_pins_certificate(lab_home: Home, lab_incus: LxdFamilyHost) -> None:
    await add_node(lab_home, lab_incus.node_config(name=NODE, server_cert_fingerprint=None))
    proc = ocv(lab_home, "trust", NODE, "--yes", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    ssh, api = report["trusted"]
    assert list(ssh) == list(api) == ["what", "address", "key_type", "fingerprint", "previous_fingerprint", "status"]
    assert (ssh["what"], ssh["status"], ssh["fingerprint"]) == (
        "ssh_host_key",
        "trusted",
        lab_incus.ssh.host_key_fingerprint,
    )
    assert (api["what"], api["status"], api["fingerprint"]) == (
        "api_certificate",
        "trusted",
        lab_incus.server_cert_fingerprint,
    )
    assert lab_home.known_hosts.read_text() == lab_incus.ssh.host_key_line + "\n"
    assert pinned(lab_home) == lab_incus.server_cert_fingerprint
    # Idempotent.
    again = json.loads(ocv(lab_home, "trust", NODE, "--yes", "--json").stdout)
    assert [t["status"] for t in again["trusted"]] == ["already-trusted", "already-trusted"]


async def test_asks_on_a_terminal(lab_home: Home, lab_ssh: SshHost) -> None:
    await add_node(lab_home, lab_ssh.node_config(name=NODE))
    code, out, err = ocv_on_terminal(lab_home, "n\n", "trust", NODE)
    assert code == 1
    assert lab_ssh.host_key_fingerprint in out
    assert "Trust this host key? [y/N]" in err
    assert "not trusted" in err
    assert lab_home.known_hosts.read_text() == ""
    code, out, err = ocv_on_terminal(lab_home, "y\n", "trust", NODE)
    assert code == 0, err
    assert lab_home.known_hosts.read_text() == lab_ssh.host_key_line + "\n"


async def test_without_a_terminal_it_needs_yes(lab_home: Home, lab_ssh: SshHost) -> None:
    await add_node(lab_home, lab_ssh.node_config(name=NODE))
    proc = ocv(lab_home, "trust", NODE, stdin="y\n")
    assert proc.returncode == 2
    assert "--yes" in proc.stderr
    assert lab_home.known_hosts.read_text() == ""


async def test_a_changed_host_key_needs_replace(lab_home: Home, lab: Lab) -> None:
    host = lab.new_ssh_host()
    try:
        trust_host_key(lab_home.known_hosts, host.address, host.port, host.host_key_line)
        old = host.host_key_fingerprint
        await add_node(lab_home, host.node_config(name=NODE))
        new = host.replace_host_key()
        proc = ocv(lab_home, "trust", NODE, "--yes")
        assert proc.returncode == 1
        assert "HAS CHANGED" in proc.stderr
        assert old in proc.stderr
        assert new in proc.stderr
        recorded = recorded_host_keys(lab_home.known_hosts, host.address, host.port)
        assert [k.get_fingerprint("sha256") for k in recorded] == [old]
        proc = ocv(lab_home, "trust", NODE, "--yes", "--replace", "--json")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["trusted"][0]["status"] == "replaced"
        assert lab_home.known_hosts.read_text() == host.host_key_line + "\n"
    finally:
        lab.remove_ssh_host(host)


async def test_a_changed_certificate_needs_replace(lab_home: Home, lab_incus: LxdFamilyHost) -> None:
    wrong = "ab" * 32
    await add_node(lab_home, lab_incus.node_config(name=NODE, server_cert_fingerprint=wrong))
    trust_host_key(lab_home.known_hosts, lab_incus.ssh.address, 22, lab_incus.ssh.host_key_line)
    proc = ocv(lab_home, "trust", NODE, "--yes")
    assert proc.returncode == 1
    assert "API CERTIFICATE" in proc.stderr
    assert pinned(lab_home) == wrong
    proc = ocv(lab_home, "trust", NODE, "--yes", "--replace")
    assert proc.returncode == 0, proc.stderr
    assert pinned(lab_home) == lab_incus.server_cert_fingerprint


# --- nodes that do not use SSH, or whose SSH is down (issue 12, item 1) ------------------------

DEAD_SSH_PORT = 1  # nothing listens there on the lab host: "no sshd on the host"


async def add_pve_node(home: Home, lab_pve: PveHost, rule: ExecutionRule) -> None:
    node = lab_pve.node_config(name=NODE, port=DEAD_SSH_PORT, execution_rule=rule, server_cert_fingerprint=None)
    await NodeService(home, await SecretStore.open()).add_node(node, NodeSecrets(api_token_secret=lab_pve.token_secret))


async def test_an_api_only_node_gets_its_certificate_pinned_without_ssh(
    lab_home: Home, lab_pve: PveHost, keyring_env: dict[str, str]
) -> None:
    await add_pve_node(lab_home, lab_pve, ExecutionRule.API_ONLY)
    proc = ocv(lab_home, "trust", NODE, "--yes", "--json", env=keyring_env)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert [(t["what"], t["status"], t["fingerprint"]) for t in report["trusted"]] == [
        ("api_certificate", "trusted", lab_pve.server_cert_fingerprint)
    ]
    assert report["failed"] == {}
    assert pinned(lab_home) == lab_pve.server_cert_fingerprint
    assert lab_home.known_hosts.read_text() == ""  # SSH was never touched
    health = ocv(lab_home, "health", NODE, "--json", env=keyring_env)
    assert json.loads(health.stdout)["healthy"] is True, health.stdout


async def test_an_auto_node_with_dead_ssh_still_pins_and_reports_ssh_on_its_own(
    lab_home: Home, lab_pve: PveHost, keyring_env: dict[str, str]
) -> None:
    await add_pve_node(lab_home, lab_pve, ExecutionRule.AUTO)
    proc = ocv(lab_home, "trust", NODE, "--yes", "--json", env=keyring_env)
    assert proc.returncode == 1  # something could not be trusted ...
    report = json.loads(proc.stdout)
    assert [(t["what"], t["status"]) for t in report["trusted"]] == [("api_certificate", "trusted")]
    assert list(report["failed"]) == ["ssh_host_key"]  # ... and it says what
    assert f":{DEAD_SSH_PORT}" in report["failed"]["ssh_host_key"]
    assert "error: ssh host key:" in proc.stderr
    assert pinned(lab_home) == lab_pve.server_cert_fingerprint  # ... but the certificate is pinned
