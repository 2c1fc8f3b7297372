"""The real CLI (``python -m ocv_desktop``) against the lab's Incus 6.0 and LXD 5.0 nodes, by API
(api_only) and by SSH (ssh_only): the generic ``instances``, ``images`` and ``reset-password``
commands work through the Provider contract. Results are checked with the lab's own CLI.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import warnings
from datetime import datetime

import pytest

from ocv_desktop.core.models import ExecutionRule
from ocv_desktop.services.nodes import NodeService
from ocv_desktop.store.secrets import SecretStore
from tests import cli_process

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # Python 3.11: deprecated but present; tests only

pytestmark = [pytest.mark.lab]


@pytest.fixture(params=["incus", "lxd"])
def host(request):
    return request.getfixturevalue(f"lab_{request.param}")


@pytest.fixture(params=[ExecutionRule.API_ONLY, ExecutionRule.SSH_ONLY], ids=["api", "ssh"])
async def node(request, host, lab_home, keyring_env):
    lab_home.ensure()
    lab_home.known_hosts.write_text(host.ssh.host_key_line + "\n")
    service = NodeService(lab_home, await SecretStore.open())
    node = host.node_config(name=f"{host.flavour}-{request.param.value}", execution_rule=request.param)
    await service.add_node(node)
    return node


async def ocv(home, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(cli_process.ocv, home, *args, timeout=300)


async def test_instances_images_and_password_through_the_cli(node, host, lab, lab_home):
    name = lab.unique_name("cli")
    try:
        made = await ocv(lab_home, "instances", "create", node.name, "--name", name, "--image", "debian",
                         "--memory", "256M", "--cpus", "1", "--json")  # fmt: skip
        assert made.returncode == 0, made.stderr
        assert json.loads(made.stdout)["status"] == "running"

        listed = await ocv(lab_home, "instances", "list", node.name, "--json")
        assert listed.returncode == 0, listed.stderr
        mine = next(i for i in json.loads(listed.stdout)["instances"] if i["id"] == name)
        assert mine["memory_limit"] == 256 * 2**20

        reset = await ocv(lab_home, "reset-password", node.name, name, "--json")
        assert reset.returncode == 0, reset.stderr
        password = json.loads(reset.stdout)["password"]
        shadow = host.cli_ok("exec", name, "--", "cat", "/etc/shadow")
        stored = next(line for line in shadow.splitlines() if line.startswith("root:")).split(":")[1]
        assert crypt.crypt(password, stored) == stored

        stop = await ocv(lab_home, "instances", "stop", node.name, name, "--timeout", "10")
        assert stop.returncode == 0, stop.stderr
        assert json.loads(host.cli_ok("list", "--format", "json", f"^{name}$"))[0]["status"] == "Stopped"

        images = await ocv(lab_home, "images", "list", node.name, "--json")
        assert images.returncode == 0, images.stderr
        assert {"busybox", "debian"} <= {i["name"] for i in json.loads(images.stdout)["images"]}

        gone = await ocv(lab_home, "instances", "delete", node.name, name, "--yes")
        assert gone.returncode == 0, gone.stderr
        assert json.loads(host.cli_ok("list", "--format", "json", f"^{name}$")) == []

        missing = await ocv(lab_home, "instances", "delete", node.name, name, "--yes")
        assert missing.returncode != 0 and name in missing.stderr and "Traceback" not in missing.stderr
    finally:
        host.cli("delete", "--force", name)


async def test_the_audits_option_injection_is_refused_and_creates_nothing(node, host, lab_home):
    # issue 12 item 4: on the SSH road this created a privileged container with a random name.
    before = {i["name"] for i in json.loads(host.cli_ok("list", "--format", "json"))}
    done = await ocv(lab_home, "instances", "create", node.name, "--name", "debian",
                     "--image=-csecurity.privileged=true", "--json")  # fmt: skip
    after = {i["name"] for i in json.loads(host.cli_ok("list", "--format", "json"))}
    for stray in after - before:
        host.cli("delete", "--force", stray)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "may not start with '-'" in done.stderr
    assert after == before


def marker(host, name: str) -> str:
    return host.cli_ok("exec", name, "--", "cat", "/root/marker").strip()


async def test_snapshots_through_the_cli(node, host, lab, lab_home):
    name = lab.unique_name("snap")
    try:
        host.cli_ok("init", "busybox", name)
        host.cli_ok("start", name)
        host.cli_ok("exec", name, "--", "sh", "-c", "echo before > /root/marker")

        made = await ocv(lab_home, "snapshots", "create", node.name, name, "keep1")
        assert made.returncode == 0, made.stderr
        assert "keep1" in made.stdout and "snapshot" in made.stderr  # progress on stderr

        listed = await ocv(lab_home, "snapshots", "list", node.name, name, "--json")
        assert listed.returncode == 0, listed.stderr
        data = json.loads(listed.stdout)
        assert set(data) == {"node", "instance", "snapshots"}
        assert data["node"] == node.name and data["instance"] == name
        (snap,) = data["snapshots"]
        assert set(snap) == {"name", "created", "description", "stateful", "parent"}
        assert snap["name"] == "keep1" and snap["stateful"] is False and snap["parent"] is None
        assert datetime.fromisoformat(snap["created"]).tzinfo is not None

        host.cli_ok("exec", name, "--", "sh", "-c", "echo after > /root/marker")
        # No terminal and no --yes: refused, nothing restored.
        refused = await ocv(lab_home, "snapshots", "restore", node.name, name, "keep1")
        assert refused.returncode == 2 and "--yes" in refused.stderr
        assert marker(host, name) == "after"
        # On a terminal: asked; "n" restores nothing, "y" does.
        code, _out, err = await asyncio.to_thread(
            cli_process.ocv_on_terminal, lab_home, "n\n", "snapshots", "restore", node.name, name, "keep1"
        )
        assert code == 1 and "lost" in err and "nothing restored" in err
        assert marker(host, name) == "after"
        code, out, err = await asyncio.to_thread(
            cli_process.ocv_on_terminal, lab_home, "y\n", "snapshots", "restore", node.name, name, "keep1"
        )
        assert code == 0, err
        assert out.strip() == f"restored {name} to snapshot keep1"
        assert marker(host, name) == "before"

        refused = await ocv(lab_home, "snapshots", "delete", node.name, name, "keep1")
        assert refused.returncode == 2 and "--yes" in refused.stderr
        assert (
            len(json.loads((await ocv(lab_home, "snapshots", "list", node.name, name, "--json")).stdout)["snapshots"])
            == 1
        )
        gone = await ocv(lab_home, "snapshots", "delete", node.name, name, "keep1", "--yes")
        assert gone.returncode == 0, gone.stderr
        empty = await ocv(lab_home, "snapshots", "list", node.name, name, "--json")
        assert json.loads(empty.stdout)["snapshots"] == []

        bad = await ocv(lab_home, "snapshots", "create", node.name, name, "--", "-bad")
        assert bad.returncode == 1 and "invalid snapshot name" in bad.stderr and "Traceback" not in bad.stderr
        missing = await ocv(lab_home, "snapshots", "delete", node.name, name, "keep1", "--yes")
        assert missing.returncode == 1 and "Traceback" not in missing.stderr
    finally:
        host.cli("delete", "--force", name)
