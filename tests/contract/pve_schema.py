"""Test-only checker: is a Proxmox VE API request allowed by the official schema (apidata.js)?

``apidata.js`` (proxmox/pve-docs, AGPL-3.0-or-later) is read from ``../shared/specs`` at test time and
never copied into the product. This module builds the (method, path) route table from it and checks
one request the way pve-http-server + PVE::JSONSchema would (api-contracts.md §5):

- the path exists for the method (templated segments such as ``{node}`` match one path segment);
- path, query and body parameters are merged (the server merges them too); every property without
  ``optional: 1`` is required; unknown names are rejected when ``additionalProperties`` is 0;
- ``type`` (booleans as 0/1), ``enum``, ``pattern``, ``minimum``/``maximum``, ``minLength``/``maxLength``,
  ``requires``, numbered keys (``net[n]``), property strings (``format`` given as an object, e.g.
  ``rootfs=local-lvm:8,size=8G``) and a few named formats (``pve-vmid``, ``pve-node``, ...);
- ``allowtoken``: a route with ``allowtoken: 0`` must not be called with an API token.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from tests.shared_files import SPECS, require_path

SPECS_DIR = SPECS
APIDATA = SPECS_DIR / "proxmox" / "apidata.js"
API_PREFIX = "/api2/json"

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")

# Named formats we check ourselves (the schema has 122; the rest are accepted unchecked).
_CONFIGID = r"[a-z][a-z0-9_]+"
_STORAGE_ID = r"[a-z][a-z0-9\-_.]*[a-z0-9]"
_DNS_LABEL = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?)"
_NAMED_FORMATS: dict[str, re.Pattern[str]] = {
    "pve-node": re.compile(_DNS_LABEL),
    "pve-storage-id": re.compile(_STORAGE_ID, re.I),
    "pve-configid": re.compile(_CONFIGID, re.I),
    "pve-volume-id": re.compile(_STORAGE_ID + r":.+", re.I),
    "dns-name": re.compile(rf"{_DNS_LABEL}(?:\.{_DNS_LABEL})*"),
    "pve-storage-content": re.compile(r"[a-z]+"),
    "pve-storage-content-list": re.compile(r"[a-z]+(?:[,;\s][a-z]+)*"),
    "pve-tag-list": re.compile(r"[a-z0-9_][a-z0-9_\-+.]*(?:[;, ][a-z0-9_][a-z0-9_\-+.]*)*", re.I),
    "disk-size": re.compile(r"\d+(?:\.\d+)?[KMGT]?"),
    "pve-lxc-mp-string": re.compile(r".+"),
}


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    template: str
    info: dict[str, Any]
    regex: re.Pattern[str]
    names: tuple[str, ...]

    @property
    def literal_segments(self) -> int:
        return sum(1 for seg in self.template.split("/") if seg and not seg.startswith("{"))


@dataclass(slots=True)
class CheckedRequest:
    """One request as the server sees it: method, path, parameters (path, query and body merged
    once the route is known)."""

    method: str
    path: str
    params: dict[str, Any]
    token_auth: bool
    template: str | None = None
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


class PveSchema:
    def __init__(self, tree: list[dict[str, Any]]) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        stack = list(tree)
        while stack:
            node = stack.pop()
            for method, info in (node.get("info") or {}).items():
                template = node["path"]
                names = tuple(re.findall(r"\{([^}]+)\}", template))
                pattern = re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(template))
                self.routes[(method, template)] = Route(method, template, info, re.compile(pattern + r"/?"), names)
            stack.extend(node.get("children") or [])
        # Most literal segments first, so /qemu/{vmid}/agent/ping beats any templated sibling.
        self._ordered = sorted(self.routes.values(), key=lambda r: -r.literal_segments)

    @classmethod
    @cache
    def load(cls, path: Path = APIDATA) -> PveSchema:
        # a missing schema skips (names what to get) or, in CI, fails; also for module-scoped fixtures
        text = require_path(path, "the PVE API schema (apidata.js)").read_text(encoding="utf-8")
        return cls(json.loads(text[text.index("[") : text.rindex("]") + 1]))

    # --- lookup -----------------------------------------------------------------------------------

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route and its path parameters (percent-decoded), or None when no such endpoint exists."""
        raw = path[len(API_PREFIX) :] if path.startswith(API_PREFIX + "/") else path
        for route in self._ordered:
            if route.method != method:
                continue
            m = route.regex.fullmatch(raw)
            if m:
                return route, {n: urllib.parse.unquote(v) for n, v in zip(route.names, m.groups(), strict=True)}
        return None

    # --- checking ---------------------------------------------------------------------------------

    def check(self, method: str, path: str, params: dict[str, Any], *, token_auth: bool) -> CheckedRequest:
        req = CheckedRequest(method.upper(), path, dict(params), token_auth)
        found = self.match(req.method, path)
        if found is None:
            req.problems.append(f"{req.method} {path}: no such endpoint in the PVE API schema")
            return req
        route, path_params = found
        req.template = route.template
        merged = dict(params)
        for name, value in path_params.items():
            if name in merged and str(merged[name]) != value:
                req.problems.append(f"{name}: given in path ({value}) and body ({merged[name]}) differently")
            merged[name] = value
        req.params = merged
        info = route.info
        if token_auth and not info.get("allowtoken", 1):
            req.problems.append(f"{req.method} {route.template}: allowtoken is 0, API tokens may not call it")
        parameters = info.get("parameters") or {}
        props: dict[str, Any] = parameters.get("properties") or {}
        for name, spec in props.items():
            if "[n]" in name:
                continue
            if not spec.get("optional") and name not in merged:
                req.problems.append(f"{name}: required parameter missing")
        for name, value in merged.items():
            spec = _lookup_property(props, name)
            if spec is None:
                if parameters.get("additionalProperties") == 0:
                    req.problems.append(f"{name}: unknown parameter (additionalProperties is 0)")
                continue
            req.problems.extend(f"{name}: {msg}" for msg in check_value(spec, value))
            needed = spec.get("requires")
            if isinstance(needed, str) and needed not in merged:
                req.problems.append(f"{name}: requires parameter {needed!r}")
        return req

    def check_httpx(self, request: httpx.Request) -> CheckedRequest:
        """Check an outgoing httpx request (query + form or JSON body; token auth from the header)."""
        params: dict[str, Any] = {}
        for key, value in request.url.params.multi_items():
            _add(params, key, value)
        body = request.content
        if body:
            ctype = request.headers.get("content-type", "").split(";")[0].strip()
            if ctype == "application/json":
                data = json.loads(body)
                if not isinstance(data, dict):
                    req = CheckedRequest(request.method, request.url.path, {}, False)
                    req.problems.append("JSON body is not an object")
                    return req
                params.update(data)
            elif ctype == "application/x-www-form-urlencoded":
                for key, value in urllib.parse.parse_qsl(body.decode(), keep_blank_values=True):
                    _add(params, key, value)
            else:
                req = CheckedRequest(request.method, request.url.path, params, False)
                req.problems.append(f"unexpected request content type {ctype!r}")
                return req
        token = request.headers.get("authorization", "").startswith("PVEAPIToken=")
        return self.check(request.method, request.url.raw_path.decode().split("?")[0], params, token_auth=token)


def _add(params: dict[str, Any], key: str, value: str) -> None:
    if key in params:
        prev = params[key]
        params[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
    else:
        params[key] = value


def _lookup_property(props: dict[str, Any], name: str) -> dict[str, Any] | None:
    if name in props:
        return props[name]
    m = re.fullmatch(r"([a-z_\-]+?)(\d+)", name)
    if m:
        return props.get(m.group(1) + "[n]")
    return None


def _perl_regex(pattern: str) -> re.Pattern[str]:
    # Perl's stringified qr// (?^:...) / (?^i:...) -> Python's (?:...) / (?i:...); PVE anchors it.
    return re.compile(pattern.replace("(?^:", "(?:").replace("(?^i:", "(?i:"))


def check_value(spec: dict[str, Any], value: Any) -> list[str]:
    """Problems with one parameter value (empty when it is valid)."""
    kind = spec.get("type", "string")
    if isinstance(value, list) and kind != "array":
        return [f"type check ('{kind}') failed - got ARRAY"]
    problems: list[str] = []
    if kind == "boolean":
        if isinstance(value, bool) or value in (0, 1):
            return []
        if not (isinstance(value, str) and value.lower() in _TRUE + _FALSE):
            return [f"type check ('boolean') failed - got {value!r}"]
        return []
    if kind == "integer":
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value))
        ):
            return [f"type check ('integer') failed - got {value!r}"]
        number: float = int(value)
    elif kind == "number":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return [f"type check ('number') failed - got {value!r}"]
        if isinstance(value, bool):
            return [f"type check ('number') failed - got {value!r}"]
    elif kind == "array":
        items = value if isinstance(value, list) else [value]
        sub = spec.get("items") or {}
        for item in items:
            problems.extend(check_value(sub, item) if sub else [])
        return problems
    else:
        if isinstance(value, dict):
            return [f"type check ('{kind}') failed - got HASH"]
        number = 0.0
    text = str(value)
    if kind in ("integer", "number"):
        if "minimum" in spec and _num(spec["minimum"]) is not None and number < _num(spec["minimum"]):  # type: ignore[operator]
            problems.append(f"value must have a minimum value of {spec['minimum']}")
        if "maximum" in spec and _num(spec["maximum"]) is not None and number > _num(spec["maximum"]):  # type: ignore[operator]
            problems.append(f"value must have a maximum value of {spec['maximum']}")
    if "enum" in spec and spec["enum"] is not None and text not in [str(e) for e in spec["enum"]]:
        problems.append(f"value {text!r} does not have a value in the enumeration {spec['enum']}")
    if "minLength" in spec and len(text) < int(spec["minLength"]):
        problems.append(f"value must be at least {spec['minLength']} characters long")
    if "maxLength" in spec and len(text) > int(spec["maxLength"]):
        problems.append(f"value may only be {spec['maxLength']} characters long")
    if "pattern" in spec and not _perl_regex(spec["pattern"]).fullmatch(text):
        problems.append(f"value {text!r} does not match the regex pattern")
    fmt = spec.get("format")
    if isinstance(fmt, dict):
        problems.extend(check_property_string(fmt, text))
    elif isinstance(fmt, str):
        pattern = _NAMED_FORMATS.get(fmt)
        if pattern is not None and not pattern.fullmatch(text):
            problems.append(f"invalid format {fmt!r}: {text!r}")
    return problems


def _num(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def check_property_string(fmt: dict[str, Any], text: str) -> list[str]:
    """PVE::JSONSchema::parse_property_string: ``[default-key-value,]key=value,...``."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    default_key = next((k for k, v in fmt.items() if v.get("default_key")), None)
    for part in text.split(","):
        if not part:
            continue
        key, eq, val = part.partition("=")
        if not eq:
            if default_key is None:
                problems.append(f"value without key, but schema does not define a default key: {part!r}")
                continue
            key, val = default_key, part
        spec = fmt.get(key)
        if spec is None:
            problems.append(f"invalid format - unknown key {key!r} in property string")
            continue
        if "keyAlias" in spec:  # e.g. virtio=MAC: model=virtio, macaddr=MAC
            seen[spec["keyAlias"]] = key
            key = spec["alias"]
            spec = fmt.get(key, {})
        elif "alias" in spec:
            key = spec["alias"]
            spec = fmt.get(key, {})
        if key in seen:
            problems.append(f"invalid format - duplicate key in property string: {key!r}")
        seen[key] = val
        problems.extend(f"{key}: {msg}" for msg in check_value(spec, val))
    for key, spec in fmt.items():
        if "alias" in spec or spec.get("optional"):
            continue
        if key not in seen:
            problems.append(f"invalid format - property {key!r} is missing")
    return problems


# --- recording what a test sends ---------------------------------------------------------------------


@dataclass(slots=True)
class Recorded:
    request: httpx.Request
    checked: CheckedRequest


class RequestRecorder:
    """Records every request httpx puts on the wire to ``host`` (the transport layer, after auth
    flows added cookies and headers) and checks each against the schema.

    ``install`` wraps ``httpx.AsyncHTTPTransport.handle_async_request`` for one test (monkeypatch),
    so it sees the ApiClient's requests whatever its internals. ``problems()`` lists every request
    the schema does not allow, plus ticket-auth writes without the CSRF header; ``allow(substr)``
    declares a problem a test provokes on purpose (it must then actually occur)."""

    def __init__(self, host: str, schema: PveSchema | None = None) -> None:
        self.host = host
        self.schema = schema or PveSchema.load()
        self.recorded: list[Recorded] = []
        self._allowed: list[str] = []
        # A test that must not reach the API (failed handshake, SSH only) sets this to False.
        self.expect_requests = True

    def install(self, monkeypatch: Any) -> RequestRecorder:
        original = httpx.AsyncHTTPTransport.handle_async_request
        recorder = self

        async def handle(transport: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
            if request.url.host == recorder.host:
                recorder.add(request)
            return await original(transport, request)

        monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle)
        return self

    def add(self, request: httpx.Request) -> None:
        checked = self.schema.check_httpx(request)
        cookie = request.headers.get("cookie", "")
        writes = request.method not in ("GET", "HEAD")
        if "PVEAuthCookie=" in cookie and writes and not request.headers.get("CSRFPreventionToken"):
            checked.problems.append("ticket-authenticated write without the CSRFPreventionToken header")
        self.recorded.append(Recorded(request, checked))

    def allow(self, substring: str) -> None:
        self._allowed.append(substring)

    def calls(self, method: str | None = None, template: str | None = None) -> list[CheckedRequest]:
        return [
            r.checked
            for r in self.recorded
            if (method is None or r.checked.method == method) and (template is None or r.checked.template == template)
        ]

    def problems(self) -> list[str]:
        found = []
        for r in self.recorded:
            for p in r.checked.problems:
                if not any(a in p for a in self._allowed):
                    found.append(f"{r.checked}: {p}")
        return found

    def assert_valid(self) -> None:
        if self.expect_requests:
            assert self.recorded, "no request reached the fake PVE: nothing was checked"
        problems = self.problems()
        assert not problems, "requests the PVE API schema does not allow:\n" + "\n".join(problems)
        for substring in self._allowed:
            hit = any(substring in p for r in self.recorded for p in r.checked.problems)
            assert hit, f"the schema checker did not flag the expected problem {substring!r}"
