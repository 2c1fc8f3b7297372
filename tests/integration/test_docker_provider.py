"""DockerProvider against the lab's real dockerd, reached over real sshd (and locally).

Every container and image a test makes carries a random suffix and is removed afterwards through the
lab's own docker CLI, so the assertions never depend on what other tests left behind.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from ocv_desktop.core.errors import ConnectError, InvalidInput, NotFound, OperationFailed, Timeout, Unsupported
from ocv_desktop.core.models import (
    AuthMethod,
    InstanceSpec,
    InstanceStatus,
    NodeSecrets,
    PortMapping,
    Protocol,
)
from ocv_desktop.providers.base import ProviderContext
from ocv_desktop.providers.docker import parse as dp
from ocv_desktop.providers.docker.provider import DockerProvider
from ocv_desktop.transport.base import CommandResult, CommandRunner
from tests.figures import figure

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # Python 3.11: deprecated but present; tests only

pytestmark = [pytest.mark.lab]

BUSYBOX = "lab/busybox:1.35"
DEBIAN = "lab/debian:12"
# PID 1 that ends at SIGTERM within a second (busybox `sleep` as PID 1 ignores SIGTERM).
SERVICE = ("sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done")


class CountingRunner:
    """Wraps the real runner: records every argv (and stdin) and can run a hook after a call."""

    def __init__(self, inner: CommandRunner) -> None:
        self.inner = inner
        self.calls: list[tuple[str, ...]] = []
        self.inputs: list[bytes | None] = []
        self.after: Callable[[tuple[str, ...]], None] | None = None

    @property
    def description(self) -> str:
        return self.inner.description

    async def run(self, argv: Sequence[str], **kwargs: Any) -> CommandResult:
        self.calls.append(tuple(argv))
        self.inputs.append(kwargs.get("input"))
        result = await self.inner.run(argv, **kwargs)
        if self.after is not None:
            self.after(tuple(argv))
        return result

    async def close(self) -> None:
        await self.inner.close()


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def home(lab_home, lab_docker):
    lab_home.ensure()
    lab_home.known_hosts.write_text(lab_docker.ssh.host_key_line + "\n")
    return lab_home


async def _connect(home, node, secrets=None, **context):
    provider = DockerProvider(ProviderContext(home=home, **context))
    await provider.connect(node, secrets or NodeSecrets())
    counting = CountingRunner(provider.command_runner)
    await provider.use_runner(node, counting)
    return provider, counting


@pytest.fixture
async def docker(home, lab_docker):
    provider, counting = await _connect(home, lab_docker.node_config())
    provider.calls = counting  # type: ignore[attr-defined]
    yield provider
    await provider.disconnect()


@pytest.fixture
def names(lab, lab_docker):
    """``names()`` -> a fresh container name; every one is force-removed at the end."""
    made: list[str] = []

    def new(prefix: str = "ocvt") -> str:
        made.append(lab.unique_name(prefix))
        return made[-1]

    yield new
    if made:
        lab_docker.docker("rm", "-f", "-v", *made)


def sh(lab_docker, *args: str, input: bytes | None = None) -> str:
    """The lab's own docker CLI (independent of the code under test); fails loudly."""
    proc = lab_docker.docker(*args, input=input)
    assert proc.returncode == 0, (args, proc.stderr)
    return proc.stdout if isinstance(proc.stdout, str) else proc.stdout.decode()


def inspect(lab_docker, ref: str) -> dict[str, Any]:
    return json.loads(sh(lab_docker, "inspect", "--type", "container", ref))[0]


def state(lab_docker, ref: str) -> str:
    return inspect(lab_docker, ref)["State"]["Status"]


def run_service(lab_docker, name: str, image: str = BUSYBOX, *opts: str) -> str:
    return sh(lab_docker, "run", "-d", "--name", name, *opts, image, *SERVICE).strip()


# --- listing -----------------------------------------------------------------------------------


async def test_list_maps_status_limits_and_addresses(docker, lab_docker, names):
    up, stopped, created = names(), names(), names()
    run_service(lab_docker, up, BUSYBOX, "--cpus", "0.5", "--memory", "64m", "-p", "18081:80")
    assert lab_docker.docker("run", "--name", stopped, BUSYBOX, "sh", "-c", "exit 4").returncode == 4
    sh(lab_docker, "create", "--name", created, BUSYBOX, "true")

    listing = {i.name: i for i in await docker.list_instances()}
    assert docker.calls.calls[0][:2] == ("docker", "ps")

    a = listing[up]
    assert a.status is InstanceStatus.RUNNING and a.raw_status == "running"
    assert len(a.id) == 64 and a.id == inspect(lab_docker, up)["Id"]
    assert a.cpu_limit == 0.5 and a.memory_limit == 64 * 2**20
    assert a.ipv4 == (inspect(lab_docker, up)["NetworkSettings"]["Networks"]["bridge"]["IPAddress"],)
    assert "18081->80/tcp" in a.extra["ports"]
    assert a.image == BUSYBOX and a.created is not None

    b = listing[stopped]
    assert b.status is InstanceStatus.STOPPED and b.raw_status == "exited" and b.extra["exit_code"] == "4"
    c = listing[created]
    assert c.status is InstanceStatus.STOPPED and c.raw_status == "created"


async def test_usage_of_running_containers_without_limits_comes_from_one_docker_stats(docker, lab_docker, names):
    busy, stopped = names(), names()
    sh(lab_docker, "run", "-d", "--name", busy, BUSYBOX, "sh", "-c", "while :; do :; done")
    sh(lab_docker, "create", "--name", stopped, BUSYBOX, "true")
    listing = await docker.list_instances()
    docker.calls.calls.clear()
    usage = {i.name: i for i in await docker.with_usage(listing)}
    assert [c[:4] for c in docker.calls.calls] == [("docker", "stats", "--no-stream", "--no-trunc")]  # one for all
    a = usage[busy]
    assert a.memory_limit is None and a.cpu_limit is None  # no limits: usage comes from docker stats
    assert a.memory_usage is not None and a.memory_usage > 0
    assert a.cpu_usage is not None and a.cpu_usage > 0.05  # a busy loop shows on the CPU
    assert a.network_rx is not None
    b = usage[stopped]
    assert b.cpu_usage is None and b.memory_usage is None
    # nothing running: no stats call at all
    docker.calls.calls.clear()
    assert await docker.with_usage([i for i in listing if i.name == stopped]) == [usage[stopped]]
    assert docker.calls.calls == []


async def test_usage_without_docker_stats_leaves_the_listing_as_it_was(docker, lab_docker, names):
    """A CLI whose `docker stats` fails (an old one, a daemon without cgroup access) costs the
    usage only."""
    name = names()
    run_service(lab_docker, name)
    listing = await docker.list_instances()
    real_run = docker.calls.inner.run

    async def stats_fails(argv, **kwargs):
        if tuple(argv[:2]) == ("docker", "stats"):
            argv = ["docker", "stats", "--no-such-flag"]
        return await real_run(argv, **kwargs)

    docker.calls.inner.run = stats_fails
    try:
        assert await docker.with_usage(listing) is listing
    finally:
        docker.calls.inner.run = real_run


async def test_instance_log_is_the_containers_output_tail(docker, lab_docker, names):
    name = names()
    sh(lab_docker, "run", "-d", "--name", name, BUSYBOX, "sh", "-c",
       "for i in 1 2 3 4 5; do echo line-$i; done; echo oops >&2; sleep 1000")  # fmt: skip
    for _ in range(50):
        if "oops" in lab_docker.docker("logs", name).stderr:
            break
        await asyncio.sleep(0.1)
    whole = await docker.instance_log(name, lines=200)
    assert whole.splitlines() == ["line-1", "line-2", "line-3", "line-4", "line-5", "oops"]
    tail = (await docker.instance_log(name, lines=2)).splitlines()
    assert len(tail) == 2 and "line-1" not in tail and "line-5" in tail  # docker's own --tail
    with pytest.raises(InvalidInput):
        await docker.instance_log(name, lines=0)
    with pytest.raises(NotFound):
        await docker.instance_log(names(), lines=5)


async def test_paused_container_is_listed_as_paused(docker, lab_docker, names):
    name = names()
    run_service(lab_docker, name)
    sh(lab_docker, "pause", name)
    assert (await docker.get_instance(name)).status is InstanceStatus.PAUSED
    # start resumes a paused container
    await docker.start_instance(name)
    assert state(lab_docker, name) == "running"


async def test_listing_200_costs_the_same_round_trips_as_2(docker, lab_docker, lab):
    prefix = lab.unique_name("ocvbulk")
    try:
        sh(lab_docker, "create", "--name", f"{prefix}-0", BUSYBOX, "true")
        sh(lab_docker, "create", "--name", f"{prefix}-1", BUSYBOX, "true")
        docker.calls.calls.clear()
        small = await docker.list_instances()
        calls_for_2 = len(docker.calls.calls)
        assert sum(i.name.startswith(prefix) for i in small) == 2

        # 198 more through one remote shell loop (the prefix is $0, not pasted into the script)
        runner = docker.calls.inner
        await runner.run(
            [
                "sh",
                "-c",
                'i=2; while [ $i -lt 200 ]; do docker create --name "$0-$i" lab/busybox:1.35 true '
                ">/dev/null || exit 1; i=$((i+1)); done",
                prefix,
            ],
            timeout=280,
        )
        docker.calls.calls.clear()
        t0 = time.monotonic()
        big = await docker.list_instances()
        elapsed = time.monotonic() - t0
        calls_for_200 = len(docker.calls.calls)
        assert sum(i.name.startswith(prefix) for i in big) == 200
        assert calls_for_200 == calls_for_2 == 2, docker.calls.calls
        assert [c[:2] for c in docker.calls.calls] == [("docker", "ps"), ("docker", "inspect")]
        figure(f"docker: list of {len(big)} containers ({calls_for_200} round trips)", elapsed)
    finally:
        ids = sh(lab_docker, "ps", "-aq", "--filter", f"name=^{prefix}-").split()
        if ids:
            sh(lab_docker, "rm", "-f", *ids)


async def test_container_vanishing_between_ps_and_inspect(docker, lab_docker, names):
    keep, gone = names(), names()
    sh(lab_docker, "create", "--name", keep, BUSYBOX, "true")
    sh(lab_docker, "create", "--name", gone, BUSYBOX, "true")

    def remove_after_ps(argv: tuple[str, ...]) -> None:
        if argv[:2] == ("docker", "ps"):
            sh(lab_docker, "rm", "-f", gone)

    docker.calls.after = remove_after_ps
    listing = {i.name for i in await docker.list_instances()}
    assert keep in listing and gone not in listing


async def test_get_instance_by_id_and_name(docker, lab_docker, names):
    name = names()
    cid = run_service(lab_docker, name)
    by_name = await docker.get_instance(name)
    by_id = await docker.get_instance(cid)
    by_prefix = await docker.get_instance(cid[:12])
    assert by_name.id == by_id.id == by_prefix.id == cid
    assert by_name.name == name and by_name.status is InstanceStatus.RUNNING
    with pytest.raises(NotFound, match="not found"):
        await docker.get_instance(names())


async def test_hostile_names_are_refused_before_anything_is_sent(docker):
    docker.calls.calls.clear()
    for bad in ("-f", "--all", "a b", "x;rm -rf /", "$(id)", "", "é"):
        with pytest.raises(InvalidInput):
            await docker.get_instance(bad)
        with pytest.raises(InvalidInput):
            await docker.delete_instance(bad, force=True)
        with pytest.raises(InvalidInput):
            await docker.create_instance(InstanceSpec(name=bad, image=BUSYBOX))
    with pytest.raises(InvalidInput):
        await docker.pull_image("--help")
    assert docker.calls.calls == []


# --- create ------------------------------------------------------------------------------------


async def test_create_with_limits_ports_env_and_command(docker, lab_docker, names):
    name = names()
    events: list[tuple[float | None, str]] = []
    spec = InstanceSpec(
        name=name,
        image=BUSYBOX,
        cpus=0.5,
        memory=48 * 2**20,
        hostname="box-one",
        ports=(PortMapping(18090, 80), PortMapping(18091, 53, Protocol.BOTH, host_ip="127.0.0.1")),
        env={"GREETING": 'it\'s "quoted" $HOME `x`', "EMPTY": ""},
        command=SERVICE,
        restart_policy="unless-stopped",
    )
    inst = await docker.create_instance(spec, progress=lambda f, m: events.append((f, m)))
    assert inst.name == name and inst.status is InstanceStatus.RUNNING
    assert events[-1][0] == 1.0 and any("creating" in m for _, m in events)

    real = inspect(lab_docker, name)
    assert real["HostConfig"]["NanoCpus"] == 500_000_000
    assert real["HostConfig"]["Memory"] == 48 * 2**20
    assert real["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped"
    assert real["Config"]["Hostname"] == "box-one"
    assert 'GREETING=it\'s "quoted" $HOME `x`' in real["Config"]["Env"] and "EMPTY=" in real["Config"]["Env"]
    assert real["Config"]["Cmd"] == list(SERVICE)
    bindings = real["HostConfig"]["PortBindings"]
    assert bindings["80/tcp"] == [{"HostIp": "", "HostPort": "18090"}]
    assert bindings["53/tcp"] == bindings["53/udp"] == [{"HostIp": "127.0.0.1", "HostPort": "18091"}]
    assert inst.cpu_limit == 0.5 and inst.memory_limit == 48 * 2**20
    # env values never reach a message or the listing's extra fields
    assert "GREETING" not in json.dumps(dict(inst.extra))


async def test_create_not_started(docker, lab_docker, names):
    name = names()
    inst = await docker.create_instance(InstanceSpec(name=name, image=BUSYBOX, command=("true",), start=False))
    assert inst.status is InstanceStatus.STOPPED and state(lab_docker, name) == "created"


async def test_create_existing_name_is_a_clear_error(docker, lab_docker, names):
    name = names()
    sh(lab_docker, "create", "--name", name, BUSYBOX, "true")
    with pytest.raises(InvalidInput, match="already exists"):
        await docker.create_instance(InstanceSpec(name=name, image=BUSYBOX, command=SERVICE))


async def test_create_that_exits_at_once_reports_its_output(docker, names):
    name = names()
    spec = InstanceSpec(name=name, image=BUSYBOX, command=("sh", "-c", "echo boom-from-inside >&2; exit 3"))
    with pytest.raises(OperationFailed, match="exit code 3") as info:
        await docker.create_instance(spec)
    assert "boom-from-inside" in info.value.log_tail


async def test_create_missing_image(docker, names, lab_docker):
    missing = f"{lab_docker.registry}/lab/ocv-no-such:1"  # the lab registry: nothing leaves the namespace
    name = names()
    with pytest.raises(NotFound, match="not found in its registry"):
        await docker.create_instance(InstanceSpec(name=name, image=missing, command=SERVICE))
    assert lab_docker.docker("inspect", name).returncode != 0
    # with pull=never the daemon is not asked to pull, and says the image is not there
    with pytest.raises(NotFound, match="could not be pulled"):
        await docker.create_instance(InstanceSpec(name=name, image=missing, command=SERVICE, extra={"pull": "never"}))


async def test_create_pulls_a_missing_image_with_progress(docker, names, lab_docker):
    ref = f"{lab_docker.registry}/lab/busybox:1.35"
    lab_docker.docker("rmi", ref)
    events: list[tuple[float | None, str]] = []
    name = names()
    try:
        inst = await docker.create_instance(
            InstanceSpec(name=name, image=ref, command=SERVICE), progress=lambda f, m: events.append((f, m))
        )
        assert inst.status is InstanceStatus.RUNNING and inst.image == ref
        assert any("Pulling from lab/busybox" in m for _, m in events), events
        fractions = [f for f, _ in events if f is not None]
        assert fractions == sorted(fractions) and fractions[-1] == 1.0
    finally:
        lab_docker.docker("rm", "-f", name)
        lab_docker.docker("rmi", ref)


async def test_disk_limit_refused_before_creating_when_driver_cannot(docker, lab_docker, names):
    info = json.loads(sh(lab_docker, "info", "--format", "{{json .}}"))
    assert dp.disk_limit_support(info).supported is False, info.get("DriverStatus")  # the lab: overlay2 on ext4/tmpfs
    name = names()
    docker.calls.calls.clear()
    with pytest.raises(Unsupported, match="cannot limit the disk size"):
        await docker.create_instance(InstanceSpec(name=name, image=BUSYBOX, disk=2 * 2**30, command=SERVICE))
    assert not any(c[:2] in (("docker", "run"), ("docker", "create")) for c in docker.calls.calls)
    assert lab_docker.docker("inspect", name).returncode != 0


# --- lifecycle ---------------------------------------------------------------------------------


async def test_stop_start_restart(docker, lab_docker, names):
    name = names()
    run_service(lab_docker, name)
    await docker.stop_instance(name, timeout=5)
    assert state(lab_docker, name) == "exited"
    await docker.stop_instance(name, timeout=5)  # stopping a stopped container succeeds
    await docker.start_instance(name)
    assert state(lab_docker, name) == "running"
    before = inspect(lab_docker, name)["State"]["StartedAt"]
    await docker.restart_instance(name)
    after = inspect(lab_docker, name)["State"]
    assert after["Status"] == "running" and after["StartedAt"] != before


async def test_stop_kills_what_ignores_sigterm(docker, lab_docker, names):
    name = names()
    sh(lab_docker, "run", "-d", "--name", name, BUSYBOX, "sleep", "1000")  # PID 1 ignores SIGTERM
    await asyncio.wait_for(docker.stop_instance(name, timeout=1), 60)  # 60: only against a hang
    assert state(lab_docker, name) == "exited"
    assert inspect(lab_docker, name)["State"]["ExitCode"] == 137  # killed after its 1 s grace, it never exits itself
    sh(lab_docker, "start", name)
    await docker.stop_instance(name, force=True)
    assert inspect(lab_docker, name)["State"]["ExitCode"] == 137


async def test_missing_containers(docker, names):
    missing = names()
    for call in (
        docker.stop_instance(missing),
        docker.stop_instance(missing, force=True),
        docker.start_instance(missing),
        docker.restart_instance(missing),
        docker.delete_instance(missing),
        docker.delete_instance(missing, force=True),
    ):
        with pytest.raises(NotFound, match=missing):
            await call


async def test_delete_running_needs_force(docker, lab_docker, names):
    name = names()
    run_service(lab_docker, name)
    with pytest.raises(InvalidInput, match="is running"):
        await docker.delete_instance(name)
    assert state(lab_docker, name) == "running"
    await docker.delete_instance(name, force=True)
    assert lab_docker.docker("inspect", name).returncode != 0


async def test_delete_keeps_volumes_unless_purged(docker, lab_docker, names):
    kept, purged = names(), names()
    for name in (kept, purged):
        sh(lab_docker, "create", "--name", name, "-v", "/data", BUSYBOX, "true")
    kept_vol = inspect(lab_docker, kept)["Mounts"][0]["Name"]
    purged_vol = inspect(lab_docker, purged)["Mounts"][0]["Name"]
    try:
        await docker.delete_instance(kept)
        await docker.delete_instance(purged, purge_volumes=True)
        assert lab_docker.docker("volume", "inspect", kept_vol).returncode == 0
        assert lab_docker.docker("volume", "inspect", purged_vol).returncode != 0
    finally:
        lab_docker.docker("volume", "rm", "-f", kept_vol, purged_vol)


# --- images ------------------------------------------------------------------------------------


async def test_list_images(docker):
    images = await docker.list_images()
    tags = {t for i in images for t in i.aliases}
    assert {BUSYBOX, DEBIAN} <= tags
    busybox = next(i for i in images if BUSYBOX in i.aliases)
    assert busybox.id.startswith("sha256:") and busybox.size and busybox.created


async def test_pull_from_the_lab_registry_with_progress(docker, lab_docker, lab):
    ref = f"{lab_docker.registry}/lab/busybox:1.35"
    lab_docker.docker("rmi", ref)  # make sure it is really pulled (the tag, at least)
    events: list[tuple[float | None, str]] = []
    image = await docker.pull_image(ref, progress=lambda f, m: events.append((f, m)))
    try:
        assert ref in image.aliases and image.id.startswith("sha256:")
        assert any("Pulling from lab/busybox" in m for _, m in events), events
        assert any(m.startswith(("Digest:", "Status:")) for _, m in events), events
        assert events[-1][0] == 1.0
        assert ref in {t for i in await docker.list_images() for t in i.aliases}
    finally:
        lab_docker.docker("rmi", ref)
    with pytest.raises(NotFound, match="not found"):
        await docker.pull_image(f"{lab_docker.registry}/lab/{lab.unique_name('nothing')}:1")


async def test_delete_image_refuses_while_used(docker, lab_docker, names, lab):
    user = names()
    image = f"ocvt/{lab.unique_name('img')}:1"
    sh(lab_docker, "create", "--name", user, BUSYBOX, "true")
    sh(lab_docker, "commit", user, image)  # an image with its own id, only this tag
    sh(lab_docker, "rm", user)
    sh(lab_docker, "run", "--name", user, image, "true")  # a stopped user
    try:
        with pytest.raises(InvalidInput, match=f"used by containers {user} \\(exited\\)"):
            await docker.delete_image(image)
        assert lab_docker.docker("image", "inspect", image).returncode == 0
        await docker.delete_image(image, force=True)
        assert image not in {t for i in await docker.list_images() for t in i.aliases}
        with pytest.raises(NotFound):
            await docker.delete_image(image)
    finally:
        lab_docker.docker("rm", "-f", user)
        lab_docker.docker("rmi", "-f", image)


async def test_delete_second_tag_of_a_used_image_only_untags(docker, lab_docker, names, lab):
    user = names()
    run_service(lab_docker, user)
    alias = f"ocvt/{lab.unique_name('alias')}:2"
    sh(lab_docker, "tag", BUSYBOX, alias)
    await docker.delete_image(alias)
    assert lab_docker.docker("image", "inspect", alias).returncode != 0
    assert lab_docker.docker("image", "inspect", BUSYBOX).returncode == 0


# --- passwords ---------------------------------------------------------------------------------

PASSWORDS = [
    "simple-Pass1",
    'it\'s "quoted"',
    "dollar $HOME $(id) `id`",
    "back\\slash\\\\n",
    "with spaces  and\ttab",
    "ünïcødé 密码 пароль",
    "colon:in:it",
]


def _hash_of(lab_docker, name: str, user: str = "root", path: str = "/etc/shadow") -> str:
    for line in sh(lab_docker, "exec", name, "cat", path).splitlines():
        fields = line.split(":")
        if fields[0] == user:
            return fields[1]
    raise AssertionError(f"{user} not in {path}")


def _matches(password: str, hashed: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return crypt.crypt(password, hashed) == hashed


async def test_password_in_debian_via_chpasswd(docker, lab_docker, names):
    name = names()
    run_service(lab_docker, name, DEBIAN)
    for password in PASSWORDS:
        docker.calls.calls.clear()
        await docker.set_instance_password(name, password)
        hashed = _hash_of(lab_docker, name)
        assert hashed.startswith("$") and _matches(password, hashed), password
        assert not _matches(password + "x", hashed)
        assert all(password not in arg for call in docker.calls.calls for arg in call)
        assert docker.calls.calls == [("docker", "exec", "-i", "--user", "0", "--", name, "chpasswd")]
    generated = await docker.reset_instance_password(name)
    assert len(generated) >= 12 and _matches(generated, _hash_of(lab_docker, name))


async def test_password_in_busybox_via_passwd(docker, lab_docker, names):
    name = names()
    run_service(lab_docker, name, BUSYBOX)  # no chpasswd, no /etc/shadow: busybox passwd edits /etc/passwd
    for password in ("busy-Box1", "it's $HOME \\ ünï"):
        await docker.set_instance_password(name, password)
        hashed = _hash_of(lab_docker, name, path="/etc/passwd")
        assert _matches(password, hashed), (password, hashed)
    assert docker.calls.calls[-1][-2:] == ("passwd", "root")


async def test_password_unsupported_without_chpasswd_and_passwd(docker, lab_docker, names, lab, tmp_path):
    import io
    import tarfile

    image = f"ocvt/{lab.unique_name('bare')}:1"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add("/bin/busybox", arcname="bin/busybox")
        for applet in ("sh", "sleep"):
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type, link.linkname = tarfile.SYMTYPE, "busybox"
            tar.addfile(link)
    sh(lab_docker, "import", "-", image, input=buf.getvalue())
    name = names()
    try:
        run_service(lab_docker, name, image)
        with pytest.raises(Unsupported, match="neither chpasswd nor passwd"):
            await docker.set_instance_password(name, "whatever-1A")
    finally:
        lab_docker.docker("rm", "-f", name)
        lab_docker.docker("rmi", "-f", image)


async def test_password_of_stopped_or_missing_container(docker, lab_docker, names):
    name = names()
    sh(lab_docker, "create", "--name", name, DEBIAN, "true")
    with pytest.raises(InvalidInput, match="not running"):
        await docker.set_instance_password(name, "Secret-123")
    assert state(lab_docker, name) == "created"  # not started behind the user's back
    with pytest.raises(NotFound):
        await docker.set_instance_password(names(), "Secret-123")
    with pytest.raises(InvalidInput, match="line breaks"):
        await docker.set_instance_password(name, "two\nlines")


# --- service probe, users, local ---------------------------------------------------------------


async def test_probe_service(docker):
    detail = await docker.probe_service()
    assert detail.startswith("Docker 20.10") and "API 1.41" in detail
    assert docker.api_configured is False and docker.command_runner is docker.calls


def cli_server_detail(lab_docker) -> str:
    """What `docker version` says of the server, through the lab's own CLI."""
    server = json.loads(sh(lab_docker, "version", "--format", "{{json .Server}}"))
    return f"Docker {server['Version']} (API {server['ApiVersion']})"


async def _direct(home, node, secrets=None) -> DockerProvider:
    """A provider on the real runner, unwrapped: its DirectAccess (SFTP, forwarded sockets) is used."""
    provider = DockerProvider(ProviderContext(home=home))
    await provider.connect(node, secrets or NodeSecrets())
    return provider


async def test_service_probe_over_the_docker_socket_equals_the_cli(home, lab_docker, docker):
    provider = await _direct(home, lab_docker.node_config())
    try:
        detail = await provider.probe_service()  # learns the socket from DOCKER_HOST (one command)
        sessions = lab_docker.ssh.count_sessions()
        assert await provider.probe_service() == detail
        assert lab_docker.ssh.count_sessions() == sessions  # the API answered: no process on the node
    finally:
        await provider.disconnect()
    assert detail == cli_server_detail(lab_docker)
    assert await docker.probe_service() == detail  # the wrapped runner has no DirectAccess: the CLI
    assert ("docker", "version", "--format", "{{json .}}") in docker.calls.calls


@pytest.fixture
def private_socket(lab, lab_docker):
    """The lab's Docker socket behind a directory only root may enter: the login user cannot
    reach it (as a user outside the docker group), ``sudo docker`` can."""
    folder = lab.dir / f"private-{os.urandom(3).hex()}"
    folder.mkdir(mode=0o700)
    (folder / "docker.sock").symlink_to(lab_docker.socket)
    yield folder / "docker.sock"
    (folder / "docker.sock").unlink()
    folder.rmdir()


@pytest.mark.parametrize("closed_by", ["forwarding disabled", "no socket access, sudo"])
async def test_service_probe_falls_back_to_the_cli_where_the_socket_is_closed(
    home, lab, lab_docker, private_socket, closed_by
):
    if closed_by == "forwarding disabled":
        host = lab.new_ssh_host(
            env={"DOCKER_HOST": f"unix://{lab_docker.socket}"},
            sshd_options={"AllowStreamLocalForwarding": "no"},
        )
        node, secrets, refusal = host.node_config(), NodeSecrets(), "refused streamlocal port forward"
    else:
        host = lab.new_ssh_host(env={"DOCKER_HOST": f"unix://{private_socket}"})
        node = host.node_config(username=host.user, auth=AuthMethod.PASSWORD, key_path=None, use_sudo=True)
        secrets = NodeSecrets(ssh_password=host.user_password)
        refusal = f"connect to {private_socket} port -2 failed: Permission denied"
    try:
        with home.known_hosts.open("a") as f:
            f.write(host.host_key_line + "\n")
        provider = await _direct(home, node, secrets)
        try:
            details = [await provider.probe_service()]
            sessions = host.count_sessions()
            details += [await provider.probe_service(), await provider.probe_service()]
            per_probe = (host.count_sessions() - sessions) / 2
        finally:
            await provider.disconnect()
        log = host.sshd_log()
    finally:
        lab.remove_ssh_host(host)
    assert details == [cli_server_detail(lab_docker)] * 3
    # the socket was tried once; the CLI worked, so this connection keeps to the CLI
    assert log.count(refusal) == 1, log
    assert per_probe == 1  # `docker version` only


async def test_an_engine_whose_ping_does_not_say_docker_is_asked_its_version_document(home, lab):
    """Another engine behind the socket (a Docker-compatible API whose Server header names itself):
    the detail comes from its GET /version, still without a process on the node."""
    asked: list[bytes] = []
    body = json.dumps({"Version": "4.9.3", "ApiVersion": "1.41", "Os": "linux"}).encode()

    async def engine(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        asked.append(request.split(b"\r\n", 1)[0])
        head = b"HTTP/1.0 200 OK\r\nServer: Libpod/4.9.3 (linux)\r\nApi-Version: 1.41\r\n"
        payload = body if request.startswith(b"GET /version ") else b"OK"
        writer.write(head + b"Content-Length: %d\r\n\r\n" % len(payload) + payload)
        writer.close()

    path = lab.dir / f"engine-{os.urandom(3).hex()}.sock"
    server = await asyncio.start_unix_server(engine, str(path))
    host = lab.new_ssh_host(env={"DOCKER_HOST": f"unix://{path}"})
    try:
        with home.known_hosts.open("a") as f:
            f.write(host.host_key_line + "\n")
        provider = await _direct(home, host.node_config())
        try:
            detail = await provider.probe_service()
            sessions = host.count_sessions()
            assert await provider.probe_service() == detail
            assert host.count_sessions() == sessions
        finally:
            await provider.disconnect()
    finally:
        lab.remove_ssh_host(host)
        server.close()
        await server.wait_closed()
        path.unlink(missing_ok=True)
    assert detail == "Docker 4.9.3 (API 1.41)"
    assert asked == [b"GET /_ping HTTP/1.1", b"GET /version HTTP/1.1"] * 2


async def test_a_docker_host_that_is_not_a_unix_socket_is_left_to_the_cli(home, lab):
    host = lab.new_ssh_host(env={"DOCKER_HOST": "tcp://127.0.0.1:9"})
    try:
        with home.known_hosts.open("a") as f:
            f.write(host.host_key_line + "\n")
        provider = await _direct(home, host.node_config())
        try:
            with pytest.raises(ConnectError, match=r"Docker daemon on root@10\.77\.\S+ is not running") as info:
                await provider.probe_service()
        finally:
            await provider.disconnect()
        log = host.sshd_log()
    finally:
        lab.remove_ssh_host(host)
    assert "tcp://127.0.0.1:9" in str(info.value)  # the CLI's own words
    assert "streamlocal" not in log and "port -2" not in log  # no socket was tried


async def test_non_root_user_through_docker_group_and_sudo(home, lab_docker):
    ssh = lab_docker.ssh
    node = lab_docker.node_config(username=ssh.user, auth=AuthMethod.PASSWORD)
    secrets = NodeSecrets(ssh_password=ssh.user_password)
    for variant in (node, node.replace(use_sudo=True)):
        provider, _ = await _connect(home, variant, secrets)
        try:
            who = await provider.command_runner.run(["id", "-un"])
            # the docker group lets the login user in; with use_sudo the commands run as root
            assert who.out.strip() == ("root" if variant.use_sudo else ssh.user)
            assert isinstance(await provider.list_instances(), list)
            assert (await provider.probe_service()).startswith("Docker")
        finally:
            await provider.disconnect()


async def test_this_computer_through_the_local_runner(home, lab_docker, names, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{lab_docker.socket}")
    node = lab_docker.node_config(local=True)
    provider = DockerProvider(ProviderContext(home=home))
    await provider.connect(node, NodeSecrets())
    try:
        assert provider.command_runner.description == "this computer"
        name = names()
        inst = await provider.create_instance(InstanceSpec(name=name, image=BUSYBOX, command=SERVICE))
        assert inst.status is InstanceStatus.RUNNING
        assert name in {i.name for i in await provider.list_instances()}
        await provider.delete_instance(name, force=True)
        assert lab_docker.docker("inspect", name).returncode != 0
    finally:
        await provider.disconnect()


# --- a daemon that goes away (these restart the lab's dockerd: keep them last) -----------------


async def test_stopped_daemon_gives_a_clear_error_quickly(home, lab_docker):
    provider, _ = await _connect(home, lab_docker.node_config(), command_timeout=5.0)
    lab_docker.stop_daemon()
    try:
        # ConnectError, not Timeout: the answer came at once, not when command_timeout ran out
        with pytest.raises(ConnectError, match=r"Docker daemon .* is not running"):
            await provider.list_instances()
        with pytest.raises(ConnectError, match="Docker daemon"):
            await provider.probe_service()
    finally:
        lab_docker.start_daemon()
        await provider.disconnect()
    provider, _ = await _connect(home, lab_docker.node_config())
    try:
        assert isinstance(await provider.list_instances(), list)
    finally:
        await provider.disconnect()


async def test_hung_daemon_times_out_instead_of_hanging(home, lab_docker):
    provider, _ = await _connect(home, lab_docker.node_config(), command_timeout=3.0)
    direct = DockerProvider(ProviderContext(home=home, command_timeout=3.0))
    await direct.connect(lab_docker.node_config(), NodeSecrets())
    await direct.probe_service()  # the socket is known: the next probe goes straight to it
    os.kill(lab_docker.dockerd_pid, signal.SIGSTOP)
    try:
        # our own Timeout at command_timeout (3 s), not asyncio's TimeoutError at the 30 s hang bound
        with pytest.raises(Timeout) as info:
            await asyncio.wait_for(provider.list_instances(), 30)
        assert "Docker daemon" in str(info.value) and info.value.seconds == 3.0
        # over the socket: the connection is accepted, the answer never comes
        with pytest.raises(Timeout, match="GET /_ping") as info:
            await asyncio.wait_for(direct.probe_service(), 30)
        assert info.value.seconds == 3.0
        assert "the Docker daemon on root@10.77." in str(info.value)
    finally:
        os.kill(lab_docker.dockerd_pid, signal.SIGCONT)
        await provider.disconnect()
        await direct.disconnect()


# --- snapshots and commit ----------------------------------------------------------------------------


async def test_docker_says_plainly_it_has_no_snapshots(docker, names, lab_docker):
    name = names()
    await docker.create_instance(InstanceSpec(name=name, image=BUSYBOX, command=SERVICE))
    before = len(docker.calls.calls)
    for call in (
        lambda: docker.list_snapshots(name),
        lambda: docker.create_snapshot(name, "s1"),
        lambda: docker.restore_snapshot(name, "s1"),
        lambda: docker.delete_snapshot(name, "s1"),
    ):
        with pytest.raises(Unsupported) as info:
            await call()
        assert info.value.message == "Docker has no snapshots"
        assert info.value.hint and "instances commit" in info.value.hint
    assert len(docker.calls.calls) == before  # nothing was run on the node


async def test_commit_saves_the_container_filesystem_as_an_image(docker, names, lab, lab_docker):
    name = names()
    image = f"ocv-commit/{lab.unique_name('img')}:before"
    await docker.create_instance(InstanceSpec(name=name, image=BUSYBOX, command=SERVICE))
    lab_docker.docker("exec", name, "sh", "-c", "echo kept > /marker")
    try:
        committed = await docker.commit_instance(name, image)
        assert image in committed.aliases or committed.name == image
        out = lab_docker.docker("run", "--rm", image, "cat", "/marker")
        assert out.stdout.strip() == "kept"
        with pytest.raises(InvalidInput):
            await docker.commit_instance(name, "-bad")
        with pytest.raises(NotFound):
            await docker.commit_instance(names(), image)
    finally:
        lab_docker.docker("rmi", "-f", image)
