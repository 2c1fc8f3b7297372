"""The two roads to an LXD/Incus daemon behind one small interface.

``LxdFamilyProvider`` (lxd_family.py) holds the semantics (what "stop" means, when a delete is
refused, how a password is set, when to fall back from the API to SSH); a backend only knows how
to say one primitive over its road: the REST API (lxd_api_backend.py) or the ``incus``/``lxc`` CLI
over SSH (lxd_cli_backend.py). Both hand back the API's own JSON shapes (``InstanceFull``,
``Image``), which the CLI prints too, so one parser (lxd_parse.py) serves both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ocv_desktop.core.models import InstanceSpec, ProgressCallback


@dataclass(frozen=True, slots=True)
class ExecResult:
    exit_code: int | None
    stdout: bytes = b""
    stderr: bytes = b""


class LxdBackend(Protocol):
    via: str  # "api" or "ssh", for messages

    async def list_instances(self) -> list[dict[str, Any]]:
        """Every instance as ``InstanceFull`` (with ``state``), in a constant number of calls."""
        ...

    async def get_instance(self, name: str) -> dict[str, Any]:
        """One ``InstanceFull``; raises NotFound."""
        ...

    async def create_instance(self, spec: InstanceSpec, progress: ProgressCallback | None) -> None:
        """Create (and start when ``spec.start``) and return when the daemon says it is done."""
        ...

    async def change_state(self, name: str, action: str, *, timeout: float | None, force: bool) -> None:
        """start / stop / restart, awaited to the end."""
        ...

    async def delete_instance(self, name: str) -> None:
        """Delete a stopped instance, awaited."""
        ...

    async def list_images(self) -> list[dict[str, Any]]: ...

    async def pull_image(self, ref: str, progress: ProgressCallback | None) -> str:
        """Copy an image from a remote server; return its local fingerprint."""
        ...

    async def delete_image(self, image_id: str) -> None: ...

    async def list_snapshots(self, name: str) -> list[dict[str, Any]]:
        """The instance's snapshots as ``InstanceSnapshot`` objects; raises NotFound."""
        ...

    async def create_snapshot(self, name: str, snapshot: str, *, stateful: bool) -> None:
        """Take a snapshot, awaited to the end."""
        ...

    async def restore_snapshot(self, name: str, snapshot: str) -> None:
        """Restore the instance to a snapshot, awaited."""
        ...

    async def delete_snapshot(self, name: str, snapshot: str) -> None:
        """Delete one snapshot, awaited."""
        ...

    async def console_log(self, name: str) -> str:
        """The instance's console log, whole (the daemon keeps a bounded file)."""
        ...

    async def exec(
        self, name: str, argv: list[str], *, stdin: bytes, timeout: float, secrets: tuple[str, ...] = ()
    ) -> ExecResult:
        """Run ``argv`` inside the instance with ``stdin``; never put ``stdin`` in an argv.
        ``secrets`` are redacted from any error text."""
        ...

    async def close(self) -> None: ...
