"""The real CLI (``python -m ocv_desktop``) against the lab's Docker node: instances, images and
reset-password. The home is in tmp_path with the node added through NodeService and the lab's host
key in its known_hosts; every container a test makes has a random name and is removed afterwards.
"""

from __future__ import annotations

import json
import subprocess
import warnings

import pytest

from ocv_desktop.services.nodes import NodeService
from ocv_desktop.store.secrets import SecretStore
from tests.cli_process import ocv, ocv_on_terminal

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # Python 3.11: deprecated but present; tests only

pytestmark = [pytest.mark.lab]

BUSYBOX = "lab/busybox:1.35"
DEBIAN = "lab/debian:12"
SERVICE = ("sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done")
NODE = "lab-docker"


@pytest.fixture
async def home(lab_home, lab_docker):
    lab_home.known_hosts.write_text(lab_docker.ssh.host_key_line + "\n")
    service = NodeService(lab_home, await SecretStore.open())
    await service.add_node(lab_docker.node_config(name=NODE))
    return lab_home


@pytest.fixture
def names(lab, lab_docker):
    made: list[str] = []

    def new() -> str:
        made.append(lab.unique_name("ocvcli"))
        return made[-1]

    yield new
    if made:
        lab_docker.docker("rm", "-f", *made)


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, (proc.args, proc.stderr)
    return proc.stdout


def lab_inspect(lab_docker, name: str) -> dict:
    proc = lab_docker.docker("inspect", "--type", "container", name)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)[0]


def run_service(lab_docker, name: str, image: str = BUSYBOX) -> str:
    proc = lab_docker.docker("run", "-d", "--name", name, image, *SERVICE)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """Exit 1 with exactly one error line on stderr (progress lines before it are fine)."""
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    errors = [line for line in proc.stderr.splitlines() if not line.startswith("ocv-desktop: ") or " error: " in line]
    assert len(errors) == 1 and errors[0].startswith("ocv-desktop: error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    return errors[0]


def test_list_json(home, lab_docker, names):
    name = names()
    cid = run_service(lab_docker, name)
    doc = json.loads(ok(ocv(home, "instances", "list", NODE, "--json")))
    assert doc["node"] == NODE
    mine = next(i for i in doc["instances"] if i["name"] == name)
    assert mine["id"] == cid and mine["status"] == "running" and mine["raw_status"] == "running"
    assert mine["type"] == "container" and mine["image"] == BUSYBOX
    assert set(mine) >= {"ipv4", "cpu_limit", "memory_limit", "created", "extra", "node_id"}
    table = ok(ocv(home, "instances", "list", NODE))
    assert table.splitlines()[0].split()[:3] == ["NAME", "ID", "STATUS"]
    assert any(line.startswith(name) and cid[:12] in line for line in table.splitlines())


def test_create_stop_start_restart_delete(home, lab_docker, names):
    name = names()
    proc = ocv(
        home, "instances", "create", NODE, "--name", name, "--image", BUSYBOX,
        "--cpus", "0.5", "--memory", "64M", "--port", "18200:80", "--port", "127.0.0.1:18201:53/both",
        "--env", "GREETING=hello $USER 'x'", "--restart", "unless-stopped", "--json", "--", *SERVICE,
    )  # fmt: skip
    created = json.loads(ok(proc))
    assert created["name"] == name and created["status"] == "running"
    assert "create " + name in proc.stderr and "[100%]" in proc.stderr  # progress on stderr
    real = lab_inspect(lab_docker, name)
    assert real["HostConfig"]["NanoCpus"] == 500_000_000 and real["HostConfig"]["Memory"] == 64 * 2**20
    assert set(real["HostConfig"]["PortBindings"]) == {"80/tcp", "53/tcp", "53/udp"}
    assert "GREETING=hello $USER 'x'" in real["Config"]["Env"]
    assert real["Config"]["Cmd"] == list(SERVICE)

    assert ok(ocv(home, "instances", "stop", NODE, name, "--timeout", "5")).strip() == f"stopped {name}"
    assert lab_inspect(lab_docker, name)["State"]["Status"] == "exited"
    ok(ocv(home, "instances", "stop", NODE, name))  # already stopped: fine
    ok(ocv(home, "instances", "start", NODE, name))
    started = lab_inspect(lab_docker, name)["State"]
    assert started["Status"] == "running"
    ok(ocv(home, "instances", "restart", NODE, name))
    assert lab_inspect(lab_docker, name)["State"]["StartedAt"] != started["StartedAt"]
    shown = json.loads(ok(ocv(home, "instances", "show", NODE, name, "--json")))
    assert shown["id"] == created["id"] and shown["status"] == "running"

    # running: refused without --force, nothing deleted
    line = one_error_line(ocv(home, "instances", "delete", NODE, name, "--yes"))
    assert "is running" in line
    assert lab_inspect(lab_docker, name)["State"]["Status"] == "running"
    assert ok(ocv(home, "instances", "delete", NODE, name, "--yes", "--force")).strip() == f"deleted {name}"
    assert lab_docker.docker("inspect", name).returncode != 0
    assert "not found" in one_error_line(ocv(home, "instances", "delete", NODE, name, "--yes"))
    assert "not found" in one_error_line(ocv(home, "instances", "stop", NODE, name))


def test_delete_asks_on_a_terminal(home, lab_docker, names):
    name = names()
    lab_docker.docker("create", "--name", name, BUSYBOX, "true")
    for answer, deleted in (("n\n", False), ("y\n", True)):
        code, out, err = ocv_on_terminal(home, answer, "instances", "delete", NODE, name, timeout=60)
        assert f"delete instance {name} on node {NODE}? [y/N]" in err
        exists = lab_docker.docker("inspect", name).returncode == 0
        assert exists is not deleted, (out, err)
        assert code == (0 if deleted else 1)


def test_create_refuses_bad_input_before_sending(home, lab_docker, names):
    line = one_error_line(ocv(home, "instances", "create", NODE, "--name=-rm", "--image", BUSYBOX))
    assert "invalid instance name '-rm'" in line  # base.validate_instance_name's wording (72455dc)
    line = one_error_line(ocv(home, "instances", "stop", NODE, "--", "--all"))
    assert "invalid container id or name '--all'" in line
    bad_port = ocv(home, "instances", "create", NODE, "--name", names(), "--image", BUSYBOX, "--port", "99999:80")
    assert bad_port.returncode == 2 and "invalid port" in bad_port.stderr
    name = names()
    line = one_error_line(ocv(home, "instances", "create", NODE, "--name", name, "--image", BUSYBOX, "--disk", "2G"))
    assert "cannot limit the disk size" in line
    assert lab_docker.docker("inspect", name).returncode != 0


def test_images_pull_list_delete(home, lab_docker):
    ref = f"{lab_docker.registry}/lab/busybox:1.35"
    lab_docker.docker("rmi", ref)
    try:
        proc = ocv(home, "images", "pull", NODE, ref)
        out = ok(proc)
        assert "Pulling from lab/busybox" in proc.stderr and f"pull {ref}" in proc.stderr
        assert out.splitlines()[1].startswith(ref)
        doc = json.loads(ok(ocv(home, "images", "list", NODE, "--json")))
        assert doc["node"] == NODE
        assert any(ref in i["aliases"] for i in doc["images"])
        assert ok(ocv(home, "images", "delete", NODE, ref)).strip() == f"deleted image {ref}"
        assert lab_docker.docker("image", "inspect", ref).returncode != 0
    finally:
        lab_docker.docker("rmi", ref)
    assert "not found" in one_error_line(ocv(home, "images", "pull", NODE, f"{lab_docker.registry}/lab/nope:1"))


def _root_hash(lab_docker, name: str) -> str:
    shadow = lab_docker.docker("exec", name, "cat", "/etc/shadow").stdout
    return next(line.split(":")[1] for line in shadow.splitlines() if line.startswith("root:"))


def _matches(password: str, hashed: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return crypt.crypt(password, hashed) == hashed


def test_reset_password(home, lab_docker, names):
    name = names()
    run_service(lab_docker, name, DEBIAN)

    generated = ok(ocv(home, "reset-password", NODE, name))
    assert len(generated.splitlines()) == 1
    password = generated.strip()
    assert len(password) >= 12 and _matches(password, _root_hash(lab_docker, name))

    chosen = 'it\'s a "pass" $HOME \\ ünï 密码'
    proc = ocv(home, "reset-password", NODE, name, "--password-stdin", stdin=chosen + "\n")
    assert ok(proc) == "" and chosen not in proc.stderr
    assert _matches(chosen, _root_hash(lab_docker, name))

    doc = json.loads(ok(ocv(home, "reset-password", NODE, name, "--json")))
    assert doc["instance"] == name and doc["user"] == "root"
    assert _matches(doc["password"], _root_hash(lab_docker, name))

    assert "not found" in one_error_line(ocv(home, "reset-password", NODE, names()))


def test_snapshots_are_refused_plainly_and_commit_makes_an_image(home, lab_docker, names, lab):
    name = names()
    run_service(lab_docker, name)
    for args in (("list", NODE, name), ("create", NODE, name, "s1"), ("delete", NODE, name, "s1", "--yes")):
        line = one_error_line(ocv(home, "snapshots", *args))
        assert line.startswith("ocv-desktop: error: Docker has no snapshots (") and "instances commit" in line
    image = f"ocv-commit/{lab.unique_name('cli')}:v1"
    try:
        made = json.loads(ok(ocv(home, "instances", "commit", NODE, name, image, "--json")))
        assert image in made["aliases"] or made["name"] == image
        assert lab_docker.docker("image", "inspect", image).returncode == 0
    finally:
        lab_docker.docker("rmi", "-f", image)
