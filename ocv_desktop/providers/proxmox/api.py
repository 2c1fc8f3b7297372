"""Proxmox VE API: the ``{"data": ...}`` envelope, its error forms, authentication, task polling.

Envelope and errors (api-contracts.md §2, pve-http-server Formatter/Standard.pm):
- success: ``{"data": <result>}`` (plus ``total``/``changes`` sometimes);
- handler errors: the HTTP status with the message in the **reason phrase** and body
  ``{"data": null}``; parameter checks add ``"errors": {"<param>": "<msg>"}``; servers with
  libpve-http-server-perl >= 5.2.0 add ``"message"`` to the body;
- errors raised before the formatter (401 auth, proxy failures 595-599) have a **plain-text** body.

Authentication:
- API token: header ``Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET``; no CSRF token.
- Ticket: ``POST /access/ticket`` (username + password [+ TOTP second step]) gives a ticket (sent
  as cookie ``PVEAuthCookie``) and a ``CSRFPreventionToken`` (header on every non-GET request).
  Tickets live 2 h; ``PveTicketAuth`` renews after 1 h, and once more on a 401.

Tasks: writes answer with a UPID; ``wait_task`` polls ``/nodes/{node}/tasks/{upid}/status`` until
``status == "stopped"``; an ``exitstatus`` other than ``OK`` (or ``WARNINGS: n``) raises
``OperationFailed`` with the tail of the task log.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
import time
from collections.abc import AsyncGenerator, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from ocv_desktop.core.errors import ApiError, AuthError, ConfigError, NotFound, OcvError, OperationFailed, Timeout
from ocv_desktop.core.models import NodeConfig, NodeSecrets
from ocv_desktop.transport.http import DEFAULT_TIMEOUT, MESSAGE_MAX, ApiClient

TOKEN_PREFIX = "PVEAPIToken="
DEFAULT_API_PORT = 8006  # where pveproxy serves the API
TICKET_RENEW_AFTER = 3600.0  # PVE tickets are valid for 2 h; renew well before
TASK_LOG_TAIL = 20


# --- envelope ----------------------------------------------------------------------------------


def decode_pve_response(response: httpx.Response, what: str) -> dict[str, Any]:
    """The JSON body of a successful answer (``{"data": ...}``), or the right error raised."""
    body: Any
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400:
        raise _error(response, body, what)
    if not isinstance(body, dict) or "data" not in body:
        raise ApiError(f"{what}: not a Proxmox API response (HTTP {response.status_code})", status=response.status_code)
    return body


def _error(response: httpx.Response, body: Any, what: str) -> OcvError:
    status = response.status_code
    field_errors: dict[str, str] = {}
    message = ""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, dict):
            field_errors = {str(k): str(v).strip() for k, v in errors.items()}
        if isinstance(body.get("message"), str):
            message = body["message"].strip()
    if not message:
        message = response.reason_phrase.strip()
    if body is None and (not message or message == _standard_phrase(status)):
        # A plain-text (or proxy HTML) body says more than a generic reason phrase.
        text = re.sub(r"(?is)<(head|script|style)\b.*?</\1>", "", response.text)
        lines = [line.strip() for line in re.sub(r"<[^>]*>", "\n", text).splitlines()]
        message = next((line for line in lines if line), message)
    message = (message or f"HTTP {status}")[:MESSAGE_MAX]
    text = f"{what}: {message}"
    if status in (401, 403):
        return AuthError(text)
    if status == 500 and not field_errors and "does not exist" in message:
        return NotFound(text)  # PVE reports a missing VM/CT/storage as 500 "... does not exist"
    return ApiError(text, status=status, field_errors=field_errors)


def _standard_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


async def pve_call(
    client: ApiClient,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """One request; the whole decoded body (``data`` plus ``total`` etc.). Errors raised."""
    response = await client.request(method, path, params=params, data=_form(data), timeout=timeout)
    return decode_pve_response(response, f"{method.upper()} {path}")


async def pve_request(
    client: ApiClient,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    timeout: float | None = None,
) -> Any:
    """The ``data`` of one request (a UPID string for task-starting writes). ``data`` is sent as
    a form body, as PVE's own clients do; booleans become 0/1."""
    return (await pve_call(client, method, path, params=params, data=data, timeout=timeout))["data"]


def _form(data: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        out[key] = int(value) if isinstance(value, bool) else value
    return out


# --- tasks -------------------------------------------------------------------------------------


def upid_node(upid: str) -> str:
    """The node a task runs on: ``UPID:node:pid:pstart:starttime:type:id:user:``."""
    parts = upid.split(":")
    if len(parts) < 8 or parts[0] != "UPID" or not parts[1]:
        raise ApiError(f"not a Proxmox task id: {upid!r}")
    return parts[1]


def _task_path(node: str, upid: str, leaf: str) -> str:
    return f"/nodes/{quote(node, safe='')}/tasks/{quote(upid, safe='')}/{leaf}"


def task_succeeded(exitstatus: str) -> bool:
    """``OK``, or ``WARNINGS: n`` (finished, with warnings in the log), counts as success."""
    return exitstatus == "OK" or exitstatus.startswith("WARNINGS")


async def task_log_tail(client: ApiClient, node: str, upid: str, lines: int = TASK_LOG_TAIL) -> list[str]:
    """The last lines of a task log (two requests when the server reports the total)."""
    path = _task_path(node, upid, "log")
    first = await pve_call(client, "GET", path, params={"start": 0, "limit": 1})
    total = first.get("total")
    if isinstance(total, int) and total > 1:
        body = await pve_call(client, "GET", path, params={"start": max(0, total - lines), "limit": lines})
    else:
        body = await pve_call(client, "GET", path, params={"start": 0, "limit": 100000})
    entries = body.get("data") or []
    return [str(e.get("t", "")) for e in entries if isinstance(e, dict)][-lines:]


async def wait_task(client: ApiClient, node: str | None, upid: str, *, timeout: float, poll: float = 1.0) -> None:
    """Poll a task until it stops. ``node`` None = the node named in the UPID.

    Polls quickly at first (most tasks take well under a second), then every ``poll`` seconds."""
    node = node or upid_node(upid)
    path = _task_path(node, upid, "status")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    delay = min(0.1, poll)
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise Timeout(f"Proxmox task {upid}", timeout)
        status = await pve_request(client, "GET", path, timeout=min(remaining, DEFAULT_TIMEOUT))
        if isinstance(status, dict) and status.get("status") == "stopped":
            exitstatus = str(status.get("exitstatus") or "")
            if task_succeeded(exitstatus):
                return
            try:
                tail = await task_log_tail(client, node, upid)
            except OcvError as exc:
                tail = [f"(task log unavailable: {exc})"]
            what = f"{status.get('type') or 'task'} {status.get('id') or ''}".strip()
            raise OperationFailed(f"Proxmox {what} failed: {exitstatus or 'no exit status'}", log_tail=tail)
        await asyncio.sleep(min(delay, max(0.0, deadline - loop.time())))
        delay = min(delay * 2, poll)


# --- authentication ----------------------------------------------------------------------------


def pve_token_header(token_id: str, secret: str) -> str:
    """``PVEAPIToken=USER@REALM!TOKENID=SECRET``, whatever the user pasted: a token id that
    already carries the prefix, or a secret that repeats ``TOKENID=``, never doubles anything."""
    token = token_id.strip()
    if token[: len(TOKEN_PREFIX)].lower() == TOKEN_PREFIX.lower():
        token = token[len(TOKEN_PREFIX) :]
    value = secret.strip()
    if "=" in token and not value:  # the whole "ID=SECRET" was pasted into the token id
        token, value = token.split("=", 1)
    if value.startswith(token + "="):
        value = value[len(token) + 1 :]
    if "!" not in token or not value:
        raise ConfigError("a Proxmox API token needs an id like user@pam!name and its secret", field="api_token_id")
    return f"{TOKEN_PREFIX}{token}={value}"


def totp_code(secret: str, *, at: float | None = None, digits: int = 6, step: int = 30) -> str:
    """RFC 6238 TOTP (SHA-1) from a base32 seed, as authenticator apps and PVE compute it.

    The seed may be written in groups (``JBSW Y3DP EHPK 3PXP``) and in lower case, as apps show
    it: spaces go first, then the padding is computed. The code itself is cryptography's TOTP.
    """
    seed = "".join(secret.split()).upper()
    try:
        key = base64.b32decode(seed + "=" * (-len(seed) % 8))
    except (binascii.Error, ValueError):
        raise ConfigError("the TOTP secret is not base32 (A-Z, 2-7)", field="totp_secret") from None
    # PVE and the apps accept seeds shorter than RFC 4226's recommended 128 bits (16 base32 characters).
    totp = TOTP(key, digits, hashes.SHA1(), step, enforce_key_length=False)  # noqa: S303 (RFC 6238 is SHA-1)
    return totp.generate(int(time.time() if at is None else at)).decode("ascii")


class PveTicketAuth(httpx.Auth):
    """Ticket login for users without an API token (httpx auth flow on the same client, so the
    login goes through the same pinned TLS). Adds the cookie, and the CSRF header on writes."""

    def __init__(self, login_url: str, username: str, password: str, *, totp_secret: str | None = None) -> None:
        self._login_url = login_url
        self._username = username
        self._password = password
        self._totp_secret = totp_secret
        self._ticket: str | None = None
        self._csrf: str | None = None
        self._issued = 0.0
        self._lock = asyncio.Lock()

    def _apply(self, request: httpx.Request) -> None:
        request.headers.pop("Authorization", None)
        request.headers["Cookie"] = f"PVEAuthCookie={self._ticket}"
        if request.method not in ("GET", "HEAD") and self._csrf:
            request.headers["CSRFPreventionToken"] = self._csrf

    def cookie(self) -> str:
        """The ``Cookie`` header value of the current ticket, for a side connection (a console
        websocket) made right after a request through this auth (which logged in if needed)."""
        if self._ticket is None:
            raise AuthError(f"not logged in to Proxmox as {self._username}")
        return f"PVEAuthCookie={self._ticket}"

    def _expired(self) -> bool:
        return self._ticket is None or time.monotonic() - self._issued > TICKET_RENEW_AFTER

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        for attempt in (1, 2):
            fresh = False
            if attempt == 2 or self._expired():
                async with self._lock:  # one login at a time; the others then reuse its ticket
                    if attempt == 2 or self._expired():
                        response = yield self._login_request()
                        data = await self._login_data(response)
                        if data.get("NeedTFA"):
                            response = yield self._second_factor_request(data)
                            data = await self._login_data(response)
                        self._store(data)
                        fresh = True
            self._apply(request)
            response = yield request
            # A 401 with an older ticket: it expired early (server restart, clock skew). Log in
            # again, once. A 401 right after a fresh login is final.
            if response.status_code != 401 or fresh:
                return

    def _login_request(self) -> httpx.Request:
        return httpx.Request("POST", self._login_url, data={"username": self._username, "password": self._password})

    def _second_factor_request(self, data: Mapping[str, Any]) -> httpx.Request:
        if not self._totp_secret:
            raise AuthError(
                f"Proxmox user {self._username} needs a second factor (TOTP)",
                hint="store the TOTP secret for this node, or use an API token",
            )
        return httpx.Request(
            "POST",
            self._login_url,
            data={
                "username": self._username,
                "tfa-challenge": str(data.get("ticket", "")),
                "password": f"totp:{totp_code(self._totp_secret)}",
            },
        )

    def _store(self, data: Mapping[str, Any]) -> None:
        ticket, csrf = data.get("ticket"), data.get("CSRFPreventionToken")
        if not isinstance(ticket, str) or not isinstance(csrf, str):
            raise AuthError("the Proxmox ticket login returned no ticket")
        self._ticket, self._csrf, self._issued = ticket, csrf, time.monotonic()

    async def _login_data(self, response: httpx.Response) -> dict[str, Any]:
        await response.aread()  # an overridden async_auth_flow gets streaming responses
        if response.status_code in (401, 403):
            raise AuthError(
                f"Proxmox refused the login of {self._username}: {response.reason_phrase or response.status_code}",
                hint="check the user (user@realm) and password",
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            raise _error(response, body, "POST /access/ticket")
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise AuthError("the Proxmox ticket login returned no ticket")
        data: dict[str, Any] = body["data"]
        return data


def pve_endpoint(node: NodeConfig) -> str:
    """The node's API address: its ``api_endpoint``, else where PVE serves it on the node's host."""
    if node.api_endpoint:
        return node.api_endpoint
    host = f"[{node.host}]" if ":" in node.host else node.host
    return f"https://{host}:{DEFAULT_API_PORT}/api2/json"


def open_pve_client(node: NodeConfig, secrets: NodeSecrets, *, timeout: float = DEFAULT_TIMEOUT) -> ApiClient:
    """The ApiClient for a Proxmox node (at ``pve_endpoint``): its API token when one is configured,
    else ticket login with ``api_user`` and the stored password (and TOTP seed). TLS pinned or
    CA-verified."""
    endpoint = pve_endpoint(node)
    headers: dict[str, str] = {}
    auth: httpx.Auth | None = None
    if node.api_token_id:
        if not secrets.api_token_secret:
            raise AuthError(f"no API token secret is stored for {node.name}")
        headers["Authorization"] = pve_token_header(node.api_token_id, secrets.api_token_secret)
    elif node.api_user:
        if not secrets.api_password:
            raise AuthError(f"no API password is stored for {node.name}")
        login_url = endpoint.rstrip("/") + "/access/ticket"
        auth = PveTicketAuth(login_url, node.api_user, secrets.api_password, totp_secret=secrets.totp_secret)
    else:
        raise ConfigError(f"node {node.name!r} has neither an API token id nor an API user", field="api_token_id")
    return ApiClient(
        endpoint,
        server_fingerprint=node.server_cert_fingerprint,
        ca_file=node.ca_file,
        headers=headers,
        auth=auth,
        timeout=timeout,
    )


def side_connection_headers(client: ApiClient) -> dict[str, str]:
    """The headers that authenticate a non-httpx connection to the same API as ``client`` (the
    console websockets): its API token header, or its ticket cookie. GET only, so no CSRF token."""
    headers = {k: v for k, v in client.default_headers.items() if k.lower() == "authorization"}
    if isinstance(client.auth, PveTicketAuth):
        headers["Cookie"] = client.auth.cookie()
    if not headers:
        raise AuthError(f"{client.description}: no Proxmox credentials for the console connection")
    return headers
