"""IncusProvider and LxdProvider against the lab's real incusd 6.0 and LXD 5.0, by both roads.

Every test runs for flavour (incus, lxd) x road (api: the REST API with the lab's trusted client
certificate and the pinned server certificate; ssh: the ``incus``/``lxc`` CLI over real sshd in
the daemon's namespace). Containers only (VMs cannot run on this machine kind). What the provider
did is checked through the lab's own CLI on the host, never only through the provider.

Every API exchange our client makes is recorded (httpx response hook) and validated against the
official specs at the end of each test (tests/contract/lxd_spec.py).
"""

from __future__ import annotations

import asyncio
import json
import warnings
from typing import Any

import pytest

from ocv_desktop.core.errors import (
    ApiError,
    AuthError,
    ConfigError,
    InvalidInput,
    NotFound,
    OcvError,
    OperationFailed,
    RemoteError,
    Unsupported,
)
from ocv_desktop.core.models import ExecutionRule, InstanceSpec, InstanceStatus, InstanceType, NodeSecrets
from ocv_desktop.providers.base import ProviderContext
from ocv_desktop.providers.lxd_family.incus import IncusProvider
from ocv_desktop.providers.lxd_family.lxd import LxdProvider
from ocv_desktop.providers.lxd_family.requests import ImageSource
from tests.contract import lxd_spec
from tests.shared_files import SPECS_HINT, in_ci, missing

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # Python 3.11: deprecated but present; tests only

pytestmark = [pytest.mark.lab]

PROVIDERS = {"incus": IncusProvider, "lxd": LxdProvider}
SPEC_FOR = {"incus": "incus", "lxd": "lxd"}
MiB = 2**20


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(params=["incus", "lxd"])
def host(request):
    return request.getfixturevalue(f"lab_{request.param}")


@pytest.fixture
def home(lab_home, host):
    lab_home.ensure()
    lab_home.known_hosts.write_text(host.ssh.host_key_line + "\n")
    return lab_home


async def connect(host, home, rule: ExecutionRule, **node_overrides: Any):
    provider = PROVIDERS[host.flavour](ProviderContext(home=home, operation_timeout=120))
    node = host.node_config(execution_rule=rule, **node_overrides)
    await provider.connect(node, NodeSecrets())
    recorder = lxd_spec.Recorder()
    if provider._api is not None:
        recorder.attach(provider._api.client)
    provider.recorder = recorder  # type: ignore[attr-defined]
    return provider


def assert_spec_conforming(host, recorder: lxd_spec.Recorder) -> None:
    if not lxd_spec.specs_available():
        if in_ci():  # CI must check every exchange; a developer's machine reports it in the contract tests
            missing(f"the official LXD/Incus specs ({lxd_spec.SPECS_DIR})", SPECS_HINT)
        return  # the contract tests report the missing specs; the behaviour was still tested
    problems = lxd_spec.check_exchanges(SPEC_FOR[host.flavour], recorder.exchanges)
    assert not problems, "\n".join(problems)


@pytest.fixture(params=["api", "ssh"])
async def provider(request, host, home):
    rule = ExecutionRule.API_ONLY if request.param == "api" else ExecutionRule.SSH_ONLY
    p = await connect(host, home, rule)
    yield p
    await p.disconnect()
    assert_spec_conforming(host, p.recorder)


@pytest.fixture
def names(lab, host):
    made: list[str] = []

    def new(prefix: str = "ocv") -> str:
        made.append(lab.unique_name(prefix))
        return made[-1]

    yield new
    for name in made:
        host.cli("delete", "--force", name)


def cli_state(host, name: str) -> dict[str, Any] | None:
    """The instance as the lab's own CLI sees it (None when it does not exist)."""
    out = host.cli_ok("list", "--format", "json", f"^{name}$")
    return next((i for i in json.loads(out) if i["name"] == name), None)


def shadow_hash(host, name: str, user: str = "root") -> str:
    shadow = host.cli_ok("exec", name, "--", "cat", "/etc/shadow")
    line = next(line for line in shadow.splitlines() if line.startswith(user + ":"))
    return line.split(":")[1]


# --- instances -------------------------------------------------------------------------------------


async def test_lifecycle(provider, host, names):
    name = names()
    created = await provider.create_instance(
        InstanceSpec(name=name, image="busybox", cpus=1, memory=128 * MiB, disk=200 * MiB, start=True)
    )
    assert created.id == created.name == name
    assert created.status is InstanceStatus.RUNNING
    assert created.type is InstanceType.CONTAINER
    assert created.cpu_limit == 1 and created.memory_limit == 128 * MiB and created.disk_limit == 200 * MiB
    seen = cli_state(host, name)
    assert seen["status"] == "Running"
    assert seen["config"]["limits.memory"] == "128MiB" and seen["devices"]["root"]["size"] == "200MiB"

    listed = {i.id: i for i in await provider.list_instances()}
    assert listed[name].status is InstanceStatus.RUNNING and listed[name].node_id == provider.node.id

    await provider.stop_instance(name, timeout=10)
    assert cli_state(host, name)["status"] == "Stopped"
    await provider.stop_instance(name, timeout=10)  # stopping a stopped instance succeeds
    await provider.start_instance(name)
    assert cli_state(host, name)["status"] == "Running"
    await provider.start_instance(name)  # starting a running one too
    pid_before = cli_state(host, name)["state"]["pid"]
    await provider.restart_instance(name)
    after = cli_state(host, name)
    assert after["status"] == "Running" and after["state"]["pid"] != pid_before

    with pytest.raises(InvalidInput, match="stop it first"):
        await provider.delete_instance(name)
    assert cli_state(host, name) is not None
    await provider.delete_instance(name, force=True)
    assert cli_state(host, name) is None
    with pytest.raises(NotFound):
        await provider.get_instance(name)


async def test_create_stopped_and_cpu_usage_between_listings(provider, host, names):
    name = names()
    inst = await provider.create_instance(InstanceSpec(name=name, image="debian", start=False))
    assert inst.status is InstanceStatus.STOPPED
    assert cli_state(host, name)["status"] == "Stopped"
    await provider.start_instance(name)
    host.cli_ok("exec", name, "--", "sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done")
    first = {i.id: i for i in await provider.list_instances()}[name]
    host.cli_ok("exec", name, "--", "sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done")
    second = {i.id: i for i in await provider.list_instances()}[name]
    # A rate needs two samples of the cumulative CPU time (create/start sampled it already).
    assert first.cpu_usage is not None and second.cpu_usage is not None
    assert second.cpu_usage > 0
    await provider.delete_instance(name, force=True)
    assert cli_state(host, name) is None


async def test_delete_of_a_missing_instance(provider, lab):
    missing = lab.unique_name("gone")
    with pytest.raises(NotFound) as info:
        await provider.delete_instance(missing)
    assert missing in str(info.value)


def make_broken(host, name: str, tmp_path) -> None:
    """An instance that exists but cannot start: a disk device whose source vanished after it was
    added (the daemon checks the source when the device is added, and again at start)."""
    source = tmp_path / f"ocv-missing-{name}"
    source.mkdir()
    host.cli_ok("init", "busybox", name)
    host.cli_ok("config", "device", "add", name, "broken", "disk", f"source={source}", "path=/mnt/x")
    source.rmdir()


async def test_start_of_a_broken_instance_reports_the_daemon_error(provider, host, names, tmp_path):
    name = names()
    make_broken(host, name, tmp_path)
    with pytest.raises((OperationFailed, RemoteError)) as info:
        await provider.start_instance(name)
    assert f"ocv-missing-{name}" in str(info.value) or "broken" in str(info.value), str(info.value)
    assert cli_state(host, name)["status"] == "Stopped"


async def test_create_with_a_missing_image_fails_clearly(provider, names):
    name = names()
    with pytest.raises((OperationFailed, ApiError, NotFound, RemoteError)) as info:
        await provider.create_instance(InstanceSpec(name=name, image="no-such-image-ocv"))
    assert "no-such-image-ocv" in str(info.value) or "not found" in str(info.value).lower()


async def test_invalid_names_are_refused_before_anything_runs(provider):
    for bad in ("bad_name", "-x", "a b", "x;reboot"):
        with pytest.raises(InvalidInput):
            await provider.start_instance(bad)


# --- passwords ---------------------------------------------------------------------------------------


async def test_password_reset_lands_in_etc_shadow(provider, host, names):
    name = names()
    await provider.create_instance(InstanceSpec(name=name, image="debian"))
    password = await provider.reset_instance_password(name)
    stored = shadow_hash(host, name)
    assert crypt.crypt(password, stored) == stored
    # A password with shell metacharacters goes through untouched (it is never in a command line).
    tricky = "a'b\"c $(x) `y` ;|&*"
    await provider.set_instance_password(name, tricky)
    stored = shadow_hash(host, name)
    assert crypt.crypt(tricky, stored) == stored
    assert crypt.crypt(password, stored) != stored


async def test_password_without_chpasswd_is_unsupported(provider, names):
    name = names()
    await provider.create_instance(InstanceSpec(name=name, image="busybox"))
    with pytest.raises(Unsupported, match="chpasswd"):
        await provider.set_instance_password(name, "Secret123")


async def test_password_on_a_stopped_instance_is_a_clear_error(provider, names):
    name = names()
    await provider.create_instance(InstanceSpec(name=name, image="debian", start=False))
    with pytest.raises(OcvError, match="start it"):
        await provider.set_instance_password(name, "Secret123")


# --- images --------------------------------------------------------------------------------------------


async def test_list_and_delete_images(provider, host, names):
    images = {i.name: i for i in await provider.list_images()}
    assert {"busybox", "debian"} <= set(images)
    assert len(images["busybox"].id) == 64 and images["busybox"].size > 0
    # A new image of our own to delete: publish a stopped container under a unique alias.
    src, alias = names(), names("img")
    host.cli_ok("init", "busybox", src)
    host.cli_ok("publish", src, "--alias", alias)
    fingerprint = next(i.id for i in await provider.list_images() if alias in i.aliases)
    await provider.delete_image(alias)
    remaining = json.loads(host.cli_ok("image", "list", "--format", "json"))
    assert fingerprint not in {i["fingerprint"] for i in remaining}
    with pytest.raises(NotFound):
        await provider.delete_image(alias)


async def test_pull_over_https_from_an_image_server(host, home, lab, names):
    """A real pull: the daemon downloads a public image over HTTPS from an incus/lxd image server.
    No other server is reachable from the lab's namespaces, so the server is the daemon itself, with
    the image in a separate project (a different image store) and our default project as target."""
    project, src, alias = lab.unique_name("src"), names(), lab.unique_name("pulled")
    host.cli_ok("project", "create", project, "-c", "features.images=true", "-c", "features.profiles=false")
    try:
        host.cli_ok("init", "busybox", src)
        host.cli_ok("publish", src, "--alias", alias)  # a new image (its own fingerprint)
        host.cli_ok("image", "copy", alias, "local:", "--target-project", project, "--public", "--copy-aliases")
        fingerprint = next(
            i["fingerprint"]
            for i in json.loads(host.cli_ok("image", "list", "--format", "json"))
            if any(a["name"] == alias for a in i["aliases"])
        )
        host.cli_ok("image", "delete", fingerprint)  # gone from our project: the pull must fetch it
        p = await connect(host, home, ExecutionRule.API_ONLY)
        try:
            source = ImageSource(
                alias=alias,
                server=f"https://{host.https_address}",
                protocol=host.flavour,
                certificate=host.server_cert.read_text(),
                project=project,
            )
            image = await p.pull_image_from(source)
            assert image.id == fingerprint and alias in image.aliases
            local = json.loads(host.cli_ok("image", "list", "--format", "json"))
            assert fingerprint in {i["fingerprint"] for i in local}
            await p.delete_image(fingerprint)
        finally:
            await p.disconnect()
        assert_spec_conforming(host, p.recorder)
    finally:
        for img in json.loads(host.cli("image", "list", "--format", "json", "--project", project).stdout or "[]"):
            host.cli("image", "delete", img["fingerprint"], "--project", project)
        host.cli("project", "delete", project)


async def test_pull_from_an_unreachable_remote_fails_clearly(provider):
    # No image server is reachable from the lab (no route out of the daemon's namespace).
    with pytest.raises(OcvError) as info:
        await provider.pull_image("images:debian/12")
    # The daemon's own words, naming the server it could not reach (the ref alone says "images").
    assert "images.linuxcontainers.org" in str(info.value)


# --- probes ---------------------------------------------------------------------------------------------


async def test_probes(provider, host):
    detail = await provider.probe_service()
    assert host.flavour in detail
    if provider.api_configured:
        assert (await provider.probe_api()).startswith(host.flavour)
        assert provider.command_runner is None  # api_only opens no SSH
    else:
        assert provider.command_runner is not None


async def test_health_report_composes_the_probes(provider, host):
    from ocv_desktop.core.models import CheckKind, CheckStatus, HealthState
    from ocv_desktop.health.checks import check_provider

    report = await check_provider(provider, timeout=30)
    assert report.state is HealthState.HEALTHY, report.checks
    status = {c.kind: c.status for c in report.checks}
    assert status[CheckKind.SERVICE] is CheckStatus.ONLINE
    if provider.api_configured:  # api_only: no shell, the API answers for the service too
        assert status[CheckKind.API] is CheckStatus.ONLINE and status[CheckKind.SSH] is CheckStatus.NOT_CHECKED
        assert report.check(CheckKind.API).detail.startswith(host.flavour)
    else:
        assert status[CheckKind.SSH] is CheckStatus.ONLINE and status[CheckKind.API] is CheckStatus.NOT_CHECKED
        assert report.check(CheckKind.SERVICE).detail.startswith(host.flavour)
        assert report.resources is not None and report.resources.cpu_cores


async def test_untrusted_certificate_is_an_auth_error(host, home, tmp_path):
    from ocv_desktop.providers.lxd_family.client_certs import generate_client_certificate

    cert = generate_client_certificate(home, "untrusted-" + host.flavour)
    p = await connect(
        host, home, ExecutionRule.API_ONLY, client_cert=str(cert.cert_path), client_key=str(cert.key_path)
    )
    try:
        with pytest.raises(AuthError, match="does not trust"):
            await p.probe_api()
        with pytest.raises(AuthError):
            await p.list_instances()
    finally:
        await p.disconnect()


async def test_api_only_without_credentials_is_a_config_error(host, home):
    provider = PROVIDERS[host.flavour](ProviderContext(home=home))
    node = host.node_config(execution_rule=ExecutionRule.API_ONLY, client_cert=None, client_key=None)
    with pytest.raises(ConfigError, match="enroll"):
        await provider.connect(node, NodeSecrets())
    await provider.disconnect()


# --- the execution rule ------------------------------------------------------------------------------------


async def test_auto_falls_back_to_ssh_only_when_the_api_was_never_reached(host, home, names):
    # Port 1 in the daemon's namespace: connection refused, so no request can have been sent.
    address = host.https_address.rsplit(":", 1)[0]
    p = await connect(host, home, ExecutionRule.AUTO, api_endpoint=f"https://{address}:1")
    try:
        name = names()
        created = await p.create_instance(InstanceSpec(name=name, image="busybox", start=False))
        assert created.status is InstanceStatus.STOPPED
        assert cli_state(host, name) is not None
        assert not p.recorder.exchanges  # nothing ever reached an API
    finally:
        await p.disconnect()


async def test_auto_does_not_fall_back_after_the_server_answered(host, home, names, tmp_path):
    p = await connect(host, home, ExecutionRule.AUTO)
    calls: list[tuple[str, ...]] = []
    runner = p.command_runner
    original = runner.run

    async def spy(argv, **kwargs):
        calls.append(tuple(argv))
        return await original(argv, **kwargs)

    runner.run = spy  # type: ignore[method-assign]
    try:
        name = names()
        make_broken(host, name, tmp_path)
        with pytest.raises(OperationFailed):
            await p.start_instance(name)
        # The start request reached the daemon, which refused it: the CLI must not run it again.
        assert all(c[0] != p.binary for c in calls), calls
    finally:
        await p.disconnect()


async def test_listing_is_one_request(host, home, names):
    p = await connect(host, home, ExecutionRule.API_ONLY)
    try:
        for _ in range(2):
            host.cli_ok("init", "busybox", names())
        p.recorder.exchanges.clear()
        instances = await p.list_instances()
        assert len(instances) >= 2
        assert [(e.method, e.path, e.params) for e in p.recorder.exchanges] == [
            ("GET", "/1.0/instances", {"recursion": "2"})
        ]
    finally:
        await p.disconnect()


async def test_concurrent_listings_share_one_provider(provider, host, names):
    host.cli_ok("init", "busybox", names())
    results = await asyncio.gather(*(provider.list_instances() for _ in range(5)))
    listed = {tuple(sorted(i.id for i in r)) for r in results}
    assert len(listed) == 1 and listed.pop(), results  # five equal, non-empty listings


# --- option injection (issue 12 item 4) ----------------------------------------------------------------


def cli_names(host) -> set[str]:
    return {i["name"] for i in json.loads(host.cli_ok("list", "--format", "json"))}


@pytest.mark.parametrize(
    "overrides",
    [
        {"image": "-csecurity.privileged=true"},  # the audit's attack: a privileged container
        {"image": "--vm"},
        {"image": "debian", "storage": "-cfoo=bar"},
        {"image": "debian", "storage": "--vm"},
    ],
    ids=["image-short-flag", "image-long-flag", "storage-short-flag", "storage-long-flag"],
)
async def test_option_injection_on_create_is_refused_and_creates_nothing(provider, host, names, overrides):
    name = names("inj")
    # As in the audit, the instance name is also an image alias: a flag taken for the image shifts
    # the name into the image's place and the daemon creates an instance with a random name.
    busybox = next(i["fingerprint"] for i in json.loads(host.cli_ok("image", "list", "--format", "json"))
                   if any(a["name"] == "busybox" for a in i["aliases"]))  # fmt: skip
    host.cli_ok("image", "alias", "create", name, busybox)
    before = cli_names(host)
    try:
        with pytest.raises(InvalidInput) as info:
            await provider.create_instance(InstanceSpec(name=name, start=False, **overrides))
        assert "'-'" in str(info.value)  # says why: a value may not start with '-'
        assert cli_names(host) == before  # nothing created, under any name
    finally:
        for stray in cli_names(host) - before:
            host.cli("delete", "--force", stray)
        host.cli("image", "alias", "delete", name)


def image_ids(host) -> set[tuple[str, tuple[str, ...]]]:
    images = json.loads(host.cli_ok("image", "list", "--format", "json"))
    return {(i["fingerprint"], tuple(sorted(a["name"] for a in i["aliases"]))) for i in images}


async def test_option_injection_on_images_is_refused(provider, host):
    before = image_ids(host)  # fingerprints and aliases: last_used_at may move on its own
    for bad in ("-f", "--all", "images:-x"):
        with pytest.raises(InvalidInput):
            await provider.delete_image(bad)
    with pytest.raises(InvalidInput):
        await provider.pull_image("images:--alias")
    assert image_ids(host) == before


# --- snapshots -------------------------------------------------------------------------------------


def cli_snapshot_names(host, name: str) -> list[str]:
    """The instance's snapshots as the lab's own CLI lists them (InstanceFull.snapshots)."""
    state = cli_state(host, name)
    assert state is not None
    return [s["name"].rsplit("/", 1)[-1] for s in state.get("snapshots") or ()]


async def test_snapshot_round_trip_restores_a_changed_file(provider, host, names):
    name = names()
    await provider.create_instance(InstanceSpec(name=name, image="busybox", start=True))
    host.cli_ok("exec", name, "--", "sh", "-c", "echo before > /root/marker")
    assert await provider.list_snapshots(name) == []

    await provider.create_snapshot(name, "before-change")
    assert cli_snapshot_names(host, name) == ["before-change"]  # the daemon has it once the call returned
    (snap,) = await provider.list_snapshots(name)
    assert snap.name == "before-change" and snap.stateful is False and snap.parent is None
    assert snap.created is not None and snap.created.tzinfo is not None

    host.cli_ok("exec", name, "--", "sh", "-c", "echo after > /root/marker; touch /root/new-file")
    assert host.cli_ok("exec", name, "--", "cat", "/root/marker").strip() == "after"

    await provider.restore_snapshot(name, "before-change")
    assert cli_state(host, name)["status"] == "Running"  # a restore keeps a running container running
    assert host.cli_ok("exec", name, "--", "cat", "/root/marker").strip() == "before"
    gone = host.cli("exec", name, "--", "test", "-e", "/root/new-file")
    assert gone.returncode != 0  # what was made after the snapshot is gone

    await provider.delete_snapshot(name, "before-change")
    assert cli_snapshot_names(host, name) == []
    assert await provider.list_snapshots(name) == []
    with pytest.raises((NotFound, OperationFailed, RemoteError)):
        await provider.delete_snapshot(name, "before-change")


async def test_snapshots_list_oldest_first_and_refuse_bad_names_before_sending(provider, host, names):
    name = names()
    await provider.create_instance(InstanceSpec(name=name, image="busybox", start=False))
    await provider.create_snapshot(name, "one")
    await provider.create_snapshot(name, "two")
    assert [s.name for s in await provider.list_snapshots(name)] == ["one", "two"]
    for bad in ("-x", "a/b", "", "a b", "--stateful"):
        with pytest.raises(InvalidInput):
            await provider.create_snapshot(name, bad)
        with pytest.raises(InvalidInput):
            await provider.restore_snapshot(name, bad)
        with pytest.raises(InvalidInput):
            await provider.delete_snapshot(name, bad)
    with pytest.raises(Unsupported, match="no description"):
        await provider.create_snapshot(name, "three", description="before the upgrade")
    assert cli_snapshot_names(host, name) == ["one", "two"]  # nothing of the refused ones was sent
    with pytest.raises(NotFound):
        await provider.list_snapshots(names())


async def test_a_stateful_snapshot_reports_the_daemons_refusal(provider, host, names):
    """No CRIU on this machine kind: Incus refuses a stateful snapshot (migration.stateful is not
    set), LXD says CRIU is missing. The daemon's own words reach the caller on both roads, and no
    snapshot is left behind."""
    name = names()
    await provider.create_instance(InstanceSpec(name=name, image="busybox", start=True))
    words = r"migration\.stateful" if host.flavour == "incus" else "CRIU isn't installed"
    with pytest.raises((OperationFailed, RemoteError), match=words):
        await provider.create_snapshot(name, "live", stateful=True)
    assert cli_snapshot_names(host, name) == []


# --- console log and usage counters ----------------------------------------------------------------


async def read_console_until(provider, name: str, wanted: str, lines: int = 200) -> str:
    """What the console log gave until ``wanted`` showed (a running container's ring buffer hands
    out what was written since the last read, and a just-started one may not have its buffer yet:
    the daemon then says "open : no such file or directory")."""
    seen = ""
    for _ in range(20):
        try:
            seen += "\n" + await provider.instance_log(name, lines=lines)
        except OcvError as exc:
            assert "no such file" in str(exc), exc
        if wanted in seen:
            return seen
        await asyncio.sleep(0.5)
    raise AssertionError(f"{wanted!r} never reached the console log: {seen[-500:]!r}")


async def test_console_log_holds_what_the_instance_wrote_to_its_console(provider, host, names):
    name = names()
    await provider.create_instance(InstanceSpec(name=name, image="busybox", start=True))
    marker = f"ocv-console-{name}"

    def write(*numbers: int) -> None:
        lines = " ".join(f"{marker}-{n}" for n in numbers)
        host.cli_ok("exec", name, "--", "sh", "-c", f"for l in {lines}; do echo $l > /dev/console; done")

    write(1, 2, 3)
    log = await read_console_until(provider, name, f"{marker}-3")
    assert log.index(f"{marker}-1") < log.index(f"{marker}-2") < log.index(f"{marker}-3")
    write(4, 5)
    tail = await read_console_until(provider, name, f"{marker}-5", lines=1)
    assert f"{marker}-4" not in tail  # only the last line of each read
    with pytest.raises(InvalidInput):
        await provider.instance_log("-bad", lines=10)


async def test_listing_carries_network_counters_of_a_running_instance(provider, host, names):
    name = names()
    await provider.create_instance(InstanceSpec(name=name, image="busybox", start=True))
    inst = {i.id: i for i in await provider.list_instances()}[name]
    assert inst.memory_usage is not None and inst.memory_usage > 0
    if host.flavour == "incus" or inst.network_rx is not None:  # LXD 5.0 without a NIC gives no counters
        assert inst.network_rx is not None and inst.network_tx is not None and inst.network_rx >= 0
