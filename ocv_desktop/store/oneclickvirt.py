"""Reading the OneClickVirt provider YAML (seed README, section 配置文件格式) for import.

The format is a ``providers:`` list whose items have ``name``, ``type``, ``host``, ``port``,
``username``, ``password``, ``client_cert``, ``client_key``, ``server_cert``, ``api_token`` and
``api_endpoint``. What becomes of each key:

- ``password`` -> the node's SSH password, in the keyring (``auth: password``);
- ``api_token: "user@pam!token=uuid"`` -> ``api_token_id: user@pam!token`` in the config and the
  secret ``uuid`` in the keyring (split once at the first ``=``; the original doubles the prefix);
- ``server_cert`` (a path) -> the SHA-256 fingerprint of that certificate, pinned;
- ``client_cert``/``client_key``/``api_endpoint`` -> kept as they are (relative paths are taken
  relative to the imported file).

This module only reads and checks the file. ``services.nodes.NodeService.import_oneclickvirt``
merges the entries into the config (by name, keeping ids) and stores the secrets. One bad entry
is reported with its line and skipped; the others still import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ocv_desktop.core.errors import ConfigError
from ocv_desktop.core.models import AuthMethod, NodeConfig, NodeSecrets, Platform
from ocv_desktop.core.nodes import validate_node
from ocv_desktop.store.files import read_regular_file
from ocv_desktop.store.yamlfile import (
    INT_TAG,
    NULL_TAG,
    InvalidFile,
    Problem,
    compose,
    describe,
    line_of,
    mapping_items,
    read_text,
    scalar_value,
)

KEYS = (
    "name",
    "type",
    "host",
    "port",
    "username",
    "password",
    "client_cert",
    "client_key",
    "server_cert",
    "api_token",
    "api_endpoint",
)
MAX_CERT_BYTES = 1 << 20  # a certificate (or a chain) is a few KiB
_TYPE_ALIASES = {"proxmoxve": "proxmox"}  # upstream OneClickVirt also registers this name
# Which OneClickVirt key a NodeConfig field came from, to point problems at the right line.
_SOURCE_KEY = {
    "auth": "password",
    "api_token_id": "api_token",
    "server_cert_fingerprint": "server_cert",
}


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """A problem with one entry (or a warning about it)."""

    source: str
    index: int  # position in ``providers:``, from 0
    name: str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        who = f"providers[{self.index}]" + (f" ({self.name})" if self.name else "")
        return f"{where}: {who}: {self.message}"


@dataclass(frozen=True, slots=True)
class ImportEntry:
    """One readable entry: the NodeConfig fields it sets (besides ``name``) and its secrets."""

    index: int
    line: int
    name: str
    fields: Mapping[str, Any]
    secrets: NodeSecrets
    key_lines: Mapping[str, int] = field(default_factory=dict)

    def build(self, existing: NodeConfig | None, source: str) -> tuple[NodeConfig | None, list[ImportProblem]]:
        """The node this entry makes: ``existing`` updated (same id), or a new node. Returns
        the node, or None and the problems that stop it."""
        node = existing.replace(**self.fields) if existing else NodeConfig(name=self.name, **self.fields)
        problems = [
            ImportProblem(
                source,
                self.index,
                self.name,
                self.key_lines.get(_SOURCE_KEY.get(f, f), self.line),
                f"{_SOURCE_KEY.get(f, f)}: {message}",
            )
            for f, message in validate_node(node)
        ]
        return (None if problems else node), problems


@dataclass(frozen=True, slots=True)
class ImportPlan:
    source: Path
    entries: tuple[ImportEntry, ...]
    errors: tuple[ImportProblem, ...]
    warnings: tuple[ImportProblem, ...]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: nodes added and updated (in file order), entries skipped, warnings."""

    source: Path
    added: tuple[NodeConfig, ...] = ()
    updated: tuple[NodeConfig, ...] = ()
    errors: tuple[ImportProblem, ...] = ()
    warnings: tuple[ImportProblem, ...] = ()
    # Names of imported nodes whose secrets the keyring did not take (locked, or no keyring): kept
    # in memory for this run only. The CLI fails on them, the GUI says so.
    unsaved_secrets: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def certificate_fingerprint(path: Path) -> str:
    """SHA-256 of the certificate's DER encoding, 64 lowercase hex digits (what TLS pinning
    compares). Accepts PEM (first certificate of the file) or DER. Raises ValueError/OSError, the
    latter also for what is not a regular file (/dev/zero, a FIFO) or is too large to be one."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    data = read_regular_file(path, MAX_CERT_BYTES)
    cert = x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


def split_api_token(token: str) -> tuple[str, str]:
    """``USER@REALM!TOKENID=SECRET`` -> (token id, secret). Split once, at the first ``=``; a
    secret that repeats the id (``ID=ID=SECRET``, what the original produces) is cleaned."""
    token_id, sep, secret = token.strip().partition("=")
    token_id, secret = token_id.strip(), secret.strip()
    if not sep or not token_id or not secret:
        raise ValueError("must be USER@REALM!TOKENID=SECRET (for example root@pam!ocv=xxxxxxxx-...)")
    while secret.startswith(token_id + "="):
        secret = secret[len(token_id) + 1 :]
    return token_id, secret


class _Entry:
    """Reads one ``providers:`` item, collecting its problems instead of stopping at the first."""

    def __init__(self, node: yaml.MappingNode, index: int, base: Path) -> None:
        self.node = node
        self.index = index
        self.base = base
        self.problems: list[tuple[int, str]] = []
        self.warnings: list[tuple[int, str]] = []
        self.raw: dict[str, yaml.Node] = {}
        self.lines: dict[str, int] = {}
        found: list[Problem] = []
        for key, key_node, value_node in mapping_items(node, "", found):
            if key not in KEYS:
                self.problems.append((line_of(key_node), f"{key}: unknown key (known: {', '.join(KEYS)})"))
                continue
            self.raw[key] = value_node
            self.lines[key] = line_of(value_node)
        self.problems += [(p.line or line_of(node), f"{p.field}: {p.message}") for p in found]

    def text(self, key: str, *, required: bool = False) -> str | None:
        node = self.raw.get(key)
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG):
            if required:
                self.problems.append((line_of(self.node), f"{key}: is missing"))
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problems.append((line_of(node), f"{key}: must be text, not {describe(node)}"))
            return None
        return str(node.value)  # as written: `password: 0123` stays "0123"

    def port(self) -> int | None:
        node = self.raw.get("port")
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG):
            return None
        if isinstance(node, yaml.ScalarNode) and node.tag == INT_TAG:
            value = scalar_value(node)
            return value if isinstance(value, int) else None
        if isinstance(node, yaml.ScalarNode) and node.value.strip().isdigit():
            return int(node.value)  # `port: "22"`: quoted numbers are common in hand-written files
        self.problems.append((line_of(node), f"port: must be a whole number, not {describe(node)}"))
        return None

    def path(self, key: str) -> Path | None:
        value = self.text(key)
        if not value:
            return None
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.base / p).resolve()

    def platform(self) -> Platform | None:
        text = self.text("type", required=True)
        if text is None:
            return None
        value = _TYPE_ALIASES.get(text.strip().lower(), text.strip().lower())
        if value in {p.value for p in Platform}:
            return Platform(value)
        choices = ", ".join(p.value for p in Platform)
        self.problems.append((self.lines["type"], f"type: must be one of {choices}, not {text!r}"))
        return None

    def host(self) -> str | None:
        text = self.text("host", required=True)
        if text is not None and not text.strip():
            self.problems.append((self.lines["host"], "host: must not be empty"))
        return text.strip() if text else None

    def token(self) -> tuple[str, str] | None:
        token = self.text("api_token")
        if not token:
            return None
        try:
            return split_api_token(token)
        except ValueError as err:
            self.problems.append((self.lines["api_token"], f"api_token: {err}"))
            return None

    def client_files(self) -> tuple[str | None, str | None]:
        """(client_cert, client_key). The files often exist only on the OneClickVirt server the
        YAML was copied from: then neither is imported, with a warning, and the node asks for
        credentials on first connect (enrolment), instead of the whole entry being skipped."""
        cert, key = self.path("client_cert"), self.path("client_key")
        missing = [(k, p) for k, p in (("client_cert", cert), ("client_key", key)) if p is not None and not p.exists()]
        if not missing:
            return (str(cert) if cert else None), (str(key) if key else None)
        for k, p in missing:
            self.warnings.append(
                (
                    self.lines[k],
                    f"{k}: {p} is not on this computer, so the client certificate was not imported; "
                    "the node will ask for credentials on first connect (or enrol this computer with "
                    "`ocv-desktop enroll`)",
                )
            )
        return None, None

    def endpoint(self) -> str | None:
        value = (self.text("api_endpoint") or "").strip() or None
        if value is not None and value.lower().startswith("unix:"):
            # A OneClickVirt entry is a remote node; a socket path would reach the daemon on THIS
            # computer under the remote node's name (listing, even deleting, its instances).
            self.problems.append(
                (
                    self.lines["api_endpoint"],
                    "api_endpoint: a unix:// socket is a daemon on this computer, not on the node's host; "
                    "use https://HOST:PORT, or add this computer's daemon as a local node",
                )
            )
            return None
        return value

    def fingerprint(self) -> str | None:
        cert = self.path("server_cert")
        if cert is None:
            return None
        if not cert.exists():
            self.warnings.append(
                (
                    self.lines["server_cert"],
                    f"server_cert: {cert} is not on this computer, so no certificate was pinned; "
                    "the node's certificate will be shown for you to confirm on first connect",
                )
            )
            return None
        try:
            return certificate_fingerprint(cert)
        except OSError as err:
            self.problems.append((self.lines["server_cert"], f"server_cert: cannot read {cert}: {err.strerror or err}"))
        except ValueError as err:
            self.problems.append((self.lines["server_cert"], f"server_cert: {cert} is not a certificate ({err})"))
        return None

    def fields(self) -> tuple[dict[str, Any], NodeSecrets]:
        """The NodeConfig fields this entry sets (only those it has) and its secrets."""
        values: dict[str, Any] = {
            "type": self.platform(),
            "host": self.host(),
            "port": self.port(),
            "username": (self.text("username") or "").strip() or None,
            "api_endpoint": self.endpoint(),
            "server_cert_fingerprint": self.fingerprint(),
        }
        values["client_cert"], values["client_key"] = self.client_files()
        password = self.text("password") or None
        if password is not None:
            values["auth"] = AuthMethod.PASSWORD
        token = self.token()
        if token is not None:
            values["api_token_id"] = token[0]
        secrets = NodeSecrets(ssh_password=password, api_token_secret=token[1] if token else None)
        return {k: v for k, v in values.items() if v is not None}, secrets


def _read_entry(
    item: yaml.Node, index: int, source: Path
) -> tuple[ImportEntry | None, list[ImportProblem], list[ImportProblem]]:
    src = str(source)
    if not isinstance(item, yaml.MappingNode):
        return None, [ImportProblem(src, index, None, line_of(item), f"must be a mapping, not {describe(item)}")], []
    e = _Entry(item, index, source.parent)
    name = (e.text("name", required=True) or "").strip() or None
    fields, secrets = e.fields()
    if e.problems or name is None:  # a skipped entry's warnings would only be noise beside its errors
        return None, [ImportProblem(src, index, name, line, message) for line, message in e.problems], []
    warnings = [ImportProblem(src, index, name, line, message) for line, message in e.warnings]
    return ImportEntry(index, line_of(item), name, fields, secrets, dict(e.lines)), [], warnings


def read_oneclickvirt(path: Path) -> ImportPlan:
    """Read an import file. Raises ConfigError when the file as a whole is unusable (not YAML,
    no ``providers:`` list); problems of single entries are returned in ``errors``."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError("no such file" if not path.exists() else "is not a file", path=str(path))
    root = compose(read_text(path), path)
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError("must be a mapping with a `providers:` list (OneClickVirt format)", path=str(path))
    problems: list[Problem] = []
    providers = None
    for key, key_node, value_node in mapping_items(root, "", problems):
        if key == "providers":
            providers = value_node
        else:
            raise ConfigError(
                "unknown key; a OneClickVirt file has only a `providers:` list",
                path=str(path),
                line=line_of(key_node),
                field=key,
            )
    if providers is None or not isinstance(providers, yaml.SequenceNode):
        line = line_of(providers) if providers is not None else None
        raise ConfigError("must have a `providers:` list (OneClickVirt format)", path=str(path), line=line)
    if problems:
        raise InvalidFile(path, problems)
    entries: list[ImportEntry] = []
    errors: list[ImportProblem] = []
    warnings: list[ImportProblem] = []
    first_line: dict[str, int] = {}
    for index, item in enumerate(providers.value):
        entry, entry_errors, entry_warnings = _read_entry(item, index, path)
        warnings += entry_warnings
        if entry is not None and entry.name in first_line:
            entry_errors = [
                ImportProblem(
                    str(path),
                    index,
                    entry.name,
                    entry.key_lines.get("name", entry.line),
                    f"name: {entry.name!r} appears twice in this file (first on line {first_line[entry.name]})",
                )
            ]
            entry = None
        errors += entry_errors
        if entry is not None:
            first_line[entry.name] = entry.key_lines.get("name", entry.line)
            entries.append(entry)
    return ImportPlan(path, tuple(entries), tuple(errors), tuple(warnings))
