"""Enrolment of a fresh client certificate with the lab's real Incus 6.0 and LXD 5.0: by trust token
and over SSH, the server certificate pinned at first contact, checked by GET /1.0 afterwards and by
the daemon's own trust list. Also the ``nodes enroll`` command end to end in a subprocess.
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import stat
from pathlib import Path

import pytest

from ocv_desktop.core.errors import AuthError, CertificateUnknown
from ocv_desktop.core.models import ExecutionRule, NodeConfig, NodeSecrets, Platform
from ocv_desktop.providers.base import ProviderContext
from ocv_desktop.providers.lxd_family.enrollment import enroll
from ocv_desktop.providers.lxd_family.incus import IncusProvider
from ocv_desktop.providers.lxd_family.lxd import LxdProvider
from ocv_desktop.services.nodes import NodeService
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore
from ocv_desktop.transport.tls import format_fingerprint
from tests.cli_process import ocv
from tests.lab.certs import fingerprint, make_client_cert

pytestmark = [pytest.mark.lab]
PROVIDERS = {"incus": IncusProvider, "lxd": LxdProvider}


@pytest.fixture(params=["incus", "lxd"])
def host(request):
    return request.getfixturevalue(f"lab_{request.param}")


@pytest.fixture
def home(lab_home, host):
    lab_home.ensure()
    lab_home.known_hosts.write_text(host.ssh.host_key_line + "\n")
    return lab_home


def trusted_fingerprints(host) -> set[str]:
    return {c["fingerprint"] for c in json.loads(host.cli_ok("config", "trust", "list", "--format", "json"))}


@pytest.fixture
def untrust(host):
    """Fingerprints to remove from the daemon's trust list after the test."""
    added: list[str] = []
    yield added
    for fp in added:
        host.cli("config", "trust", "remove", fp)


def fresh_node(host, lab, **overrides):
    """The lab node as a user would add it: no client certificate, no pin yet."""
    fields = {
        "name": lab.unique_name("enrol"),
        "client_cert": None,
        "client_key": None,
        "server_cert_fingerprint": None,
        "api_endpoint": None,
    }
    fields.update(overrides)
    return host.node_config(**fields)


async def assert_trusted_by_api(host, home, node) -> None:
    provider = PROVIDERS[host.flavour](ProviderContext(home=home))
    await provider.connect(node.replace(execution_rule=ExecutionRule.API_ONLY), NodeSecrets())
    try:
        assert (await provider.probe_api()).startswith(host.flavour)
        await provider.list_instances()
    finally:
        await provider.disconnect()


@pytest.mark.parametrize("method", ["token", "ssh"])
async def test_enrol_a_fresh_certificate(method, host, home, lab, untrust):
    node = fresh_node(host, lab)
    token = host.trust_token(node.name) if method == "token" else None

    with pytest.raises(CertificateUnknown) as first:
        await enroll(node, home, NodeSecrets(), token=token)
    assert first.value.fingerprint == host.server_cert_fingerprint  # what the user is shown to compare

    result = await enroll(node, home, NodeSecrets(), token=token, accept_fingerprint=first.value.fingerprint)
    untrust.append(result.client_fingerprint)
    assert result.method == method
    assert result.server.startswith(host.flavour)
    assert result.node.server_cert_fingerprint == host.server_cert_fingerprint
    assert result.node.api_endpoint == f"https://{host.https_address}"
    key = Path(result.node.client_key)
    assert key.parent == home.certs_dir
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert result.client_fingerprint in trusted_fingerprints(host)
    await assert_trusted_by_api(host, home, result.node)

    again = await enroll(result.node, home, NodeSecrets())
    assert again.method == "already-trusted" and again.client_fingerprint == result.client_fingerprint


async def test_a_wrong_token_is_refused(host, home, lab):
    node = fresh_node(host, lab, server_cert_fingerprint=host.server_cert_fingerprint)
    before = trusted_fingerprints(host)
    with pytest.raises(AuthError, match="trust token"):
        await enroll(node, home, NodeSecrets(), token="bm90LWEtdG9rZW4=")
    assert trusted_fingerprints(host) == before


async def test_the_cli_command(host, home, lab, keyring_env, untrust):
    service = NodeService(home, await SecretStore.open())
    node = fresh_node(host, lab)
    await service.add_node(node)
    token = host.trust_token(node.name)
    proc = await asyncio.to_thread(
        ocv, home, "nodes", "enroll", node.name, "--token-stdin", "--yes", "--json", stdin=token + "\n"
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    untrust.append(out["client_fingerprint"])
    assert out["method"] == "token" and out["server_cert_fingerprint"] == host.server_cert_fingerprint
    assert format_fingerprint(host.server_cert_fingerprint) in proc.stderr  # the fingerprint was shown
    saved = (await service.reload()).find(node.name)
    assert saved.client_cert == out["client_cert"]
    assert saved.server_cert_fingerprint == host.server_cert_fingerprint
    await assert_trusted_by_api(host, home, saved)


async def test_an_endpoint_without_a_port_is_pinned_where_the_client_connects(tmp_path):
    """``https://HOST`` means port 443 to ApiClient, so the certificate pinned at first contact must
    come from 443 too (not from LXD's usual 8443). Needs root for the port, like the lab."""
    crt, key = make_client_cert(tmp_path, "server")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(crt, key)
    address = "127.88.0.1"  # a loopback address no lab uses
    server = await asyncio.start_server(lambda _r, w: w.close(), address, 443, ssl=context)
    try:
        node = NodeConfig(name="portless", type=Platform.INCUS, host=address, api_endpoint=f"https://{address}")
        with pytest.raises(CertificateUnknown) as first:
            await enroll(node, Home(tmp_path / "home"), NodeSecrets())
    finally:
        server.close()
        await server.wait_closed()
    assert (first.value.port, first.value.fingerprint) == (443, fingerprint(crt))
