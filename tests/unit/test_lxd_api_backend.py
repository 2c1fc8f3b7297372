"""LxdApiBackend's decisions (providers/lxd_family/api_backend.py) over a real unix socket: which requests
count as having reached the server, the start of a new instance on servers without
``instance_create_start``, image ids resolved by alias or fingerprint prefix, aliases created or
moved, and the probe's trust check.

The socket is served by a scripted LXD answerer (``LxdScript``: a route table of envelopes, HTTP
parsed by h11), for the answers the lab's real daemons cannot give on demand (an ambiguous prefix,
a server without an extension, an untrusted client). The same code runs against real incusd and LXD
in tests/integration/test_lxd_family_provider.py.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import h11
import pytest

from ocv_desktop.core.errors import AuthError, InvalidInput, NotFound
from ocv_desktop.core.models import InstanceSpec, NodeConfig, Platform
from ocv_desktop.providers.lxd_family.api import open_lxd_client
from ocv_desktop.providers.lxd_family.api_backend import LxdApiBackend, api_endpoint_for
from ocv_desktop.providers.lxd_family.exec import WebsocketDialer

FP1, FP2 = "1" * 64, "2" * 64


def sync(metadata: Any, status: int = 200) -> tuple[int, dict[str, Any]]:
    return status, {"type": "sync", "status": "Success", "status_code": 200, "operation": "", "error_code": 0,
                    "error": "", "metadata": metadata}  # fmt: skip


def error(code: int, message: str) -> tuple[int, dict[str, Any]]:
    return code, {"type": "error", "status": "", "status_code": 0, "operation": "", "error_code": code,
                  "error": message, "metadata": None}  # fmt: skip


def started(op_id: str, metadata: Any = None) -> tuple[int, dict[str, Any]]:
    op = {"id": op_id, "class": "task", "status": "Running", "status_code": 103, "metadata": metadata, "err": ""}
    return 202, {"type": "async", "status": "Operation created", "status_code": 100,
                 "operation": f"/1.0/operations/{op_id}", "error_code": 0, "error": "", "metadata": op}  # fmt: skip


class LxdScript:
    """Answers ``routes[(METHOD, path)]`` (path without the query); records (method, path, query, body)."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
        self.requests: list[tuple[str, str, str, Any]] = []
        self.operations: dict[str, Any] = {}

    def operation(self, op_id: str, metadata: Any = None) -> tuple[int, dict[str, Any]]:
        """An async answer whose operation has succeeded once waited for."""
        self.routes[("GET", f"/1.0/operations/{op_id}/wait")] = sync(
            {"id": op_id, "status": "Success", "status_code": 200, "metadata": metadata, "err": ""}
        )
        return started(op_id, metadata)

    def writes(self) -> list[tuple[str, str, Any]]:
        return [(m, p, b) for m, p, _, b in self.requests if m != "GET"]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h11.Connection(h11.SERVER)
        try:
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    data = await reader.read(65536)
                    conn.receive_data(data)
                    if not data:
                        return
                    continue
                if isinstance(event, h11.Request):
                    body = b""
                    while not isinstance(part := conn.next_event(), h11.EndOfMessage):
                        if part is h11.NEED_DATA:
                            conn.receive_data(await reader.read(65536))
                        elif isinstance(part, h11.Data):
                            body += part.data
                    url = urlsplit(event.target.decode())
                    method = event.method.decode()
                    self.requests.append((method, url.path, url.query, json.loads(body) if body else None))
                    status, answer = self.routes.get((method, url.path), error(404, "not found"))
                    payload = json.dumps(answer).encode()
                    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
                    writer.write(conn.send(h11.Response(status_code=status, headers=headers)))
                    writer.write(conn.send(h11.Data(data=payload)))
                    writer.write(conn.send(h11.EndOfMessage()))
                    await writer.drain()
                    conn.start_next_cycle()
                elif isinstance(event, h11.ConnectionClosed):
                    return
        except (h11.ProtocolError, ConnectionError):
            return
        finally:
            writer.close()


@pytest.fixture
async def lxd() -> AsyncIterator[tuple[LxdScript, LxdApiBackend]]:
    folder = Path(tempfile.mkdtemp(prefix="ocv-lxd-"))
    sock = folder / "unix.socket"
    script = LxdScript()
    server = await asyncio.start_unix_server(script.handle, str(sock))
    backend = backend_for(f"unix://{sock}")
    yield script, backend
    await backend.close()
    server.close()
    await server.wait_closed()
    sock.unlink()
    folder.rmdir()


def backend_for(endpoint: str) -> LxdApiBackend:
    node = NodeConfig(name="n1", type=Platform.INCUS, host="localhost", local=True, api_endpoint=endpoint)
    client = open_lxd_client(node, connect_timeout=5)
    return LxdApiBackend(client, WebsocketDialer(client, endpoint, connect_timeout=5), flavour="incus",
                         operation_timeout=30)  # fmt: skip


# --- where the API is -------------------------------------------------------------------------------


def test_api_endpoint_for_each_kind_of_node(tmp_path: Path) -> None:
    remote = NodeConfig(name="r", type=Platform.INCUS, host="10.77.0.5")
    assert api_endpoint_for(remote, ()) is None  # no client certificate: the API is of no use
    with_cert = remote.replace(client_cert="/c.crt", client_key="/c.key")
    assert api_endpoint_for(with_cert, ()) == "https://10.77.0.5:8443"
    assert api_endpoint_for(with_cert.replace(host="fd00::5"), ()) == "https://[fd00::5]:8443"
    assert api_endpoint_for(remote.replace(api_endpoint="https://10.77.0.5:9443"), ()) is None
    assert api_endpoint_for(with_cert.replace(api_endpoint="https://h:9443"), ()) == "https://h:9443"
    sock = tmp_path / "unix.socket"
    local = NodeConfig(name="l", type=Platform.INCUS, host="localhost", local=True)
    assert api_endpoint_for(local, (str(sock),)) is None
    sock.touch()
    assert api_endpoint_for(local, (str(tmp_path / "other"), str(sock))) == f"unix://{sock}"


# --- what counts as having reached the server ------------------------------------------------------


async def test_a_refused_connect_did_not_reach_the_server(tmp_path: Path) -> None:
    backend = backend_for(f"unix://{tmp_path}/no-daemon.socket")
    with pytest.raises(Exception) as info:
        await backend.list_instances()
    assert backend.not_sent(info.value) and backend.requests_reached == 0
    await backend.close()


async def test_a_server_that_took_the_request_and_hung_up_may_have_acted(tmp_path: Path) -> None:
    sock = tmp_path / "rude.socket"

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_unix_server(hang_up, str(sock))
    backend = backend_for(f"unix://{sock}")
    try:
        with pytest.raises(Exception) as info:
            await backend.delete_instance("c1")
        assert not backend.not_sent(info.value) and backend.requests_reached == 1
    finally:
        await backend.close()
        server.close()
        await server.wait_closed()


async def test_answered_requests_are_counted(lxd) -> None:
    script, backend = lxd
    script.routes[("GET", "/1.0/instances")] = sync([])
    assert await backend.list_instances() == []
    script.routes[("DELETE", "/1.0/instances/c1")] = script.operation("op1")
    await backend.delete_instance("c1")
    assert backend.requests_reached == 3  # the list, the DELETE and the wait for its operation
    assert [(m, p) for m, p, _, _ in script.requests] == [
        ("GET", "/1.0/instances"),
        ("DELETE", "/1.0/instances/c1"),
        ("GET", "/1.0/operations/op1/wait"),
    ]


# --- probe, instances --------------------------------------------------------------------------------


async def test_probe_says_whether_the_server_trusts_us(lxd) -> None:
    script, backend = lxd
    script.routes[("GET", "/1.0")] = sync({"auth": "trusted", "environment": {"server_version": "6.0.4"}})
    assert await backend.probe() == "incus 6.0.4"
    script.routes[("GET", "/1.0")] = sync({"auth": "untrusted", "api_version": "1.0"})
    with pytest.raises(AuthError, match="does not trust this client certificate") as info:
        await backend.probe()
    assert "enroll" in (info.value.hint or "")


async def test_an_instance_without_its_state_is_asked_for_the_state(lxd) -> None:
    script, backend = lxd
    script.routes[("GET", "/1.0/instances/c1")] = sync({"name": "c1", "status": "Running"})
    script.routes[("GET", "/1.0/instances/c1/state")] = sync({"status": "Running", "pid": 42})
    assert (await backend.get_instance("c1"))["state"] == {"status": "Running", "pid": 42}
    script.routes[("GET", "/1.0/instances/c2")] = sync({"name": "c2", "state": {"status": "Stopped"}})
    await backend.get_instance("c2")
    asked = [p for _, p, _, _ in script.requests]
    assert asked == ["/1.0/instances/c1", "/1.0/instances/c1/state", "/1.0/instances/c2"]


# --- create ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extensions", [["instance_create_start"], []])
async def test_create_and_start_in_one_request_only_where_the_server_can(lxd, extensions: list[str]) -> None:
    script, backend = lxd
    script.routes[("GET", "/1.0")] = sync({"auth": "trusted", "api_extensions": extensions})
    script.routes[("GET", "/1.0/images/aliases/debian")] = sync({"name": "debian", "target": FP1})
    script.routes[("POST", "/1.0/instances")] = script.operation("create")
    script.routes[("PUT", "/1.0/instances/web/state")] = script.operation("start")
    await backend.create_instance(InstanceSpec(name="web", image="debian", start=True), None)
    writes = script.writes()
    assert writes[0][:2] == ("POST", "/1.0/instances")
    if extensions:
        assert writes[0][2]["start"] is True and len(writes) == 1
    else:  # LXD 5.0 ignores "start" silently: create stopped, then start in a second awaited request
        assert writes[0][2]["start"] is False
        assert writes[1][:2] == ("PUT", "/1.0/instances/web/state") and writes[1][2]["action"] == "start"


async def test_create_from_a_missing_local_image_names_it_and_sends_nothing(lxd) -> None:
    script, backend = lxd
    with pytest.raises(NotFound, match="image 'debain' not found") as info:
        await backend.create_instance(InstanceSpec(name="web", image="debain"), None)
    assert script.writes() == [] and "pull it" in (info.value.hint or "")


# --- images ------------------------------------------------------------------------------------------


async def test_image_ids_resolve_by_fingerprint_alias_or_unique_prefix(lxd) -> None:
    script, backend = lxd
    script.routes[("GET", "/1.0/images/aliases/debian")] = sync({"name": "debian", "target": FP1})
    images = [{"fingerprint": FP1}, {"fingerprint": FP2}, {"fingerprint": "12" + "0" * 62}]
    script.routes[("GET", "/1.0/images")] = sync(images)
    script.routes[("DELETE", f"/1.0/images/{FP1}")] = script.operation("d1")
    script.routes[("DELETE", f"/1.0/images/{FP2}")] = script.operation("d2")
    await backend.delete_image(FP1)  # a full fingerprint: no lookup
    await backend.delete_image("debian")  # an alias
    await backend.delete_image("22")  # a unique prefix, as `image list` shows them
    assert [p for m, p, _ in script.writes()] == [f"/1.0/images/{FP1}", f"/1.0/images/{FP1}", f"/1.0/images/{FP2}"]
    with pytest.raises(InvalidInput, match="ambiguous"):
        await backend.delete_image("1")
    with pytest.raises(NotFound, match="image '9' not found"):
        await backend.delete_image("9")
    assert len(script.writes()) == 3


@pytest.mark.parametrize(
    ("alias_now", "expected"),
    [
        (None, [("POST", "/1.0/images/aliases")]),  # a new alias
        (FP1, [("PATCH", "/1.0/images/aliases/debian")]),  # moved to the new image (PATCH keeps the rest)
        (FP2, []),  # already there
    ],
)
async def test_a_pulled_image_gets_its_alias(lxd, alias_now: str | None, expected: list[tuple[str, str]]) -> None:
    script, backend = lxd
    script.routes[("POST", "/1.0/images")] = script.operation("pull", {"fingerprint": FP2})
    if alias_now is not None:
        script.routes[("GET", "/1.0/images/aliases/debian")] = sync({"name": "debian", "target": alias_now})
    script.routes[("POST", "/1.0/images/aliases")] = sync({})
    script.routes[("PATCH", "/1.0/images/aliases/debian")] = sync({})
    assert await backend.pull_image("images:debian", None) == FP2
    assert [(m, p) for m, p, _ in script.writes()[1:]] == expected
