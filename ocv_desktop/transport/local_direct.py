"""``DirectAccess`` for "this computer": the files and sockets themselves (see transport/base.py).

File reads and statvfs are blocking calls, so they run in a worker thread with a time limit.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Sequence
from typing import TypeVar

from ocv_desktop.core.errors import ConnectError, Timeout, Unsupported
from ocv_desktop.transport.base import SMALL_FILE_LIMIT, ByteReader, ByteWriter, DiskSpace

T = TypeVar("T")
WHERE = "this computer"


async def read_small_files(paths: Sequence[str], *, timeout: float) -> tuple[bytes, ...]:
    def read() -> tuple[bytes, ...]:
        contents = []
        for path in paths:
            try:
                with open(path, "rb") as f:
                    contents.append(f.read(SMALL_FILE_LIMIT))
            except OSError as exc:  # e.g. no /proc on macOS or Windows: the caller asks a command
                raise Unsupported(f"cannot read {path} on {WHERE}: {exc.strerror or exc}") from None
        return tuple(contents)

    return await _in_thread(read, f"reading {', '.join(paths)}", timeout)


async def disk_space(path: str, *, timeout: float) -> DiskSpace:
    def usage() -> DiskSpace:
        try:
            du = shutil.disk_usage(path)  # statvfs: free = the blocks an unprivileged user may use
        except OSError as exc:
            raise Unsupported(f"cannot read the size of {path} on {WHERE}: {exc.strerror or exc}") from None
        return DiskSpace(total=du.total, available=du.free)

    return await _in_thread(usage, f"statvfs {path}", timeout)


async def open_unix_socket(path: str, *, timeout: float) -> tuple[ByteReader, ByteWriter]:
    opener = getattr(asyncio, "open_unix_connection", None)
    if opener is None:  # pragma: no cover - Windows has no asyncio unix sockets
        raise Unsupported(f"{WHERE} cannot open unix sockets from this program")
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await opener(path)
    except TimeoutError:
        raise Timeout(f"opening the unix socket {path} on {WHERE}", timeout) from None
    except NotImplementedError:  # pragma: no cover - an event loop without unix sockets
        raise Unsupported(f"this event loop cannot open unix sockets on {WHERE}") from None
    except OSError as exc:
        raise ConnectError(f"cannot open the unix socket {path} on {WHERE}: {exc.strerror or exc}") from None
    return reader, writer


async def _in_thread(work: Callable[[], T], what: str, timeout: float) -> T:
    try:
        return await asyncio.wait_for(asyncio.to_thread(work), timeout)
    except TimeoutError:
        raise Timeout(f"{what} on {WHERE}", timeout) from None
