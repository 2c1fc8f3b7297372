"""The Provider contract (DESIGN.md) and the registry that maps a platform to its class.

One ``Provider`` object serves one node: ``connect`` opens its transports (one SSH connection,
one API client) and every later call reuses them. Every mutating call returns only when the
platform says it is done. Listing costs a constant number of round trips per node.

Health checks live in ``ocv_desktop.health`` (which sits above this layer); providers only offer
the platform-specific probes it composes: ``probe_api``, ``probe_service`` and the transports.
"""

from __future__ import annotations

import asyncio
import functools
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, ClassVar, TypeVar

from ocv_desktop.core.errors import InvalidInput, MalformedData, Unsupported
from ocv_desktop.core.models import (
    Image,
    Instance,
    InstanceSpec,
    InstanceType,
    NodeConfig,
    NodeSecrets,
    Platform,
    ProgressCallback,
    ResourceSample,
    Snapshot,
)
from ocv_desktop.core.passwords import generate_password
from ocv_desktop.store.home import Home
from ocv_desktop.transport.base import CommandRunner
from ocv_desktop.transport.console import ConsoleChannel, TermSize
from ocv_desktop.transport.viewer import GraphicalConsole

ENTRY_POINT_GROUP = "ocv_desktop.providers"

# Instance names every platform accepts: letters, digits, '-', '_' and '.', starting with a letter or
# digit, at most 63 characters. Each provider may narrow this further (LXD/Incus: no '_' or '.').
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


def validate_instance_name(
    name: str,
    pattern: re.Pattern[str] = _NAME_RE,
    *,
    hint: str = "use letters, digits and '-', start with a letter or digit, at most 63 characters",
) -> str:
    """``name`` if it matches the platform's rule ``pattern``; else InvalidInput, with ``hint``
    saying the rule in words."""
    if not pattern.fullmatch(name):
        raise InvalidInput(f"invalid instance name {name!r}", hint=hint)
    return name


def refuse_option_like(value: str, what: str) -> str:
    """``value`` unless it starts with '-': a user value that becomes an argv element must never be
    read as an option by the tool on the node (``--image=-csecurity.privileged=true`` once made
    ``incus init`` create a privileged container). Callers also put ``--`` before positionals where
    the tool takes it; this check holds where it cannot (option values, tools without ``--``)."""
    if value.startswith("-"):
        raise InvalidInput(
            f"invalid {what} {value!r}: a value may not start with '-'",
            hint="a leading '-' would be read as a command-line option on the node",
        )
    return value


# A login name chpasswd and passwd take: no ':' (chpasswd's separator) and no whitespace; a trailing
# '$' for machine accounts. A provider whose guests take other names (Proxmox VMs) passes its own.
USER_NAME_RE = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}\$?$")


def check_new_password(username: str, password: str, user_pattern: re.Pattern[str] = USER_NAME_RE) -> None:
    """Refuse, before anything is sent, what no password road can carry: a user name the tools do
    not read as one, or a password that is empty or holds a line break or NUL (it would end the
    line the tool reads on stdin)."""
    if not user_pattern.fullmatch(username):
        raise InvalidInput(f"invalid user name {username!r}")
    if not password or any(c in password for c in "\n\r\0"):
        raise InvalidInput("the password may not be empty or contain line breaks or NUL")


def chpasswd_input(username: str, password: str) -> bytes:
    """What ``chpasswd`` reads on stdin: one ``user:password`` line (shadow-utils, busybox, Alpine)."""
    return f"{username}:{password}\n".encode()


def passwd_input(password: str) -> bytes:
    """What ``passwd USER`` (and ``qm guest passwd``) read from a stdin that is not a terminal: the
    new password twice."""
    return f"{password}\n{password}\n".encode()


def no_progress(fraction: float | None, message: str) -> None:
    """The ProgressCallback of a caller that did not ask for progress."""


@dataclass(frozen=True, slots=True)
class ProviderContext:
    """What a provider needs from the app besides the node: where trust state lives, time limits."""

    home: Home
    connect_timeout: float = 15.0
    command_timeout: float = 300.0
    operation_timeout: float = 600.0  # LXD/Incus operations, Proxmox tasks


# The contract's calls that read what the node sends; a MalformedData raised below them gets the
# node's name here, since parsers only see the data (see _names_node).
_READING_CALLS = (
    "list_instances",
    "get_instance",
    "create_instance",
    "start_instance",
    "stop_instance",
    "restart_instance",
    "delete_instance",
    "list_images",
    "pull_image",
    "delete_image",
    "set_instance_password",
    "reset_instance_password",
    "list_snapshots",
    "create_snapshot",
    "restore_snapshot",
    "delete_snapshot",
    "commit_instance",
    "probe_api",
    "probe_service",
)


def _names_node(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(fn)
    async def inner(self: Provider, *args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(self, *args, **kwargs)
        except MalformedData as exc:
            if exc.node:
                raise
            raise exc.on_node(self.name) from None

    inner.__ocv_names_node__ = True  # type: ignore[attr-defined]
    return inner


class Provider(ABC):
    type: ClassVar[Platform]
    instance_types: ClassVar[tuple[InstanceType, ...]] = (InstanceType.CONTAINER,)
    # The platform's instance-name rule and its words, for forms that check a name as it is typed
    # (the create dialog) before anything is sent; create_instance checks it again.
    name_pattern: ClassVar[re.Pattern[str]] = _NAME_RE
    name_hint: ClassVar[str] = "use letters, digits and '-', start with a letter or digit, at most 63 characters"

    @classmethod
    def name_problem(cls, name: str) -> str | None:
        """Why ``name`` is not a valid instance name on this platform (its hint), or None."""
        return None if cls.name_pattern.fullmatch(name) else cls.name_hint

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every platform's reading calls name the node in a MalformedData (DESIGN rule 5), without
        each provider repeating a try/except around every parser call."""
        super().__init_subclass__(**kwargs)
        for attr in _READING_CALLS:
            fn = cls.__dict__.get(attr)
            if fn is not None and not getattr(fn, "__ocv_names_node__", False):
                setattr(cls, attr, _names_node(fn))

    def __init__(self, context: ProviderContext) -> None:
        self.context = context
        self._node: NodeConfig | None = None

    # --- identity ------------------------------------------------------------------------------

    @property
    def node(self) -> NodeConfig:
        if self._node is None:
            raise RuntimeError("provider is not connected")
        return self._node

    @property
    def name(self) -> str:
        return self._node.name if self._node else self.type.value

    def supported_instance_types(self) -> tuple[InstanceType, ...]:
        return self.instance_types

    # --- connection ----------------------------------------------------------------------------

    @abstractmethod
    async def connect(self, node: NodeConfig, secrets: NodeSecrets) -> None:
        """Open transports. Raises ConnectError/AuthError/HostKeyError/CertificateError."""

    async def _open_runner(self, node: NodeConfig, secrets: NodeSecrets, *, connect_now: bool) -> CommandRunner:
        """The node's command runner (its SSH session, or the local runner for "this computer").
        ``connect_now`` where the shell is the node's only road: an unreachable host or an unknown
        host key is then reported by ``connect``, not at the first listing (a runner that fails to
        connect is closed). Beside an API, SSH connects on first use (a fallback, a health check)."""
        from ocv_desktop.transport.runner import open_command_runner  # asyncssh only when a node needs it

        runner = open_command_runner(node, secrets, self.context.home, connect_timeout=self.context.connect_timeout)
        connect = getattr(runner, "connect", None)
        if connect_now and connect is not None:
            try:
                await connect()
            except BaseException:
                await runner.close()
                raise
        return runner

    @abstractmethod
    async def disconnect(self) -> None:
        """Close every transport. Safe to call twice and after a failed connect."""

    # --- instances -----------------------------------------------------------------------------

    @abstractmethod
    async def list_instances(self) -> list[Instance]: ...

    @abstractmethod
    async def get_instance(self, instance_id: str) -> Instance:
        """Raises NotFound when it does not exist."""

    @abstractmethod
    async def create_instance(self, spec: InstanceSpec, progress: ProgressCallback | None = None) -> Instance: ...

    @abstractmethod
    async def start_instance(self, instance_id: str) -> None: ...

    @abstractmethod
    async def stop_instance(self, instance_id: str, *, timeout: float = 30.0, force: bool = False) -> None:
        """Graceful stop within ``timeout`` seconds, then a hard stop. Stopping a stopped
        instance succeeds. ``force`` skips the graceful part."""

    @abstractmethod
    async def restart_instance(self, instance_id: str) -> None: ...

    @abstractmethod
    async def delete_instance(self, instance_id: str, *, force: bool = False, purge_volumes: bool = False) -> None:
        """``force`` stops a running instance first (the user confirmed); without it a running
        instance is refused with a clear error."""

    # --- images --------------------------------------------------------------------------------

    @abstractmethod
    async def list_images(self) -> list[Image]: ...

    @abstractmethod
    async def pull_image(self, ref: str, progress: ProgressCallback | None = None) -> Image: ...

    @abstractmethod
    async def delete_image(self, image_id: str, *, force: bool = False) -> None: ...

    # --- passwords -----------------------------------------------------------------------------

    @abstractmethod
    async def set_instance_password(self, instance_id: str, password: str, *, username: str = "root") -> None:
        """The password travels on stdin (or the guest agent), never in a command line."""

    async def reset_instance_password(self, instance_id: str, *, username: str = "root", **options: Any) -> str:
        """Set a newly generated password and return it. ``options`` go to ``set_instance_password``
        (a platform's own consent flags, e.g. Proxmox's ``allow_reboot``)."""
        password = generate_password()
        await self.set_instance_password(instance_id, password, username=username, **options)
        return password

    # --- snapshots -----------------------------------------------------------------------------
    # Each call returns when the platform says it is done (operation awaited, task polled). A
    # platform without snapshots keeps these defaults, which say so plainly.

    async def list_snapshots(self, instance_id: str) -> list[Snapshot]:
        """The instance's snapshots, oldest first."""
        raise Unsupported(f"{self.type.value} nodes have no snapshots")

    async def create_snapshot(self, instance_id: str, name: str, description: str = "", stateful: bool = False) -> None:
        """Take snapshot ``name``; ``stateful`` also saves the memory of a running instance."""
        raise Unsupported(f"{self.type.value} nodes have no snapshots")

    async def restore_snapshot(self, instance_id: str, name: str) -> None:
        """Roll the instance back to snapshot ``name``: what changed since is lost."""
        raise Unsupported(f"{self.type.value} nodes have no snapshots")

    async def delete_snapshot(self, instance_id: str, name: str) -> None:
        raise Unsupported(f"{self.type.value} nodes have no snapshots")

    async def commit_instance(self, instance_id: str, image_ref: str) -> Image:
        """Save the instance's filesystem as a new image (Docker's ``commit``); not a snapshot."""
        raise Unsupported(
            f"{self.type.value} nodes cannot commit an instance to an image", hint="take a snapshot instead"
        )

    # --- resource history ------------------------------------------------------------------------

    async def resource_history(self, instance_id: str | None = None) -> list[ResourceSample]:
        """The last day of the node's (or one instance's) resources as the platform itself kept
        them, oldest first: what the app was not running to see (services/history.py backfills
        with it). Only Proxmox keeps such a record (its RRD files)."""
        raise Unsupported(f"{self.type.value} nodes keep no resource history of their own")

    # --- consoles --------------------------------------------------------------------------------

    async def open_console(self, instance_id: str, size: TermSize) -> ConsoleChannel:
        """An interactive shell inside the instance (``transport/console.py`` says the rules).

        The node's own shell is not a provider matter: it is the SSH transport's PTY."""
        raise Unsupported(f"{self.type.value} nodes offer no console into an instance")

    async def open_graphical_console(self, instance_id: str) -> GraphicalConsole:
        """The instance's screen (a VM's VNC/SPICE) in an installed viewer (``transport/viewer.py``);
        ``Unsupported`` naming the package to install when there is none."""
        raise Unsupported(f"{self.type.value} nodes offer no graphical console")

    # --- probes the health checks compose ------------------------------------------------------

    @property
    def command_runner(self) -> CommandRunner | None:
        """The node's SSH session (or local runner); None when the node has no shell access."""
        return None

    @property
    def api_configured(self) -> bool:
        """True when API credentials exist, so an API check applies."""
        return False

    async def probe_api(self) -> str:
        """Ask the API whether it answers and trusts us; return a short detail (version).
        Raises an OcvError describing what is wrong."""
        raise Unsupported(f"{self.type.value} nodes have no API check")

    @abstractmethod
    async def probe_service(self) -> str:
        """Ask the platform's daemon whether it works (over the shell); return a short detail."""


T = TypeVar("T")

# Above this many records a listing is parsed on a worker thread (asyncio.to_thread): 1000 Docker
# containers took ~80 ms of parsing, one visible stall of the GUI's loop. The GIL still switches
# every few ms, so the loop keeps its turns. Small listings stay on the loop (a thread hop costs more).
PARSE_OFF_LOOP = 200


async def parse_off_loop(size: int, parse: Callable[..., T], *args: Any) -> T:
    """``parse(*args)``, on a worker thread when ``size`` (records) is large. ``parse`` must be pure."""
    if size > PARSE_OFF_LOOP:
        return await asyncio.to_thread(parse, *args)
    return parse(*args)


@functools.cache
def _registered() -> dict[str, Any]:
    """The entry points of the group, by name, read once per process: ``entry_points()`` scans every
    installed distribution's metadata (tens of ms), and every connect attempt and retry asks."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


@functools.cache
def provider_class(platform: Platform | str) -> type[Provider]:
    """The provider class registered for a platform under the entry-point group (loaded once)."""
    key = Platform(platform).value
    ep = _registered().get(key)
    if ep is None:
        raise Unsupported(f"no provider installed for platform {key!r}")
    cls = ep.load()
    if not (isinstance(cls, type) and issubclass(cls, Provider)):
        raise TypeError(f"entry point {ep.value} is not a Provider subclass")
    return cls


def create_provider(platform: Platform | str, context: ProviderContext) -> Provider:
    return provider_class(platform)(context)
