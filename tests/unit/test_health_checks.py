"""How ``check_provider`` composes the checks: the overall-state rule, which checks apply, the shared
deadline, and "not asked" when the shell is unreachable.

The provider here is a small Provider subclass whose probes the test controls; its shell is the
real LocalSession (commands really run on this machine). The lab tests
(tests/integration/test_health.py) run the same code against real sshd, dockerd, incusd and fakepve.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from ocv_desktop.core.errors import ConnectError, Timeout
from ocv_desktop.core.models import (
    CheckKind,
    CheckResult,
    CheckStatus,
    ExecutionRule,
    HealthState,
    NodeConfig,
    Platform,
    overall_state,
)
from ocv_desktop.health.checks import (
    applicable_checks,
    check_provider,
    failed_connect_report,
    timed_out_report,
)
from ocv_desktop.providers.base import Provider, ProviderContext
from ocv_desktop.store.home import Home
from ocv_desktop.transport.local import LocalSession

ON, OFF, NA = CheckStatus.ONLINE, CheckStatus.OFFLINE, CheckStatus.NOT_CHECKED


def checks(*statuses: CheckStatus) -> tuple[CheckResult, ...]:
    kinds = (CheckKind.SSH, CheckKind.API, CheckKind.SERVICE)
    return tuple(CheckResult(k, s) for k, s in zip(kinds, statuses, strict=False))


@pytest.mark.parametrize(
    ("statuses", "state"),
    [
        ((ON, ON, ON), HealthState.HEALTHY),
        ((ON, NA, ON), HealthState.HEALTHY),  # a check that does not apply is left out
        ((ON, OFF, ON), HealthState.PARTIAL),
        ((OFF, NA, ON), HealthState.PARTIAL),
        ((OFF, OFF, OFF), HealthState.UNHEALTHY),
        ((OFF, NA, OFF), HealthState.UNHEALTHY),
        ((NA, NA, NA), HealthState.UNKNOWN),  # nothing applies
        ((), HealthState.UNKNOWN),  # not run yet
    ],
)
def test_overall_state_rule(statuses: tuple[CheckStatus, ...], state: HealthState) -> None:
    assert overall_state(checks(*statuses)) is state


def test_which_checks_apply_follows_the_configuration() -> None:
    def kinds(**fields: Any) -> set[str]:
        base: dict[str, Any] = {"name": "n", "host": "10.77.0.2"}
        return {k.value for k in applicable_checks(NodeConfig(**{**base, **fields}))}

    assert kinds(type=Platform.DOCKER) == {"ssh", "service"}
    assert kinds(type=Platform.DOCKER, execution_rule=ExecutionRule.API_ONLY) == {"ssh", "service"}
    assert kinds(type=Platform.INCUS) == {"ssh", "service"}
    assert kinds(type=Platform.INCUS, client_cert="c.crt", client_key="c.key") == {"ssh", "api", "service"}
    assert kinds(type=Platform.LXD, api_endpoint="unix:///var/snap/lxd/common/lxd/unix.socket") == {
        "ssh",
        "api",
        "service",
    }
    assert kinds(type=Platform.LXD, client_cert="c", client_key="k", execution_rule=ExecutionRule.API_ONLY) == {
        "api",
        "service",
    }
    assert kinds(type=Platform.PROXMOX, api_token_id="root@pam!ci") == {"ssh", "api", "service"}
    assert kinds(type=Platform.PROXMOX, api_user="root@pam", execution_rule=ExecutionRule.SSH_ONLY) == {
        "ssh",
        "service",
    }


def test_a_node_that_could_not_connect_says_why_on_each_applicable_check() -> None:
    node = NodeConfig(name="pve", type=Platform.PROXMOX, host="10.77.0.2", api_token_id="root@pam!ci")
    report = failed_connect_report(node, ConnectError("10.77.0.2:22 refused the connection"))
    assert report.state is HealthState.UNHEALTHY
    assert [c.kind for c in report.checks] == [CheckKind.SSH, CheckKind.API, CheckKind.SERVICE]
    assert report.check(CheckKind.SSH).error == "10.77.0.2:22 refused the connection"
    assert report.check(CheckKind.SERVICE).error.startswith("not asked: could not connect (10.77.0.2:22 refused")
    docker = NodeConfig(name="d", type=Platform.DOCKER, host="10.77.0.2")
    timed_out = timed_out_report(docker, 10)
    assert report.node_id == node.id and timed_out.node_id == docker.id
    assert [(c.kind, c.status) for c in timed_out.checks] == [
        (CheckKind.SSH, OFF),
        (CheckKind.API, NA),
        (CheckKind.SERVICE, OFF),
    ]
    assert timed_out.check(CheckKind.SSH).error == "no answer within 10 s"


# --- check_provider with controllable probes ----------------------------------------------------


class FailingConnect(LocalSession):
    """A shell whose connection cannot be opened (as SshSession.connect raises for a dead host)."""

    def __init__(self) -> None:
        super().__init__()
        self.connects = 0
        self.commands = 0

    async def connect(self) -> None:
        self.connects += 1
        raise ConnectError("10.77.0.2:22 refused the connection")

    async def run(self, argv: Any, **kwargs: Any) -> Any:
        self.commands += 1
        return await super().run(argv, **kwargs)


class ProbeProvider(Provider):
    """Probes that do what the test says; everything else is not needed here."""

    type = Platform.INCUS

    def __init__(
        self,
        home: Home,
        *,
        runner: Any = None,
        api: Callable[[], Awaitable[str]] | None = None,
        service: Callable[[], Awaitable[str]] | None = None,
    ) -> None:
        super().__init__(ProviderContext(home=home))
        self._node = NodeConfig(name="probe", type=Platform.INCUS, host="10.77.0.2")
        self._runner = runner
        self._api = api
        self._service = service or self._default_service
        self.service_calls = 0

    async def _default_service(self) -> str:
        return "incus 6.0"

    @property
    def command_runner(self) -> Any:
        return self._runner

    @property
    def api_configured(self) -> bool:
        return self._api is not None

    async def probe_api(self) -> str:
        assert self._api is not None
        return await self._api()

    async def probe_service(self) -> str:
        self.service_calls += 1
        return await self._service()

    async def connect(self, node: Any, secrets: Any) -> None: ...
    async def disconnect(self) -> None: ...
    async def list_instances(self) -> Any: ...
    async def get_instance(self, instance_id: str) -> Any: ...
    async def create_instance(self, spec: Any, progress: Any = None) -> Any: ...
    async def start_instance(self, instance_id: str) -> None: ...
    async def stop_instance(self, instance_id: str, *, timeout: float = 30.0, force: bool = False) -> None: ...
    async def restart_instance(self, instance_id: str) -> None: ...
    async def delete_instance(self, instance_id: str, *, force: bool = False, purge_volumes: bool = False) -> None: ...
    async def list_images(self) -> Any: ...
    async def pull_image(self, ref: str, progress: Any = None) -> Any: ...
    async def delete_image(self, image_id: str, *, force: bool = False) -> None: ...
    async def set_instance_password(self, instance_id: str, password: str, *, username: str = "root") -> None: ...


@pytest.fixture
def home(tmp_path) -> Home:
    return Home(tmp_path / "home").ensure()


async def api_ok() -> str:
    return "incus 6.0 (api)"


async def test_all_checks_online_with_resources_from_the_same_round_trip(home: Home) -> None:
    provider = ProbeProvider(home, runner=LocalSession(), api=api_ok)
    report = await check_provider(provider, timeout=10)
    assert report.state is HealthState.HEALTHY
    assert [(c.kind, c.status) for c in report.checks] == [
        (CheckKind.SSH, ON),
        (CheckKind.API, ON),
        (CheckKind.SERVICE, ON),
    ]
    assert report.check(CheckKind.SSH).detail == "this computer"
    assert report.check(CheckKind.API).detail == "incus 6.0 (api)"
    assert all(c.latency is not None and c.latency >= 0 for c in report.checks)  # measured for each
    assert report.resources is not None and report.resources.cpu_cores and report.resources.memory_total


async def test_a_hanging_probe_is_cut_at_the_deadline_and_the_others_keep_their_result(home: Home) -> None:
    cancelled: list[str] = []

    async def api_hangs() -> str:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.append("api")
            raise
        return "never"

    provider = ProbeProvider(home, runner=LocalSession(), api=api_hangs)
    report = await asyncio.wait_for(check_provider(provider, timeout=0.8), 30)  # 30: only against a hang
    assert cancelled == ["api"]  # cut at the deadline, not left running
    assert report.state is HealthState.PARTIAL
    api = report.check(CheckKind.API)
    assert api.status is OFF and api.error == "API: no answer within 0.8 s" and api.latency is None
    assert report.check(CheckKind.SSH).status is ON and report.check(CheckKind.SERVICE).status is ON


async def test_a_broken_probe_is_reported_not_raised(home: Home) -> None:
    async def service_bug() -> str:
        raise ValueError("unexpected output")

    async def service_timeout() -> str:
        raise Timeout("`incus info` on root@10.77.0.2:22", 30)

    report = await check_provider(ProbeProvider(home, runner=LocalSession(), service=service_bug), timeout=5)
    assert report.state is HealthState.PARTIAL
    assert "internal error (ValueError: unexpected output)" in report.check(CheckKind.SERVICE).error
    report = await check_provider(ProbeProvider(home, runner=LocalSession(), service=service_timeout), timeout=5)
    assert report.check(CheckKind.SERVICE).error == "`incus info` on root@10.77.0.2:22 timed out after 30 s"


async def test_unreachable_shell_costs_one_connect_and_the_service_is_not_asked(home: Home) -> None:
    runner = FailingConnect()
    provider = ProbeProvider(home, runner=runner, api=api_ok)
    report = await check_provider(provider, timeout=5)
    assert runner.connects == 1 and runner.commands == 0 and provider.service_calls == 0
    assert report.state is HealthState.PARTIAL  # the API still answers
    assert report.check(CheckKind.SSH).error == "10.77.0.2:22 refused the connection"
    service = report.check(CheckKind.SERVICE)
    assert (
        service.status is OFF and service.error == "not asked: no SSH connection (10.77.0.2:22 refused the connection)"
    )
    assert report.resources is None


async def test_checks_that_do_not_apply_are_not_checked(home: Home) -> None:
    report = await check_provider(ProbeProvider(home, runner=None), timeout=5)  # api_only without API: service only
    assert [(c.kind, c.status) for c in report.checks] == [
        (CheckKind.SSH, NA),
        (CheckKind.API, NA),
        (CheckKind.SERVICE, ON),
    ]
    assert report.state is HealthState.HEALTHY
    assert report.check(CheckKind.API).detail == "no API credentials configured"
