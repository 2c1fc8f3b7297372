"""The window's supporting pieces that need no server: log redaction and the log file, the error
hooks (an exception in a Qt slot or an un-awaited task ends up in the banner, not a dialog), the
SSH terminal command line, and the size formatting the table uses."""

from __future__ import annotations

import asyncio
import gc
import logging
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from ocv_desktop.core.models import AuthMethod, Instance, InstanceStatus, InstanceType, NodeConfig, Platform
from ocv_desktop.store.home import Home
from ocv_desktop.ui import terminal
from ocv_desktop.ui.main import install_error_hooks, redact, setup_logging
from ocv_desktop.ui.models.formatting import format_bytes, format_seconds, format_usage
from ocv_desktop.ui.widgets.error_banner import ErrorBanner
from tests.shared_files import missing


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("login with password=hunter2 failed", "hunter2"),
        ("Authorization: PVEAPIToken=root@pam!ci=1f0c0d3e-aaaa-bbbb-cccc-1234567890ab", "1f0c0d3e-aaaa"),
        ("Cookie: PVEAuthCookie=PVE:root@pam:65A1B2C3::abcdef", "65A1B2C3"),
        ("token: 'xyz 123'", "xyz 123"),
        ("{'ssh_password': 's3cr3t'}", "s3cr3t"),
        ("passphrase = correct-horse", "correct-horse"),
    ],
)
def test_redact_hides_secret_values(text: str, hidden: str) -> None:
    out = redact(text)
    assert hidden not in out and "***" in out


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("Authorization: Bearer abc", "abc"),
        ("authorization: bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "eyJhbGciOiJIUzI1NiJ9"),
        ("Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
        ("Authorization: Digest username=\"u\", response=\"6629fae49393a053\"", "6629fae49393a053"),
        ("headers={'Authorization': 'Bearer abc.def'}", "abc.def"),
    ],
)
def test_redact_hides_the_whole_authorization_value_whatever_the_scheme(line: str, secret: str) -> None:
    out = redact(line)
    assert secret not in out, out
    assert "***" in out


def test_redact_ends_an_authorization_value_at_the_line_end() -> None:
    out = redact("GET /1.0 Authorization: Bearer abc\nnext line stays")
    assert out.splitlines() == ["GET /1.0 Authorization: ***", "next line stays"]


def test_redact_keeps_ordinary_text() -> None:
    text = "stopped web-1 on lab-docker in 0.4 s (exit code 0)"
    assert redact(text) == text


def test_log_file_in_the_home_is_redacted(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    handler = setup_logging(home)
    try:
        logging.getLogger("ocv_desktop.test").warning("connecting with password=%s", "topsecret")
        handler.flush()
        text = (home.logs_dir / "ocv-desktop.log").read_text()
        assert "connecting with password=***" in text and "topsecret" not in text
        assert handler.maxBytes > 0 and handler.backupCount > 0  # rotated, never unbounded
        assert setup_logging(home) is handler  # once per process
    finally:
        logging.getLogger("ocv_desktop").removeHandler(handler)
        handler.close()


def test_errors_in_slots_and_tasks_go_to_the_banner(qtbot, qloop, caplog) -> None:
    banner = ErrorBanner()
    qtbot.addWidget(banner)
    undo = install_error_hooks(qloop, banner.show_message)
    try:

        def broken_slot() -> None:
            raise KeyError("no-such-node")

        QTimer.singleShot(0, broken_slot)  # an exception escaping a Qt slot reaches sys.excepthook
        qtbot.waitUntil(banner.isVisible, timeout=3000)
        assert "KeyError" in banner.message() and "no-such-node" in banner.message()
        assert "Traceback" not in banner.message()

        async def broken_task() -> None:
            raise ValueError("password=hunter2 rejected")

        task = asyncio.ensure_future(broken_task())
        qtbot.waitUntil(task.done, timeout=3000)
        del task  # nobody retrieves the exception: the loop's handler reports it
        qtbot.waitUntil(lambda: (gc.collect(), "ValueError" in banner.message())[1], timeout=3000)
        assert "hunter2" not in banner.message()
        assert any("unhandled" in r.getMessage() for r in caplog.records)
    finally:
        undo()


def _node(**kw: object) -> NodeConfig:
    fields: dict[str, object] = {"name": "n", "type": Platform.DOCKER, "host": "10.0.0.5", "port": 2222}
    fields.update(kw)
    return NodeConfig(**fields)  # type: ignore[arg-type]


def _inst(node: NodeConfig, ident: str, kind: InstanceType = InstanceType.CONTAINER) -> Instance:
    return Instance(
        id=ident, name=ident, node_id=node.id, status=InstanceStatus.RUNNING, raw_status="running", type=kind
    )


def test_terminal_command_is_an_argv_with_the_remote_part_quoted(tmp_path: Path) -> None:
    node = _node(auth=AuthMethod.KEY, key_path="/keys/id ed25519", username="ops")
    known = tmp_path / "known hosts"
    argv = terminal.session_argv(node, known, terminal.instance_shell(node, _inst(node, "web; rm -rf /")))
    assert argv[0] == "ssh"
    assert argv[argv.index("-p") + 1] == "2222"
    assert argv[argv.index("-l") + 1] == "ops"
    assert f'UserKnownHostsFile="{known}"' in argv and "StrictHostKeyChecking=yes" in argv
    assert argv[argv.index("-i") + 1] == "/keys/id ed25519"
    assert argv[-3:-1] == ["--", "10.0.0.5"]
    # the remote command is one argument that the remote shell splits back into the exact words
    assert shlex.split(argv[-1]) == ["docker", "exec", "-it", "web; rm -rf /", "sh"]


def test_terminal_ssh_reads_no_config_and_trusts_only_the_apps_known_hosts(tmp_path: Path) -> None:
    """``~/.ssh/config`` and ``/etc/ssh/ssh_config`` could set another known_hosts, a ProxyCommand or
    ``StrictHostKeyChecking no``; ``/etc/ssh/ssh_known_hosts`` holds keys the app never trusted."""
    known = tmp_path / "app dir" / "known_hosts"  # macOS: ~/Library/Application Support/...
    argv = terminal.session_argv(_node(), known, None)
    assert argv[argv.index("-F") + 1] == "/dev/null"
    assert argv.index("-F") < argv.index("--")
    options = [argv[i + 1] for i, word in enumerate(argv) if word == "-o"]
    assert "GlobalKnownHostsFile=/dev/null" in options
    assert f'UserKnownHostsFile="{known}"' in options  # quoted: ssh splits this option's value at spaces
    assert "StrictHostKeyChecking=yes" in options
    # and ssh itself resolves them so (``ssh -G`` prints the configuration without connecting)
    ssh = shutil.which("ssh")
    if ssh is None:
        missing("ssh (the OpenSSH client)", "apt-get install openssh-client")
    resolved = subprocess.run([ssh, "-G", *argv[1:]], capture_output=True, text=True, check=True).stdout.splitlines()
    assert "globalknownhostsfile /dev/null" in resolved
    assert f"userknownhostsfile {known}" in resolved
    assert "stricthostkeychecking true" in resolved


def test_terminal_command_per_platform_and_sudo(tmp_path: Path) -> None:
    incus = _node(type=Platform.INCUS, use_sudo=True)
    argv = terminal.session_argv(incus, tmp_path / "kh", terminal.instance_shell(incus, _inst(incus, "c1")))
    assert shlex.split(argv[-1]) == ["sudo", "incus", "exec", "c1", "--", "sh"]
    pve = _node(type=Platform.PROXMOX)
    assert terminal.instance_shell(pve, _inst(pve, "101")) == ["pct", "enter", "101"]
    assert terminal.instance_shell(pve, _inst(pve, "102", InstanceType.VM)) is None  # no shell into a VM
    node_shell = terminal.session_argv(_node(), tmp_path / "kh", None)
    assert node_shell[-2:] == ["--", "10.0.0.5"] and "-t" not in node_shell
    local = _node(local=True, host="localhost")
    assert not terminal.can_open(local, None)
    assert terminal.session_argv(local, tmp_path / "kh", ["docker", "exec", "-it", "x", "sh"])[0] == "docker"


def test_sizes_and_durations_read_naturally() -> None:
    assert format_bytes(None) == ""
    assert format_bytes(512) == "512 B"
    assert format_bytes(64 * 2**20) == "64 MiB"
    assert format_bytes(int(1.5 * 2**30)) == "1.5 GiB"
    assert format_usage(256 * 2**20, 2**30) == "256 MiB / 1.0 GiB"
    assert format_usage(None, 2**30) == "1.0 GiB"
    assert format_seconds(0.42) == "0.4 s"
    assert format_seconds(75) == "1 min 15 s"
