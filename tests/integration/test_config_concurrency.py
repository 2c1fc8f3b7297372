"""Two or more processes editing config.yaml at once lose nothing (issue 12 item 3).

Each round starts several real ``ocv-desktop nodes add --password-stdin`` processes
(tests/cli_process.py: the real entry point) against one home and one real Secret Service
(gnome-keyring on a private bus), waits until every one of them sits blocked reading its password
from stdin (so all have loaded the config and imported everything), and then gives all of them
their password at once: they reach the read-change-write of config.yaml together. Afterwards
every node must be in config.yaml, every node's password in the keyring, and no secret in the
keyring may belong to a node the config lacks (an orphan that `nodes remove` could never reach).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from tests.cli_process import ocv, ocv_argv

pytest_plugins = ["tests.keyring_fixture"]

ROUNDS = 8
PARALLEL = 3


def keyring_node_ids(env: dict[str, str]) -> dict[str, set[str]]:
    """node id -> the secret fields stored for it, read straight from the Secret Service."""
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    conn = open_dbus_connection(bus=env["DBUS_SESSION_BUS_ADDRESS"])
    try:
        collection = secretstorage.get_default_collection(conn)
        found: dict[str, set[str]] = {}
        for item in collection.search_items({"service": "ocv-desktop"}):
            key = item.get_attributes()["username"]  # keyring's name for our key node/<id>/<field>
            _, node_id, field = key.split("/")
            found.setdefault(node_id, set()).add(field)
        return found
    finally:
        conn.close()


def wait_reading_stdin(procs: list[subprocess.Popen[str]], timeout: float = 60) -> None:
    """Until every process is blocked in a read of its stdin pipe (Linux: /proc/PID/wchan)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = []
        for proc in procs:
            assert proc.poll() is None, proc.communicate()
            waiting.append("pipe_read" in Path(f"/proc/{proc.pid}/wchan").read_text())
        if all(waiting):
            return
        time.sleep(0.02)
    raise AssertionError("the processes never waited for their password")


def test_parallel_nodes_add_keeps_every_node_and_orphans_no_secret(new_secret_service, monkeypatch, tmp_path: Path):
    env = new_secret_service().use(monkeypatch)
    home = tmp_path / "home"
    expected: list[str] = []
    for r in range(ROUNDS):
        names = [f"n{r}-{i}" for i in range(PARALLEL)]
        procs = [
            subprocess.Popen(
                ocv_argv(
                    home, "nodes", "add", "--name", name, "--type", "docker", "--host", "10.0.0.1", "--password-stdin"
                ),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for name in names
        ]
        wait_reading_stdin(procs)
        for proc, name in zip(procs, names, strict=True):  # all at once, as far as we can
            assert proc.stdin is not None
            proc.stdin.write(f"pw-{name}\n")
            proc.stdin.close()
        for proc in procs:
            proc.stdin = None  # closed above; communicate() must not flush it
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        expected += names

    listed = json.loads(ocv(home, "nodes", "list", "--json", env=env).stdout)
    kept = {n["name"]: n["id"] for n in listed["nodes"]}
    stored = keyring_node_ids(env)
    orphans = set(stored) - set(kept.values())
    print(
        f"{ROUNDS} rounds of {PARALLEL} parallel `nodes add`: {len(kept)} of {len(expected)} nodes kept, "
        f"{len(orphans)} orphaned secrets"
    )
    assert sorted(kept) == sorted(expected)
    assert orphans == set(), f"{len(orphans)} orphaned secrets"
    assert all(stored.get(node_id) == {"ssh_password"} for node_id in kept.values())
    assert list(home.glob(".config.yaml.*.tmp")) == []


def test_a_stray_temp_file_is_removed_on_the_next_save(tmp_path: Path):
    home = tmp_path / "home"
    assert ocv(home, "nodes", "add", "--name", "a", "--type", "docker", "--host", "10.0.0.1").returncode == 0
    stray = home / ".config.yaml.k3j2h1.tmp"  # what a save killed between write and rename leaves
    stray.write_text("half a file")
    result = ocv(home, "nodes", "add", "--name", "b", "--type", "docker", "--host", "10.0.0.2")
    assert result.returncode == 0, result.stderr
    assert not stray.exists()
    assert "name: b" in (home / "config.yaml").read_text()
