"""LXD/Incus through the ``incus``/``lxc`` CLI on the node, over SSH (or locally).

Every command is an argv list (the runner joins it with ``shlex.join``); instance and image names
are validated before they get here. No user value may be read as an option: options take their
value in one ``--flag=value`` element, and ``--`` ends the options before every positional (cobra
reads everything after it as arguments), so even a value starting with '-' that slipped past the
checks would be an image or instance name, never a flag. The CLI prints the API's JSON (``list --format json`` is
``[]api.InstanceFull``, ``image list --format json`` is ``[]api.Image``), and it waits for every
operation itself, so a command that exits 0 is done.
"""

from __future__ import annotations

import json
from typing import Any

from ocv_desktop.core.errors import NotFound, OcvError, RemoteError, Unsupported
from ocv_desktop.core.models import InstanceSpec, InstanceType, ProgressCallback
from ocv_desktop.providers.base import refuse_option_like
from ocv_desktop.providers.lxd_family.backend import ExecResult
from ocv_desktop.providers.lxd_family.parse import format_mib
from ocv_desktop.providers.lxd_family.requests import (
    RemoteRef,
    build_instance_config,
    build_proxy_devices,
    check_spec,
    parse_image_ref,
    validate_name,
    validate_snapshot_name,
)
from ocv_desktop.transport.base import CommandRunner


class LxdCliBackend:
    via = "ssh"

    def __init__(self, runner: CommandRunner, binary: str, *, command_timeout: float) -> None:
        self.runner = runner
        self.binary = binary
        self.command_timeout = command_timeout

    async def _run(self, *args: str, timeout: float | None = None, input: bytes | None = None) -> str:
        result = await self.runner.run([self.binary, *args], timeout=timeout or self.command_timeout, input=input)
        return result.out

    async def _json(self, *args: str) -> Any:
        out = await self._run(*args)
        try:
            return json.loads(out)
        except ValueError as exc:
            raise OcvError(
                f"`{self.binary} {' '.join(args)}` on {self.runner.description} printed no JSON: {out[:200]!r}"
            ) from exc

    # --- instances -------------------------------------------------------------------------------

    async def list_instances(self) -> list[dict[str, Any]]:
        data = await self._json("list", "--format", "json")
        if not isinstance(data, list):
            raise OcvError(f"`{self.binary} list --format json` did not print a list")
        return data

    async def get_instance(self, name: str) -> dict[str, Any]:
        validate_name(name)
        # A filter that is not key=value is a regular expression on the name; anchor it so `web`
        # does not also match `web2`. Names are validated, so they hold no regex syntax.
        data = await self._json("list", "--format", "json", "--", f"^{name}$")
        for item in data if isinstance(data, list) else ():
            if isinstance(item, dict) and item.get("name") == name:
                return item
        raise NotFound(f"instance {name!r} not found on {self.runner.description}")

    def _image_arg(self, ref: str) -> str:
        parsed = parse_image_ref(ref)
        if isinstance(parsed, RemoteRef):
            return f"{parsed.remote}:{parsed.name}"
        if parsed.server:
            raise Unsupported(
                f"image {ref!r} names a server URL, which the {self.binary} CLI cannot use directly",
                hint=f"use the API, or add the server on the node with `{self.binary} remote add` and use NAME:ALIAS",
            )
        return parsed.fingerprint or parsed.alias or ref

    async def create_instance(self, spec: InstanceSpec, progress: ProgressCallback | None) -> None:
        check_spec(spec)
        image = self._image_arg(spec.image)
        # The same config and devices the API path sends, spelt as CLI flags; then `--` and the
        # positionals (check_spec and parse_image_ref refused values starting with '-').
        argv = ["init"]
        if spec.type is InstanceType.VM:
            argv.append("--vm")
        for key, value in build_instance_config(spec).items():
            argv.append(f"--config={key}={value}")
        if spec.storage:
            argv.append(f"--storage={refuse_option_like(spec.storage, 'storage pool')}")
        if spec.disk is not None:
            argv.append(f"--device=root,size={format_mib(spec.disk)}")
        argv += ["--", refuse_option_like(image, "image"), spec.name]
        proxies = build_proxy_devices(spec)
        if progress:
            progress(None, f"creating {spec.name}")
        await self._run(*argv)
        try:
            for dev_name, dev in proxies.items():
                props = [f"{k}={v}" for k, v in dev.items() if k != "type"]
                await self._run("config", "device", "add", "--", spec.name, dev_name, dev["type"], *props)
            if spec.start:
                if progress:
                    progress(None, f"starting {spec.name}")
                await self._run("start", "--", spec.name)
        except OcvError:
            # A half-configured instance helps nobody; remove it and report the real failure.
            await self.runner.run([self.binary, "delete", "--force", "--", spec.name], check=False, timeout=60)
            raise

    async def change_state(self, name: str, action: str, *, timeout: float | None, force: bool) -> None:
        validate_name(name)
        argv = [action]
        if action in ("stop", "restart"):
            if force:
                argv.append("--force")
            elif timeout is not None:
                argv.append(f"--timeout={max(1, round(timeout))}")
        argv += ["--", name]
        limit = self.command_timeout if timeout is None else timeout + 60
        await self._run(*argv, timeout=limit)

    async def delete_instance(self, name: str) -> None:
        validate_name(name)
        await self._run("delete", "--", name)

    # --- images ----------------------------------------------------------------------------------

    async def list_images(self) -> list[dict[str, Any]]:
        data = await self._json("image", "list", "--format", "json")
        if not isinstance(data, list):
            raise OcvError(f"`{self.binary} image list --format json` did not print a list")
        return data

    async def pull_image(self, ref: str, progress: ProgressCallback | None) -> str:
        parsed = parse_image_ref(ref)
        if not isinstance(parsed, RemoteRef):
            self._image_arg(ref)  # a URL gets its own explanation
            raise Unsupported(
                f"{ref!r} is not on a remote",
                hint=f"name a remote the node knows, e.g. images:ALIAS ({self.binary} remote list)",
            )
        if progress:
            progress(None, f"copying {ref}")
        await self._run("image", "copy", f"--alias={parsed.name}", "--", f"{parsed.remote}:{parsed.name}", "local:")
        for img in await self.list_images():
            if any(a.get("name") == parsed.name for a in img.get("aliases") or ()):
                return str(img["fingerprint"])
        raise OcvError(f"`{self.binary} image copy` succeeded but no local image has the alias {parsed.name!r}")

    async def delete_image(self, image_id: str) -> None:
        refuse_option_like(image_id, "image id")
        try:
            await self._run("image", "delete", "--", image_id)
        except RemoteError:
            # The CLI says "Image not found" with exit code 1, like every other failure; look.
            images = await self.list_images()
            if not any(
                str(i.get("fingerprint", "")).startswith(image_id)
                or any(a.get("name") == image_id for a in i.get("aliases") or ())
                for i in images
            ):
                raise NotFound(f"image {image_id!r} not found on {self.runner.description}") from None
            raise

    # --- snapshots -------------------------------------------------------------------------------
    # Incus (and LXD >= 5.21) spell these `snapshot create|restore|delete INSTANCE SNAP`; LXD 5.0
    # knows only `snapshot INSTANCE SNAP`, `restore INSTANCE SNAP` and `delete INSTANCE/SNAP`. Both
    # wait for the operation. Names are validated, so neither starts with '-' nor holds a '/'.

    @property
    def _new_snapshot_cli(self) -> bool:
        return self.binary == "incus"

    async def list_snapshots(self, name: str) -> list[dict[str, Any]]:
        # `list --format json` prints InstanceFull, whose `snapshots` are the API's InstanceSnapshot
        # objects on every version (null when there are none).
        snapshots = (await self.get_instance(name)).get("snapshots")
        if snapshots is None:
            return []
        if not isinstance(snapshots, list):
            raise OcvError(f"`{self.binary} list --format json` gave no snapshot list for {name}")
        return snapshots

    async def create_snapshot(self, name: str, snapshot: str, *, stateful: bool) -> None:
        validate_name(name)
        validate_snapshot_name(snapshot)
        argv = ["snapshot", "create"] if self._new_snapshot_cli else ["snapshot"]
        if stateful:
            argv.append("--stateful")
        # `incus snapshot create` reads a YAML config from a stdin that is not a terminal: give it
        # an empty one rather than whatever the channel holds.
        await self._run(*argv, "--", name, snapshot, input=b"")

    async def restore_snapshot(self, name: str, snapshot: str) -> None:
        validate_name(name)
        validate_snapshot_name(snapshot)
        argv = ["snapshot", "restore"] if self._new_snapshot_cli else ["restore"]
        await self._run(*argv, "--", name, snapshot, input=b"")

    async def delete_snapshot(self, name: str, snapshot: str) -> None:
        validate_name(name)
        validate_snapshot_name(snapshot)
        if self._new_snapshot_cli:
            await self._run("snapshot", "delete", "--", name, snapshot, input=b"")
        else:
            await self._run("delete", "--", f"{name}/{snapshot}", input=b"")

    # --- logs ------------------------------------------------------------------------------------

    async def console_log(self, name: str) -> str:
        validate_name(name)
        return await self._run("console", "--show-log", "--", name, input=b"")

    # --- exec ------------------------------------------------------------------------------------

    async def exec(
        self, name: str, argv: list[str], *, stdin: bytes, timeout: float, secrets: tuple[str, ...] = ()
    ) -> ExecResult:
        validate_name(name)
        # stdin is not a terminal on an SSH exec channel, so the CLI runs non-interactively and
        # forwards our input to the command's stdin.
        result = await self.runner.run(
            [self.binary, "exec", name, "--", *argv], input=stdin, timeout=timeout, check=False, secrets=secrets
        )
        return ExecResult(result.exit_status, result.stdout, result.stderr)

    async def close(self) -> None:
        """The runner belongs to the provider, which closes it."""
