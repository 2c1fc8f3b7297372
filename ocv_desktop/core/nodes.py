"""Nodes in the domain: what a valid node is, and which fields each kind of node uses.

``validate_node`` is the one check of a node: config.yaml runs it when it loads, the OneClickVirt
import, the node service, ``nodes add`` and the node editor (which shows its messages under the
fields). ``node_fields`` is the one table of which settings and secrets apply to a platform (and
to its login choices): the node editor shows exactly those rows, and ``nodes add`` refuses the
options that do not apply.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Iterator
from enum import StrEnum
from urllib.parse import urlsplit

from ocv_desktop.core.models import AuthMethod, ExecutionRule, NodeConfig, Platform

MAX_NAME_LENGTH = 100

# --- node validation (shared by the loader, the import and the node service) -------------------

_HOSTNAME_RE = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})$")  # never a leading '-' (an ssh option)
_HOST_PORT_RE = re.compile(r"^[^:]+:\d+$")
_PVE_USER_RE = re.compile(r"^[^\s@!=:]+@[^\s@!=:]+$")
_PVE_TOKEN_ID_RE = re.compile(r"^[^\s@!=:]+@[^\s@!=:]+![A-Za-z][A-Za-z0-9._-]*$")
_FINGERPRINT_RE = re.compile(r"^[0-9a-f]{64}$")


def normalize_fingerprint(value: str) -> str:
    """SHA-256 fingerprints as 64 lowercase hex digits: accepts ``AB:CD:...`` (OpenSSL style),
    an optional ``sha256:`` prefix and either case. Raises ValueError for anything else."""
    text = value.strip().lower()
    text = text.removeprefix("sha256:").removeprefix("sha256 fingerprint=").replace(":", "")
    if not _FINGERPRINT_RE.fullmatch(text):
        raise ValueError("must be a SHA-256 fingerprint: 64 hex digits, optionally separated by ':'")
    return text


def _host_problem(host: str) -> str | None:
    if not host:
        return "must not be empty"
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    if host.startswith("[") and host.endswith("]"):
        return "write IPv6 addresses without brackets"
    if _HOST_PORT_RE.fullmatch(host):
        return "must not contain a port; put the SSH port in `port:`"
    if not _HOSTNAME_RE.fullmatch(host):
        return f"{host!r} is not a host name or IP address"
    return None


def _endpoint_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "unix" and (parts.path or parts.netloc):
        return None
    if parts.scheme == "http":
        return "plain http:// would send credentials unencrypted; use https:// (or unix:// for a local socket)"
    return "must be an https:// URL or a unix:// socket path"


def _identity_problems(node: NodeConfig) -> Iterator[tuple[str, str]]:
    if not node.id or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", node.id):
        yield "id", "must be letters, digits, '.', '_' or '-' (a UUID)"
    name = node.name
    if not name or not name.strip():
        yield "name", "must not be empty"
    elif name != name.strip() or any(not c.isprintable() for c in name):
        yield "name", "must not start or end with spaces or contain control characters"
    elif len(name) > MAX_NAME_LENGTH:
        yield "name", f"must be at most {MAX_NAME_LENGTH} characters"
    for tag in node.tags:
        if not tag or tag != tag.strip() or any(not c.isprintable() for c in tag):
            yield "tags", f"{tag!r} is not a usable tag (empty, padded or with control characters)"


def _ssh_problems(node: NodeConfig) -> Iterator[tuple[str, str]]:
    if problem := _host_problem(node.host):
        yield "host", problem
    if not 1 <= node.port <= 65535:
        yield "port", f"must be between 1 and 65535, not {node.port}"
    if not node.username or any(c.isspace() or not c.isprintable() for c in node.username):
        yield "username", "must be a user name without spaces"
    if node.auth is AuthMethod.KEY and not node.key_path:
        yield "key_path", "auth: key needs key_path (the private key file)"


def _api_problems(node: NodeConfig) -> Iterator[tuple[str, str]]:
    if node.api_endpoint is not None and (problem := _endpoint_problem(node.api_endpoint)):
        yield "api_endpoint", problem
    elif node.api_endpoint is not None and not node.local and urlsplit(node.api_endpoint).scheme.lower() == "unix":
        # A socket is a daemon on THIS computer: under a remote node's name it would list (and
        # delete) the local daemon's instances.
        yield "api_endpoint", "a unix:// socket is on this computer; only a local node (local: true) may use one"
    if node.api_user is not None and not _PVE_USER_RE.fullmatch(node.api_user):
        yield "api_user", "must look like USER@REALM (for example root@pam)"
    if node.api_token_id is not None and "=" in node.api_token_id:
        yield (
            "api_token_id",
            "contains '=': the part after '=' is the token secret, which belongs in the keyring, not in this file",
        )
    elif node.api_token_id is not None and not _PVE_TOKEN_ID_RE.fullmatch(node.api_token_id):
        yield "api_token_id", "must look like USER@REALM!TOKENID (for example root@pam!ocv)"
    if (node.client_cert is None) != (node.client_key is None):
        yield ("client_key" if node.client_key is None else "client_cert"), "client_cert and client_key go together"
    if node.server_cert_fingerprint is not None:
        try:
            if normalize_fingerprint(node.server_cert_fingerprint) != node.server_cert_fingerprint:
                yield "server_cert_fingerprint", "must be 64 lowercase hex digits"
        except ValueError as e:
            yield "server_cert_fingerprint", str(e)


def _rule_problems(node: NodeConfig) -> Iterator[tuple[str, str]]:
    if node.execution_rule is not ExecutionRule.API_ONLY:
        return
    if node.type is Platform.DOCKER:
        yield "execution_rule", "docker nodes have no API; use auto or ssh_only"
    elif node.type in (Platform.LXD, Platform.INCUS) and node.client_cert is None:
        if not (node.api_endpoint or "").startswith("unix:"):
            yield "execution_rule", "api_only needs client_cert/client_key or a unix:// api_endpoint"
    elif node.type is Platform.PROXMOX and node.api_token_id is None and node.api_user is None:
        yield "execution_rule", "api_only needs api_token_id or api_user"


def validate_node(node: NodeConfig) -> list[tuple[str, str]]:
    """Problems with one node, as (field, message); empty when the node is fine. Checks only
    the node itself (uniqueness across nodes is the config's job)."""
    return [
        *_identity_problems(node),
        *_ssh_problems(node),
        *_api_problems(node),
        *_rule_problems(node),
    ]


# --- which fields a node uses ------------------------------------------------------------------


class ApiLogin(StrEnum):
    """How a Proxmox node logs in to its API (a choice, stored as which fields are set)."""

    TOKEN = "token"
    PASSWORD = "password"
    NONE = "none"


def api_login_of(node: NodeConfig) -> ApiLogin:
    if node.api_token_id:
        return ApiLogin.TOKEN
    return ApiLogin.PASSWORD if node.api_user else ApiLogin.NONE


def uses_api_address(platform: Platform, api_login: ApiLogin = ApiLogin.TOKEN) -> bool:
    """The node has an API address (and so a CA file or a pinned certificate) to set."""
    if platform is Platform.DOCKER:
        return False
    return platform is not Platform.PROXMOX or api_login is not ApiLogin.NONE


_AUTH_FIELDS = {AuthMethod.KEY: ("key_path", "key_passphrase"), AuthMethod.PASSWORD: ("ssh_password",)}
_API_LOGIN_FIELDS = {
    ApiLogin.TOKEN: ("api_token_id", "api_token_secret"),
    ApiLogin.PASSWORD: ("api_user", "api_password"),
    ApiLogin.NONE: (),
}


def node_fields(
    platform: Platform, *, local: bool, auth: AuthMethod, api_login: ApiLogin = ApiLogin.TOKEN
) -> frozenset[str]:
    """The ``NodeConfig`` and ``NodeSecrets`` field names that apply to such a node; every other
    optional field must stay unset (switching platform drops the old platform's settings)."""
    fields = {"id", "name", "type", "local", "use_sudo", "execution_rule", "tags", "notes"}
    if not local:
        fields |= {"host", "port", "username", "auth", *_AUTH_FIELDS.get(auth, ())}
    if uses_api_address(platform, api_login):
        fields |= {"api_endpoint", "ca_file", "server_cert_fingerprint"}
    if platform is Platform.PROXMOX:
        fields |= {"proxmox_node", *_API_LOGIN_FIELDS[api_login]}
    if platform in (Platform.LXD, Platform.INCUS):
        fields |= {"client_cert", "client_key"}
    return frozenset(fields)


def fields_of(node: NodeConfig) -> frozenset[str]:
    """``node_fields`` for the choices a node has made."""
    return node_fields(node.type, local=node.local, auth=node.auth, api_login=api_login_of(node))


def set_fields(node: NodeConfig) -> list[str]:
    """The optional settings of ``node`` that are set (not None)."""
    return [f.name for f in dataclasses.fields(node) if f.default is None and getattr(node, f.name) is not None]
