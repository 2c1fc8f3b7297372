"""SshSession: one asyncssh connection per node, many commands over it, host keys trusted on first use.

How a command runs on the node (``run``): the argv list is joined with ``shlex.join`` and handed to
the login shell of the SSH user (that is how SSH "exec" works) as::

    exec [sudo -n] env PATH="${PATH:+$PATH:}/usr/local/sbin:...:/snap/bin" timeout -k 3 N <argv...>

- ``PATH``: the host's own PATH (what sshd set, including ``SetEnv``) stays first; the admin dirs
  are appended. No login script is sourced, so nothing pollutes stdout. The only shell syntax is
  ours and constant; every user value is inside ``shlex.join`` quoting.
- ``timeout``: OpenSSH refuses "signal" requests for root sessions, and closing a channel does not
  stop a process that is not writing. So the remote side enforces the limit itself (coreutils
  ``timeout``: TERM, then KILL 3 s later). When our deadline passes we wait briefly for the channel
  to close (the process is then gone), close it anyway, and raise ``Timeout``. The same limit also
  ends commands whose connection died while they ran.
- No PTY: stdout and stderr stay separate; ``input`` goes to stdin, then EOF.

Connection: lazy (first ``run``) or ``await connect()``; one connection, at most ``max_channels``
commands at once (OpenSSH's default ``MaxSessions`` is 10; more would be refused), keepalives. If
the connection dropped between calls it is re-opened once, transparently; a command that was
already running when the connection died is never re-run.

Host keys: only the app's own known_hosts (``known_hosts.py``) decides. The login shell must be a
POSIX shell (sh, bash, dash, zsh, ksh), as on every Linux server this app manages.

``DirectAccess`` (transport/base.py) over the same connection, for questions asked often: small
files and filesystem sizes through one SFTP session per connection (``sftp_reader.py``; it holds
one of the server's session slots while the connection lives, beside the ``max_channels`` for
commands), and unix sockets on the node through OpenSSH's ``direct-streamlocal`` forwarding
(sshd connects to the socket with the login user's rights; no process is started).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import math
import os
import shlex
import socket
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypedDict, TypeVar

import asyncssh
from asyncssh.public_key import get_default_public_key_algs

from ocv_desktop.core.errors import (
    AuthError,
    ConnectError,
    HostKeyChanged,
    HostKeyUnknown,
    Timeout,
    Unsupported,
    redact_argv,
)
from ocv_desktop.core.models import AuthMethod, NodeConfig, NodeSecrets
from ocv_desktop.transport.base import (
    DEFAULT_TIMEOUT,
    ByteReader,
    ByteWriter,
    CommandResult,
    DiskSpace,
    LineCallback,
)
from ocv_desktop.transport.commands import (
    EXTRA_PATH_DIRS,
    SUDO_PREFIX,
    LineSplitter,
    check_argv,
    raise_for_result,
)
from ocv_desktop.transport.console import ConsoleChannel, TermSize
from ocv_desktop.transport.known_hosts import (
    HostKeyInfo,
    host_pattern,
    is_revoked,
    key_info,
    recorded_host_keys,
    revoked_host_keys,
)
from ocv_desktop.transport.pty import TERM_TYPE
from ocv_desktop.transport.sftp_reader import SftpReader
from ocv_desktop.transport.ssh_channels import open_when_free
from ocv_desktop.transport.ssh_console import SshConsole

log = logging.getLogger(__name__)

KILL_AFTER = 3  # seconds between the remote TERM and KILL
REMOTE_EXIT_GRACE = KILL_AFTER + 3.0  # how long we wait for the remote side to end a timed-out command
# Commands at once: with the SFTP session, 9 of OpenSSH's default MaxSessions (10); the last slot
# covers the moment sshd still counts a channel we closed (slots free up with a delay).
DEFAULT_MAX_CHANNELS = 8
READ_CHUNK = 65536
_EXEC_REFUSED = (asyncssh.OPEN_REQUEST_SESSION_FAILED,)
MAX_CONSOLES = 4  # interactive terminals open at once on one connection (each holds a channel slot)

T = TypeVar("T")


def remote_command(argv: Sequence[str], *, use_sudo: bool, time_limit: float | None) -> str:
    """The command line the remote login shell runs for ``argv`` (see the module docstring)."""
    words = ["exec"]
    if use_sudo:
        words += SUDO_PREFIX
    # "${PATH:+$PATH:}" keeps the remote PATH first and avoids an empty entry (= current dir) when unset.
    words += ["env", 'PATH="${PATH:+$PATH:}' + ":".join(EXTRA_PATH_DIRS) + '"']
    if time_limit is not None:
        words += ["timeout", "-k", str(KILL_AFTER), str(max(1, math.ceil(time_limit)))]
    return " ".join(words) + " " + shlex.join(argv)


def _utf8(locale: str) -> bool:
    """``en_US.UTF-8``, ``C.utf8`` ...: a locale worth forwarding to a terminal on the node."""
    return "UTF8" in locale.upper().replace("-", "")


def _wrapper_missing(result: CommandResult) -> bool:
    """``env`` could not find ``timeout`` (GNU: "env: 'timeout': No such file or directory", with
    locale-dependent quotes; busybox: "env: can't execute 'timeout': ...")."""
    first = result.stderr.split(b"\n", 1)[0]
    return result.exit_status == 127 and b"env:" in first and b"timeout" in first


class _ForwardedStream:
    """A forwarded socket's two asyncssh streams as ``ByteReader``/``ByteWriter``, with the SSH
    failures (the connection dropped mid-way) turned into ``ConnectError``."""

    def __init__(self, reader: asyncssh.SSHReader[bytes], writer: asyncssh.SSHWriter[bytes], what: str) -> None:
        self._reader = reader
        self._writer = writer
        self._what = what

    async def read(self, n: int = -1) -> bytes:
        try:
            return await self._reader.read(n)
        except (asyncssh.Error, OSError) as exc:
            raise ConnectError(f"reading from {self._what} failed: {exc}") from None

    def write(self, data: bytes) -> None:
        try:
            self._writer.write(data)
        except (asyncssh.Error, OSError) as exc:
            raise ConnectError(f"writing to {self._what} failed: {exc}") from None

    async def drain(self) -> None:
        try:
            await self._writer.drain()
        except (asyncssh.Error, OSError) as exc:
            raise ConnectError(f"writing to {self._what} failed: {exc}") from None

    def close(self) -> None:
        self._writer.close()


class _TofuClient(asyncssh.SSHClient):
    """Remembers the host key the server presented when it was not trusted, and notices a lost link."""

    def __init__(self) -> None:
        self.presented_key: asyncssh.SSHKey | None = None
        self.lost = False

    def validate_host_public_key(self, host: str, addr: str, port: int, key: asyncssh.SSHKey) -> bool:
        # Only called for keys NOT among the recorded ones: never accept, just remember for the error.
        self.presented_key = key
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True


def _host_key_algs(recorded: Sequence[asyncssh.SSHKey]) -> list[str]:
    """Ask for the recorded key types first (so a trusted host shows the key we know), then the
    usual plain key types. Certificate types are left out: only known_hosts decides trust here."""
    algs: list[str] = []
    for key in recorded:
        algs += [a.decode() for a in key.sig_algorithms]
    algs += [a.decode() for a in get_default_public_key_algs()]
    return list(dict.fromkeys(algs))


def _connect_error(exc: BaseException, where: str) -> ConnectError:
    if isinstance(exc, ConnectionRefusedError):
        return ConnectError(f"{where} refused the connection", hint="is sshd running and the port right?")
    if isinstance(exc, socket.gaierror):
        return ConnectError(f"cannot resolve the host name of {where}: {exc.strerror or exc}")
    if isinstance(exc, asyncssh.Error):
        return ConnectError(f"SSH connection to {where} failed: {exc.reason}")
    meaning = _UNREACHABLE.get(getattr(exc, "errno", None) or 0)
    if meaning is not None:
        return ConnectError(
            f"cannot connect to {where}: {meaning} ({getattr(exc, 'strerror', None) or exc})",
            hint="check the node's address",
        )
    return ConnectError(f"cannot connect to {where}: {getattr(exc, 'strerror', None) or exc}")


# What the OS's terse connect() errors mean for an address a user typed. EINVAL is what Linux says
# for an address no packet can be sent to at all (an IPv6 link-local address without its
# interface, "fe80::1" rather than "fe80::1%eth0"); nothing left this computer.
_UNREACHABLE = {
    errno.EINVAL: "this computer cannot send to that address at all (for example an IPv6 link-local "
    "address needs its interface, as in fe80::1%eth0)",
    errno.ENETUNREACH: "this computer has no route to that address (a wrong, multicast or broadcast "
    "address, or no network towards it)",
    errno.EHOSTUNREACH: "the host cannot be reached (it is down or a router refused the way to it)",
    errno.EADDRNOTAVAIL: "that address cannot be used as a destination from this computer",
}


async def _agent_keys(where: str) -> tuple[asyncssh.SSHAgentClient, list[asyncssh.SSHKeyPair]]:
    path = os.environ.get("SSH_AUTH_SOCK")
    if not path:
        raise AuthError(f"no SSH agent for {where}: SSH_AUTH_SOCK is not set", hint="start ssh-agent and add a key")
    try:
        agent = await asyncssh.connect_agent(path)
    except (OSError, asyncssh.Error) as exc:
        raise AuthError(f"cannot reach the SSH agent at {path}: {exc}") from exc
    if agent is None:
        raise AuthError(f"cannot reach the SSH agent at {path}")
    try:
        keys = list(await agent.get_keys())
    except (OSError, asyncssh.Error, ValueError) as exc:
        agent.close()
        raise AuthError(f"the SSH agent at {path} did not list its keys: {exc}") from exc
    if not keys:
        agent.close()
        raise AuthError(f"the SSH agent holds no keys for {where}", hint="ssh-add your key")
    return agent, keys


def _load_key(path: str, passphrase: str | None) -> asyncssh.SSHKey:
    """Blocking (file read, KDF): called through asyncio.to_thread."""
    return asyncssh.read_private_key(os.path.expanduser(path), passphrase)


async def _all_or_nothing(*coros: Coroutine[Any, Any, None]) -> None:
    """Run the coroutines together; the first failure (or our cancellation) cancels the others."""
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            if task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def fetch_host_key(host: str, port: int = 22, timeout: float = 15.0) -> HostKeyInfo:
    """The host key host:port presents, for showing its fingerprint before the user trusts it.

    Opens the SSH transport only as far as the key exchange; nothing is authenticated or sent.
    Returns ``(key_type, fingerprint, openssh_line)``."""
    client = _TofuClient()
    where = f"{host}:{port}"
    try:
        async with asyncio.timeout(timeout):
            conn = await asyncssh.connect(
                host,
                port,
                config=None,
                known_hosts=([], [], []),
                x509_trusted_certs=None,
                server_host_key_algs=_host_key_algs([]),
                client_factory=lambda: client,
                client_keys=None,
                agent_path=None,
                username="ocv-desktop-hostkey-probe",
                preferred_auth="none",
            )
            conn.close()  # pragma: no cover - an empty trust list cannot accept a key
    except TimeoutError:
        raise Timeout(f"reading the SSH host key of {where}", timeout) from None
    except asyncssh.HostKeyNotVerifiable as exc:
        if client.presented_key is None:
            raise ConnectError(f"{where} presented no usable host key: {exc.reason}") from None
    except (OSError, asyncssh.Error) as exc:
        raise _connect_error(exc, where) from None
    assert client.presented_key is not None
    return key_info(client.presented_key)



class HostKeyWhere(TypedDict):
    """What a host-key error says about the key (HostKeyError's keyword arguments)."""

    host: str
    port: int
    key_type: str
    fingerprint: str

class SshSession:
    """The ``CommandRunner`` for a node reached over SSH. See the module docstring."""

    def __init__(
        self,
        node: NodeConfig,
        secrets: NodeSecrets,
        *,
        known_hosts: Path,
        connect_timeout: float = 15.0,
        keepalive_interval: float = 30.0,
        max_channels: int = DEFAULT_MAX_CHANNELS,
    ) -> None:
        self._node = node
        self._secrets = secrets
        self._known_hosts = Path(known_hosts)
        self._connect_timeout = connect_timeout
        self._keepalive_interval = keepalive_interval
        self._conn: asyncssh.SSHClientConnection | None = None
        self._client: _TofuClient | None = None
        self._connect_lock = asyncio.Lock()
        self._channels = asyncio.Semaphore(max_channels)
        self._closed = False
        self._connections = 0  # opened so far: the connection_id of DirectAccess
        self._sftp = SftpReader(node.display_address)
        self._consoles = 0  # open PTY consoles (open_pty)

    @property
    def description(self) -> str:
        return self._node.display_address

    @property
    def connection_id(self) -> int:
        return self._connections

    def _alive(self) -> bool:
        return (
            self._conn is not None and self._client is not None and not self._client.lost and not self._conn.is_closed()
        )

    # --- connecting ---------------------------------------------------------------------------

    async def connect(self) -> None:
        """Open the connection now (otherwise the first ``run`` does). Idempotent."""
        await self._connection()

    async def _connection(
        self, *, replace: asyncssh.SSHClientConnection | None = None
    ) -> tuple[asyncssh.SSHClientConnection, bool]:
        """The live connection, and whether it was opened just now (a dead one is replaced)."""
        async with self._connect_lock:
            if self._closed:
                raise ConnectError(f"the SSH session to {self.description} was closed")
            if self._conn is not None and self._conn is not replace and self._alive():
                return self._conn, False
            if self._conn is not None:
                log.info("SSH connection to %s dropped; reconnecting", self.description)
                self._conn.close()
                self._conn = None
            self._conn, self._client = await self._open()
            self._connections += 1
            return self._conn, True

    async def _open(self) -> tuple[asyncssh.SSHClientConnection, _TofuClient]:
        node, where = self._node, f"{self._node.host}:{self._node.port}"
        recorded = await asyncio.to_thread(self._trusted_not_revoked)
        client = _TofuClient()
        agent: asyncssh.SSHAgentClient | None = None
        options: dict[str, object] = {
            "username": node.username,
            "config": None,  # never pick up ~/.ssh/config: the node config is the whole truth
            # A key on an @revoked line is not trusted even where a plain line trusts it (OpenSSH
            # does the same); it then reaches _host_key_error, which refuses it by name.
            "known_hosts": (recorded, [], []),
            "x509_trusted_certs": None,
            "server_host_key_algs": _host_key_algs(recorded),
            "client_factory": lambda: client,
            "agent_path": None,
            "keepalive_interval": self._keepalive_interval,
            "keepalive_count_max": 3,
            "connect_timeout": self._connect_timeout,
            "encryption_algs": _ENCRYPTION_ALGS,
        }
        try:
            if node.auth is AuthMethod.PASSWORD:
                if not self._secrets.ssh_password:
                    raise AuthError(f"no SSH password is stored for {self.description}")
                options.update(
                    password=self._secrets.ssh_password,
                    client_keys=None,
                    preferred_auth="keyboard-interactive,password",
                )
            elif node.auth is AuthMethod.KEY:
                if not node.key_path:
                    raise AuthError(f"no key file is configured for {self.description}")
                key = await self._read_key(node.key_path)
                options.update(client_keys=[key], preferred_auth="publickey")
            else:
                agent, keys = await _agent_keys(self.description)
                options.update(client_keys=keys, preferred_auth="publickey")
            async with asyncio.timeout(self._connect_timeout + 1.0):
                conn = await asyncssh.connect(node.host, node.port, **options)
        except TimeoutError:
            raise Timeout(f"connecting to {where} over SSH", self._connect_timeout) from None
        except asyncssh.HostKeyNotVerifiable as exc:
            raise await self._host_key_error(client, recorded, exc) from None
        except asyncssh.PermissionDenied:
            raise AuthError(
                f"{self.description} refused the SSH login ({node.auth.value} authentication)",
                hint="check the user name and credentials",
            ) from None
        except (OSError, asyncssh.Error) as exc:
            raise _connect_error(exc, where) from None
        finally:
            if agent is not None:
                agent.close()
        log.debug("SSH connected to %s", self.description)
        return conn, client

    def _trusted_not_revoked(self) -> list[asyncssh.SSHKey]:
        """The keys trusted for this host minus any on an @revoked line (blocking file reads)."""
        node = self._node
        revoked = revoked_host_keys(self._known_hosts)
        return [k for k in recorded_host_keys(self._known_hosts, node.host, node.port) if k not in revoked]

    async def _read_key(self, path: str) -> asyncssh.SSHKey:
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(_load_key, path, self._secrets.key_passphrase), self._connect_timeout
            )
        except TimeoutError:
            raise Timeout(f"reading the SSH key {path}", self._connect_timeout) from None
        except FileNotFoundError:
            raise AuthError(f"the SSH key file {path} does not exist") from None
        except OSError as exc:
            raise AuthError(f"cannot read the SSH key file {path}: {exc.strerror or exc}") from None
        except (asyncssh.KeyImportError, ValueError) as exc:
            hint = None if self._secrets.key_passphrase else "the key may need its passphrase"
            raise AuthError(f"cannot open the SSH key {path}: {exc}", hint=hint) from None

    async def _host_key_error(
        self, client: _TofuClient, recorded: Sequence[asyncssh.SSHKey], exc: asyncssh.Error
    ) -> ConnectError:
        node = self._node
        name = host_pattern(node.host, node.port)
        key = client.presented_key
        if key is None:
            return ConnectError(f"the host key of {name} could not be verified: {exc.reason}")
        info = key_info(key)
        if await asyncio.to_thread(is_revoked, self._known_hosts, key):
            return ConnectError(
                f"the host key of {name} ({info.key_type} {info.fingerprint}) is marked @revoked in "
                f"{self._known_hosts}; connection refused",
                hint="if the server has a new key, remove the old entries and trust the new key",
            )
        where = HostKeyWhere(host=node.host, port=node.port, key_type=info.key_type, fingerprint=info.fingerprint)
        if recorded:
            old = key_info(recorded[0])
            return HostKeyChanged(
                f"THE HOST KEY OF {name} HAS CHANGED: it is now {info.key_type} {info.fingerprint}, "
                f"but {old.key_type} {old.fingerprint} is trusted. Connection refused.",
                expected_fingerprint=old.fingerprint,
                hint="someone may be intercepting the connection, or the server was reinstalled",
                **where,
            )
        return HostKeyUnknown(
            f"{name} is not a known host; its {info.key_type} key fingerprint is {info.fingerprint}",
            hint="confirm the fingerprint to trust it",
            **where,
        )

    # --- running commands -------------------------------------------------------------------------

    async def run(
        self,
        argv: Sequence[str],
        *,
        input: bytes | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        check: bool = True,
        on_stdout_line: LineCallback | None = None,
        secrets: Sequence[str] = (),
    ) -> CommandResult:
        args = check_argv(argv)
        hidden = tuple(secrets) + self._secrets.values()
        shown = redact_argv(args, hidden)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            async with asyncio.timeout_at(deadline):
                conn, fresh = await self._connection()
                await self._channels.acquire()
        except TimeoutError:
            raise Timeout(f"`{shown}` on {self.description}", timeout) from None
        try:
            result = await self._run_on(
                conn,
                fresh,
                args,
                input=input,
                deadline=deadline,
                timeout=timeout,
                shown=shown,
                on_stdout_line=on_stdout_line,
            )
        finally:
            self._channels.release()
        if _wrapper_missing(result):
            raise Unsupported(
                f"{self.description} has no `timeout` command, which every remote command runs under",
                hint="install coreutils on the node",
            )
        if check:
            raise_for_result(result, shown=shown, where=self.description, use_sudo=self._node.use_sudo, secrets=hidden)
        return result

    async def _start(
        self, conn: asyncssh.SSHClientConnection, fresh: bool, command: str | None, pty: TermSize | None = None
    ) -> asyncssh.SSHClientProcess[bytes]:
        """Open the channel. If a reused connection turns out to be dead (it dropped between calls
        and we had not noticed yet), reconnect once and retry: the command never started, so this
        cannot run it twice. The caller's deadline bounds all of it."""
        try:
            return await self._open_channel(conn, command, pty)
        except (asyncssh.ChannelOpenError, asyncssh.ConnectionLost, asyncssh.DisconnectError, OSError) as exc:
            if fresh or (self._alive() and self._conn is conn):
                raise _connect_error(exc, self.description) from None
        conn, _ = await self._connection(replace=conn)
        try:
            return await self._open_channel(conn, command, pty)
        except (asyncssh.Error, OSError) as exc:
            raise _connect_error(exc, self.description) from None

    @staticmethod
    async def _open_channel(
        conn: asyncssh.SSHClientConnection, command: str | None, pty: TermSize | None = None
    ) -> asyncssh.SSHClientProcess[bytes]:
        if pty is None:
            # A refused exec request never started the command (sshd refuses it when the slot it
            # counted is not free yet): as safe to retry as a refused channel.
            return await open_when_free(
                conn, lambda: conn.create_process(command, encoding=None), also_busy=_EXEC_REFUSED
            )
        # A terminal: stderr is the same terminal (merged), and the size goes with the pty-req.
        # The locale goes along as OpenSSH's client sends it (SendEnv LANG LC_*): a UTF-8 shell
        # counts CJK characters right when editing a line; sshd drops what AcceptEnv refuses.
        locale = {k: v for k in ("LANG", "LC_ALL", "LC_CTYPE") if _utf8(v := os.environ.get(k, ""))}
        return await open_when_free(
            conn,
            lambda: conn.create_process(
                command,
                encoding=None,
                term_type=TERM_TYPE,
                term_size=(pty.cols, pty.rows),
                stderr=asyncssh.STDOUT,
                env=locale or (),
            ),
        )

    # --- interactive consoles (transport/pty.py) ---------------------------------------------

    async def open_pty(
        self, argv: Sequence[str] | None, size: TermSize, *, title: str, use_sudo: bool = True
    ) -> ConsoleChannel:
        """A program with a terminal on the node, over this session's connection (its stored
        credentials; nothing is put on a command line). Each console holds one of the
        ``max_channels`` slots while it is open, and at most ``MAX_CONSOLES`` are open at once so
        commands (listings, health checks) always keep slots of their own."""
        command = None
        if argv is not None:
            command = remote_command(check_argv(argv), use_sudo=self._node.use_sudo and use_sudo, time_limit=None)
        if self._consoles >= MAX_CONSOLES:
            raise Unsupported(
                f"{MAX_CONSOLES} consoles are already open on {self.description}", hint="close one of them first"
            )
        self._consoles += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._consoles -= 1
                self._channels.release()

        timeout = self._connect_timeout + 10.0
        try:
            async with asyncio.timeout(timeout):
                conn, fresh = await self._connection()
                await self._channels.acquire()
        except TimeoutError:
            self._consoles -= 1
            raise Timeout(f"opening a terminal on {self.description}", timeout) from None
        except BaseException:
            self._consoles -= 1
            raise
        try:
            async with asyncio.timeout(timeout):
                process = await self._start(conn, fresh, command, size)
        except TimeoutError:
            release()
            raise Timeout(f"opening a terminal on {self.description}", timeout) from None
        except BaseException:
            release()
            raise
        return SshConsole(process, title, on_closed=release)

    async def _run_on(
        self,
        conn: asyncssh.SSHClientConnection,
        fresh: bool,
        argv: tuple[str, ...],
        *,
        input: bytes | None,
        deadline: float,
        timeout: float,
        shown: str,
        on_stdout_line: LineCallback | None,
    ) -> CommandResult:
        loop = asyncio.get_running_loop()
        limit = None if math.isinf(timeout) else deadline - loop.time()
        command = remote_command(argv, use_sudo=self._node.use_sudo, time_limit=limit)
        stdout: list[bytes] = []
        stderr: list[bytes] = []
        try:
            async with asyncio.timeout_at(deadline):
                process = await self._start(conn, fresh, command)
        except TimeoutError:
            raise Timeout(f"`{shown}` on {self.description}", timeout) from None
        splitter = LineSplitter(on_stdout_line)
        try:
            async with asyncio.timeout_at(deadline):
                await _all_or_nothing(
                    self._feed(process, input),
                    self._pump(process.stdout, stdout, splitter),
                    self._pump(process.stderr, stderr, None),
                )
                await process.wait_closed()
        except TimeoutError:
            # The remote `timeout` is ending the process; wait for it so the command is really gone.
            try:
                async with asyncio.timeout(REMOTE_EXIT_GRACE):
                    await process.wait_closed()
            except TimeoutError:
                log.warning("`%s` on %s did not end after its time limit", shown, self.description)
            raise Timeout(f"`{shown}` on {self.description}", timeout) from None
        except (asyncssh.ConnectionLost, asyncssh.DisconnectError) as exc:
            raise ConnectError(
                f"the SSH connection to {self.description} was lost while `{shown}` ran: {exc.reason}",
                hint="the command may or may not have completed",
            ) from None
        finally:
            process.close()
        splitter.close()
        signal = process.exit_signal
        status = None if signal else process.exit_status
        return CommandResult(argv=argv, exit_status=status, stdout=b"".join(stdout), stderr=b"".join(stderr))

    @staticmethod
    async def _feed(process: asyncssh.SSHClientProcess[bytes], data: bytes | None) -> None:
        try:
            if data:
                process.stdin.write(data)
                await process.stdin.drain()
            process.stdin.write_eof()
        except (BrokenPipeError, ConnectionResetError, asyncssh.ChannelOpenError):
            pass  # the command exited without reading all of its input; its exit status tells the rest

    @staticmethod
    async def _pump(stream: asyncssh.SSHReader[bytes], sink: list[bytes], splitter: LineSplitter | None) -> None:
        while chunk := await stream.read(READ_CHUNK):
            sink.append(chunk)
            if splitter is not None:
                splitter.feed(chunk)

    # --- DirectAccess: no process on the node -------------------------------------------------

    async def read_small_files(self, paths: Sequence[str], *, timeout: float) -> tuple[bytes, ...]:
        return await self._direct(
            f"reading {', '.join(paths)} over SFTP", timeout, lambda conn: self._sftp.read_small_files(conn, paths)
        )

    async def disk_space(self, path: str, *, timeout: float) -> DiskSpace:
        return await self._direct(f"statvfs {path} over SFTP", timeout, lambda conn: self._sftp.disk_space(conn, path))

    async def open_unix_socket(self, path: str, *, timeout: float) -> tuple[ByteReader, ByteWriter]:
        async def forward(conn: asyncssh.SSHClientConnection) -> tuple[ByteReader, ByteWriter]:
            try:
                reader, writer = await conn.open_unix_connection(path)
            except asyncssh.ChannelOpenError as exc:
                if conn.is_closed():
                    raise _connect_error(exc, self.description) from None
                # sshd says only "open failed" for a missing socket, a refused connect, a
                # permission problem and disabled forwarding alike (its log has the reason).
                raise ConnectError(f"cannot open the unix socket {path} on {self.description}: {exc.reason}") from None
            except (asyncssh.Error, OSError) as exc:
                raise _connect_error(exc, self.description) from None
            stream = _ForwardedStream(reader, writer, f"the unix socket {path} on {self.description}")
            return stream, stream

        return await self._direct(f"opening the unix socket {path}", timeout, forward)

    async def _direct(
        self, what: str, timeout: float, call: Callable[[asyncssh.SSHClientConnection], Awaitable[T]]
    ) -> T:
        """``call(connection)`` within ``timeout``. A reused connection that turns out to be dead
        (it dropped and we had not noticed yet) is replaced once, as for commands: these calls
        only read, so asking again cannot do anything twice."""
        try:
            async with asyncio.timeout(timeout):
                conn, fresh = await self._connection()
                try:
                    return await call(conn)
                except ConnectError:
                    if fresh or (self._alive() and self._conn is conn):
                        raise
                conn, _ = await self._connection(replace=conn)
                return await call(conn)
        except TimeoutError:
            raise Timeout(f"{what} on {self.description}", timeout) from None

    async def close(self) -> None:
        self._closed = True
        self._sftp.close()
        async with self._connect_lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
            try:
                async with asyncio.timeout(5.0):
                    await conn.wait_closed()
            except TimeoutError:
                log.warning("closing the SSH connection to %s timed out", self.description)

    async def __aenter__(self) -> SshSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _encryption_algs() -> list[str]:
    """asyncssh's default ciphers, AES-GCM first. Both AEAD ciphers are strong; asyncssh's
    chacha20-poly1305 builds three cryptography cipher objects per packet in Python, and the
    packets of a big output are decrypted on the event loop in one callback: listing 1000 Docker
    containers (~4 MB) stalled the loop 50+ ms in chacha20 alone (issue 15). AES-GCM keeps one
    cipher object per key and runs in OpenSSL. A server without GCM gets the rest, in order."""
    from asyncssh.encryption import get_default_encryption_algs

    algs = [alg.decode("ascii") for alg in get_default_encryption_algs()]
    return sorted(algs, key=lambda alg: not alg.endswith("-gcm@openssh.com"))  # stable: the rest keep their order



_ENCRYPTION_ALGS = _encryption_algs()
