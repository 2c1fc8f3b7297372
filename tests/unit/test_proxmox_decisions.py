"""ProxmoxProvider's decisions without a server: which road a request takes (API, pvesh over SSH,
the auto-rule fallback), config-lock retries, guest lookup, and what restart/stop/delete do with
a guest in each state.

The two roads are stand-ins that answer from a small table and record every request, raising the
errors the real ones raise (a refused connect carries httpx.ConnectError, as ApiClient's do). The
lab tests (tests/integration/test_proxmox_provider.py) run the same paths against fakepve.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from ocv_desktop.core.errors import (
    ApiError,
    CertificateUnknown,
    ConfigError,
    ConnectError,
    InvalidInput,
    NotFound,
    OperationFailed,
    Timeout,
)
from ocv_desktop.core.models import ExecutionRule, InstanceType, NodeConfig, NodeSecrets, Platform
from ocv_desktop.providers.base import ProviderContext
from ocv_desktop.providers.proxmox import provider as px
from ocv_desktop.providers.proxmox.provider import ProxmoxProvider
from ocv_desktop.store.home import Home

UPID = "UPID:pve1:000003E8:00001B58:6B07E1FB:qmstart:100:root@pam:"

class InTurn:
    """Answers taken one per request; the last one repeats."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)

    def next(self) -> Any:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class Road:
    """A PveBackend stand-in: ``answers[(method, path)]`` is a value, an exception to raise, or
    ``InTurn(...)``; a write without an answer returns a UPID. ``wait_errors`` are raised by the
    next waits, in turn."""

    def __init__(self, answers: dict[tuple[str, str], Any] | None = None) -> None:
        self.answers = answers or {}
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.waited: list[str] = []
        self.wait_errors: list[Exception] = []

    async def call(self, method: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        self.calls.append((method, path, dict(params or {})))
        answer = self.answers.get((method, path), UPID if method != "GET" else None)
        if isinstance(answer, InTurn):
            answer = answer.next()
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def wait(self, upid: str, *, timeout: float) -> None:
        self.waited.append(upid)
        if self.wait_errors:
            raise self.wait_errors.pop(0)

    async def close(self) -> None:
        pass

    def posts(self) -> list[str]:
        return [path.rsplit("/", 1)[-1] for method, path, _ in self.calls if method == "POST"]


def refused() -> ConnectError:
    """What ApiClient raises when the TCP connect is refused: the request never left."""
    error = ConnectError("cannot connect to https://10.77.0.9:8006: connection refused")
    error.__cause__ = httpx.ConnectError("[Errno 111] Connection refused")
    return error


def read_timeout() -> Timeout:
    """What ApiClient raises when the server took the request and did not answer in time."""
    error = Timeout("POST /nodes/pve1/qemu on https://10.77.0.9:8006", 30)
    error.__cause__ = httpx.ReadTimeout("timed out")
    return error


def node(rule: ExecutionRule = ExecutionRule.AUTO, **changes: Any) -> NodeConfig:
    base = NodeConfig(name="pve", type=Platform.PROXMOX, host="10.77.0.9", api_token_id="root@pam!ocv")
    return base.replace(execution_rule=rule, proxmox_node="pve1", **changes)


def provider(tmp_path: Path, api: Road | None, shell: Road | None, rule: ExecutionRule = ExecutionRule.AUTO) -> Any:
    pve = ProxmoxProvider(ProviderContext(home=Home(tmp_path / "home").ensure()))
    pve._node = node(rule)
    pve._secrets = NodeSecrets(api_token_secret="s3cret")
    pve._api, pve._shell = api, shell
    pve.lock_retry_delay = 0.0
    return pve


def resources(*guests: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {("GET", "/cluster/resources"): [{"node": "pve1", "status": "running", **g} for g in guests]}


# --- connecting ------------------------------------------------------------------------------------


async def test_connect_refuses_another_platform_and_api_only_without_credentials(tmp_path: Path) -> None:
    pve = ProxmoxProvider(ProviderContext(home=Home(tmp_path / "home").ensure()))
    with pytest.raises(ConfigError, match="not a Proxmox VE node"):
        await pve.connect(NodeConfig(name="d", type=Platform.DOCKER, host="10.77.0.2"), NodeSecrets())
    with pytest.raises(ConfigError, match="API only") as info:
        await pve.connect(node(ExecutionRule.API_ONLY), NodeSecrets())  # a token id without its secret
    assert "API token" in (info.value.hint or "")


@pytest.mark.parametrize(
    ("rule", "changes", "secrets", "configured"),
    [
        (ExecutionRule.AUTO, {}, NodeSecrets(api_token_secret="s"), True),
        (ExecutionRule.AUTO, {}, NodeSecrets(), False),  # the token id alone is not a credential
        (ExecutionRule.AUTO, {"api_token_id": None, "api_user": "root@pam"}, NodeSecrets(api_password="p"), True),
        (ExecutionRule.AUTO, {"api_token_id": None, "api_user": "root@pam"}, NodeSecrets(), False),
        (ExecutionRule.SSH_ONLY, {}, NodeSecrets(api_token_secret="s"), False),
    ],
)
def test_which_nodes_have_an_api(tmp_path: Path, rule, changes, secrets, configured) -> None:
    pve = ProxmoxProvider(ProviderContext(home=Home(tmp_path / "home").ensure()))
    pve._node, pve._secrets = node(rule, **changes), secrets
    assert pve.api_configured is configured


async def test_not_connected_is_a_connect_error(tmp_path: Path) -> None:
    pve = provider(tmp_path, None, None)
    with pytest.raises(ConnectError, match="not connected"):
        await pve.list_instances()


# --- the road a request takes ------------------------------------------------------------------------


async def test_auto_falls_back_to_ssh_only_when_the_request_never_left(tmp_path: Path) -> None:
    api = Road({("GET", "/cluster/resources"): refused()})
    shell = Road(resources({"vmid": 100, "type": "qemu", "name": "web"}))
    pve = provider(tmp_path, api, shell)
    assert [i.name for i in await pve.list_instances()] == ["web"]
    assert len(api.calls) == 1 and len(shell.calls) == 1


async def test_a_request_that_may_have_arrived_is_never_repeated_over_ssh(tmp_path: Path) -> None:
    api = Road({("POST", "/nodes/pve1/qemu/100/status/start"): read_timeout(), **resources(
        {"vmid": 100, "type": "qemu", "name": "web", "status": "stopped"})})  # fmt: skip
    shell = Road()
    pve = provider(tmp_path, api, shell)
    with pytest.raises(Timeout):
        await pve.start_instance("100")
    assert shell.calls == []  # one click never starts (or creates) twice


async def test_api_only_never_falls_back(tmp_path: Path) -> None:
    api, shell = Road({("GET", "/cluster/resources"): refused()}), Road()
    with pytest.raises(ConnectError, match="refused"):
        await provider(tmp_path, api, shell, ExecutionRule.API_ONLY).list_instances()
    assert shell.calls == []


async def test_a_certificate_problem_is_never_papered_over_by_ssh(tmp_path: Path) -> None:
    unknown = CertificateUnknown("unknown certificate", host="10.77.0.9", port=8006, fingerprint="ab" * 32)
    unknown.__cause__ = httpx.ConnectError("certificate verify failed")
    api, shell = Road({("GET", "/cluster/resources"): unknown}), Road()
    with pytest.raises(CertificateUnknown):
        await provider(tmp_path, api, shell).list_instances()
    assert shell.calls == []


async def test_without_an_api_ssh_carries_every_request(tmp_path: Path) -> None:
    shell = Road(resources({"vmid": 101, "type": "lxc", "name": "ct"}))
    instances = await provider(tmp_path, None, shell, ExecutionRule.SSH_ONLY).list_instances()
    assert [(i.id, i.type) for i in instances] == [("101", InstanceType.CONTAINER)]


# --- tasks -------------------------------------------------------------------------------------------


LOCKED = "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout"


async def test_config_lock_contention_is_retried_then_the_task_awaited(tmp_path: Path) -> None:
    path = "/nodes/pve1/qemu/100/status/start"
    api = Road({("POST", path): InTurn(ApiError(LOCKED), ApiError(LOCKED), UPID)})
    pve = provider(tmp_path, api, None)
    await pve._task("POST", path)
    assert [c[1] for c in api.calls] == [path] * 3
    assert api.waited == [UPID]


async def test_a_failure_that_is_not_lock_contention_is_not_retried(tmp_path: Path) -> None:
    path = "/nodes/pve1/qemu/100/status/start"
    api = Road({("POST", path): ApiError("VM 100 not running")})
    with pytest.raises(ApiError, match="not running"):
        await provider(tmp_path, api, None)._task("POST", path)
    assert len(api.calls) == 1


async def test_lock_retries_end(tmp_path: Path) -> None:
    path = "/nodes/pve1/qemu/100/config"
    api = Road({("PUT", path): ApiError(LOCKED)})
    pve = provider(tmp_path, api, None)
    with pytest.raises(ApiError, match="lock"):
        await pve._task("PUT", path)
    assert len(api.calls) == pve.lock_retries + 1


# --- guests by id or name ------------------------------------------------------------------------


async def test_guests_are_found_by_vmid_or_unique_name(tmp_path: Path) -> None:
    table = resources(
        {"vmid": 100, "type": "qemu", "name": "web"},
        {"vmid": 101, "type": "lxc", "name": "db"},
        {"vmid": 102, "type": "qemu", "name": "db"},
        {"vmid": 900, "type": "qemu", "name": "tpl", "template": 1},
    )
    pve = provider(tmp_path, Road(table), None)
    assert (await pve._find("100")).path == "/nodes/pve1/qemu/100"
    assert (await pve._find("web")).vmid == "100"
    with pytest.raises(InvalidInput, match=r"several guests .* 'db' \(101, 102\)"):
        await pve._find("db")
    with pytest.raises(NotFound, match="no VM or container 'tpl'"):
        await pve._find("tpl")  # a template is an image, not an instance
    assert (await pve._find("tpl", templates=True)).vmid == "900"


async def test_the_pve_node_is_configured_or_the_local_cluster_member(tmp_path: Path) -> None:
    pve = provider(tmp_path, Road(), None)
    assert await pve.pve_node() == "pve1"  # configured: no request
    assert pve._api.calls == []
    status = [{"type": "cluster", "name": "c"}, {"type": "node", "name": "a"}]
    status.append({"type": "node", "name": "b", "local": 1})
    pve = provider(tmp_path, Road({("GET", "/cluster/status"): status}), None)
    pve._node = pve._node.replace(proxmox_node=None)
    assert await pve.pve_node() == "b"
    pve = provider(tmp_path, Road({("GET", "/cluster/status"): [{"type": "cluster"}]}), None)
    pve._node = pve._node.replace(proxmox_node=None)
    with pytest.raises(NotFound, match="proxmox_node"):
        await pve.pve_node()


# --- power actions per state ---------------------------------------------------------------------


async def test_restart_of_a_guest_that_ignores_the_reboot_stops_and_starts_it(tmp_path: Path) -> None:
    api = Road(resources({"vmid": 100, "type": "qemu", "name": "web"}))
    api.wait_errors = [OperationFailed("VM quit/powerdown failed - got timeout")]  # the reboot task
    pve = provider(tmp_path, api, None)
    await pve.restart_instance("100")
    assert api.posts() == ["reboot", "stop", "start"]
    stop = next(c for c in api.calls if c[1].endswith("/stop"))
    assert stop[2] == {"overrule-shutdown": True}


async def test_restart_of_a_stopped_guest_starts_it(tmp_path: Path) -> None:
    api = Road(resources({"vmid": 100, "type": "qemu", "name": "web", "status": "stopped"}))
    await provider(tmp_path, api, None).restart_instance("100")
    assert api.posts() == ["start"]


async def test_start_of_a_running_guest_and_stop_of_a_stopped_one_do_nothing(tmp_path: Path) -> None:
    api = Road(resources({"vmid": 100, "type": "qemu", "name": "a"}, {"vmid": 101, "type": "lxc", "name": "b",
                                                                       "status": "stopped"}))  # fmt: skip
    pve = provider(tmp_path, api, None)
    await pve.start_instance("100")
    await pve.stop_instance("101")
    assert api.posts() == []


async def test_stop_shuts_down_then_stops_hard_when_the_guest_does_not_go(tmp_path: Path) -> None:
    api = Road(resources({"vmid": 100, "type": "qemu", "name": "web"}))
    api.wait_errors = [OperationFailed("VM quit/powerdown failed")]
    await provider(tmp_path, api, None).stop_instance("100", timeout=5)
    assert api.posts() == ["shutdown", "stop"]
    assert api.calls[1][2] == {"timeout": 5}
    forced = Road(resources({"vmid": 100, "type": "qemu", "name": "web"}))
    await provider(tmp_path, forced, None).stop_instance("100", force=True)
    assert forced.posts() == ["stop"]


async def test_delete_of_a_running_guest_needs_force(tmp_path: Path) -> None:
    api = Road(resources({"vmid": 101, "type": "lxc", "name": "ct"}))
    pve = provider(tmp_path, api, None)
    with pytest.raises(InvalidInput, match="stop it first"):
        await pve.delete_instance("101")
    assert api.posts() == []
    await pve.delete_instance("101", force=True)
    assert api.posts() == ["stop"]
    assert api.calls[-1] == ("DELETE", "/nodes/pve1/lxc/101", {"purge": True, "destroy-unreferenced-disks": True})


async def test_create_refuses_options_proxmox_does_not_take(tmp_path: Path) -> None:
    from ocv_desktop.core.models import InstanceSpec

    api = Road()
    spec = InstanceSpec(name="web", image="debian", type=InstanceType.CONTAINER, extra={"hostpci0": "x"})
    with pytest.raises(InvalidInput, match=r"unknown Proxmox option.*hostpci0"):
        await provider(tmp_path, api, None).create_instance(spec)
    assert api.calls == []


# --- small helpers --------------------------------------------------------------------------------


def test_cpu_counts_become_cores_and_a_cpulimit() -> None:
    assert px._cpu_params(None) == {}
    assert px._cpu_params(2) == {"cores": 2}
    assert px._cpu_params(1.5) == {"cores": 2, "cpulimit": "1.5"}
    with pytest.raises(InvalidInput):
        px._cpu_params(-1)


def test_storage_prefixes_and_boot_disks() -> None:
    assert px._split_storage("local:vztmpl/debian.tar.zst") == ("local", "vztmpl/debian.tar.zst")
    assert px._split_storage("https://example.org/x.iso") == (None, "https://example.org/x.iso")
    assert px._split_storage("debian.tar.zst") == (None, "debian.tar.zst")
    config = {"boot": "order=ide2;scsi1", "ide2": "local:iso/x.iso,media=cdrom", "scsi0": "a", "scsi1": "b"}
    assert px._boot_disk(config) == "scsi1"  # the first disk of the boot order that is not a CD-ROM
    assert px._boot_disk({"ide0": "local:cloudinit", "virtio0": "local-lvm:vm-1-disk-0"}) == "virtio0"
    assert px._boot_disk({"ide2": "none,media=cdrom"}) is None
    assert px._drive_size("local-lvm:vm-100-disk-0,size=32G") == 32 * 2**30
    assert px._drive_size("local-lvm:vm-100-disk-0,size=512M,ssd=1") == 512 * 2**20
    assert px._drive_size("local-lvm:vm-100-disk-0") is None
