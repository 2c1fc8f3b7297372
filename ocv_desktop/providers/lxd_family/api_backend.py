"""LXD/Incus over the REST API (client certificate over HTTPS, or the local unix socket).

Every request goes through ``providers.lxd_family.api`` (envelopes decoded, errors raised, operations
awaited to their end with the server's ``err`` surfaced). Listing is one ``recursion=2`` call.
A change to an existing object (an image alias) uses PATCH, never a partial PUT, which would wipe
every key it does not name.

``requests_reached`` counts the requests that may have reached the server; the provider compares
it before and after a call to decide whether falling back to SSH is safe (providers/routing.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from ocv_desktop.core.errors import (
    ApiError,
    AuthError,
    InvalidInput,
    NotFound,
)
from ocv_desktop.core.models import InstanceSpec, NodeConfig, ProgressCallback
from ocv_desktop.providers.lxd_family.api import decode_envelope, instance_path, lxd_call, lxd_request, open_lxd_client
from ocv_desktop.providers.lxd_family.backend import ExecResult
from ocv_desktop.providers.lxd_family.exec import WebsocketDialer, await_operation, exec_with_stdin
from ocv_desktop.providers.lxd_family.requests import (
    FINGERPRINT_RE,
    ImageSource,
    RemoteRef,
    build_alias_body,
    build_create_body,
    build_image_pull_body,
    build_restore_body,
    build_snapshot_body,
    build_state_body,
    parse_image_ref,
    resolve_remote,
)
from ocv_desktop.transport.http import ApiClient, request_never_sent

if TYPE_CHECKING:
    from ocv_desktop.providers.base import ProviderContext

T = TypeVar("T")
DEFAULT_HTTPS_PORT = 8443


def api_endpoint_for(node: NodeConfig, socket_paths: tuple[str, ...]) -> str | None:
    """The node's API address, or None when it has no usable API credentials:
    an explicit ``api_endpoint``; else the local socket of a "this computer" node; else
    ``https://host:8443`` when a client certificate is configured."""
    if node.api_endpoint:
        if node.api_endpoint.startswith("https://") and not (node.client_cert and node.client_key):
            return None  # an untrusted client can do nothing useful
        return node.api_endpoint
    if node.local:
        for path in socket_paths:
            if os.path.exists(path):
                return "unix://" + path
        return None
    if node.client_cert and node.client_key:
        host = f"[{node.host}]" if ":" in node.host else node.host
        return f"https://{host}:{DEFAULT_HTTPS_PORT}"
    return None


async def open_api_backend(
    node: NodeConfig, context: ProviderContext, *, socket_paths: tuple[str, ...], flavour: str
) -> LxdApiBackend | None:
    """The API road of an LXD (``flavour`` "lxd") or Incus node, or None when it has none."""
    endpoint = api_endpoint_for(node, socket_paths)
    if endpoint is None:
        return None
    client = open_lxd_client(node.replace(api_endpoint=endpoint), connect_timeout=context.connect_timeout)
    dialer = WebsocketDialer(client, endpoint, connect_timeout=context.connect_timeout)
    return LxdApiBackend(client, dialer, flavour=flavour, operation_timeout=context.operation_timeout)


class LxdApiBackend:
    via = "api"

    def __init__(self, client: ApiClient, dialer: WebsocketDialer, *, flavour: str, operation_timeout: float) -> None:
        self.client = client
        self.dialer = dialer
        self.flavour = flavour
        self.operation_timeout = operation_timeout
        self.requests_reached = 0
        self._extensions: frozenset[str] | None = None

    not_sent = staticmethod(request_never_sent)

    async def _counted(self, fn: Callable[[], Awaitable[T]]) -> T:
        try:
            result = await fn()
        except BaseException as exc:
            if not request_never_sent(exc):
                self.requests_reached += 1
            raise
        self.requests_reached += 1
        return result

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return await self._counted(lambda: lxd_request(self.client, "GET", path, params=params))

    async def op(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        """A mutating request, awaited to the end of its operation; a failed operation raises
        ``OperationFailed`` with the server's own words."""
        answer = await self._counted(lambda: lxd_call(self.client, method, path, json=json, params=params))
        if answer.type != "async":
            return answer.metadata
        return await self._counted(lambda: await_operation(self.client, answer, timeout=self.operation_timeout))

    # --- probes ----------------------------------------------------------------------------------

    async def server_info(self) -> dict[str, Any]:
        info = await self.get("/1.0")
        if not isinstance(info, dict):
            raise ApiError(f"GET /1.0 on {self.client.description}: unexpected answer")
        return info

    async def extensions(self) -> frozenset[str]:
        """The server's API extensions (asked once per connection)."""
        if self._extensions is None:
            self._extensions = frozenset(map(str, (await self.server_info()).get("api_extensions") or ()))
        return self._extensions

    async def probe(self) -> str:
        info = await self.server_info()
        env = info.get("environment") or {}
        version = env.get("server_version") or info.get("api_version") or "?"
        if info.get("auth") != "trusted":
            raise AuthError(
                f"{self.client.description} ({self.flavour} {version}) does not trust this client certificate",
                hint="enrol it: ocv-desktop nodes enroll NODE",
            )
        return f"{self.flavour} {version}"

    # --- instances -------------------------------------------------------------------------------

    async def list_instances(self) -> list[dict[str, Any]]:
        data = await self.get("/1.0/instances", {"recursion": 2})
        if not isinstance(data, list):
            raise ApiError(f"GET /1.0/instances?recursion=2 on {self.client.description}: not a list")
        return data

    async def get_instance(self, name: str) -> dict[str, Any]:
        data = await self.get(instance_path(name), {"recursion": 1})
        if not isinstance(data, dict):
            raise ApiError(f"GET {instance_path(name)}: not an instance")
        if "state" not in data:  # servers without the instance_get_full extension
            data = {**data, "state": await self.get(instance_path(name, "state"))}
        return data

    async def _default_pool(self) -> str | None:
        profile = await self.get("/1.0/profiles/default")
        for dev in ((profile or {}).get("devices") or {}).values():
            if isinstance(dev, dict) and dev.get("type") == "disk" and dev.get("path") == "/":
                return dev.get("pool")
        return None

    def _image_source(self, ref: str) -> ImageSource:
        parsed = parse_image_ref(ref)
        return resolve_remote(parsed) if isinstance(parsed, RemoteRef) else parsed

    async def create_instance(self, spec: InstanceSpec, progress: ProgressCallback | None) -> None:
        source = self._image_source(spec.image)
        if source.server is None:
            await self._check_local_image(source)
        pool = None
        if spec.disk is not None and not spec.storage:
            pool = await self._default_pool()
        body = build_create_body(spec, source, default_pool=pool)
        # `start` in the create request needs the instance_create_start extension (Incus has it,
        # LXD 5.0 ignores the key silently); without it, start in a second awaited request.
        start_after = spec.start and "instance_create_start" not in await self.extensions()
        if start_after:
            body["start"] = False
        if progress:
            progress(None, f"creating {spec.name}")
        await self.op("POST", "/1.0/instances", json=body)
        if start_after:
            if progress:
                progress(None, f"starting {spec.name}")
            await self.change_state(spec.name, "start", timeout=None, force=False)

    async def _check_local_image(self, source: ImageSource) -> None:
        """The daemon's own answer to a missing local image is a vague "Image not provided for
        instance creation" after the operation starts; asking first names the image."""
        if source.fingerprint:
            path = f"/1.0/images/{quote(source.fingerprint, safe='')}"
        else:
            path = f"/1.0/images/aliases/{quote(source.alias or '', safe='')}"
        try:
            await self.get(path)
        except NotFound:
            raise NotFound(
                f"image {source.label!r} not found on {self.client.description}", hint="pull it or pick a listed image"
            ) from None

    async def change_state(self, name: str, action: str, *, timeout: float | None, force: bool) -> None:
        body = build_state_body(action, timeout=timeout, force=force)
        await self.op("PUT", instance_path(name, "state"), json=body)

    async def delete_instance(self, name: str) -> None:
        await self.op("DELETE", instance_path(name))

    # --- images ----------------------------------------------------------------------------------

    async def list_images(self) -> list[dict[str, Any]]:
        data = await self.get("/1.0/images", {"recursion": 1})
        if not isinstance(data, list):
            raise ApiError(f"GET /1.0/images?recursion=1 on {self.client.description}: not a list")
        return data

    async def pull_image(self, ref: str, progress: ProgressCallback | None, source: ImageSource | None = None) -> str:
        src = source or self._image_source(ref)
        body = build_image_pull_body(src)
        if progress:
            progress(None, f"pulling {src.label}")
        op = await self.op("POST", "/1.0/images", json=body)
        fingerprint = ((op or {}).get("metadata") or {}).get("fingerprint")
        if not isinstance(fingerprint, str) or not fingerprint:
            raise ApiError(f"pulling {src.label}: the server did not say which image it stored")
        if src.alias:
            await self._point_alias(src.alias, fingerprint)
        return fingerprint

    async def _point_alias(self, alias: str, fingerprint: str) -> None:
        """Make the local alias name the pulled image, as ``image copy --alias`` does: a new alias,
        or an existing one moved to the new image (PATCH keeps its description)."""
        path = f"/1.0/images/aliases/{quote(alias, safe='')}"
        try:
            current = await self.get(path)
        except NotFound:
            await self._counted(
                lambda: lxd_request(
                    self.client, "POST", "/1.0/images/aliases", json=build_alias_body(alias, fingerprint)
                )
            )
            return
        if (current or {}).get("target") != fingerprint:
            await self._counted(lambda: lxd_request(self.client, "PATCH", path, json={"target": fingerprint}))

    async def _resolve_image(self, image_id: str) -> str:
        if FINGERPRINT_RE.fullmatch(image_id):
            return image_id
        try:
            alias = await self.get(f"/1.0/images/aliases/{quote(image_id, safe='')}")
            return str(alias["target"])
        except NotFound:
            pass
        # A fingerprint prefix, as `image list` shows them.
        matches = [
            i["fingerprint"] for i in await self.list_images() if str(i.get("fingerprint", "")).startswith(image_id)
        ]
        if len(matches) == 1:
            return str(matches[0])
        if matches:
            raise InvalidInput(f"image id {image_id!r} is ambiguous ({len(matches)} images match)")
        raise NotFound(f"image {image_id!r} not found on {self.client.description}")

    async def delete_image(self, image_id: str) -> None:
        fingerprint = await self._resolve_image(image_id)
        await self.op("DELETE", f"/1.0/images/{quote(fingerprint, safe='')}")

    # --- snapshots -------------------------------------------------------------------------------

    async def list_snapshots(self, name: str) -> list[dict[str, Any]]:
        path = instance_path(name, "snapshots")
        data = await self.get(path, {"recursion": 1})
        if data is None:
            return []  # a Go nil slice: no snapshots
        if not isinstance(data, list):
            raise ApiError(f"GET {path}?recursion=1 on {self.client.description}: not a list")
        return data

    async def create_snapshot(self, name: str, snapshot: str, *, stateful: bool) -> None:
        await self.op("POST", instance_path(name, "snapshots"), json=build_snapshot_body(snapshot, stateful=stateful))

    async def restore_snapshot(self, name: str, snapshot: str) -> None:
        await self.op("PUT", instance_path(name), json=build_restore_body(snapshot))

    async def delete_snapshot(self, name: str, snapshot: str) -> None:
        await self.op("DELETE", instance_path(name, "snapshots", snapshot))

    # --- exec ------------------------------------------------------------------------------------

    async def console_log(self, name: str) -> str:
        """``GET /1.0/instances/{name}/console``: the console log file itself (not an envelope;
        an error still comes as one)."""
        path = instance_path(name, "console")

        async def fetch() -> str:
            response = await self.client.request("GET", path)
            if response.status_code >= 400 or _is_error_envelope(response.content):
                decode_envelope(response, f"GET {path}")  # raises the daemon's own error
                raise ApiError(f"GET {path}: the daemon sent no console log", status=response.status_code)
            # Incus labels the raw log application/json; it is the console's bytes all the same
            return response.content.decode("utf-8", "replace")

        return await self._counted(fetch)

    async def exec(
        self, name: str, argv: list[str], *, stdin: bytes, timeout: float, secrets: tuple[str, ...] = ()
    ) -> ExecResult:
        reached = False

        def mark() -> None:
            nonlocal reached
            reached = True

        try:
            return await exec_with_stdin(
                self.client, self.dialer, name, argv, stdin=stdin, timeout=timeout, on_request=mark
            )
        except BaseException as exc:
            if not reached and not request_never_sent(exc):
                self.requests_reached += 1
            raise
        finally:
            if reached:
                self.requests_reached += 1

    async def close(self) -> None:
        await self.client.close()


def _is_error_envelope(body: bytes) -> bool:
    """Whether a raw answer is in fact an LXD/Incus error envelope (``{"type": "error", ...}``)."""
    if not body.lstrip().startswith(b"{"):
        return False
    try:
        doc = json.loads(body)
    except ValueError:
        return False
    return isinstance(doc, dict) and doc.get("type") == "error"
