"""LxdFamilyProvider's decisions (providers/lxd_family/provider.py): which road each call takes under each
execution rule (and when falling back to SSH is safe), and what start/stop/delete/passwords do
with an instance in each state.

The roads are stand-ins for the two backends, answering with the instance recorded from the lab's
real incusd (tests/fixtures/lxd_family); the backends themselves are tested in
test_lxd_api_backend.py and, against the real daemons, in tests/integration.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from ocv_desktop.core.errors import (
    CertificateChanged,
    ConfigError,
    ConnectError,
    InvalidInput,
    MalformedData,
    NotFound,
    OcvError,
    RemoteError,
    Timeout,
    Unsupported,
)
from ocv_desktop.core.models import ExecutionRule, NodeConfig, NodeSecrets, Platform
from ocv_desktop.providers.base import ProviderContext
from ocv_desktop.providers.lxd_family.backend import ExecResult
from ocv_desktop.providers.lxd_family.incus import IncusProvider
from ocv_desktop.store.home import Home
from ocv_desktop.transport.http import request_never_sent

RECORDED = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "lxd_family" / "incus-6.0-api-instances.json").read_text()
)
RUNNING = next(i for i in RECORDED if i["state"]["status"] == "Running")
STOPPED = next(i for i in RECORDED if i["state"]["status"] == "Stopped")


def refused() -> ConnectError:
    error = ConnectError("cannot connect to https://10.77.0.5:8443: connection refused")
    error.__cause__ = httpx.ConnectError("[Errno 111] Connection refused")
    return error


class Road:
    """A backend stand-in. ``fail`` maps a primitive to the error it raises (once, or always when
    ``sticky``); ``reaches`` says whether a failed request counts as having reached the server."""

    not_sent = staticmethod(request_never_sent)

    def __init__(self, via: str, instances: list[dict[str, Any]] | None = None) -> None:
        self.via = via
        self.instances = {i["name"]: copy.deepcopy(i) for i in (instances or [])}
        self.calls: list[tuple[Any, ...]] = []
        self.fail: dict[str, Exception] = {}
        self.sticky = False
        self.requests_reached = 0
        self.exec_result = ExecResult(0)

    def _maybe_fail(self, what: str) -> None:
        error = self.fail.get(what) if self.sticky else self.fail.pop(what, None)
        if error is not None:
            if not request_never_sent(error):
                self.requests_reached += 1
            raise error
        self.requests_reached += 1

    async def list_instances(self) -> list[dict[str, Any]]:
        self.calls.append(("list",))
        self._maybe_fail("list")
        return list(self.instances.values())

    async def get_instance(self, name: str) -> dict[str, Any]:
        self.calls.append(("get", name))
        self._maybe_fail("get")
        if name not in self.instances:
            raise NotFound(f"instance {name!r} not found")
        return self.instances[name]

    async def change_state(self, name: str, action: str, *, timeout: float | None, force: bool) -> None:
        self.calls.append(("state", name, action, force))
        self._maybe_fail(f"state:{action}:{force}")
        self.instances[name]["state"]["status"] = "Stopped" if action == "stop" else "Running"

    async def delete_instance(self, name: str) -> None:
        self.calls.append(("delete", name))
        self._maybe_fail("delete")

    async def exec(self, name: str, argv: list[str], *, stdin: bytes, timeout: float, secrets: tuple[str, ...] = ()):
        self.calls.append(("exec", name, tuple(argv), stdin))
        self._maybe_fail("exec")
        return self.exec_result

    async def probe(self) -> str:
        return "incus 6.0.4"

    async def close(self) -> None:
        pass


def incus(tmp_path: Path, api: Road | None, cli: Road | None, rule: ExecutionRule = ExecutionRule.AUTO) -> Any:
    provider = IncusProvider(ProviderContext(home=Home(tmp_path / "home").ensure()))
    provider._node = NodeConfig(name="n1", type=Platform.INCUS, host="10.77.0.5", execution_rule=rule)
    provider._api, provider._cli = api, cli
    return provider


# --- the road ------------------------------------------------------------------------------------------


async def test_auto_takes_ssh_when_the_api_request_never_left(tmp_path: Path) -> None:
    api, cli = Road("api", RECORDED), Road("ssh", RECORDED)
    api.fail["list"] = refused()
    names = [i.name for i in await incus(tmp_path, api, cli).list_instances()]
    assert names == sorted(i["name"] for i in RECORDED)
    assert cli.calls == [("list",)]


async def test_auto_never_repeats_over_ssh_what_may_have_reached_the_server(tmp_path: Path) -> None:
    api, cli = Road("api", [RUNNING]), Road("ssh", [RUNNING])
    timeout = Timeout("DELETE /1.0/instances/x", 30)
    timeout.__cause__ = httpx.ReadTimeout("timed out")
    api.fail["delete"] = timeout
    provider = incus(tmp_path, api, cli)
    with pytest.raises(Timeout):
        await provider._call("delete", lambda b: b.delete_instance(RUNNING["name"]))
    assert cli.calls == []


async def test_a_fallback_is_refused_once_an_earlier_request_of_the_call_arrived(tmp_path: Path) -> None:
    # A method that made two requests: the first arrived, the second was refused. SSH would redo both.
    api, cli = Road("api", [STOPPED]), Road("ssh", [STOPPED])
    provider = incus(tmp_path, api, cli)

    async def two_requests(backend: Road) -> None:
        await backend.get_instance(STOPPED["name"])
        if backend is api:
            raise refused()

    with pytest.raises(ConnectError):
        await provider._call("two", two_requests)
    assert cli.calls == []


async def test_api_only_and_certificate_problems_never_fall_back(tmp_path: Path) -> None:
    api, cli = Road("api", RECORDED), Road("ssh", RECORDED)
    api.fail["list"] = refused()
    with pytest.raises(ConnectError):
        await incus(tmp_path, api, cli, ExecutionRule.API_ONLY).list_instances()
    changed = CertificateChanged(
        "pinned certificate changed", host="10.77.0.5", port=8443, fingerprint="ab" * 32, expected_fingerprint="cd" * 32
    )
    changed.__cause__ = httpx.ConnectError("certificate verify failed")
    api.fail["list"] = changed
    with pytest.raises(CertificateChanged):
        await incus(tmp_path, api, cli).list_instances()
    assert cli.calls == []


async def test_without_an_api_the_cli_and_without_either_a_config_error(tmp_path: Path) -> None:
    cli = Road("ssh", RECORDED)
    assert len(await incus(tmp_path, None, cli, ExecutionRule.SSH_ONLY).list_instances()) == len(RECORDED)
    with pytest.raises(ConfigError, match="no SSH access for the incus CLI"):
        await incus(tmp_path, None, None).list_instances()


async def test_api_only_without_a_client_certificate_says_how_to_enrol(tmp_path: Path) -> None:
    provider = IncusProvider(ProviderContext(home=Home(tmp_path / "home").ensure()))
    node = NodeConfig(name="n1", type=Platform.INCUS, host="10.77.0.5", execution_rule=ExecutionRule.API_ONLY)
    with pytest.raises(ConfigError, match="api_only but has no client certificate") as info:
        await provider.connect(node, NodeSecrets())
    assert info.value.hint == "run: ocv-desktop nodes enroll n1"


# --- states ----------------------------------------------------------------------------------------------


async def test_starting_a_running_instance_is_success_but_a_real_failure_is_not(tmp_path: Path) -> None:
    cli = Road("ssh", [RUNNING, STOPPED])
    provider = incus(tmp_path, None, cli, ExecutionRule.SSH_ONLY)
    cli.fail["state:start:False"] = RemoteError("incus start", 1, "Error: The instance is already running")
    await provider.start_instance(RUNNING["name"])  # the daemon refused, the instance runs: done
    cli.fail["state:start:False"] = RemoteError("incus start", 1, "Error: no space left")
    cli.instances[STOPPED["name"]]["state"]["status"] = "Stopped"
    with pytest.raises(RemoteError, match="no space left"):
        await provider.start_instance(STOPPED["name"])
    cli.fail["state:start:False"] = NotFound("instance 'gone' not found")
    with pytest.raises(NotFound):
        await provider.start_instance("gone")
    assert ("get", "gone") not in cli.calls  # NotFound is final: no second look


async def test_a_graceful_stop_that_does_not_finish_becomes_a_forced_one(tmp_path: Path) -> None:
    cli = Road("ssh", [RUNNING])
    provider = incus(tmp_path, None, cli, ExecutionRule.SSH_ONLY)
    cli.fail["state:stop:False"] = Timeout("incus stop", 30)
    await provider.stop_instance(RUNNING["name"])
    assert [c for c in cli.calls if c[0] == "state"] == [
        ("state", RUNNING["name"], "stop", False),
        ("state", RUNNING["name"], "stop", True),
    ]


async def test_a_stop_that_failed_on_a_stopped_instance_is_success_and_a_forced_failure_is_raised(
    tmp_path: Path,
) -> None:
    cli = Road("ssh", [STOPPED, RUNNING])
    provider = incus(tmp_path, None, cli, ExecutionRule.SSH_ONLY)
    cli.fail["state:stop:False"] = RemoteError("incus stop", 1, "Error: The instance is already stopped")
    await provider.stop_instance(STOPPED["name"])
    cli.fail["state:stop:True"] = RemoteError("incus stop", 1, "Error: device busy")
    with pytest.raises(RemoteError, match="device busy"):
        await provider.stop_instance(RUNNING["name"], force=True)


async def test_deleting_a_running_instance_needs_force(tmp_path: Path) -> None:
    cli = Road("ssh", [RUNNING])
    provider = incus(tmp_path, None, cli, ExecutionRule.SSH_ONLY)
    with pytest.raises(InvalidInput, match="is running; stop it first"):
        await provider.delete_instance(RUNNING["name"])
    assert not any(c[0] in ("state", "delete") for c in cli.calls)
    await provider.delete_instance(RUNNING["name"], force=True)
    assert [c[0] for c in cli.calls if c[0] in ("state", "delete")] == ["state", "delete"]


# --- passwords ---------------------------------------------------------------------------------------


async def test_the_password_goes_to_chpasswd_on_stdin_and_failures_are_named(tmp_path: Path) -> None:
    cli = Road("ssh", [RUNNING, STOPPED])
    provider = incus(tmp_path, None, cli, ExecutionRule.SSH_ONLY)
    name = RUNNING["name"]
    await provider.set_instance_password(name, "Tr0ub4dor-and-3")
    execs = [c for c in cli.calls if c[0] == "exec"]
    assert execs == [("exec", name, ("chpasswd",), b"root:Tr0ub4dor-and-3\n")]
    cli.exec_result = ExecResult(127)
    with pytest.raises(Unsupported, match="no chpasswd"):
        await provider.set_instance_password(name, "Tr0ub4dor-and-3")
    cli.exec_result = ExecResult(1, stderr=b"chpasswd: Tr0ub4dor-and-3 rejected by PAM")
    with pytest.raises(RemoteError) as info:
        await provider.set_instance_password(name, "Tr0ub4dor-and-3")
    assert "Tr0ub4dor-and-3" not in str(info.value)  # the secret is cut out of the error text
    with pytest.raises(OcvError, match="start it before setting a password"):
        await provider.set_instance_password(STOPPED["name"], "Tr0ub4dor-and-3")


# --- listing, images, probes ----------------------------------------------------------------------------


async def test_cpu_usage_comes_from_two_listings_and_gone_instances_are_forgotten(tmp_path: Path) -> None:
    cli = Road("ssh", [RUNNING])
    provider = incus(tmp_path, None, cli, ExecutionRule.SSH_ONLY)
    first = (await provider.list_instances())[0]
    assert first.cpu_usage is None  # one sample is no rate
    cli.instances[RUNNING["name"]]["state"]["cpu"]["usage"] += 10**9
    second = (await provider.list_instances())[0]
    assert second.cpu_usage is not None and second.cpu_usage > 0
    cli.instances.clear()
    assert await provider.list_instances() == [] and provider._cpu_samples == {}
    cli.instances["broken"] = "not an instance"  # type: ignore[assignment]
    with pytest.raises(MalformedData, match="node n1 sent malformed data: an LXD/Incus instance object"):
        await provider.list_instances()


async def test_what_needs_the_api_says_so_without_it(tmp_path: Path) -> None:
    from ocv_desktop.providers.lxd_family.requests import ImageSource

    provider = incus(tmp_path, None, Road("ssh"), ExecutionRule.SSH_ONLY)
    with pytest.raises(Unsupported, match="needs the API") as info:
        source = ImageSource(alias="debian", server="https://img.example", protocol="simplestreams")
        await provider.pull_image_from(source)
    assert "incus remote add" in (info.value.hint or "")
    with pytest.raises(Unsupported, match="no API credentials"):
        await provider.probe_api()
    api_only = incus(tmp_path, Road("api"), None, ExecutionRule.API_ONLY)
    assert await api_only.probe_service() == "incus 6.0.4"  # no shell: the API answering is the evidence
    with pytest.raises(InvalidInput, match="invalid image id"):
        await api_only.delete_image("a b")
