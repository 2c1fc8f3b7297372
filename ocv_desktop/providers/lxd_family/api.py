"""LXD/Incus REST envelopes and operation waiting, over an ``ApiClient``.

Wire format (api-contracts.md §1): every answer is an envelope ``{type, status, status_code,
operation, error_code, error, metadata}``:
- ``sync``: the result is ``metadata``;
- ``async`` (HTTP 202): ``metadata`` is an Operation, ``operation`` its URL; wait for it;
- ``error``: ``error_code`` (404, 403, ...) and ``error`` (the server's message).

**Wait subtlety**: ``/1.0/operations/{id}/wait?timeout=N`` writes "200 OK" *before* waiting. When
N expires the operation comes back still running (status_code 103), and when rendering fails an
error envelope follows the 200. So the answer of a wait is judged by its BODY only: envelope
``type``, then the operation's ``status_code`` (200 success, 400 failure, 401 cancelled) and ``err``.

exec (with its stdin for secrets) is the provider's: ``providers/lxd_family/exec.py``.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx

from ocv_desktop.core.errors import (
    ApiError,
    AuthError,
    ConfigError,
    NotFound,
    OperationFailed,
    Timeout,
)
from ocv_desktop.core.models import NodeConfig
from ocv_desktop.transport.http import DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, ApiClient, response_message

# Operation status codes (doc/rest-api.md)
OP_SUCCESS = 200
OP_FAILURE = 400
OP_CANCELLED = 401
WAIT_STEP = 30  # seconds the server may hold one wait request
WAIT_HTTP_MARGIN = 15.0  # extra client-side time for one wait request beyond its server-side timeout


@dataclass(frozen=True, slots=True)
class LxdResponse:
    """A decoded envelope: ``metadata``, plus the operation URL of an async answer."""

    type: str  # "sync" or "async"
    status_code: int
    metadata: Any
    operation: str  # "" for sync answers
    etag: str | None = None


def _error_for(status: int, message: str, what: str) -> ApiError | NotFound | AuthError:
    text = f"{what}: {message}" if message else what
    if status == 404:
        return NotFound(text)
    if status in (401, 403):
        return AuthError(text, hint="is this client certificate trusted by the server?")
    return ApiError(text, status=status)


def decode_envelope(response: httpx.Response, what: str) -> LxdResponse:
    """Decode one LXD/Incus answer, raising for error envelopes (whatever the HTTP status says)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or "type" not in body:
        if response.status_code >= 400:
            raise _error_for(response.status_code, response_message(response), what)
        raise ApiError(f"{what}: not an LXD/Incus response (HTTP {response.status_code})", status=response.status_code)
    kind = body.get("type")
    if kind == "error" or response.status_code >= 400:
        code = body.get("error_code") or response.status_code
        if not isinstance(code, int) or code < 400:
            code = response.status_code if response.status_code >= 400 else 500
        raise _error_for(code, str(body.get("error") or "").strip(), what)
    if kind not in ("sync", "async"):
        raise ApiError(f"{what}: unexpected response type {kind!r}", status=response.status_code)
    return LxdResponse(
        type=kind,
        status_code=int(body.get("status_code") or 0),
        metadata=body.get("metadata"),
        operation=str(body.get("operation") or ""),
        etag=response.headers.get("etag"),
    )


async def lxd_call(
    client: ApiClient,
    method: str,
    path: str,
    *,
    json: Any = None,
    params: Mapping[str, Any] | None = None,
    timeout: float | None = None,
) -> LxdResponse:
    """One request, decoded (errors raised). Use ``lxd_request`` unless you need the envelope."""
    response = await client.request(method, path, json=json, params=params, timeout=timeout)
    return decode_envelope(response, f"{method.upper()} {path}")


async def lxd_request(
    client: ApiClient,
    method: str,
    path: str,
    *,
    json: Any = None,
    params: Mapping[str, Any] | None = None,
    timeout: float | None = None,
) -> Any:
    """The ``metadata`` of a sync answer, or the Operation (dict) of an async one (not awaited;
    use ``lxd_operation`` to start *and* await)."""
    return (await lxd_call(client, method, path, json=json, params=params, timeout=timeout)).metadata


def _operation_path(operation: str) -> tuple[str, dict[str, str]]:
    """``/1.0/operations/<id>[?project=x]`` (or a bare id) -> (path, query params)."""
    if not operation:
        raise ApiError("the server started an operation but gave no operation URL")
    if not operation.startswith("/"):
        return f"/1.0/operations/{quote(operation, safe='')}", {}
    parts = urlsplit(operation)
    return parts.path.rstrip("/"), dict(parse_qsl(parts.query))


def _check_operation(op: Any, what: str) -> bool:
    """True when the operation finished successfully, False while it runs; raises when it failed."""
    if not isinstance(op, dict):
        raise ApiError(f"{what}: the server returned no operation")
    code = op.get("status_code")
    if code == OP_SUCCESS:
        return True
    description = op.get("description") or "operation"
    if code == OP_FAILURE:
        raise OperationFailed(f"{description} failed: {op.get('err') or op.get('status') or 'no reason given'}")
    if code == OP_CANCELLED:
        raise OperationFailed(f"{description} was cancelled" + (f": {op['err']}" if op.get("err") else ""))
    return False


async def wait_operation(client: ApiClient, operation_url: str, *, timeout: float) -> dict[str, Any]:
    """Wait until the operation ends; returns the final Operation (``metadata`` holds e.g. exec
    results). Failure or cancellation -> ``OperationFailed``; not done in time -> ``Timeout``.

    Loops over ``/wait?timeout=N`` (N <= 30 s) and judges every answer by its body (module doc).
    An *error envelope* from the wait is ambiguous: Incus 6.0 answers both a failed operation and
    its own wait timeout ("context deadline exceeded") that way, with HTTP 200. The operation
    itself (``GET /1.0/operations/<id>``) then says which it was."""
    path, params = _operation_path(operation_url)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    what = f"waiting for {path}"
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise Timeout(f"{what} on {client.description}", timeout)
        step = max(1, min(WAIT_STEP, math.ceil(remaining)))
        try:
            answer = await lxd_call(
                client,
                "GET",
                f"{path}/wait",
                params={**params, "timeout": step},
                timeout=step + WAIT_HTTP_MARGIN,
            )
            op = answer.metadata
        except (ApiError, NotFound) as wait_error:
            op = await _operation_after_wait_error(client, path, params, wait_error)
        if _check_operation(op, what):
            done: dict[str, Any] = op
            return done


async def _operation_after_wait_error(
    client: ApiClient, path: str, params: Mapping[str, str], wait_error: ApiError | NotFound
) -> Any:
    """The operation's own state after its wait answered with an error envelope."""
    try:
        return await lxd_request(client, "GET", path, params=params or None)
    except NotFound:
        # Gone (servers drop finished operations after a few seconds): the wait's answer is all we have.
        if isinstance(wait_error, NotFound):
            raise NotFound(f"operation {path} not found on {client.description}") from None
        raise OperationFailed(f"operation {path} failed: {_server_words(wait_error)}") from None


def _server_words(error: ApiError | NotFound) -> str:
    text = error.reason if isinstance(error, ApiError) else error.message
    return text.split(": ", 1)[1] if ": " in text else text


async def lxd_operation(
    client: ApiClient,
    method: str,
    path: str,
    *,
    json: Any = None,
    params: Mapping[str, Any] | None = None,
    timeout: float,
) -> Any:
    """Send a request and, if it started an operation, wait for it to end (DESIGN: a mutating call
    returns only when the platform says it is done). Returns the final Operation for async
    answers, the ``metadata`` for sync ones."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    answer = await lxd_call(client, method, path, json=json, params=params, timeout=min(timeout, DEFAULT_TIMEOUT))
    if answer.type != "async":
        return answer.metadata
    return await wait_operation(client, answer.operation, timeout=max(0.0, deadline - loop.time()))


def instance_path(name: str, *rest: str) -> str:
    """``/1.0/instances/<name>/<rest...>`` with every segment URL-quoted."""
    segments = [quote(name, safe=""), *(quote(r, safe="") for r in rest)]
    return "/1.0/instances/" + "/".join(segments)


def open_lxd_client(
    node: NodeConfig, *, timeout: float = DEFAULT_TIMEOUT, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
) -> ApiClient:
    """The ApiClient for an LXD/Incus node: its unix socket, or HTTPS with its client certificate
    and the pinned server certificate (or its CA file)."""
    if not node.api_endpoint:
        raise ConfigError(f"node {node.name!r} has no API endpoint", field="api_endpoint")
    return ApiClient(
        node.api_endpoint,
        server_fingerprint=node.server_cert_fingerprint,
        ca_file=node.ca_file,
        client_cert=node.client_cert,
        client_key=node.client_key,
        timeout=timeout,
        connect_timeout=connect_timeout,
    )
