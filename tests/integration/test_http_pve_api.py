"""ApiClient + pve_api against the lab's fakepve (a stateful Proxmox VE 9 API over real TLS)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from ocv_desktop.core.errors import (
    ApiError,
    AuthError,
    CertificateChanged,
    ConfigError,
    NotFound,
    OperationFailed,
    Timeout,
)
from ocv_desktop.core.models import NodeSecrets
from ocv_desktop.providers.proxmox.api import open_pve_client, pve_request, task_log_tail, wait_task
from tests.lab.pve_host import PveHost

pytestmark = pytest.mark.lab


def token_secrets(pve: PveHost) -> NodeSecrets:
    return NodeSecrets(api_token_secret=pve.token_secret)


def ticket_node(pve: PveHost):  # -> NodeConfig
    return pve.node_config(api_token_id=None, api_user=pve.user)


@pytest.fixture
def ct(lab_pve: PveHost) -> Iterator[int]:
    """A stopped container in the fake (fresh vmid), removed afterwards."""
    assert lab_pve.fake is not None
    vmid = 1000 + secrets.randbelow(900_000)
    container = lab_pve.fake.add_ct(vmid, f"ct{vmid}")
    try:
        yield vmid
    finally:
        lab_pve.fake.cts.remove(container)


@pytest.fixture
def real_time(lab_pve: PveHost) -> Iterator[None]:
    """Let fakepve's simulated durations pass in real seconds for this test."""
    assert lab_pve.fake is not None
    lab_pve.fake.time_scale = 1.0
    try:
        yield
    finally:
        lab_pve.fake.time_scale = 0


async def test_token_auth(lab_pve: PveHost) -> None:
    async with open_pve_client(lab_pve.node_config(), token_secrets(lab_pve)) as client:
        version = await pve_request(client, "GET", "/version")
        nodes = await pve_request(client, "GET", "/nodes")
    assert version["version"].startswith("9.")
    assert lab_pve.node_name in [n["node"] for n in nodes]


async def test_bad_token_is_an_auth_error(lab_pve: PveHost) -> None:
    async with open_pve_client(lab_pve.node_config(), NodeSecrets(api_token_secret="wrong")) as client:
        with pytest.raises(AuthError, match="HTTP 401"):
            await pve_request(client, "GET", "/version")
    with pytest.raises(AuthError, match="no API token secret"):
        open_pve_client(lab_pve.node_config(), NodeSecrets())
    with pytest.raises(ConfigError):
        open_pve_client(lab_pve.node_config(api_token_id=None, api_user=None), token_secrets(lab_pve))


async def test_pinned_certificate_is_enforced(lab_pve: PveHost) -> None:
    node = lab_pve.node_config(server_cert_fingerprint="0" * 64)
    async with open_pve_client(node, token_secrets(lab_pve)) as client:
        with pytest.raises(CertificateChanged) as info:
            await pve_request(client, "GET", "/version")
    assert info.value.fingerprint == lab_pve.server_cert_fingerprint


async def test_parameter_errors_per_field(lab_pve: PveHost, ct: int) -> None:
    async with open_pve_client(lab_pve.node_config(), token_secrets(lab_pve)) as client:
        with pytest.raises(ApiError) as info:
            await pve_request(
                client, "PUT", f"/nodes/{lab_pve.node_name}/lxc/{ct}/config", data={"memory": "lots", "cores": 0}
            )
    err = info.value
    assert err.status == 400
    assert "Parameter verification failed" in err.reason
    assert set(err.field_errors) >= {"memory", "cores"}
    assert "lots" in err.field_errors["memory"]


async def test_missing_guest_is_not_found(lab_pve: PveHost) -> None:
    async with open_pve_client(lab_pve.node_config(), token_secrets(lab_pve)) as client:
        with pytest.raises(NotFound, match="does not exist"):
            await pve_request(client, "GET", f"/nodes/{lab_pve.node_name}/lxc/999999999/status/current")


async def test_plain_text_error_body(lab_pve: PveHost) -> None:
    assert lab_pve.fake is not None
    # A proxy-style failure: HTML/text body, generic reason phrase.
    lab_pve.fake.fail("GET", "/cluster/resources", 502, "pveproxy: upstream timed out", html=True, times=1)
    async with open_pve_client(lab_pve.node_config(), token_secrets(lab_pve)) as client:
        with pytest.raises(ApiError, match="upstream timed out") as info:
            await pve_request(client, "GET", "/cluster/resources")
    assert info.value.status == 502


async def test_a_task_is_polled_to_completion(lab_pve: PveHost, ct: int, real_time: None) -> None:
    assert lab_pve.fake is not None
    container = next(c for c in lab_pve.fake.cts if c.vmid == ct)
    container.start_secs = 1.5
    node = lab_pve.node_name
    async with open_pve_client(lab_pve.node_config(), token_secrets(lab_pve)) as client:
        upid = await pve_request(client, "POST", f"/nodes/{node}/lxc/{ct}/status/start")
        assert upid.startswith(f"UPID:{node}:")
        first = await pve_request(client, "GET", f"/nodes/{node}/tasks/{upid}/status")
        assert first["status"] == "running"
        await wait_task(client, None, upid, timeout=30, poll=0.3)
        # it returned when the task had ended, not before
        last = await pve_request(client, "GET", f"/nodes/{node}/tasks/{upid}/status")
        assert (last["status"], last["exitstatus"]) == ("stopped", "OK")
        status = await pve_request(client, "GET", f"/nodes/{node}/lxc/{ct}/status/current")
        assert status["status"] == "running"
    polls = [p for m, p, _ in lab_pve.fake.requests if m == "GET" and p.endswith("/status") and "tasks" in p]
    assert len(polls) >= 3


async def test_task_timeout(lab_pve: PveHost, ct: int, real_time: None) -> None:
    assert lab_pve.fake is not None
    next(c for c in lab_pve.fake.cts if c.vmid == ct).start_secs = 2.5
    async with open_pve_client(lab_pve.node_config(), token_secrets(lab_pve)) as client:
        upid = await pve_request(client, "POST", f"/nodes/{lab_pve.node_name}/lxc/{ct}/status/start")
        with pytest.raises(Timeout, match="Proxmox task") as info:
            await wait_task(client, lab_pve.node_name, upid, timeout=1, poll=0.2)
        assert info.value.seconds == 1
        path = f"/nodes/{lab_pve.node_name}/tasks/{upid}/status"
        assert (await pve_request(client, "GET", path))["status"] == "running"  # gave up before the task ended
        await wait_task(client, lab_pve.node_name, upid, timeout=30)


async def test_a_failing_task_raises_with_its_log_tail(lab_pve: PveHost, ct: int) -> None:
    assert lab_pve.fake is not None
    node = lab_pve.node_name
    lab_pve.fake.fail("POST", f"/nodes/{node}/lxc/{ct}/status/start", error="locked", times=1)
    async with open_pve_client(lab_pve.node_config(), token_secrets(lab_pve)) as client:
        upid = await pve_request(client, "POST", f"/nodes/{node}/lxc/{ct}/status/start")  # accepted: a UPID
        with pytest.raises(OperationFailed, match="CT is locked") as info:
            await wait_task(client, node, upid, timeout=30)
        assert info.value.log_tail[-1] == "TASK ERROR: CT is locked (backup)"
        assert await task_log_tail(client, node, upid, lines=1) == ["TASK ERROR: CT is locked (backup)"]


async def test_ticket_auth_with_csrf(lab_pve: PveHost, ct: int) -> None:
    assert lab_pve.fake is not None
    before = sum(1 for m, p, _ in lab_pve.fake.requests if p.endswith("/access/ticket"))
    node = lab_pve.node_name
    async with open_pve_client(ticket_node(lab_pve), NodeSecrets(api_password=lab_pve.password)) as client:
        assert (await pve_request(client, "GET", "/version"))["version"]
        # A write: fakepve, like PVE, refuses it without the CSRFPreventionToken header.
        upid = await pve_request(client, "POST", f"/nodes/{node}/lxc/{ct}/status/start")
        await wait_task(client, node, upid, timeout=30)
        # The ticket is reused until it is refused (e.g. after a server restart), then renewed once.
        lab_pve.fake.tickets.clear()
        upid = await pve_request(client, "POST", f"/nodes/{node}/lxc/{ct}/status/stop")
        await wait_task(client, node, upid, timeout=30)
    logins = sum(1 for m, p, _ in lab_pve.fake.requests if p.endswith("/access/ticket")) - before
    assert logins == 2


async def test_ticket_auth_refusals(lab_pve: PveHost) -> None:
    assert lab_pve.fake is not None
    async with open_pve_client(ticket_node(lab_pve), NodeSecrets(api_password="wrong")) as client:
        with pytest.raises(AuthError, match="refused the login"):
            await pve_request(client, "GET", "/version")
    lab_pve.fake.tfa = True
    try:
        async with open_pve_client(ticket_node(lab_pve), NodeSecrets(api_password=lab_pve.password)) as client:
            with pytest.raises(AuthError, match="second factor"):
                await pve_request(client, "GET", "/version")
    finally:
        lab_pve.fake.tfa = False
