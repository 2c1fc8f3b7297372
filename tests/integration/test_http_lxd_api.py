"""ApiClient + lxd_api against the lab's real daemons: incusd 6.0 and LXD 5.0 (each in its namespace).

The two answer an operation wait differently (measured here): Incus 6.0.4 reports a failed
operation *and* its own wait timeout as an error envelope under HTTP 200 ("context deadline
exceeded"); LXD 5.0.2 returns the operation (Running or Failure) as a sync answer. Both must end
in the same results.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import pytest

from ocv_desktop.core.errors import (
    AuthError,
    CertificateChanged,
    CertificateUnknown,
    NotFound,
    OcvError,
    OperationFailed,
    Timeout,
)
from ocv_desktop.providers.lxd_family.api import (
    instance_path,
    lxd_call,
    lxd_operation,
    lxd_request,
    open_lxd_client,
    wait_operation,
)
from ocv_desktop.transport.http import ApiClient
from ocv_desktop.transport.tls import fetch_server_certificate
from tests.lab.lab import Lab
from tests.lab.lxd_host import LxdFamilyHost

pytestmark = pytest.mark.lab


@pytest.fixture(params=["incus", "lxd"])
def daemon(request: pytest.FixtureRequest) -> LxdFamilyHost:
    return request.getfixturevalue(f"lab_{request.param}")


def host_port(daemon: LxdFamilyHost) -> tuple[str, int]:
    host, port = daemon.https_address.rsplit(":", 1)
    return host, int(port)


@asynccontextmanager
async def container(client: ApiClient, lab: Lab, *, start: bool = False) -> AsyncIterator[str]:
    name = lab.unique_name("tr")
    body = {"name": name, "type": "container", "source": {"type": "image", "alias": "busybox"}}
    await lxd_operation(client, "POST", "/1.0/instances", json=body, timeout=120)
    try:
        if start:  # a separate start: LXD 5.0 ignores "start": true in the create request (Incus honours it)
            await lxd_operation(client, "PUT", instance_path(name, "state"), json={"action": "start"}, timeout=60)
        yield name
    finally:
        with suppress(OcvError):
            await lxd_operation(
                client, "PUT", instance_path(name, "state"), json={"action": "stop", "force": True}, timeout=60
            )
        await lxd_operation(client, "DELETE", instance_path(name), timeout=60)


# --- trust ----------------------------------------------------------------------------------------


async def test_pinned_fingerprint_and_client_certificate(daemon: LxdFamilyHost) -> None:
    host, port = host_port(daemon)
    seen = await fetch_server_certificate(host, port, timeout=10)
    assert seen.fingerprint == daemon.server_cert_fingerprint
    async with open_lxd_client(daemon.node_config()) as client:
        server = await lxd_request(client, "GET", "/1.0")
    assert server["auth"] == "trusted"
    assert server["environment"]["server"] == daemon.flavour


async def test_pinned_without_client_certificate_is_untrusted(daemon: LxdFamilyHost) -> None:
    node = daemon.node_config(client_cert=None, client_key=None)
    async with open_lxd_client(node) as client:
        server = await lxd_request(client, "GET", "/1.0")
        assert server["auth"] == "untrusted"
        with pytest.raises(AuthError):
            await lxd_request(client, "GET", "/1.0/instances")


async def test_wrong_pin_and_no_pin_are_refused(daemon: LxdFamilyHost) -> None:
    wrong = "f" * 64
    async with open_lxd_client(daemon.node_config(server_cert_fingerprint=wrong)) as client:
        with pytest.raises(CertificateChanged) as changed:
            await lxd_request(client, "GET", "/1.0")
    assert changed.value.fingerprint == daemon.server_cert_fingerprint
    assert changed.value.expected_fingerprint == wrong
    # No pin: the self-signed certificate (whose names do not include this address) is unknown.
    async with open_lxd_client(daemon.node_config(server_cert_fingerprint=None)) as client:
        with pytest.raises(CertificateUnknown) as unknown:
            await lxd_request(client, "GET", "/1.0")
    assert unknown.value.fingerprint == daemon.server_cert_fingerprint


async def test_unix_socket(daemon: LxdFamilyHost) -> None:
    node = daemon.node_config(api_endpoint=f"unix://{daemon.unix_socket}", server_cert_fingerprint=None)
    async with open_lxd_client(node) as client:
        server = await lxd_request(client, "GET", "/1.0")
        assert server["auth"] == "trusted"
        assert client.description == str(daemon.unix_socket)


# --- envelopes and operations ----------------------------------------------------------------------


async def test_error_envelope_carries_the_server_message(daemon: LxdFamilyHost) -> None:
    async with open_lxd_client(daemon.node_config()) as client:
        with pytest.raises(NotFound, match="Instance not found"):
            await lxd_request(client, "GET", instance_path("no-such-instance-ocv"))


async def test_start_stop_through_operations(daemon: LxdFamilyHost, lab: Lab) -> None:
    async with open_lxd_client(daemon.node_config()) as client, container(client, lab) as name:
        state = instance_path(name, "state")
        op = await lxd_operation(client, "PUT", state, json={"action": "start"}, timeout=60)
        assert op["status_code"] == 200
        # The operation was awaited: the instance is running the moment the call returns.
        assert (await lxd_request(client, "GET", state))["status"] == "Running"
        op = await lxd_operation(client, "PUT", state, json={"action": "stop", "force": True}, timeout=60)
        assert op["status_code"] == 200
        assert (await lxd_request(client, "GET", state))["status"] == "Stopped"


async def test_a_failing_operation_raises_operation_failed(daemon: LxdFamilyHost, lab: Lab) -> None:
    async with open_lxd_client(daemon.node_config()) as client, container(client, lab, start=True) as name:
        # Accepted (202), then the operation fails.
        started = await lxd_call(client, "PUT", instance_path(name, "state"), json={"action": "start"})
        assert started.type == "async"
        with pytest.raises(OperationFailed, match="already running"):
            await wait_operation(client, started.operation, timeout=30)


async def test_wait_timeout_on_a_running_operation(daemon: LxdFamilyHost, lab: Lab) -> None:
    async with open_lxd_client(daemon.node_config()) as client, container(client, lab, start=True) as name:
        body = {"command": ["sleep", "3"], "record-output": True, "wait-for-websocket": False, "interactive": False}
        started = await lxd_call(client, "POST", instance_path(name, "exec"), json=body)
        with pytest.raises(Timeout) as info:
            await wait_operation(client, started.operation, timeout=1)
        assert info.value.seconds == 1
        assert (await lxd_request(client, "GET", started.operation))["status_code"] == 103  # still running
        done = await wait_operation(client, started.operation, timeout=30)
        assert done["metadata"]["return"] == 0
