"""config.yaml: round trip, every validation error with file:line:field, atomic saves, broken files kept."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ocv_desktop.core.errors import ConfigError, NotFound
from ocv_desktop.core.models import AuthMethod, ExecutionRule, NodeConfig, Platform
from ocv_desktop.store import files as files_mod
from ocv_desktop.store.config import (
    AppConfig,
    Settings,
    backup_path,
    dump_config,
    load_config,
    normalize_fingerprint,
    save_config,
    validate_node,
)
from ocv_desktop.store.yamlfile import InvalidFile

FP = "ab" * 32


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def full_config() -> AppConfig:
    return AppConfig(
        nodes=(
            NodeConfig(name="web-1", type=Platform.DOCKER, host="10.0.0.5", tags=("prod", "web")),
            NodeConfig(
                name="上海-容器节点",
                type=Platform.INCUS,
                host="fd00::1",
                port=2222,
                username="ops",
                auth=AuthMethod.KEY,
                key_path="/home/ops/.ssh/id_ed25519",
                use_sudo=True,
                api_endpoint="https://[fd00::1]:8443",
                client_cert="/certs/client.crt",
                client_key="/certs/client.key",
                server_cert_fingerprint=FP,
                execution_rule=ExecutionRule.API_ONLY,
                notes="机房 A\nrack 3",
            ),
            NodeConfig(
                name="pve",
                type=Platform.PROXMOX,
                host="pve.example.org",
                auth=AuthMethod.PASSWORD,
                api_endpoint="https://pve.example.org:8006/api2/json",
                api_user="root@pam",
                api_token_id="root@pam!ocv",
                proxmox_node="pve1",
                ca_file="/etc/ssl/pve-ca.pem",
                execution_rule=ExecutionRule.SSH_ONLY,
            ),
            NodeConfig(name="laptop", type=Platform.DOCKER, host="localhost", local=True, notes="0123"),
        ),
        settings=Settings(health_interval=12.5, health_concurrency=4, group_by="tag"),
    )


def problem_of(exc: pytest.ExceptionInfo[ConfigError]) -> list[tuple[int | None, str | None, str]]:
    err = exc.value
    assert isinstance(err, InvalidFile)
    return [(p.line, p.field, p.reason) for p in err.problems]


# --- reading and round trip ----------------------------------------------------------------------


def test_missing_file_is_an_empty_config(tmp_path: Path) -> None:
    assert load_config(tmp_path / "config.yaml") == AppConfig()


def test_empty_and_comment_only_files_are_empty_configs(tmp_path: Path) -> None:
    assert load_config(write(tmp_path / "a.yaml", "")) == AppConfig()
    assert load_config(write(tmp_path / "b.yaml", "# nothing yet\n")) == AppConfig()


def test_round_trip_keeps_every_field_and_chinese_text(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    config = full_config()
    save_config(path, config)
    assert load_config(path) == config
    text = path.read_text(encoding="utf-8")
    assert "上海-容器节点" in text  # readable UTF-8, not \u escapes
    assert "\\u" not in text
    assert "notes: '0123'" in text  # quoted, so it reads back as text


def test_saved_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    save_config(path, full_config())
    assert (path.stat().st_mode & 0o777) == 0o600


def test_scalars_are_read_as_written(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.yaml",
        """
        version: 1
        nodes:
          - name: yes
            type: docker
            host: 10.0.0.1
            notes: 0123
            tags: [1, on, 中文]
        """,
    )
    (node,) = load_config(path).nodes
    assert node.name == "yes"  # not True
    assert node.notes == "0123"  # not the octal integer 83
    assert node.tags == ("1", "on", "中文")


def test_hand_written_nodes_get_stable_ids(tmp_path: Path) -> None:
    text = """
        version: 1
        nodes:
          - {name: a, type: docker, host: h1}
          - {name: b, type: lxd, host: h2}
        """
    first = load_config(write(tmp_path / "1.yaml", text))
    second = load_config(write(tmp_path / "2.yaml", text))
    assert [n.id for n in first.nodes] == [n.id for n in second.nodes]
    assert first.nodes[0].id != first.nodes[1].id


def test_local_node_needs_no_host(tmp_path: Path) -> None:
    path = write(tmp_path / "c.yaml", "version: 1\nnodes:\n  - {name: here, type: docker, local: true}\n")
    (node,) = load_config(path).nodes
    assert node.local and node.host == "localhost"


def test_fingerprint_is_normalised(tmp_path: Path) -> None:
    colons = ":".join(["AB"] * 32)
    path = write(
        tmp_path / "c.yaml",
        f"version: 1\nnodes:\n  - {{name: a, type: lxd, host: h, server_cert_fingerprint: '{colons}'}}\n",
    )
    assert load_config(path).nodes[0].server_cert_fingerprint == FP
    assert normalize_fingerprint("SHA256:" + FP.upper()) == FP
    with pytest.raises(ValueError):
        normalize_fingerprint("abc")


def test_find_by_name_then_id() -> None:
    config = full_config()
    node = config.nodes[1]
    assert config.find("上海-容器节点") == node
    assert config.find(node.id) == node
    with pytest.raises(NotFound, match="no node named 'nope'"):
        config.find("nope")


# --- validation errors: file, line and field -----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "field", "message"),
    [
        ("  - {name: a, type: vmware, host: h}\n", 3, "nodes[0].type", "must be one of docker, lxd, incus, proxmox"),
        ("  - name: a\n    type: docker\n", 3, "nodes[0].host", "is missing"),
        ("  - {name: a, type: docker, host: h, port: 70000}\n", 3, "nodes[0].port", "between 1 and 65535"),
        ("  - {name: a, type: docker, host: h, port: '22'}\n", 3, "nodes[0].port", "must be a whole number"),
        ("  - name: a\n    type: docker\n    host: h\n    hots: x\n", 6, "nodes[0].hots", "did you mean 'host'"),
        ("  - name: a\n    type: docker\n    host: h\n    host: g\n", 6, "nodes[0].host", "appears twice"),
        ("  - {name: a, type: docker, host: 'h:22'}\n", 3, "nodes[0].host", "must not contain a port"),
        ("  - {name: a, type: docker, host: h, auth: key}\n", 3, "nodes[0].key_path", "auth: key needs key_path"),
        ("  - {name: a, type: docker, host: h, execution_rule: api_only}\n", 3, "nodes[0].execution_rule", "no API"),
        ("  - {name: a, type: docker, host: h, use_sudo: maybe}\n", 3, "nodes[0].use_sudo", "true or false"),
        ("  - {name: a, type: lxd, host: h, client_cert: /c}\n", 3, "nodes[0].client_key", "go together"),
        ("  - {name: a, type: lxd, host: h, api_endpoint: 'http://h:8443'}\n", 3, "nodes[0].api_endpoint", "https"),
        (
            "  - {name: a, type: lxd, host: h, server_cert_fingerprint: xyz}\n",
            3,
            "nodes[0].server_cert_fingerprint",
            "64 hex",
        ),
        ("  - [a, b]\n", 3, "nodes[0]", "must be a mapping"),
    ],
)
def test_node_errors_name_file_line_and_field(tmp_path: Path, body: str, line: int, field: str, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("version: 1\nnodes:\n" + body, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert problem_of(exc)[0][:2] == (line, field)
    assert message in str(exc.value)
    assert str(exc.value).startswith(f"{path}:{line}: {field}: ")


def test_duplicate_name_points_at_both_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.yaml",
        """
        version: 1
        nodes:
          - name: 节点
            type: docker
            host: h1
          - name: 节点
            type: docker
            host: h2
        """,
    )
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert problem_of(exc) == [(6, "nodes[1].name", "'节点' is already used on line 3")]


def test_token_secret_in_the_file_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.yaml",
        """
        version: 1
        nodes:
          - name: pve
            type: proxmox
            host: h
            api_token_id: root@pam!ocv=8d3f-secret
        """,
    )
    with pytest.raises(ConfigError, match="belongs in the keyring") as exc:
        load_config(path)
    assert problem_of(exc)[0][:2] == (6, "nodes[0].api_token_id")


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("version: 2\n", 1, "version", "newer ocv-desktop"),
        ("nodes: []\n", 1, "version", "is missing"),
        ("version: 1\nnode: []\n", 2, "node", "did you mean 'nodes'"),
        ("version: 1\nproviders: []\n", 2, "providers", "ocv-desktop import"),
        ("version: 1\nsettings:\n  colour: red\n", 3, "settings.colour", "unknown key"),
        ("version: 1\nsettings:\n  health_interval: 0\n", 3, "settings.health_interval", "at least 1"),
        ("version: 1\nsettings:\n  group_by: colour\n", 3, "settings.group_by", "platform, tag"),
        ("version: 1\nnodes: {a: 1}\n", 2, "nodes", "must be a list"),
        ("- 1\n", 1, None, "must be a mapping"),
    ],
)
def test_file_level_errors(tmp_path: Path, text: str, line: int, field: str | None, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert problem_of(exc)[0][:2] == (line, field)
    assert message in str(exc.value)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.yaml",
        """
        version: 1
        settings:
          health_timeout: -1
        nodes:
          - {name: a, type: vmware, host: h}
          - {name: b, type: docker}
          - {name: c, type: docker, host: h, port: 0}
        """,
    )
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert [(line, field) for line, field, _ in problem_of(exc)] == [
        (3, "settings.health_timeout"),
        (5, "nodes[0].type"),
        (6, "nodes[1].host"),
        (7, "nodes[2].port"),
    ]
    message = str(exc.value)
    assert message.startswith(f"{path}: 4 problems:\n")
    for line in (3, 5, 6, 7):
        assert f"\n  {path}:{line}: " in message


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "config.yaml", "version: 1\nnodes:\n  - name: [a\n    type: docker\n")
    with pytest.raises(ConfigError, match="not valid YAML") as exc:
        load_config(path)
    assert exc.value.line is not None and exc.value.line >= 3


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(b"version: 1\nnodes:\n  - name: \xff\xfe\n")
    with pytest.raises(ConfigError, match="not UTF-8") as exc:
        load_config(path)
    assert exc.value.line == 3


def test_validate_node_rules() -> None:
    ok = NodeConfig(name="n", type=Platform.PROXMOX, host="h")
    assert validate_node(ok) == []
    assert [f for f, _ in validate_node(ok.replace(execution_rule=ExecutionRule.API_ONLY))] == ["execution_rule"]
    assert validate_node(ok.replace(execution_rule=ExecutionRule.API_ONLY, api_token_id="root@pam!t")) == []
    lxd = NodeConfig(name="n", type=Platform.LXD, host="h", execution_rule=ExecutionRule.API_ONLY)
    assert validate_node(lxd.replace(api_endpoint="unix:///var/lib/lxd/unix.socket", local=True)) == []
    # A remote node with a socket endpoint would reach this computer's daemon (issue 12 item 8).
    remote_socket = validate_node(lxd.replace(api_endpoint="unix:///var/lib/lxd/unix.socket"))
    assert [f for f, _ in remote_socket] == ["api_endpoint"] and "local" in remote_socket[0][1]
    assert [f for f, _ in validate_node(ok.replace(name=" padded"))] == ["name"]
    assert [f for f, _ in validate_node(ok.replace(host="[::1]"))] == ["host"]
    assert [f for f, _ in validate_node(ok.replace(host="-oProxyCommand=x"))] == ["host"]
    assert validate_node(ok.replace(host="::1")) == []


# --- saving --------------------------------------------------------------------------------------


def test_save_keeps_exactly_one_backup_of_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    one = AppConfig(nodes=(NodeConfig(name="one", type=Platform.DOCKER, host="h1"),))
    two = one.with_node(NodeConfig(name="two", type=Platform.DOCKER, host="h2"))
    three = two.without_node(one.nodes[0].id)
    save_config(path, one)
    assert not backup_path(path).exists()
    save_config(path, two)
    assert load_config(backup_path(path)) == one
    save_config(path, three)
    assert load_config(backup_path(path)) == two
    assert load_config(path) == three
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml", "config.yaml.bak"]


def test_a_file_that_does_not_load_is_never_overwritten(tmp_path: Path) -> None:
    path = write(tmp_path / "config.yaml", "version: 1\nnodes:\n  - {name: a, type: vmware, host: h}\n")
    before = path.read_bytes()
    with pytest.raises(ConfigError, match="not saving over a file that does not load") as exc:
        save_config(path, full_config())
    assert "nodes[0].type" in str(exc.value)
    assert path.read_bytes() == before
    assert not backup_path(path).exists()


def test_invalid_nodes_are_not_saved(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    save_config(path, full_config())
    before = path.read_bytes()
    bad = AppConfig(nodes=(NodeConfig(name="x", type=Platform.DOCKER, host="h", port=0),))
    with pytest.raises(ConfigError, match="port: must be between 1 and 65535"):
        save_config(path, bad)
    assert path.read_bytes() == before


def test_failure_during_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.yaml"
    save_config(path, full_config())
    before = path.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_mod.os, "fsync", disk_full)
    with pytest.raises(ConfigError, match="could not save: No space left on device"):
        save_config(path, AppConfig())
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]  # no temp file left


def test_interrupt_before_rename_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.yaml"
    save_config(path, full_config())
    before = path.read_bytes()
    real_replace = os.replace

    def interrupted(src: str, dst: str) -> None:
        if Path(dst) == path:
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(files_mod.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_config(path, AppConfig())
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


SAVER = """
import os, sys, time
from pathlib import Path
real_fsync = os.fsync
def slow_fsync(fd):  # a slow disk: many kills land while a save is under way
    time.sleep(0.25)
    real_fsync(fd)
os.fsync = slow_fsync
from ocv_desktop.store.config import AppConfig, save_config
from ocv_desktop.core.models import NodeConfig, Platform
path = Path(sys.argv[1])
big = tuple(NodeConfig(name=f"节点-{i}", type=Platform.DOCKER, host=f"10.0.{i // 250}.{i % 250 + 1}",
                       id=f"id-{i}", notes="x" * 200) for i in range(100))
configs = [AppConfig(nodes=big), AppConfig(nodes=big[:7])]
print("ready", flush=True)
i = 0
while True:
    save_config(path, configs[i % 2])
    i += 1
"""


def test_killed_in_the_middle_of_saving_leaves_a_loadable_file(tmp_path: Path) -> None:
    """SIGKILL a process while a save is under way (its temp file exists; a slow disk keeps it
    there for a while): config.yaml must still load and be a whole config, old or new."""
    path = tmp_path / "config.yaml"
    save_config(path, AppConfig(nodes=(NodeConfig(name="a", type=Platform.DOCKER, host="h", id="id-0"),)))
    rng = random.Random(1234)
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(path)], stdout=subprocess.PIPE)
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0, 0.3))  # not always the first save
        deadline = time.monotonic() + 20
        while not any(p.suffix == ".tmp" for p in tmp_path.iterdir()):
            assert time.monotonic() < deadline, "no save started"
            time.sleep(0.002)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        leftovers = [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]
        assert leftovers  # the kill did land in the middle of a save
        for p in leftovers:
            p.unlink()
        assert len(load_config(path).nodes) in (1, 100, 7)  # the old file or a whole new one


def test_dump_is_stable() -> None:
    """The order a person reads: version, settings, then each node's identity and connection first,
    defaults left out (except the connection fields every node has)."""
    node = NodeConfig(id="n1", name="web-1", type=Platform.DOCKER, host="10.0.0.5", tags=("prod",), notes="0123")
    text = dump_config(AppConfig(nodes=(node,)))
    assert text.split("version: 1\n", 1)[1] == textwrap.dedent(
        """\
        settings:
          health_interval: 30.0
          health_timeout: 10.0
          health_concurrency: 64
          connect_timeout: 15.0
          command_timeout: 300.0
          group_by: platform
          theme: system
          language: ''
          clipboard_clear_seconds: 60.0
          terminal: builtin
        nodes:
        - id: n1
          name: web-1
          type: docker
          host: 10.0.0.5
          port: 22
          username: root
          auth: agent
          execution_rule: auto
          tags:
          - prod
          notes: '0123'
        """
    )


@pytest.mark.parametrize(
    "nesting", ["[" * 20_000 + "]" * 20_000, "\n  " + "- " * 20_000 + "x", "{a: " * 20_000 + "1" + "}" * 20_000]
)
def test_yaml_nested_20000_deep_is_a_config_error(tmp_path: Path, nesting: str) -> None:
    # PyYAML composes recursively; before, the RecursionError surfaced as an internal error.
    path = tmp_path / "config.yaml"
    path.write_text(f"version: 1\nnodes: {nesting}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="nested too deeply") as exc:
        load_config(path)
    assert exc.value.path == str(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("theme: purple", "settings.theme: must be one of system, light, dark"),
        ("language: '-zh'", "settings.language: must be a locale such as zh_CN, or empty"),
        ("clipboard_clear_seconds: 0", "settings.clipboard_clear_seconds: must be more than 0 seconds"),
        ("terminal: xterm", "settings.terminal: must be one of builtin, external"),
    ],
)
def test_the_window_settings_are_checked(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"version: 1\nsettings:\n  {line}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value)
