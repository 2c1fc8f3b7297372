"""How commands are built and their output handled (shared by the SSH and local runners)."""

from __future__ import annotations

import subprocess

import pytest

from ocv_desktop.core.errors import AuthError, ConfigError, InvalidInput, RemoteError
from ocv_desktop.transport.base import CommandResult
from ocv_desktop.transport.commands import (
    LineSplitter,
    check_argv,
    extend_path,
    raise_for_result,
    stderr_tail,
    sudo_refused,
)
from ocv_desktop.transport.ssh import _wrapper_missing, remote_command
from ocv_desktop.transport.tls import format_fingerprint, normalize_fingerprint

NASTY = [
    "a'b",
    'c"d',
    "$(touch /nonexistent/x)",
    "`id`",
    "; echo injected",
    "back\\slash",
    "sp ace",
    "ü 中文",
    "",
    "-n",
]


def test_remote_command_passes_every_argument_through_a_posix_shell_intact() -> None:
    # What sshd does with the command string: hand it to the login shell with -c.
    for shell in ("/bin/sh", "/bin/bash"):
        command = remote_command(["printf", "[%s]\\n", *NASTY], use_sudo=False, time_limit=5)
        out = subprocess.run([shell, "-c", command], capture_output=True, text=True, check=True).stdout
        assert out.splitlines() == [f"[{a}]" for a in NASTY]


def test_remote_command_keeps_the_remote_path_first_and_appends_admin_dirs() -> None:
    command = remote_command(["sh", "-c", 'echo "$PATH"'], use_sudo=False, time_limit=None)
    out = subprocess.run(
        ["/bin/sh", "-c", command], capture_output=True, text=True, check=True, env={"PATH": "/opt/shims:/usr/bin:/bin"}
    ).stdout.strip()
    assert out.startswith("/opt/shims:/usr/bin:/bin:")
    assert out.endswith("/snap/bin")
    assert "::" not in out


def test_remote_command_wraps_with_timeout_and_sudo() -> None:
    command = remote_command(["docker", "ps"], use_sudo=True, time_limit=9.2)
    assert command.startswith("exec sudo -n env PATH=")
    assert " timeout -k 3 10 docker ps" in command
    assert "timeout" not in remote_command(["true"], use_sudo=False, time_limit=None)


def test_remote_time_limit_really_ends_the_command() -> None:
    command = remote_command(["sleep", "30"], use_sudo=False, time_limit=1)
    done = subprocess.run(["/bin/sh", "-c", command], capture_output=True, timeout=10, check=False)
    assert done.returncode == 124  # coreutils timeout: the command was stopped


def test_check_argv() -> None:
    assert check_argv(["a", "b"]) == ("a", "b")
    for bad in ([], ["a", 1], ["a\x00b"]):
        with pytest.raises(InvalidInput):
            check_argv(bad)  # type: ignore[arg-type]


def test_extend_path_adds_only_missing_dirs() -> None:
    assert extend_path("/usr/bin:/bin").split(":")[:2] == ["/usr/bin", "/bin"]
    assert extend_path("/usr/bin:/bin").count("/usr/bin") == 1
    assert "/snap/bin" in extend_path("")
    assert "" not in extend_path("").split(":")


def test_line_splitter_handles_split_utf8_and_crlf() -> None:
    lines: list[str] = []
    splitter = LineSplitter(lines.append)
    data = "pulling ü\r\nlayer 中\nlast".encode()
    for i in range(len(data)):  # one byte at a time: multi-byte characters split across chunks
        splitter.feed(data[i : i + 1])
    splitter.close()
    assert lines == ["pulling ü", "layer 中", "last"]


def result(status: int | None, stderr: bytes) -> CommandResult:
    return CommandResult(argv=("x",), exit_status=status, stdout=b"", stderr=stderr)


def test_sudo_password_prompt_becomes_an_auth_error() -> None:
    # sudo 1.9 (Debian 12) wording with -n.
    asked = result(1, b"sudo: a password is required\n")
    assert sudo_refused(asked)
    assert sudo_refused(result(1, b"sudo: a terminal is required to read the password; either use ...\n"))
    assert not sudo_refused(result(1, b"docker: permission denied\n"))
    with pytest.raises(AuthError, match="sudo on n1 needs a password"):
        raise_for_result(asked, shown="docker ps", where="n1", use_sudo=True, secrets=())
    with pytest.raises(RemoteError):
        raise_for_result(asked, shown="docker ps", where="n1", use_sudo=False, secrets=())


def test_remote_error_tail_is_redacted_and_short() -> None:
    stderr = ("\n".join(f"line {i}" for i in range(100)) + "\nbad password s3cr3t!").encode()
    tail = stderr_tail(stderr, ["s3cr3t!"])
    assert "s3cr3t!" not in tail
    assert tail.endswith("bad password ***")
    assert len(tail.splitlines()) == 20
    with pytest.raises(RemoteError) as info:
        raise_for_result(result(2, stderr), shown="chpasswd", where="n1", use_sudo=False, secrets=["s3cr3t!"])
    assert info.value.exit_code == 2
    assert "s3cr3t!" not in str(info.value)
    with pytest.raises(RemoteError, match="killed by a signal"):
        raise_for_result(result(None, b""), shown="sleep 9", where="n1", use_sudo=False, secrets=())


def test_fingerprint_normalisation() -> None:
    hexfp = "0c0e189f493e1f59d41b5929bda6570006097 9de4c46d5c6d375fa59979399f8".replace(" ", "")
    colon = ":".join(hexfp[i : i + 2] for i in range(0, 64, 2)).upper()
    assert normalize_fingerprint(colon) == hexfp
    assert normalize_fingerprint("sha256:" + hexfp.upper()) == hexfp
    assert format_fingerprint(hexfp) == colon
    for bad in ("", "abc", hexfp + "00", "zz" * 32):
        with pytest.raises(ConfigError):
            normalize_fingerprint(bad)


def test_a_missing_timeout_command_is_recognised() -> None:
    # The real message of GNU env when `timeout` cannot be found on the (remote) PATH.
    done = subprocess.run(["/bin/sh", "-c", "env PATH=/nonexistent timeout 5 true"], capture_output=True, check=False)
    result = CommandResult(argv=("true",), exit_status=done.returncode, stdout=done.stdout, stderr=done.stderr)
    assert _wrapper_missing(result)
    assert not _wrapper_missing(CommandResult(("x",), 127, b"", b"sh: 1: docker: not found\n"))
