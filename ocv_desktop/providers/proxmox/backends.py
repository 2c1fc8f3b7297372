"""The two roads to the Proxmox VE API: HTTPS (the transport's ApiClient) and ``pvesh`` over SSH.

Both take the same API paths and parameters and return the ``data`` value, so the provider says
what to do once and the execution rule only picks the road. ``pvesh <verb> <path> --k v ...
--output-format json`` prints only the ``data`` value on one line (pve-common CLIFormatter); a task
run in the foreground prints its log before it. Secrets never go through ``pvesh`` (argv): the
provider sends passwords to ``pct``/``qm`` on stdin instead.
"""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from ocv_desktop.core.errors import ApiError, InvalidInput, OcvError, OperationFailed, RemoteError, Timeout, Unsupported
from ocv_desktop.providers.base import refuse_option_like
from ocv_desktop.providers.proxmox import parse as pp
from ocv_desktop.providers.proxmox.api import TASK_LOG_TAIL, pve_request, task_succeeded, wait_task
from ocv_desktop.providers.shape import obj, objs
from ocv_desktop.transport.base import CommandRunner

# API parameters that carry secrets (never in a pvesh argv).
SECRET_PARAMS = ("password", "cipassword", "new-password", "confirmation-password", "otp", "tfa-challenge")
TASK_LOG_LIMIT = 100_000  # lines of a failed task's log read over pvesh (its end is what we show)


class PveBackend(Protocol):
    description: str

    async def call(self, method: str, path: str, params: Mapping[str, Any] | None = None) -> Any: ...

    async def wait(self, upid: str, *, timeout: float) -> None: ...

    async def close(self) -> None: ...


class ApiBackend:
    """The REST API through the transport's ApiClient (TLS pinned, token or ticket)."""

    def __init__(self, client: Any, description: str) -> None:
        self.client = client
        self.description = description

    async def call(self, method: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        values = wire_params(params)
        if method in ("GET", "DELETE"):
            return await pve_request(self.client, method, path, params=values or None)
        return await pve_request(self.client, method, path, data=values)

    async def wait(self, upid: str, *, timeout: float) -> None:
        await wait_task(self.client, None, upid, timeout=timeout)

    async def close(self) -> None:
        await self.client.close()


class PveshBackend:
    """The same API paths through ``pvesh`` on the node (SSH): one JSON value on stdout."""

    VERBS: Mapping[str, str] = {"GET": "get", "POST": "create", "PUT": "set", "DELETE": "delete"}
    POLL_INTERVAL = 1.0

    def __init__(self, runner: CommandRunner, timeout: float, write_timeout: float) -> None:
        self.runner = runner
        self.timeout = timeout
        # pvesh runs a write's task in the foreground (CLI environment), so it may take as long as the task.
        self.write_timeout = write_timeout
        self.description = runner.description

    async def call(self, method: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        secret = sorted(set(params or {}) & set(SECRET_PARAMS))
        if secret:
            # A safety net: pvesh takes parameters in argv, where every user on the node can read them.
            raise Unsupported(f"{method} {path} carries {', '.join(secret)}; it cannot go through pvesh over SSH")
        argv = ["pvesh", self.VERBS[method], pvesh_path(path)]
        for key, value in wire_params(params).items():
            if not _PARAM_KEY_RE.fullmatch(key):
                raise InvalidInput(f"invalid Proxmox parameter name {key!r}")
            for item in value if isinstance(value, list) else [value]:
                # pvesh reads `--key VALUE` with Getopt::Long, which takes a mandatory value even
                # when it starts with '-'; the rule holds anyway (no user value reads as an option).
                argv += [f"--{key}", refuse_option_like(str(item), f"value for {key}")]
        argv += ["--output-format", "json"]
        limit = self.timeout if method == "GET" else self.write_timeout
        result = await self.runner.run(argv, timeout=limit, check=False)
        if not result.ok:
            raise pvesh_error(argv, result.exit_status, result.err)
        return last_json(result.out)

    async def wait(self, upid: str, *, timeout: float) -> None:
        node = pp.upid_node(upid)
        if node is None:
            raise OperationFailed(f"pvesh printed an unexpected task id {upid!r}")
        path = f"/nodes/{urllib.parse.quote(node, safe='')}/tasks/{urllib.parse.quote(upid, safe='')}"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            status = obj(await self.call("GET", path + "/status"), "the task status")
            if status.get("status") == "stopped":
                break
            if loop.time() >= deadline:
                raise Timeout(f"Proxmox task {upid}", timeout)
            await asyncio.sleep(self.POLL_INTERVAL)
        # What counts as success, and how a failure reads, as on the API road (providers.proxmox.api).
        exit_status = str(status.get("exitstatus") or "")
        if task_succeeded(exit_status):
            return
        # pvesh prints the log lines without their total, so the whole log is read for its end.
        lines = await self.call("GET", path + "/log", {"start": 0, "limit": TASK_LOG_LIMIT})
        tail = [str(line.get("t", "")) for line in objs(lines, "the task log")][-TASK_LOG_TAIL:]
        what = f"{status.get('type') or 'task'} {status.get('id') or ''}".strip()
        raise OperationFailed(f"Proxmox {what} failed: {exit_status or 'no exit status'}", log_tail=tail)

    async def close(self) -> None:
        return None  # the runner belongs to the provider


_PARAM_KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}(?:\[[0-9]+\])?$", re.IGNORECASE)


def pvesh_path(path: str) -> str:
    """An API path as pvesh's positional: absolute, so it can never be read as an option."""
    if not path.startswith("/") or any(c.isspace() or not c.isprintable() for c in path):
        raise InvalidInput(f"invalid Proxmox API path {path!r}")
    return path


def wire_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Parameters as PVE reads them: booleans as 0/1, everything else as text; None left out."""
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "1" if value else "0"
        elif isinstance(value, list):
            out[key] = [str(v) for v in value]
        else:
            out[key] = str(value)
    return out


def last_json(text: str) -> Any:
    """pvesh prints the result as one JSON line; a task run in the foreground prints its log first."""
    for raw in reversed(text.strip().splitlines()):
        line = raw.strip()
        if not line:
            continue
        try:
            return json.loads(line)
        except ValueError:
            break
    if not text.strip():
        return None
    raise OperationFailed(f"pvesh printed something that is not JSON: {text.strip()[-200:]!r}")


def pvesh_error(argv: Sequence[str], exit_status: int | None, stderr: str) -> OcvError:
    """pvesh reports parameter errors as ``key: message`` lines after 'Parameter verification failed.'"""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    if any("Parameter verification failed" in line for line in lines):
        fields = {}
        for line in lines:
            key, sep, msg = line.partition(": ")
            if sep and re.fullmatch(r"[A-Za-z0-9_\-\[\]]+", key):
                fields[key] = msg
        return ApiError("Parameter verification failed.", status=400, field_errors=fields)
    return RemoteError(shlex.join(argv[:3]), exit_status, "\n".join(lines[-10:]))
