"""Test-only checker: LXD/Incus requests and responses against the official Swagger 2.0 specs.

The specs are read from ``../shared/specs`` at test time (``lxd/*.yaml`` is AGPL-3.0-only: never
copied into the product). Recipe: api-contracts.md §5.

- Requests: the ``in: body`` schema of the operation, with every definition made strict
  (``additionalProperties: false`` set here, in test code; the specs declare none), validated with
  ``jsonschema.Draft4Validator``. A misspelt key (``wait-for-ws``) therefore fails. Required keys
  are asserted by the callers (the specs declare no ``required`` either).
- Responses: schemathesis ``validate_response`` for the operation found by its exact path key,
  query string included (``/1.0/instances?recursion=2``).
- ``Recorder``: an httpx response hook that keeps every real exchange our client made, so the
  integration tests validate exactly what was sent to and received from the real daemons.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

import httpx
import jsonschema
import yaml
from schemathesis.core.failures import Failure, FailureGroup

from tests.shared_files import SPECS

SPECS_DIR = SPECS
SPEC_FILES = {
    "incus": SPECS_DIR / "incus" / "rest-api.yaml",
    "incus-6.0": SPECS_DIR / "incus" / "rest-api-v6.0.6.yaml",
    "lxd": SPECS_DIR / "lxd" / "rest-api.yaml",
    "lxd-5.21": SPECS_DIR / "lxd" / "rest-api-lxd-5.21.7.yaml",
}
MAIN_SPECS = ("incus", "lxd")


def specs_available() -> bool:
    return all(SPEC_FILES[k].is_file() for k in MAIN_SPECS)


SKIP_REASON = f"the official LXD/Incus specs are not at {SPECS_DIR} (set OCV_SHARED_SPECS)"


@cache
def raw_spec(name: str) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_FILES[name].open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)


def _go_nullable(definitions: dict[str, Any]) -> dict[str, Any]:
    """Go's encoding/json writes a nil slice, map or pointer as ``null`` (a stopped instance has
    ``state.network: null``, an instance without snapshots ``snapshots: null``). The specs, generated
    from the Go types, say array/object. Mark exactly those properties ``x-nullable`` (Swagger 2's
    way); scalars stay strict."""
    out = copy.deepcopy(definitions)
    for definition in out.values():
        for prop in (definition.get("properties") or {}).values():
            if "$ref" in prop or prop.get("type") in ("array", "object"):
                prop["x-nullable"] = True
    return out


@cache
def schemathesis_schema(name: str) -> Any:
    """The spec for response validation, with Go's nil collections allowed (``_go_nullable``)."""
    import schemathesis

    raw = dict(raw_spec(name))
    raw["definitions"] = _go_nullable(raw["definitions"])
    return schemathesis.openapi.from_dict(raw)


def _strict(node: Any) -> Any:
    """Every object schema that lists properties rejects unknown ones."""
    if isinstance(node, dict):
        out = {k: _strict(v) for k, v in node.items()}
        if "properties" in out and out.get("type", "object") == "object" and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


@cache
def strict_definitions(name: str) -> dict[str, Any]:
    return _strict(copy.deepcopy(raw_spec(name)["definitions"]))


# --- finding the operation -------------------------------------------------------------------------


@cache
def _templates(name: str) -> list[tuple[re.Pattern[str], str]]:
    out = []
    for key in raw_spec(name)["paths"]:
        plain = key.split("?", 1)[0]
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(plain)) + "$"
        out.append((re.compile(pattern), key))
    return out


def operation_key(name: str, method: str, path: str, params: dict[str, str] | None = None) -> str:
    """The spec's path key for a request: the templated path, with ``?recursion=N`` when the
    request used recursion and the spec has that key. Raises KeyError when none matches."""
    paths = raw_spec(name)["paths"]
    candidates = [key for rx, key in _templates(name) if "?" not in key and rx.match(path)]
    # Prefer the most literal template (fewest parameters): /1.0/images/aliases over /1.0/images/{fp}.
    candidates = [k for k in candidates if method.lower() in paths[k]]
    if not candidates:
        raise KeyError(f"{method} {path}: no such operation in the {name} spec")
    key = min(candidates, key=lambda k: k.count("{"))
    recursion = (params or {}).get("recursion")
    if recursion and recursion != "0":
        rec_key = f"{key}?recursion={recursion}"
        if rec_key in paths and method.lower() in paths[rec_key]:
            return rec_key
        raise KeyError(f"{method} {path}?recursion={recursion}: not in the {name} spec")
    return key


def body_schema(name: str, method: str, key: str) -> dict[str, Any] | None:
    for param in raw_spec(name)["paths"][key][method.lower()].get("parameters", []):
        if param.get("in") == "body" and "schema" in param:
            return param["schema"]
    return None


def request_errors(name: str, method: str, path: str, body: Any, params: dict[str, str] | None = None) -> list[str]:
    """Every way ``body`` breaks the (strict) request schema; [] when it is valid."""
    key = operation_key(name, method, path, params)
    schema = body_schema(name, method, key)
    if schema is None:
        return [] if body is None else [f"{method} {key} takes no body"]
    validator = jsonschema.Draft4Validator({**schema, "definitions": strict_definitions(name)})
    return [f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}" for e in validator.iter_errors(body)]


def response_errors(
    name: str, method: str, path: str, status: int, body: Any, params: dict[str, str] | None = None
) -> str:
    """'' when the response fits the spec for that status, else the validator's complaint."""
    key = operation_key(name, method, path, params)
    op = schemathesis_schema(name)[key][method.upper()]
    response = httpx.Response(status, json=body, request=httpx.Request(method, f"http://spec{path}"))
    response.elapsed = timedelta(0)
    try:
        op.validate_response(response)
    except (Failure, FailureGroup) as exc:  # the spec's complaints; anything else is the checker's own crash
        return str(exc)
    return ""


# --- recording real exchanges ----------------------------------------------------------------------


@dataclass
class Exchange:
    method: str
    path: str
    params: dict[str, str]
    request_body: Any
    status: int
    response_body: Any


@dataclass
class Recorder:
    """Attach to an ``ApiClient`` (its httpx client) to keep every JSON exchange."""

    exchanges: list[Exchange] = field(default_factory=list)

    def attach(self, api_client: Any) -> None:
        client: httpx.AsyncClient = api_client._client  # test-only access to the transport's httpx client
        client.event_hooks["response"].append(self._on_response)

    async def _on_response(self, response: httpx.Response) -> None:
        await response.aread()
        request = response.request
        try:
            req_body = json.loads(request.content) if request.content else None
        except ValueError:
            req_body = "<not json>"
        try:
            resp_body = response.json()
        except ValueError:
            resp_body = "<not json>"
        self.exchanges.append(
            Exchange(
                request.method,
                request.url.path,
                dict(parse_qsl(request.url.query.decode())),
                req_body,
                response.status_code,
                resp_body,
            )
        )


def raw_body_allowed(name: str, method: str, key: str, status: int) -> bool:
    """Whether the spec documents this answer as a raw body, not JSON: a 2xx response without a
    schema (``GET /1.0/instances/{name}/console``: "Console output either as raw console log or
    as vga screendump")."""
    response = raw_spec(name)["paths"][key][method.lower()].get("responses", {}).get(str(status))
    return 200 <= status < 300 and isinstance(response, dict) and "schema" not in response


def check_exchanges(name: str, exchanges: list[Exchange]) -> list[str]:
    """Problems found in recorded exchanges against spec ``name``; [] when all fit."""
    problems: list[str] = []
    for ex in exchanges:
        where = f"{ex.method} {ex.path} {ex.params or ''} -> {ex.status}"
        try:
            key = operation_key(name, ex.method, ex.path, ex.params)
        except KeyError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if ex.request_body is not None:
            problems += [
                f"{where}: request {e}" for e in request_errors(name, ex.method, ex.path, ex.request_body, ex.params)
            ]
        if ex.response_body == "<not json>":
            if not raw_body_allowed(name, ex.method, key, ex.status):
                problems.append(f"{where}: the response is not JSON")
            continue
        status = ex.status
        body = ex.response_body
        if status == 200 and isinstance(body, dict) and body.get("type") == "error":
            # The wait subtlety (api-contracts.md §1): /wait writes "200 OK" before waiting, so a
            # failure arrives as an error envelope under a 200 status line. Judge it as the error
            # it is (the spec cannot describe a 200 error).
            assert ex.path.endswith("/wait"), f"{where}: an error envelope under HTTP 200 outside /wait"
            status = int(body.get("error_code") or 500)
        err = response_errors(name, ex.method, ex.path, status, body, ex.params)
        if err:
            first = err.strip().splitlines()[:3]
            problems.append(f"{where}: response ({key}) {' '.join(first)}; body: {json.dumps(ex.response_body)[:600]}")
    return problems
