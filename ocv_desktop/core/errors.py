"""The error tree every layer raises and every front end (GUI, CLI) knows how to show.

An ``OcvError`` is an *expected* failure: its ``str()`` is a complete sentence a sysadmin can act
on, so the UI and CLI print it as-is and never show a traceback for it. Anything that is not an
``OcvError`` is a bug and is reported as one.

Messages never contain secrets: callers pass redacted command lines (see ``redact_argv``).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence


class OcvError(Exception):
    """Base of all expected errors. ``hint`` is an optional next step for the user."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(OcvError):
    """A config or import file is invalid. Carries where, so the message can point at it."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        what = f"{field}: " if field else ""
        super().__init__(f"{where}{what}{message}", hint=hint)
        self.reason = message


class InvalidInput(OcvError):
    """A value the user typed (instance name, size, port ...) is not acceptable."""


class SecretStoreError(OcvError):
    """The OS keyring failed, timed out or is locked."""


class SecretStoreLocked(SecretStoreError):
    """The OS keyring is locked and was not unlocked (the unlock prompt was dismissed or absent)."""


# --- reaching a node ---------------------------------------------------------------------------


class ConnectError(OcvError):
    """The node could not be reached (refused, unreachable, DNS, connection lost)."""


class AuthError(OcvError):
    """The node answered but refused our credentials (SSH auth, 401/403 from an API)."""


class HostKeyError(ConnectError):
    """Base for SSH host-key trust problems. Carries what the UI needs to ask the user."""

    def __init__(
        self,
        message: str,
        *,
        host: str,
        port: int,
        key_type: str,
        fingerprint: str,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.host = host
        self.port = port
        self.key_type = key_type
        self.fingerprint = fingerprint


class HostKeyUnknown(HostKeyError):
    """First contact: the host key is not in our known_hosts yet; the user must confirm it."""


class HostKeyChanged(HostKeyError):
    """The host key differs from the recorded one. Never accepted silently."""

    def __init__(self, message: str, *, expected_fingerprint: str, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.expected_fingerprint = expected_fingerprint


class CertificateError(ConnectError):
    """Base for TLS server-certificate trust problems (self-signed certs are the norm here)."""

    def __init__(self, message: str, *, host: str, port: int, fingerprint: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.host = host
        self.port = port
        self.fingerprint = fingerprint


class CertificateUnknown(CertificateError):
    """The server certificate is not trusted by a CA and not pinned yet; the user must confirm it."""


class CertificateChanged(CertificateError):
    """The server certificate differs from the pinned fingerprint. Refused."""

    def __init__(self, message: str, *, expected_fingerprint: str, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.expected_fingerprint = expected_fingerprint


class CertificateRejected(ConnectError):
    """The server certificate failed verification against the node's ``ca_file`` (wrong name,
    expired, another issuer ...). A refusal, like a changed certificate: deliberately NOT a
    CertificateError, so no trust flow ever offers to pin it (a pin never overrides ``ca_file``).
    ``reason`` is OpenSSL's; ``fingerprint`` the presented certificate's (for comparing, never pinned)."""

    def __init__(
        self, message: str, *, host: str, port: int, ca_file: str, reason: str, fingerprint: str = "",
        hint: str | None = None,
    ) -> None:  # fmt: skip
        super().__init__(message, hint=hint)
        self.host = host
        self.port = port
        self.ca_file = ca_file
        self.reason = reason
        self.fingerprint = fingerprint


class Timeout(OcvError):
    """An operation did not finish within its time limit. ``what`` names it (never with secrets)."""

    def __init__(self, what: str, seconds: float, *, hint: str | None = None) -> None:
        super().__init__(f"{what} timed out after {seconds:g} s", hint=hint)
        self.what = what
        self.seconds = seconds


# --- what the node said ------------------------------------------------------------------------


class NotFound(OcvError):
    """The instance, image or node does not exist."""


class Unsupported(OcvError):
    """The platform, instance or node cannot do what was asked (e.g. no chpasswd in the image)."""


class RemoteError(OcvError):
    """A remote command exited non-zero. ``stderr`` holds the tail of its error output."""

    def __init__(self, command: str, exit_code: int | None, stderr: str, *, hint: str | None = None) -> None:
        tail = stderr.strip()
        detail = f": {tail}" if tail else ""
        code = f"exit code {exit_code}" if exit_code is not None else "killed by a signal"
        super().__init__(f"`{command}` failed ({code}){detail}", hint=hint)
        self.command = command
        self.exit_code = exit_code
        self.stderr = stderr


class ApiError(OcvError):
    """An HTTP API answered with an error. ``field_errors`` maps parameter names to messages."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        field_errors: Mapping[str, str] | None = None,
        hint: str | None = None,
    ) -> None:
        self.status = status
        self.field_errors = dict(field_errors or {})
        text = message
        if self.field_errors:
            text += " — " + "; ".join(f"{k}: {v}" for k, v in sorted(self.field_errors.items()))
        super().__init__(text, hint=hint)
        self.reason = message


class MalformedData(OcvError):
    """A node sent data of a shape we cannot read (a wrong type, a missing key, NaN, a number out of
    range). ``what`` says which data and what was wrong; ``node`` names the node once a provider
    added it (parsers do not know the node's name)."""

    def __init__(self, what: str, *, node: str | None = None) -> None:
        self.what = what
        self.node = node
        sender = f"node {node}" if node else "the node"
        super().__init__(
            f"{sender} sent malformed data: {what}",
            hint="the node's software may be an unsupported version, or broken",
        )

    def on_node(self, node: str) -> MalformedData:
        return self if self.node else MalformedData(self.what, node=node)


class OperationFailed(OcvError):
    """An asynchronous platform operation (LXD/Incus operation, Proxmox task) ended in failure."""

    def __init__(self, message: str, *, log_tail: Sequence[str] = (), hint: str | None = None) -> None:
        text = message
        if log_tail:
            text += "\n" + "\n".join(log_tail)
        super().__init__(text, hint=hint)
        self.log_tail = tuple(log_tail)


def redact_argv(argv: Sequence[str], secrets: Sequence[str] = ()) -> str:
    """A printable command line with any known secret value replaced by ``***``."""
    hidden = [s for s in secrets if s]
    out = []
    for arg in argv:
        shown = arg
        for s in hidden:
            shown = shown.replace(s, "***")
        out.append(shown)
    return shlex.join(out)
