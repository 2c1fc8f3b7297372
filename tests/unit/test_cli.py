"""The command line: every subcommand, the JSON formats of README.md, and exit codes.

In-process ``main()`` where that is enough; the real entry point (``python -m ocv_desktop``) for
exit codes, stderr, signals and the real keyring.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ocv_desktop import __version__
from ocv_desktop.cli import main
from ocv_desktop.core.models import NodeSecrets
from ocv_desktop.store.config import load_config
from ocv_desktop.store.secrets import SecretStore
from tests.cli_process import ocv, ocv_argv

# the keyring fixtures (also loaded by tests/conftest.py); importing them sets the fail-backend default
pytest_plugins = ["tests.keyring_fixture"]

NODE_FIELDS = [
    "name",
    "type",
    "host",
    "id",
    "port",
    "username",
    "auth",
    "key_path",
    "use_sudo",
    "local",
    "api_endpoint",
    "api_user",
    "api_token_id",
    "proxmox_node",
    "client_cert",
    "client_key",
    "server_cert_fingerprint",
    "ca_file",
    "execution_rule",
    "tags",
    "notes",
]

PROVIDERS = """\
providers:
  - name: "docker-node-1"
    type: "docker"
    host: "192.168.1.100"
    port: 22
    username: "root"
    password: "pw-a91f"
  - name: "北京 PVE"
    type: "proxmox"
    host: "192.168.1.102"
    password: "pw-b22c"
    api_token: "user@pam!token=tok-c3d4"
    api_endpoint: "https://192.168.1.102:8006/api2/json"
  - name: "bad"
    type: "vmware"
    host: "192.168.1.9"
"""


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# --- in-process ----------------------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "--version") == (0, f"ocv-desktop {__version__}\n", "")


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--help")
    assert code == 0
    listed = re.findall(r"^    (\S+)", out.split("\ncommands:\n", 1)[1], re.MULTILINE)  # not the description's words
    assert listed == [
        "nodes",
        "trust",
        "import",
        "instances",
        "images",
        "snapshots",
        "health",
        "reset-password",
        "self-test",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["nodes"], "the following arguments are required: COMMAND"),
        (["nodes", "add", "--name", "x"], "the following arguments are required: --type"),
        (["nodes", "add", "--name", "x", "--type", "docker", "--port", "ssh", "--host", "h"], "invalid int value"),
        (["nodes", "add", "--name", "x", "--type", "docker"], "--host is required (unless --local)"),
        (["nodes", "add", "--name", "x", "--type", "proxmox", "--host", "h", "--api-token-id", "a@b!c"], "go together"),
        (["nodes", "add", "--name", "x", "--type", "lxd", "--host", "h", "--client-cert", "c"], "go together"),
        (
            ["nodes", "add", "--name", "x", "--type", "lxd", "--host", "h", "--password-stdin", "--key", "k"],
            "not allowed",
        ),
        # the per-platform field table (core/nodes.py) says which options a node can use
        (
            ["nodes", "add", "--name", "x", "--type", "docker", "--local", "--client-cert", "c", "--client-key", "k"],
            "--client-cert does not apply to a docker node",
        ),
        (
            ["nodes", "add", "--name", "x", "--type", "lxd", "--host", "h", "--proxmox-node", "pve1"],
            "--proxmox-node does not apply to a lxd node",
        ),
        (["nodes", "add", "--name", "x", "--type", "incus", "--local", "--key", "k"], "--key does not apply"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], message: str
) -> None:
    code, out, err = cli(capsys, "--home", str(tmp_path), *args)
    assert code == 2
    assert out == ""
    line = one_line(err)
    assert line.startswith("ocv-desktop")
    assert message in line


def test_nodes_list_empty(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = cli(capsys, "--home", str(tmp_path), "nodes", "list")
    assert code == 0, err
    assert "no nodes yet" in out
    assert "secrets are NOT saved" in out  # the keyring state is always shown

    code, out, _ = cli(capsys, "--home", str(tmp_path), "nodes", "list", "--json")
    data = json.loads(out)
    assert data["nodes"] == []
    assert data["secrets"]["persistent"] is False
    assert data["secrets"]["backend"] == "memory (this run only)"
    assert data["secrets"]["reason"]


def test_nodes_add_list_remove(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch) -> None:
    home = str(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("ssh-pw\ntok-secret\n"))
    code, out, err = cli(
        capsys,
        "--home",
        home,
        "nodes",
        "add",
        "--name",
        "广州-pve",
        "--type",
        "proxmox",
        "--host",
        "10.77.0.9",
        "--port",
        "2200",
        "--password-stdin",
        "--api-endpoint",
        "https://10.77.0.9:8006/api2/json",
        "--api-token-id",
        "root@pam!ocv",
        "--api-token-stdin",
        "--tag",
        "lab",
        "--tag",
        "华南",
        "--execution-rule",
        "api_only",
    )
    # the test process has no keyring: the node is added, but the command failed (exit 1), said plainly
    assert code == 1, err
    assert out.startswith("added node 广州-pve (proxmox, root@10.77.0.9:2200), id ")
    assert "the secrets of node '广州-pve' were NOT saved" in err and "no system keyring" in err

    code, out, _ = cli(capsys, "--home", home, "nodes", "list", "--json")
    (node,) = json.loads(out)["nodes"]
    assert list(node) == NODE_FIELDS
    assert node["name"] == "广州-pve"
    assert (node["type"], node["port"], node["auth"], node["execution_rule"]) == (
        "proxmox",
        2200,
        "password",
        "api_only",
    )
    assert node["api_token_id"] == "root@pam!ocv"
    assert node["tags"] == ["lab", "华南"]
    assert "广州-pve" in out  # UTF-8, not \u escapes
    assert "ssh-pw" not in (tmp_path / "config.yaml").read_text()

    code, out, _ = cli(capsys, "--home", home, "nodes", "list")
    assert code == 0
    header, row = out.splitlines()[:2]
    assert header.split() == ["NAME", "TYPE", "ADDRESS", "AUTH", "API", "RULE", "TAGS"]
    prefix = row[: row.index("proxmox")]
    columns = len(prefix) + sum("\u4e00" <= c <= "\u9fff" for c in prefix)  # CJK takes 2 columns
    assert columns == header.index("TYPE")  # so the table stays aligned

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # refused before any secret is asked for
    code, out, err = cli(
        capsys,
        "--home",
        home,
        "nodes",
        "add",
        "--name",
        "广州-pve",
        "--type",
        "docker",
        "--host",
        "h",
        "--password-stdin",
    )
    assert code == 1
    assert one_line(err) == "ocv-desktop: error: a node named '广州-pve' already exists (choose another name)"

    code, out, err = cli(capsys, "--home", home, "nodes", "remove", "广州-pve", "--json")
    assert code == 0, err
    assert json.loads(out)["name"] == "广州-pve"
    assert load_config(tmp_path / "config.yaml").nodes == ()

    code, out, err = cli(capsys, "--home", home, "nodes", "remove", "广州-pve")
    assert code == 1
    assert "no node named '广州-pve'" in one_line(err)


def test_add_with_an_invalid_value(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = cli(
        capsys,
        "--home",
        str(tmp_path),
        "nodes",
        "add",
        "--name",
        "x",
        "--type",
        "docker",
        "--host",
        "h",
        "--port",
        "70000",
    )
    assert code == 1
    assert one_line(err) == "ocv-desktop: error: node 'x': port: must be between 1 and 65535, not 70000"


def test_add_key_auth_stores_an_absolute_path(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(
        capsys,
        "--home",
        str(tmp_path / "h"),
        "nodes",
        "add",
        "--name",
        "k",
        "--type",
        "lxd",
        "--host",
        "h",
        "--key",
        "id_ed25519",
        "--json",
    )
    assert code == 0, err
    node = json.loads(out)
    assert (node["auth"], node["key_path"]) == ("key", str(tmp_path / "id_ed25519"))
    assert "were NOT saved" not in err  # no secret was given, so nothing to warn about


def test_broken_config_is_reported_and_kept(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("version: 1\nnodes:\n  - name: a\n    type: docker\n    host: h\n    prot: 22\n")
    before = config.read_bytes()
    code, out, err = cli(capsys, "--home", str(tmp_path), "nodes", "list")
    assert (code, out) == (1, "")
    assert one_line(err) == f"ocv-desktop: error: {config}:6: nodes[0].prot: unknown key; did you mean 'port'?"
    code, _, err = cli(
        capsys, "--home", str(tmp_path), "nodes", "add", "--name", "b", "--type", "docker", "--host", "h"
    )
    assert code == 1
    assert config.read_bytes() == before


def test_import(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "providers.yaml"
    source.write_text(PROVIDERS, encoding="utf-8")
    home = str(tmp_path / "home")

    code, out, err = cli(capsys, "--home", home, "import", str(source))
    assert code == 1  # one entry was skipped
    assert out.splitlines() == [
        f"{source}: 2 added, 0 updated, 1 skipped",
        "  added    docker-node-1 (docker, root@192.168.1.100:22)",
        "  added    北京 PVE (proxmox, root@192.168.1.102:22)",
    ]
    assert f"skipped: {source}:15: providers[2] (bad): type: must be one of" in err
    assert "Traceback" not in err

    code, out, err = cli(capsys, "--home", home, "import", str(source), "--json")
    assert code == 1
    data = json.loads(out)
    assert list(data) == ["source", "added", "updated", "errors", "warnings", "secrets"]
    assert data["added"] == []
    assert [n["name"] for n in data["updated"]] == ["docker-node-1", "北京 PVE"]
    assert list(data["updated"][1]) == NODE_FIELDS
    assert data["updated"][1]["api_token_id"] == "user@pam!token"
    (error,) = data["errors"]
    assert (error["index"], error["name"], error["line"]) == (2, "bad", 15)
    assert error["message"].startswith("type: must be one of")
    assert data["secrets"]["persistent"] is False


def test_import_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = cli(capsys, "--home", str(tmp_path), "import", str(tmp_path / "missing.yaml"))
    assert code == 1
    assert one_line(err) == f"ocv-desktop: error: {tmp_path / 'missing.yaml'}: no such file"


# --- the real entry point --------------------------------------------------------------------------


def test_entry_point_exit_codes(tmp_path: Path) -> None:
    result = ocv(tmp_path, "--version")
    assert (result.returncode, result.stdout) == (0, f"ocv-desktop {__version__}\n")
    result = ocv(tmp_path, "nodes", "remove")
    assert result.returncode == 2
    assert "the following arguments are required: NAME" in one_line(result.stderr)
    result = ocv(tmp_path, "nodes", "remove", "nope")
    assert result.returncode == 1
    assert one_line(result.stderr) == (
        "ocv-desktop: error: no node named 'nope' (`ocv-desktop nodes list` shows the configured nodes)"
    )


ADD_ARGS = ("--type", "docker", "--host", "h", "--password-stdin")


def wait_for_stdin_read(pid: int, timeout: float = 60) -> None:
    """Until the process blocks reading its stdin pipe (Linux: the kernel function it sleeps in).
    A fixed sleep lost the race under a slow start-up (coverage, a busy machine): SIGINT arrived
    before the CLI's handler was installed."""
    wchan = Path(f"/proc/{pid}/wchan")
    if not wchan.exists():
        time.sleep(1.0)  # not Linux: the best we can do
        return
    deadline = time.monotonic() + timeout
    while "pipe" not in wchan.read_text():
        if time.monotonic() > deadline:
            raise TimeoutError(f"process {pid} never read its stdin ({wchan.read_text()!r})")
        time.sleep(0.02)


def test_ctrl_c_exits_130(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        ocv_argv(tmp_path, "nodes", "add", "--name", "n", *ADD_ARGS),
        stdin=subprocess.PIPE,  # stays open: the command waits for the password
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_stdin_read(proc.pid)  # Ctrl-C while it waits for the password, not during start-up
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert one_line(err) == "ocv-desktop: interrupted"
    assert not (tmp_path / "config.yaml").exists()


def test_utf8_output_on_a_non_utf8_pipe(tmp_path: Path) -> None:
    source = tmp_path / "p.yaml"
    source.write_text(PROVIDERS, encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    result = ocv(tmp_path / "home", "import", str(source), env=env)
    assert result.returncode == 1
    assert "北京 PVE" in result.stdout


def test_import_and_remove_with_the_real_keyring(keyring_env: dict[str, str], tmp_path: Path) -> None:
    """Done-when of the foundation issue: imported secrets are in the keyring and nowhere else."""
    source = tmp_path / "providers.yaml"
    source.write_text(PROVIDERS, encoding="utf-8")
    home = tmp_path / "home"
    result = ocv(home, "import", str(source), env=keyring_env)
    assert result.returncode == 1  # the bad entry
    assert "were NOT saved" not in result.stderr

    listed = json.loads(ocv(home, "nodes", "list", "--json", env=keyring_env).stdout)
    assert listed["secrets"] == {"backend": "keyring.backends.SecretService.Keyring", "persistent": True, "reason": ""}
    pve = next(n for n in listed["nodes"] if n["name"] == "北京 PVE")

    async def secrets_of(node_id: str) -> NodeSecrets:
        return await (await SecretStore.open()).load(node_id)

    assert asyncio.run(secrets_of(pve["id"])) == NodeSecrets(ssh_password="pw-b22c", api_token_secret="tok-c3d4")
    for secret in ("pw-a91f", "pw-b22c", "tok-c3d4"):
        assert not [p for p in home.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]

    result = ocv(home, "nodes", "remove", "北京 PVE", env=keyring_env)
    assert result.returncode == 0, result.stderr
    assert asyncio.run(secrets_of(pve["id"])) == NodeSecrets()

    text = ocv(home, "nodes", "list", env=keyring_env).stdout
    assert "secrets are saved in the system keyring (keyring.backends.SecretService.Keyring)" in text


def test_self_test_with_and_without_a_keyring(keyring_env: dict[str, str], tmp_path: Path) -> None:
    env = {k: v for k, v in keyring_env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = ocv(tmp_path, "self-test", env=env)
    assert result.returncode == 0, result.stderr
    assert "self-test: OK" in result.stdout
    assert "platform offscreen" in result.stdout
    assert "nodeTree found, instanceTable found" in result.stdout
    assert "keyring:  keyring.backends.SecretService.Keyring" in result.stdout
    assert "secrets:  saved in the system keyring" in result.stdout
    # Qt's offscreen plugin says "This plugin does not support propagateSizeHints()": to the log,
    # not to the user's terminal
    assert result.stderr == ""

    no_dbus = {k: v for k, v in env.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    result = ocv(tmp_path, "self-test", "--json", env=no_dbus)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert data["window"] == {"shown": True, "nodeTree": True, "instanceTable": True}
    assert data["qt"]["event_loop"] == "QSelectorEventLoop"
    assert data["secrets"]["persistent"] is False
    assert "no system keyring is available" in data["secrets"]["reason"]


def test_self_test_reports_a_broken_config(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("version: 3\n")
    result = ocv(tmp_path, "self-test")
    assert result.returncode == 1
    assert "config.yaml:1: version: is 3 (written by a newer ocv-desktop?)" in one_line(result.stderr)


def test_gui_starts_and_quits_cleanly(tmp_path: Path) -> None:
    """`ocv-desktop` without a command opens the window; SIGTERM closes it like the close button."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        ocv_argv(tmp_path, "-v"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    lines = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        lines.append(line)
        if "main window shown" in line or not line:
            break
    assert any("main window shown" in line for line in lines), "".join(lines)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    err = "".join(lines) + err
    assert proc.returncode == 0, err
    assert "main window closed" in err
    for bad in ("Traceback", "Task was destroyed", "Error"):
        assert bad not in err


@pytest.mark.parametrize("command", ["restore", "delete"])
def test_snapshot_restore_and_delete_refuse_without_a_terminal_before_any_contact(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch, command: str
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))  # not a terminal: the "y" must not count
    code, out, err = cli(capsys, "--home", str(tmp_path), "snapshots", command, "no-such-node", "web", "s1")
    assert code == 2 and out == ""
    assert one_line(err) == f"ocv-desktop: no terminal to ask on: rerun with --yes to {command} " + (
        "web on node no-such-node to snapshot s1" if command == "restore" else "snapshot s1 of web on node no-such-node"
    )
