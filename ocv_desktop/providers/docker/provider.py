"""Docker nodes, driven through the ``docker`` CLI over the node's command runner (SSH, or the local
runner for "this computer").

What the original got wrong and this module does not repeat (oneclickvirt-provider-behaviour.md §4,
§11): listings are read as JSON (never split on whitespace), every id, name and image goes in its
own argv element after ``--`` (and is validated first), passwords travel on stdin only, delete never
prunes the host, and a listing costs the same number of round trips for 2 containers as for 200:
one ``docker ps`` plus one batched ``docker inspect``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import os
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ocv_desktop.core.errors import (
    AuthError,
    ConnectError,
    InvalidInput,
    NotFound,
    OcvError,
    OperationFailed,
    RemoteError,
    Timeout,
    Unsupported,
    redact_argv,
)
from ocv_desktop.core.models import (
    Image,
    Instance,
    InstanceSpec,
    InstanceType,
    NodeConfig,
    NodeSecrets,
    Platform,
    PortMapping,
    ProgressCallback,
    Protocol,
    Snapshot,
)
from ocv_desktop.providers.base import (
    Provider,
    ProviderContext,
    check_new_password,
    chpasswd_input,
    no_progress,
    parse_off_loop,
    passwd_input,
    validate_instance_name,
)
from ocv_desktop.providers.docker import parse as dp
from ocv_desktop.providers.docker.engine import DockerEngine
from ocv_desktop.providers.shape import arr, obj
from ocv_desktop.providers.systemd import SystemdUnits
from ocv_desktop.transport.base import CommandResult, CommandRunner
from ocv_desktop.transport.commands import redact, sudo_refused
from ocv_desktop.transport.console import ConsoleChannel, TermSize

# Docker's own rule for container names (daemon/names.go), capped at 63 like every other platform.
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,62}$")
NAME_HINT = "2-63 characters: letters, digits, '_', '.' and '-', starting with a letter or digit"
# What may name an existing container: a name, a full id or an id prefix (1+ characters).
REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
# Image references: [registry[:port]/]repo[:tag][@digest], or an image id (sha256:...).
IMAGE_RE = re.compile(r"^[A-Za-z0-9\[][A-Za-z0-9._/:@\[\]-]{0,254}$")
FULL_ID_RE = re.compile(r"^[0-9a-f]{64}$")
HOSTNAME_RE = re.compile(
    r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
RESTART_RE = re.compile(r"^(no|always|unless-stopped|on-failure(:[0-9]{1,4})?)$")
ENV_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")

MIN_MEMORY = 6 * 2**20  # dockerd refuses less than 6 MiB

# `--opt key=value` (InstanceSpec.extra) options this provider understands -> docker run flag.
EXTRA_OPTIONS = {
    "network": "--network",
    "user": "--user",
    "workdir": "--workdir",
    "entrypoint": "--entrypoint",
    "pull": "--pull",  # missing | always | never
    "shm_size": "--shm-size",
}

# Stderr fragments by which the docker CLI says it could not talk to the daemon at all.
_DAEMON_DOWN = ("Cannot connect to the Docker daemon", "Is the docker daemon running", "error during connect")
_SOCKET_DENIED = "permission denied while trying to connect to the docker"
_NO_SUCH = re.compile(r"No such (container|object|image)|image not known|reference does not exist", re.IGNORECASE)
_NOT_RUNNING = re.compile(r"is not running", re.IGNORECASE)
_NOT_FOUND_EXEC = re.compile(r"executable file not found|no such file or directory", re.IGNORECASE)

# Per-call argv budget for the batched inspect: far below sshd's 256 KiB packet and Linux ARG_MAX;
# Windows command lines (Docker Desktop as "this computer") stop at 32 767 characters.
_INSPECT_BUDGET = 24_000 if os.name == "nt" else 200_000

# After `docker run -d` returns the container is started; it counts as up once it has stayed
# running for this long (a command that exits at once is reported with its log tail).
START_SETTLE = 1.0
START_WAIT = 20.0
LOG_TAIL_LINES = 20


class DockerProvider(Provider):
    type = Platform.DOCKER
    instance_types = (InstanceType.CONTAINER,)
    name_pattern = NAME_RE
    name_hint = NAME_HINT

    def __init__(self, context: ProviderContext) -> None:
        super().__init__(context)
        self._runner: CommandRunner | None = None
        self._systemd: SystemdUnits | None = None  # follows the runner: one per connection
        self._engine: DockerEngine | None = None  # likewise

    # --- connection ----------------------------------------------------------------------------

    async def connect(self, node: NodeConfig, secrets: NodeSecrets) -> None:
        await self.disconnect()
        self._runner = await self._open_runner(node, secrets, connect_now=True)  # a Docker node's only road
        self._node = node

    async def use_runner(self, node: NodeConfig, runner: CommandRunner) -> None:
        """Use this runner from now on (tests wrap the real one to count calls); ``disconnect``
        closes it like one the provider opened itself."""
        self._runner = runner
        self._node = node

    async def disconnect(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.close()

    @property
    def command_runner(self) -> CommandRunner | None:
        return self._runner

    @property
    def api_configured(self) -> bool:
        return False  # Docker nodes are driven over the shell only

    @property
    def _quick(self) -> float:
        """Time limit for calls that should answer at once (ps, inspect, start, rm, exec)."""
        return min(self.context.command_timeout, 60.0)

    @property
    def _where(self) -> str:
        return self._runner.description if self._runner else self.name

    # --- the one way we call docker ------------------------------------------------------------

    async def _docker(
        self,
        *args: str,
        input: bytes | None = None,
        timeout: float | None = None,
        check: bool = True,
        on_stdout_line: Any = None,
        secrets: Sequence[str] = (),
    ) -> CommandResult:
        """Run ``docker ARGS`` and turn the CLI's failure modes into clear errors: daemon down ->
        ConnectError, socket permission -> AuthError, no docker -> Unsupported, else RemoteError
        (only when ``check``; callers that inspect stderr themselves pass ``check=False``)."""
        if self._runner is None:
            raise ConnectError(f"not connected to {self.name}")
        argv = ("docker", *args)
        limit = self._quick if timeout is None else timeout
        try:
            result = await self._runner.run(
                argv, input=input, timeout=limit, check=False, on_stdout_line=on_stdout_line, secrets=secrets
            )
        except Timeout as exc:
            raise Timeout(
                exc.what, exc.seconds, hint=f"the Docker daemon on {self._where} did not answer; it may be hung"
            ) from None
        if result.ok:
            return result
        err = result.err
        if self._node is not None and self._node.use_sudo and sudo_refused(result):
            raise AuthError(
                f"sudo on {self._where} needs a password to run docker",
                hint="allow this user passwordless sudo (NOPASSWD) for docker, or add it to the docker group",
            )
        if any(marker in err for marker in _DAEMON_DOWN):
            raise ConnectError(
                f"the Docker daemon on {self._where} is not running or not reachable: {_tail(err, secrets)}",
                hint="start it (e.g. `systemctl start docker`) and retry",
            )
        if _SOCKET_DENIED in err.lower():
            raise AuthError(
                f"{self._where} may not use the Docker daemon: {_tail(err, secrets)}",
                hint="add the SSH user to the docker group, or enable 'use sudo' for this node",
            )
        if result.exit_status == 127 and "docker" in err and "not found" in err:
            raise Unsupported(f"the docker command is not installed on {self._where}")
        if check:
            raise RemoteError(redact_argv(argv, secrets), result.exit_status, _tail(err, secrets))
        return result

    def _fail(self, result: CommandResult, secrets: Sequence[str] = ()) -> RemoteError:
        # Commands run by `docker exec` may report on stdout only.
        output = result.err if result.err.strip() else result.out
        return RemoteError(redact_argv(result.argv, secrets), result.exit_status, _tail(output, secrets))

    # --- instances -----------------------------------------------------------------------------

    async def list_instances(self) -> list[Instance]:
        ps = await self._docker("ps", "-a", "--no-trunc", "--format", "{{json .}}")
        rows = await parse_off_loop(ps.out.count("\n"), dp.parse_json_lines, ps.out, "docker ps")
        ids = [str(r.get("ID", "")) for r in rows]
        bad = [i for i in ids if not FULL_ID_RE.fullmatch(i)]
        if bad:
            raise dp.DockerOutputError(f"`docker ps` printed an unexpected container id: {bad[0][:80]!r}")
        inspected = await self._inspect_containers(ids) if ids else []
        return await parse_off_loop(len(rows), dp.merge_listing, rows, inspected, self.node.id)

    async def _inspect_containers(self, refs: Sequence[str]) -> list[dict[str, Any]]:
        """``docker inspect`` of many containers in one call (one per ~3000 ids). Ones that no
        longer exist are simply absent from the result."""
        found: list[dict[str, Any]] = []
        for batch in argv_batches(refs, _INSPECT_BUDGET):
            result = await self._docker("inspect", "--type", "container", "--", *batch, check=False)
            if not result.ok:
                problems = [ln for ln in result.err.splitlines() if ln.strip() and not _NO_SUCH.search(ln)]
                if problems:
                    raise self._fail(result)
            found.extend(await parse_off_loop(len(batch), dp.parse_inspect, result.out))
        return found

    async def get_instance(self, instance_id: str) -> Instance:
        return dp.instance_from_inspect(await self._inspect_one(_check_ref(instance_id)), self.node.id)

    async def _inspect_one(self, ref: str) -> dict[str, Any]:
        found = await self._inspect_containers([ref])
        if not found:
            raise self._missing(ref)
        return found[0]

    def _missing(self, ref: str) -> NotFound:
        return NotFound(f"container {ref!r} not found on {self.name}")

    async def create_instance(self, spec: InstanceSpec, progress: ProgressCallback | None = None) -> Instance:
        report = progress or no_progress
        argv = run_argv(spec)  # validates everything before anything is sent
        if spec.disk is not None:
            report(0.05, "checking whether the storage driver can limit disk size")
            await self._check_disk_limit()
        await self._pull_for_create(spec, report)
        report(0.5, f"creating container {spec.name}")
        result = await self._docker(*argv, timeout=self.context.command_timeout, check=False)
        if not result.ok:
            raise self._create_error(spec, result)
        lines = result.out.strip().splitlines()
        container_id = lines[-1].strip() if lines else spec.name
        if not FULL_ID_RE.fullmatch(container_id):
            container_id = spec.name
        if spec.start:
            report(0.7, f"waiting for {spec.name} to be running")
            await self._wait_running(container_id, spec.name)
        report(1.0, f"{spec.name} is {'running' if spec.start else 'created'}")
        return await self.get_instance(container_id)

    async def _pull_for_create(self, spec: InstanceSpec, report: ProgressCallback) -> None:
        """Pull a missing image first, so its download shows as progress (`docker run` would pull
        it silently on stderr). ``--opt pull=never|always`` is honoured."""
        policy = spec.extra.get("pull", "missing")
        if policy == "never":
            return
        if policy != "always":
            report(0.1, f"looking for image {spec.image}")
            found = await self._docker("image", "inspect", "--format", "{{.Id}}", "--", spec.image, check=False)
            if found.ok:
                return

        def scaled(fraction: float | None, message: str) -> None:
            report(None if fraction is None else 0.1 + 0.4 * fraction, message)

        await self.pull_image(spec.image, progress=scaled)

    async def _check_disk_limit(self) -> None:
        info = await self._docker("info", "--format", "{{json .}}")
        doc = dp.parse_json_document(info.out, "docker info")
        support = dp.disk_limit_support(doc if isinstance(doc, dict) else {})
        if support.supported is False:
            raise Unsupported(
                f"cannot limit the disk size on {self.name}: {support.reason}",
                hint="create the container without a disk size",
            )

    def _create_error(self, spec: InstanceSpec, result: CommandResult) -> OcvError:
        err = result.err
        if "is already in use" in err and "Conflict" in err:
            return InvalidInput(f"a container named {spec.name!r} already exists on {self.name}")
        if "storage-opt" in err.lower() and "supported" in err.lower():
            return Unsupported(f"cannot limit the disk size on {self.name}: {_tail(err)}")
        if re.search(r"Unable to find image|pull access denied|manifest unknown|No such image", err, re.IGNORECASE):
            return NotFound(f"image {spec.image!r} is not on {self.name} and could not be pulled: {_tail(err)}")
        return self._fail(result)

    async def _wait_running(self, ref: str, name: str) -> None:
        deadline = time.monotonic() + START_WAIT
        running_since: float | None = None
        delay = 0.2
        while True:
            state = obj((await self._inspect_one(ref)).get("State"), "State")
            status = str(state.get("Status", ""))
            now = time.monotonic()
            if status == "running":
                running_since = running_since or now
                if now - running_since >= START_SETTLE:
                    return
            elif status in ("exited", "dead"):
                raise await self._start_failure(ref, name, f"exited at once (exit code {state.get('ExitCode')})")
            else:
                running_since = None
            if now >= deadline:
                raise await self._start_failure(ref, name, f"did not stay running within {START_WAIT:g} s ({status})")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    async def _start_failure(self, ref: str, name: str, what: str) -> OperationFailed:
        logs = await self._docker("logs", "--tail", str(LOG_TAIL_LINES), "--", ref, check=False)
        tail = (logs.out + logs.err).strip().splitlines()[-LOG_TAIL_LINES:]
        return OperationFailed(
            f"container {name} {what}; its last output:" if tail else f"container {name} {what} (no output)",
            log_tail=tail,
            hint="the container was kept for inspection; delete it when done",
        )

    async def start_instance(self, instance_id: str) -> None:
        ref = _check_ref(instance_id)
        result = await self._docker("start", "--", ref, check=False)
        if result.ok:
            return
        if _NO_SUCH.search(result.err):
            raise self._missing(ref)
        if "paused" in result.err.lower():  # a paused container is resumed, not started
            await self._docker("unpause", "--", ref)
            return
        raise self._fail(result)

    async def stop_instance(self, instance_id: str, *, timeout: float = 30.0, force: bool = False) -> None:
        ref = _check_ref(instance_id)
        if not force:
            grace = max(0, math.ceil(timeout))
            try:
                # docker stop sends SIGTERM, waits `grace` seconds, then SIGKILL; stopping a
                # stopped container succeeds.
                result = await self._docker(
                    "stop", "-t", str(grace), "--", ref, timeout=grace + self._quick, check=False
                )
            except Timeout:
                result = None  # the CLI itself hung: fall through to a kill
            if result is not None:
                if result.ok:
                    return
                if _NO_SUCH.search(result.err):
                    raise self._missing(ref)
                if not re.search(r"did not receive an exit event|context deadline|timeout", result.err, re.IGNORECASE):
                    raise self._fail(result)
        result = await self._docker("kill", "--", ref, check=False)
        if result.ok or _NOT_RUNNING.search(result.err):
            return
        if _NO_SUCH.search(result.err):
            raise self._missing(ref)
        raise self._fail(result)

    async def restart_instance(self, instance_id: str) -> None:
        ref = _check_ref(instance_id)
        result = await self._docker("restart", "-t", "30", "--", ref, timeout=30 + self._quick, check=False)
        if result.ok:
            return
        if _NO_SUCH.search(result.err):
            raise self._missing(ref)
        raise self._fail(result)

    async def delete_instance(self, instance_id: str, *, force: bool = False, purge_volumes: bool = False) -> None:
        ref = _check_ref(instance_id)
        if force:
            await self.stop_instance(ref)
        # Anonymous volumes are kept unless asked; the host is never pruned.
        argv = ("rm", "-v", "--", ref) if purge_volumes else ("rm", "--", ref)
        result = await self._docker(*argv, check=False)
        if result.ok:
            return
        err = result.err
        if _NO_SUCH.search(err):
            raise self._missing(ref)
        if re.search(r"cannot remove a (running|paused|restarting) container|Stop the container", err, re.IGNORECASE):
            raise InvalidInput(
                f"container {ref!r} on {self.name} is running; stop it first",
                hint="or delete it with force, which stops it",
            )
        raise self._fail(result)

    # --- images --------------------------------------------------------------------------------

    async def list_images(self) -> list[Image]:
        result = await self._docker("images", "--no-trunc", "--format", "{{json .}}")
        return dp.images_from_rows(dp.parse_json_lines(result.out, "docker images"), self.node.id)

    async def _inspect_image(self, ref: str) -> dict[str, Any]:
        result = await self._docker("image", "inspect", "--", ref, check=False)
        found = dp.parse_inspect(result.out)
        if not found:
            if result.ok or _NO_SUCH.search(result.err):
                raise NotFound(f"image {ref!r} not found on {self.name}")
            raise self._fail(result)
        return found[0]

    async def pull_image(self, ref: str, progress: ProgressCallback | None = None) -> Image:
        image = _check_image(ref)
        report = progress or no_progress
        tracker = dp.PullProgress()

        def on_line(line: str) -> None:
            if line.strip():
                report(tracker.feed(line), line.strip())

        report(None, f"pulling {image}")
        result = await self._docker(
            "pull", "--", image, timeout=self.context.command_timeout, on_stdout_line=on_line, check=False
        )
        if not result.ok:
            if re.search(r"manifest unknown|not found|pull access denied|repository does not exist", result.err, re.I):
                raise NotFound(f"image {image!r} not found in its registry: {_tail(result.err)}")
            raise self._fail(result)
        report(1.0, f"pulled {image}")
        return dp.image_from_inspect(await self._inspect_image(image), self.node.id)

    # --- snapshots: Docker has none ----------------------------------------------------------

    def _no_snapshots(self) -> Unsupported:
        # Said plainly: a commit is not a snapshot (no volumes, no rollback of the container itself).
        return Unsupported(
            "Docker has no snapshots",
            hint="to keep a container's filesystem as an image, commit it: ocv-desktop instances commit NODE ID IMAGE",
        )

    async def list_snapshots(self, instance_id: str) -> list[Snapshot]:
        raise self._no_snapshots()

    async def create_snapshot(
        self, instance_id: str, name: str, description: str = "", stateful: bool = False
    ) -> None:
        raise self._no_snapshots()

    async def restore_snapshot(self, instance_id: str, name: str) -> None:
        raise self._no_snapshots()

    async def delete_snapshot(self, instance_id: str, name: str) -> None:
        raise self._no_snapshots()

    async def commit_instance(self, instance_id: str, image_ref: str) -> Image:
        """``docker commit``: the container's filesystem (not its volumes) as a new image
        ``image_ref``; returns that image. A running container is paused while it is copied."""
        ref = _check_ref(instance_id)
        image = _check_image(image_ref)
        await self._inspect_one(ref)  # NotFound with the container's name, not docker's wording
        await self._docker("commit", "--", ref, image, timeout=self.context.command_timeout)
        return dp.image_from_inspect(await self._inspect_image(image), self.node.id)

    async def delete_image(self, image_id: str, *, force: bool = False) -> None:
        ref = _check_image(image_id)
        image = await self._inspect_image(ref)
        full_id = str(image.get("Id", ""))
        if not re.fullmatch(r"sha256:[0-9a-f]{64}", full_id):
            raise dp.DockerOutputError(f"`docker image inspect` printed an unexpected id {full_id[:80]!r}")
        tags = [str(t) for t in arr(image.get("RepoTags"), "RepoTags")]
        if _with_tag(ref) in tags and len(tags) > 1:
            # Removing one of several tags only untags; the image (and whoever uses it) stays.
            rows: list[dict[str, Any]] = []
        else:
            users = await self._docker(
                "ps", "-a", "--no-trunc", "--filter", f"ancestor={full_id}", "--format", "{{json .}}"
            )
            rows = dp.parse_json_lines(users.out, "docker ps")
        if rows and not force:
            names = ", ".join(f"{dp.primary_name(str(r.get('Names', '')))} ({r.get('State', '?')})" for r in rows[:10])
            more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
            raise InvalidInput(
                f"image {ref!r} is used by containers {names}{more}",
                hint="delete those containers first, or force the deletion",
            )
        argv = ("rmi", "-f", "--", ref) if force else ("rmi", "--", ref)
        result = await self._docker(*argv, timeout=self.context.command_timeout, check=False)
        if result.ok:
            return
        if _NO_SUCH.search(result.err):
            raise NotFound(f"image {ref!r} not found on {self.name}")
        if "conflict" in result.err.lower():
            raise InvalidInput(f"image {ref!r} cannot be deleted: {_tail(result.err)}")
        raise self._fail(result)

    # --- console: docker exec -it over the node's PTY runner ------------------------------------

    async def open_console(self, instance_id: str, size: TermSize) -> ConsoleChannel:
        from ocv_desktop.providers import console_roads as roads

        ref = _check_ref(instance_id)
        marker = roads.new_marker()
        argv, hangup = roads.docker_exec_argv(ref, marker), roads.docker_hangup_argv(ref, marker)
        title = f"{ref} (docker exec)"
        return await roads.open_cli_console(self._runner, self.name, argv, size, title=title, hangup=hangup)

    # --- passwords -----------------------------------------------------------------------------

    async def set_instance_password(self, instance_id: str, password: str, *, username: str = "root") -> None:
        ref = _check_ref(instance_id)
        check_new_password(username, password)
        secrets = (password,)
        result = await self._exec_stdin(ref, ["chpasswd"], chpasswd_input(username, password), secrets)
        if result.ok:
            return
        if not _missing_program(result):
            raise self._password_error(ref, result, secrets)
        # No chpasswd (e.g. a plain busybox image): `passwd USER` reads the new password twice from
        # stdin when it runs as root without a terminal.
        result = await self._exec_stdin(ref, ["passwd", username], passwd_input(password), secrets)
        if result.ok:
            return
        if _missing_program(result):
            raise Unsupported(
                f"container {ref!r} has neither chpasswd nor passwd, so its password cannot be set",
                hint="use an image that includes them (e.g. the passwd package on Debian, shadow on Alpine)",
            )
        raise self._password_error(ref, result, secrets)

    async def _exec_stdin(self, ref: str, command: list[str], stdin: bytes, secrets: Sequence[str]) -> CommandResult:
        return await self._docker(
            "exec", "-i", "--user", "0", "--", ref, *command, input=stdin, check=False, secrets=secrets
        )

    def _password_error(self, ref: str, result: CommandResult, secrets: Sequence[str]) -> OcvError:
        err = result.err
        if _NO_SUCH.search(err):
            return self._missing(ref)
        if _NOT_RUNNING.search(err) or "is paused" in err:
            return InvalidInput(
                f"container {ref!r} on {self.name} is not running; start it before setting its password"
            )
        return self._fail(result, secrets)

    # --- probes --------------------------------------------------------------------------------

    async def probe_service(self) -> str:
        """The daemon's version, from its Engine API over the node's socket (``GET /_ping``: no
        process on the node, ``docker_engine.py``), else from ``docker version`` (its Server
        part). Where systemd
        runs, the docker unit's state is added to the detail (or to the error when the daemon is
        down). The questions go out together: one round trip per health check."""
        if self._runner is None:
            raise ConnectError(f"not connected to {self.name}")
        if self._systemd is None or self._systemd.runner is not self._runner:
            self._systemd = SystemdUnits(self._runner, ("docker.service",))
        if self._engine is None or self._engine.runner is not self._runner:
            self._engine = DockerEngine(self._runner)
        try:
            (version, stderr), units = await asyncio.gather(
                self._daemon_version(self._engine, self._runner), self._systemd.states(timeout=self._quick)
            )
        except Timeout as exc:
            raise Timeout(exc.what, exc.seconds, hint=f"the Docker daemon on {self._where} did not answer") from None
        unit = (units or {}).get("docker.service", "")
        if version.server is None:
            unit_note = f" (docker.service is {unit})" if unit else ""
            raise ConnectError(
                f"the Docker daemon on {self._where} is not running or not reachable{unit_note}: {_tail(stderr)}"
            )
        return f"{version.detail}, docker.service {unit}" if unit else version.detail

    async def _daemon_version(self, engine: DockerEngine, runner: CommandRunner) -> tuple[dp.DockerVersion, str]:
        """(version, the CLI's stderr when the CLI was asked)."""
        version = await engine.version(timeout=self._quick)
        if version is not None:
            return version, ""
        result = await runner.run(("docker", "version", "--format", "{{json .}}"), timeout=self._quick, check=False)
        if result.exit_status == 127 and not result.out.strip():
            raise Unsupported(f"the docker command is not installed on {self._where}")
        version = dp.parse_version(result.out)
        if version.server is not None:
            engine.use_cli()
        return version, result.err


# --- helpers -------------------------------------------------------------------------------------


def run_argv(spec: InstanceSpec) -> list[str]:
    """``docker run -d ...`` (``docker create`` when not started) for a spec, without the leading
    ``docker``. Validates everything, so a bad spec fails before anything is sent."""
    if spec.type is not InstanceType.CONTAINER:
        raise Unsupported("Docker nodes run containers only, not virtual machines")
    if spec.storage:
        raise Unsupported("Docker has no storage pools; leave the storage empty for Docker nodes")
    name = validate_instance_name(
        spec.name, NAME_RE, hint=NAME_HINT
    )
    image = _check_image(spec.image)
    hostname = spec.hostname or _hostname_from(name)
    if len(hostname) > 253 or not HOSTNAME_RE.fullmatch(hostname):
        raise InvalidInput(f"invalid hostname {hostname!r}", hint="letters, digits, '-' and '.', labels <= 63")
    argv = ["run", "-d"] if spec.start else ["create"]
    argv += [f"--name={name}", f"--hostname={hostname}", *_limit_args(spec)]
    for port in spec.ports:
        argv += _port_args(port)
    argv += _env_args(spec.env) + _extra_args(spec.extra)
    if any("\0" in part for part in spec.command):
        raise InvalidInput("the command contains a NUL character")
    # `--` ends the options: the image and the command can never be read as flags.
    return [*argv, "--", image, *spec.command]


def _limit_args(spec: InstanceSpec) -> list[str]:
    args = []
    if spec.cpus is not None:
        if not (0 < spec.cpus <= 1024):
            raise InvalidInput(f"invalid CPU limit {spec.cpus!r}: give a number of cores above 0")
        args.append(f"--cpus={spec.cpus:g}")
    if spec.memory is not None:
        if spec.memory < MIN_MEMORY:
            raise InvalidInput(f"memory limit {spec.memory} bytes is below Docker's minimum of 6 MiB")
        args.append(f"--memory={spec.memory}")
    if spec.disk is not None:
        if spec.disk <= 0:
            raise InvalidInput("disk size must be positive")
        args.append(f"--storage-opt=size={dp.format_ram_size(spec.disk)}")
    if spec.restart_policy:
        if not RESTART_RE.fullmatch(spec.restart_policy):
            raise InvalidInput(
                f"invalid restart policy {spec.restart_policy!r}",
                hint="use no, always, unless-stopped or on-failure[:N]",
            )
        args.append(f"--restart={spec.restart_policy}")
    return args


def _env_args(env: Mapping[str, str]) -> list[str]:
    args = []
    for key, value in env.items():
        if not ENV_KEY_RE.fullmatch(key):
            raise InvalidInput(f"invalid environment variable name {key!r}")
        if "\0" in value:
            raise InvalidInput(f"environment variable {key} contains a NUL character")
        args.append(f"--env={key}={value}")
    return args


def _extra_args(extra: Mapping[str, str]) -> list[str]:
    args = []
    for key, value in extra.items():
        flag = EXTRA_OPTIONS.get(key)
        if flag is None:
            raise InvalidInput(
                f"unknown Docker option {key!r}", hint=f"known options: {', '.join(sorted(EXTRA_OPTIONS))}"
            )
        if not value or any(c in value for c in "\0\n"):
            raise InvalidInput(f"invalid value for Docker option {key!r}")
        args.append(f"{flag}={value}")
    return args


def _tail(text: str, secrets: Sequence[str] = (), lines: int = 5) -> str:
    return redact("\n".join(text.strip().splitlines()[-lines:]), secrets)


def _missing_program(result: CommandResult) -> bool:
    # `docker exec -i` prints the runtime's "executable file not found" on stdout, not stderr.
    return result.exit_status in (126, 127) and bool(_NOT_FOUND_EXEC.search(result.err + result.out))


def _check_ref(ref: str) -> str:
    if not isinstance(ref, str) or not REF_RE.fullmatch(ref):
        raise InvalidInput(f"invalid container id or name {ref!r}")
    return ref


def _check_image(ref: str) -> str:
    if not isinstance(ref, str) or not IMAGE_RE.fullmatch(ref):
        raise InvalidInput(f"invalid image reference {ref!r}")
    return ref


def _with_tag(ref: str) -> str:
    """``busybox`` -> ``busybox:latest`` (how RepoTags spells it); refs with a tag or digest as-is."""
    last = ref.rsplit("/", 1)[-1]
    return ref if (":" in last or "@" in ref) else f"{ref}:latest"


def _hostname_from(name: str) -> str:
    """A container name made into a hostname label ('_' is not allowed there)."""
    label = re.sub(r"[^A-Za-z0-9.-]", "-", name)[:63].strip("-.")
    return label or "container"


def _port_args(port: PortMapping) -> list[str]:
    for value in (port.host_port, port.guest_port):
        if not 1 <= int(value) <= 65535:
            raise InvalidInput(f"invalid port {value}: use 1-65535")
    host = ""
    if port.host_ip:
        try:
            addr = ipaddress.ip_address(port.host_ip)
        except ValueError:
            raise InvalidInput(f"invalid host address {port.host_ip!r} for a port mapping") from None
        host = f"[{addr}]:" if addr.version == 6 else f"{addr}:"
    protocols = ("tcp", "udp") if port.protocol is Protocol.BOTH else (Protocol(port.protocol).value,)
    return [f"--publish={host}{port.host_port}:{port.guest_port}/{proto}" for proto in protocols]


def argv_batches(items: Sequence[str], budget: int) -> Iterator[list[str]]:
    batch: list[str] = []
    size = 0
    for item in items:
        if batch and size + len(item) + 1 > budget:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += len(item) + 1
    if batch:
        yield batch
