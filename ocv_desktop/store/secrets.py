"""Per-node secrets in the system keyring: service ``ocv-desktop``, key ``node/<node-id>/<field>``.

Choosing the backend is explicit (lab-recipes.md §9, desktop-anchors.md §E), because keyring's own
auto-selection can pick something that prompts on the terminal or writes a file:

1. a backend the user configured for keyring (``PYTHON_KEYRING_BACKEND`` or ``keyringrc.cfg``),
   else the highest-priority backend installed;
2. refused: keyring's ``fail`` and ``null`` backends, and the file backends of ``keyrings.alt`` /
   ``keyrings.cryptfile`` (plaintext, or a master-password prompt on the terminal). From a
   ``ChainerBackend`` the first member that is not refused is used;
3. a probe read must answer within the timeout (a locked keyring that wants an unlock prompt
   the user does not answer fails here, not later in the middle of an operation).

If no backend passes, secrets live in memory for this run only: ``persistent`` is False and
``reason`` says why, for the UI and CLI to show. Secrets never go to a plaintext file. ``state``
tells the cases apart (KeyringState): no system keyring at all (MEMORY), one that is locked
(LOCKED), one that fails or does not answer (UNUSABLE). In the last two the keyring may hold
secrets of this node we cannot reach: deleting them then raises SecretStoreError instead of
pretending (removing a node must not say "and its secrets" while they stay in the keyring).

Every keyring call runs off the event loop with a time limit (a timeout is a SecretStoreError).
The calls go to one daemon worker thread, not ``asyncio.to_thread``: a D-Bus call stuck on a
locked keyring cannot be cancelled, and a stuck thread of the default executor would block the
interpreter's exit (asyncio.run waits for that executor). Keyring backends are not known to be
thread-safe either, so one thread serialising them is what we want anyway.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import logging
import queue
import sys
import threading
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from ocv_desktop.core.errors import SecretStoreError, SecretStoreLocked
from ocv_desktop.core.models import NodeSecrets, SecretField

if TYPE_CHECKING:  # keyring (with jaraco, secretstorage, cryptography: ~50-100 ms) is imported on the
    # keyring thread when the store opens, so the window paints before it (issue 15)
    import keyring.backend

log = logging.getLogger(__name__)

SERVICE = "ocv-desktop"
DEFAULT_TIMEOUT = 5.0
MEMORY_BACKEND = "memory (this run only)"
_PROBE_KEY = "probe/availability"  # read, never written
# Module prefixes of backends that keep secrets in a file (plaintext, or encrypted behind a master
# password that keyring asks for on the terminal).
_FILE_BACKEND_MODULES = ("keyrings.alt", "keyrings.cryptfile")

T = TypeVar("T")


class KeyringState(StrEnum):
    SAVED = "keyring"  # secrets go to the system keyring
    MEMORY = "memory-only"  # there is no usable system keyring: this run only
    LOCKED = "locked"  # the system keyring is locked: this run only, and what it holds is out of reach
    UNUSABLE = "unusable"  # the system keyring fails or does not answer: the same
    OPENING = "opening"  # SecretStore.opening(): not chosen yet; every call waits for adopt()


def secret_key(node_id: str, field: SecretField) -> str:
    return f"node/{node_id}/{SecretField(field).value}"


def backend_label(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def refusal(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why this backend is not used, or None when it is acceptable."""
    from keyring.backends import fail, null

    if isinstance(backend, fail.Keyring):
        return "no system keyring is available"
    if isinstance(backend, null.Keyring):
        return "the keyring is switched off (keyring's null backend is configured)"
    module = type(backend).__module__
    if module.startswith(_FILE_BACKEND_MODULES):
        return (
            f"the only keyring found is {backend_label(backend)}, which keeps secrets in a file "
            "(in plaintext or behind a terminal password prompt); ocv-desktop uses only the system keyring"
        )
    return None


# --- the worker thread ---------------------------------------------------------------------------


@dataclasses.dataclass(eq=False)
class _Job:
    fn: Callable[[], Any]
    future: concurrent.futures.Future[Any]
    finished: threading.Event = dataclasses.field(default_factory=threading.Event)


class _KeyringThread:
    """One daemon thread that runs keyring calls in order."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.stuck: _Job | None = None  # a job that timed out and has not returned yet

    def submit(self, fn: Callable[[], T]) -> _Job:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ocv-keyring", daemon=True)
                self._thread.start()
        job = _Job(fn, concurrent.futures.Future())
        self._jobs.put(job)
        return job

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job.future.set_running_or_notify_cancel():
                    try:
                        job.future.set_result(job.fn())
                    except BaseException as e:  # delivered to the awaiting coroutine
                        job.future.set_exception(e)
            finally:
                job.finished.set()


_WORKER = _KeyringThread()


async def _call(what: str, fn: Callable[[], T], timeout: float) -> T:
    """Run ``fn`` on the keyring thread; SecretStoreError on timeout or keyring failure."""
    stuck = _WORKER.stuck
    if stuck is not None and not stuck.finished.is_set():
        raise SecretStoreError(
            f"the keyring has not answered an earlier request, so it cannot {what} now",
            hint="unlock the keyring or restart the app",
        )
    job = _WORKER.submit(fn)
    try:
        return await asyncio.wait_for(asyncio.wrap_future(job.future), timeout)
    except TimeoutError:  # first: the clause below imports keyring, which the stuck thread may hold
        _WORKER.stuck = job
        raise SecretStoreError(
            f"the keyring did not answer within {timeout:g} s while trying to {what}",
            hint="is it locked? unlock it and try again",
        ) from None
    except _keyring_locked():  # raised by the keyring thread, which has imported keyring by then
        raise SecretStoreLocked(
            f"the keyring is locked, so it cannot {what}",
            hint="unlock it (in your desktop's password manager or its unlock prompt) and try again",
        ) from None
    except Exception as e:  # KeyringError, and D-Bus errors some backends let through
        raise SecretStoreError(f"the keyring failed to {what}: {e or type(e).__name__}") from None


def _keyring_locked() -> type[Exception]:
    import keyring.errors

    return keyring.errors.KeyringLocked


def _select_backend() -> tuple[keyring.backend.KeyringBackend | None, str]:
    """(backend, "") or (None, reason). Runs on the keyring thread: probing D-Bus can block."""
    import keyring.core

    try:
        configured = keyring.core.load_env() or keyring.core.load_config()
    except Exception as e:  # a broken keyring configuration names a class that does not load
        return None, f"the configured keyring backend cannot be used: {e}"
    candidates = [configured] if configured is not None else _installed_backends()
    return _first_acceptable(candidates)


def _installed_backends() -> list[keyring.backend.KeyringBackend]:
    """Every backend with a positive priority, best first, looked at now. keyring's fail (0) and
    null (-1) backends are what it offers when it has nothing, so they are left out. (keyring's own
    get_all_keyring(), and the ChainerBackend built on it, keep the answer of their first call for
    the whole process, so a Secret Service that appears later would never be seen.)"""
    _skip_foreign_platform_apis()
    import keyring.backend
    from keyring.backends import chainer

    keyring.backend.get_all_keyring()  # loads the backends of installed plugins (once)
    found: list[tuple[float, keyring.backend.KeyringBackend]] = []
    for cls in keyring.backend.KeyringBackend.get_viable_backends():
        if issubclass(cls, chainer.ChainerBackend):
            continue  # we chain ourselves (_first_acceptable); its own list is the stale one
        with contextlib.suppress(Exception):  # needs constructor arguments, or stopped being usable
            priority = float(cls.priority)
            if priority > 0:
                found.append((priority, cls()))
    found.sort(key=lambda pair: pair[0], reverse=True)
    return [backend for _, backend in found]


def _skip_foreign_platform_apis() -> None:
    """Away from macOS, keyring's macOS backend still imports its ``api`` module, which calls
    ``ctypes.util.find_library`` three times; on Linux each runs ``ldconfig -p`` (and gcc when it
    is installed) as child processes: ~100 ms of every ``nodes list`` and of the GUI's keyring
    opening, for a backend that is never viable there. Marking the module absent makes keyring's
    own ``try: from . import api`` fail at once, as it does on a machine without the frameworks."""
    if sys.platform != "darwin":
        sys.modules.setdefault("keyring.backends.macOS.api", None)  # type: ignore[arg-type]


def _first_acceptable(
    candidates: list[keyring.backend.KeyringBackend],
) -> tuple[keyring.backend.KeyringBackend | None, str]:
    """The first candidate (or, for a ChainerBackend, the first backend it would chain) that is
    not refused."""
    from keyring.backends import chainer

    reasons = []
    for candidate in candidates:
        members = [candidate]
        if isinstance(candidate, chainer.ChainerBackend):
            members = _installed_backends()
            if not members:
                reasons.append("the configured keyring chain has no usable keyring in it")
        for backend in members:
            why = refusal(backend)
            if why is None:
                return backend, ""
            reasons.append(why)
    if reasons:
        return None, reasons[0]
    return None, "no system keyring is available" + _why_no_secret_service()


def _why_no_secret_service() -> str:
    """On Linux, the Secret Service's own explanation (no D-Bus session, no daemon ...)."""
    try:
        from keyring.backends import SecretService

        SecretService.Keyring.priority  # noqa: B018 - raises with the reason when unusable
    except Exception as e:
        return f" (Secret Service: {e})"
    return ""


class SecretStore:
    """Async get/set/delete of node secrets. Open with ``await SecretStore.open()``.

    ``persistent`` is False when secrets are kept in memory for this run only; ``reason`` then
    says why in words a user understands. ``backend_name`` names the keyring class in use.
    """

    def __init__(
        self,
        backend: keyring.backend.KeyringBackend | None,
        *,
        reason: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        state: KeyringState | None = None,
    ) -> None:
        self._backend = backend
        self._memory: dict[str, str] = {}
        self.timeout = timeout
        self.persistent = backend is not None
        self.reason = "" if backend is not None else (reason or "no system keyring is available")
        self.backend_name = backend_label(backend) if backend is not None else MEMORY_BACKEND
        if backend is not None:
            state = KeyringState.SAVED
        self.state = state if state is not None else KeyringState.MEMORY
        self._ready: asyncio.Event | None = None  # set by opening(): calls wait until adopt()

    @classmethod
    def opening(cls, *, timeout: float = DEFAULT_TIMEOUT) -> SecretStore:
        """A store to hand out before the keyring is open (the GUI builds and paints its window
        first: opening the keyring imports keyring and may wait on D-Bus). Every secret call waits
        until ``adopt`` gives it the opened store's backend; until then ``state`` is OPENING."""
        store = cls(None, reason="the system keyring is still being opened", timeout=timeout)
        store.state = KeyringState.OPENING
        store._ready = asyncio.Event()
        return store

    def adopt(self, opened: SecretStore) -> None:
        """Take over what ``SecretStore.open()`` chose; the calls waiting in this store go on."""
        self._backend = opened._backend
        self._memory.update(opened._memory)
        self.timeout = opened.timeout
        self.persistent, self.reason = opened.persistent, opened.reason
        self.backend_name, self.state = opened.backend_name, opened.state
        if self._ready is not None:
            self._ready.set()

    async def _opened(self) -> None:
        if self._ready is not None and not self._ready.is_set():
            await self._ready.wait()

    @classmethod
    async def open(
        cls, *, backend: keyring.backend.KeyringBackend | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> SecretStore:
        """Choose the backend (``backend`` if given, else see the module docstring) and probe it.
        Never raises for an unusable keyring: the store falls back to memory with a reason."""
        given = backend
        choose = _select_backend if given is None else lambda: _first_acceptable([given])
        try:  # on the keyring thread: looking at the installed backends can block on D-Bus
            backend, reason = await _call("find a keyring", choose, timeout)
        except SecretStoreError as e:
            backend, reason = None, str(e)
        state = KeyringState.MEMORY
        if backend is not None:
            chosen = backend
            try:
                await _call("read a test entry", lambda: chosen.get_password(SERVICE, _PROBE_KEY), timeout)
            except SecretStoreLocked:
                state = KeyringState.LOCKED
                backend, reason = None, f"the system keyring ({backend_label(chosen)}) is locked"
            except SecretStoreError as e:
                state = KeyringState.UNUSABLE
                backend, reason = None, f"the system keyring ({backend_label(chosen)}) is not usable: {e}"
        store = cls(backend, reason=reason, timeout=timeout, state=state)
        if store.persistent:
            log.info("secrets are kept in %s", store.backend_name)
        else:
            log.info("secrets are kept in memory for this run only: %s", store.reason)
        return store

    def describe(self) -> str:
        """One line for status bars and the CLI."""
        if self.persistent:
            return f"secrets are saved in the system keyring ({self.backend_name})"
        return f"secrets are NOT saved (memory only, this run): {self.reason}"

    def unsaved_because(self) -> str:
        """Why secrets handed to this store are not saved (empty when they are), for messages like
        "the secrets of X were NOT saved: <this>" and "no SSH password is stored (<this>)"."""
        if self.state is KeyringState.SAVED:
            return ""
        if self.state is KeyringState.LOCKED:
            return f"{self.reason}; unlock it and run ocv-desktop again (this run keeps secrets in memory only)"
        return f"{self.reason} (secrets are kept in memory for this run only)"

    @property
    def keyring_out_of_reach(self) -> bool:
        """A system keyring exists but cannot be used (locked, failing): what it holds is neither
        readable nor deletable now."""
        return self.state in (KeyringState.LOCKED, KeyringState.UNUSABLE)

    async def get(self, node_id: str, field: SecretField) -> str | None:
        await self._opened()
        key = secret_key(node_id, field)
        backend = self._backend
        if backend is None:
            return self._memory.get(key)
        return await _call(f"read {key}", lambda: backend.get_password(SERVICE, key), self.timeout)

    async def set(self, node_id: str, field: SecretField, value: str) -> None:
        await self._opened()
        key = secret_key(node_id, field)
        backend = self._backend
        if backend is None:
            self._memory[key] = value
            return
        await _call(f"save {key}", lambda: backend.set_password(SERVICE, key, value), self.timeout)

    async def delete(self, node_id: str, field: SecretField) -> None:
        """Remove one secret; removing one that does not exist is fine."""
        await self._opened()
        key = secret_key(node_id, field)
        backend = self._backend
        if backend is None:
            self._memory.pop(key, None)
            if self.keyring_out_of_reach:
                raise SecretStoreError(f"{key} could not be deleted from the keyring: {self.reason}")
            return

        def delete() -> None:
            import keyring.errors

            with contextlib.suppress(keyring.errors.PasswordDeleteError):  # nothing stored under this key
                backend.delete_password(SERVICE, key)

        await _call(f"delete {key}", delete, self.timeout)

    async def load(self, node_id: str) -> NodeSecrets:
        values = {f.value: await self.get(node_id, f) for f in SecretField}
        return NodeSecrets(**values)

    async def save(self, node_id: str, secrets: NodeSecrets) -> None:
        """Store every field of ``secrets`` that is not None (others are left as they are)."""
        for f in SecretField:
            value = getattr(secrets, f.value)
            if value is not None:
                await self.set(node_id, f, value)

    async def delete_node(self, node_id: str) -> None:
        """Remove every secret of a node. With the keyring out of reach (locked, failing) the
        secrets kept in memory go, and SecretStoreError says that the keyring's could not."""
        await self._opened()
        if self._backend is None:
            for f in SecretField:
                self._memory.pop(secret_key(node_id, f), None)
            if self.keyring_out_of_reach:
                raise SecretStoreError(f"the secrets of node {node_id} could not be deleted: {self.reason}")
            return
        for f in SecretField:
            await self.delete(node_id, f)
