"""The app's own ``known_hosts`` (OpenSSH format): trust on first use for SSH host keys.

One line per trusted key: ``host key-type base64`` for port 22, ``[host]:port key-type base64``
otherwise, exactly as OpenSSH writes them, so the file can be inspected or edited with the usual
tools. Hashed entries (``|1|salt|hash``) written by ``ssh-keygen -H`` are understood too.

Decisions (DESIGN.md rule 4):
- no key recorded for ``host:port`` -> the host is *unknown*; the user must confirm its fingerprint;
- the presented key is among those recorded -> trusted;
- keys are recorded but the presented one is not among them -> *changed*; never accepted here.
  Only an explicit ``trust_host_key(..., replace=True)`` (the user saw both fingerprints) replaces it.

Unlike asyncssh's own matcher, a key recorded for port 22 is never used for another port.

These functions do small blocking file I/O: call them through ``asyncio.to_thread`` from the loop.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import asyncssh

from ocv_desktop.core.errors import ConfigError, HostKeyChanged
from ocv_desktop.store.files import write_atomically

DEFAULT_SSH_PORT = 22


class HostKeyInfo(NamedTuple):
    """What a user needs to decide about a host key, and what gets recorded once they agree."""

    key_type: str  # e.g. "ssh-ed25519"
    fingerprint: str  # "SHA256:..." exactly as OpenSSH prints it
    openssh_line: str  # "ssh-ed25519 AAAA..." (the public key, no host, no comment)


def host_pattern(host: str, port: int) -> str:
    """The known_hosts name for host:port: ``host`` for 22, ``[host]:port`` otherwise (OpenSSH rules)."""
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    return name if port == DEFAULT_SSH_PORT else f"[{name}]:{port}"


def key_info(key: asyncssh.SSHKey) -> HostKeyInfo:
    line = key.export_public_key("openssh").decode("ascii").split()
    return HostKeyInfo(key_type=line[0], fingerprint=key.get_fingerprint("sha256"), openssh_line=f"{line[0]} {line[1]}")


def parse_public_key(public_key_or_line: str | asyncssh.SSHKey) -> asyncssh.SSHKey:
    """A key from ``ssh-ed25519 AAAA... [comment]``, a known_hosts line ``host ssh-ed25519 AAAA...``, or a key."""
    if isinstance(public_key_or_line, asyncssh.SSHKey):
        return public_key_or_line
    fields = public_key_or_line.split()
    # A known_hosts line has the host pattern(s) first; a bare public key starts with its type.
    for start in (0, 1):
        if len(fields) >= start + 2:
            try:
                return asyncssh.import_public_key(f"{fields[start]} {fields[start + 1]}")
            except (asyncssh.KeyImportError, ValueError):
                continue
    raise ValueError("not an OpenSSH public key or known_hosts line")


def _matches(pattern_field: str, wanted: str) -> bool:
    """Whether a known_hosts host field names ``wanted`` (an exact ``host`` or ``[host]:port``).

    Wildcard and negated patterns are never written by this app and are ignored (no match), so a
    hand-edited ``*`` line cannot silently make every host trusted."""
    for pat in pattern_field.split(","):
        if pat.startswith("|1|"):
            try:
                _, _, salt_b64, hash_b64 = pat.split("|", 3)
                salt = base64.b64decode(salt_b64)
                digest = hmac.new(salt, wanted.encode(), hashlib.sha1).digest()
                if hmac.compare_digest(digest, base64.b64decode(hash_b64)):
                    return True
            except ValueError:
                continue
        elif not any(c in pat for c in "*?!") and pat.lower() == wanted:
            return True
    return False


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the known hosts file: {exc}", path=str(path)) from exc


def _entries(lines: Iterable[str]) -> Iterable[tuple[int, str, asyncssh.SSHKey]]:
    """(line index, host field, key) for every plain host-key line; markers and junk are skipped."""
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line or line.startswith(("#", "@")):
            continue
        fields = line.split()
        if len(fields) < 3:
            continue
        try:
            key = asyncssh.import_public_key(f"{fields[1]} {fields[2]}")
        except (asyncssh.KeyImportError, ValueError):
            continue
        yield index, fields[0], key


def _revoked(lines: Iterable[str]) -> list[asyncssh.SSHKey]:
    keys = []
    for raw in lines:
        fields = raw.split()
        if len(fields) >= 4 and fields[0] == "@revoked":
            try:
                keys.append(asyncssh.import_public_key(f"{fields[2]} {fields[3]}"))
            except (asyncssh.KeyImportError, ValueError):
                continue
    return keys


def recorded_host_keys(path: Path, host: str, port: int) -> list[asyncssh.SSHKey]:
    """Every key trusted for exactly host:port (empty when the host is unknown)."""
    wanted = host_pattern(host, port)
    return [key for _, field, key in _entries(_read_lines(path)) if _matches(field, wanted)]


def revoked_host_keys(path: Path) -> list[asyncssh.SSHKey]:
    """Every key named by a ``@revoked`` line (added by hand), whatever its host pattern."""
    return _revoked(_read_lines(path))


def is_revoked(path: Path, key: asyncssh.SSHKey) -> bool:
    """Whether a ``@revoked`` line (added by hand) names this key."""
    return key in _revoked(_read_lines(path))


def _write_lines(path: Path, lines: list[str]) -> None:
    """Atomic replace, private to the user (``core.files``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, "".join(line + "\n" for line in lines).encode("utf-8"))


def trust_host_key(
    path: Path, host: str, port: int, public_key_or_line: str | asyncssh.SSHKey, *, replace: bool = False
) -> HostKeyInfo:
    """Record a key the user confirmed for host:port and return what was recorded.

    Idempotent for a key already recorded. If a *different* key is recorded for host:port, this
    raises ``HostKeyChanged`` unless ``replace=True`` (the user saw both fingerprints and chose the
    new one), in which case the old entries for host:port are removed first."""
    key = parse_public_key(public_key_or_line)
    info = key_info(key)
    wanted = host_pattern(host, port)
    lines = _read_lines(path)
    recorded = [k for _, field, k in _entries(lines) if _matches(field, wanted)]
    if key in recorded:
        return info
    if recorded and not replace:
        old = key_info(recorded[0])
        raise HostKeyChanged(
            f"{wanted} already has a different trusted host key ({old.key_type} {old.fingerprint}); "
            f"refusing to trust {info.key_type} {info.fingerprint} in its place",
            host=host,
            port=port,
            key_type=info.key_type,
            fingerprint=info.fingerprint,
            expected_fingerprint=old.fingerprint,
            hint="if the server was reinstalled, confirm the replacement explicitly",
        )
    if recorded:
        lines = _without(lines, wanted)
    lines.append(f"{wanted} {info.openssh_line}")
    _write_lines(path, lines)
    return info


def _without(lines: list[str], wanted: str) -> list[str]:
    """The lines with host:port removed (a line naming other hosts too keeps those)."""
    drop = {index for index, field, _ in _entries(lines) if _matches(field, wanted)}
    out = []
    for index, line in enumerate(lines):
        if index not in drop:
            out.append(line)
            continue
        fields = line.split()
        others = [p for p in fields[0].split(",") if not _matches(p, wanted)]
        if others:
            out.append(" ".join([",".join(others), *fields[1:]]))
    return out


def forget_host_key(path: Path, host: str, port: int) -> int:
    """Remove every key recorded for host:port; returns how many entries named it."""
    wanted = host_pattern(host, port)
    lines = _read_lines(path)
    removed = sum(1 for _, field, _ in _entries(lines) if _matches(field, wanted))
    if removed:
        _write_lines(path, _without(lines, wanted))
    return removed
