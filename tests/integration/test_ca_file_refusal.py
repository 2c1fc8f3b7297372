"""A node with ``ca_file``: a certificate its CA does not vouch for is refused end to end
(issue 12 item 5), against the lab's Proxmox node (fakepve serves a self-signed certificate).

The real CLI runs in subprocesses. The node's SSH host key is trusted, so an ``auto`` node COULD
fall back to pvesh over SSH: it must not (a CA refusal is a refusal, not an unreachable API).
Before: a pin of the presented certificate overrode ``ca_file`` and the listing went through,
and without a pin the error offered to pin the certificate.
"""

from __future__ import annotations

import pytest

from ocv_desktop.core.models import ExecutionRule, NodeSecrets
from ocv_desktop.services.nodes import NodeService
from ocv_desktop.store.config import load_config
from ocv_desktop.store.secrets import SecretStore
from tests.cli_process import ocv
from tests.integration.https_server import make_cert

pytestmark = [pytest.mark.lab]


@pytest.fixture
async def home(lab_home, lab_pve, keyring_env, tmp_path):
    lab_home.known_hosts.write_text(lab_pve.ssh.host_key_line + "\n")
    ca, _, _ = make_cert(tmp_path, "other-ca", ca=True)
    service = NodeService(lab_home, await SecretStore.open())
    secrets = NodeSecrets(api_token_secret=lab_pve.token_secret)
    for name, pin in (("ca-only", None), ("ca-and-pin", lab_pve.server_cert_fingerprint)):
        node = lab_pve.node_config(
            name=name, ca_file=str(ca.cert), server_cert_fingerprint=pin, execution_rule=ExecutionRule.AUTO
        )
        await service.add_node(node, secrets)
    return lab_home


@pytest.mark.parametrize("node", ["ca-only", "ca-and-pin"])
def test_a_certificate_the_ca_file_refuses_is_a_refusal(home, lab_pve, node):
    before = len(lab_pve.fake.requests)
    result = ocv(home, "instances", "list", node)
    assert result.returncode == 1, result.stdout
    assert "failed the check against the CA file" in result.stderr
    assert "self-signed certificate" in result.stderr  # OpenSSL's reason, not a generic failure
    assert "pin" not in result.stderr.lower()  # nothing offered to pin
    assert len(lab_pve.fake.requests) == before  # no API request reached the node


def test_trust_does_not_pin_a_ca_file_node(home):
    result = ocv(home, "trust", "ca-only", "--yes")
    assert result.returncode == 0, result.stderr
    assert "API certificate" not in result.stdout
    assert load_config(home.config_file).find("ca-only").server_cert_fingerprint is None
