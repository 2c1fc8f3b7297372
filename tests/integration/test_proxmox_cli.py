"""The real CLI (``python -m ocv_desktop``) against the lab's Proxmox node (fakepve), by API token and
by ticket login: the generic ``instances`` and ``reset-password`` commands work through the Provider
contract. Secrets live in a private Secret Service (``keyring_env``), as they would on a desktop.

The CLI runs in a subprocess, so its requests are taken from fakepve's own request log and checked
against the API schema (method, path and body; fakepve does not log query strings).
"""

from __future__ import annotations

import json
import subprocess
import urllib.parse

import pytest

from ocv_desktop.core.models import ExecutionRule, NodeSecrets
from ocv_desktop.services.nodes import NodeService
from ocv_desktop.store.secrets import SecretStore
from tests.cli_process import ocv
from tests.contract.pve_schema import APIDATA, PveSchema
from tests.shared_files import requires_path

pytestmark = pytest.mark.lab
_needs_schema = requires_path(APIDATA, "the PVE API schema (apidata.js)")

TOKEN_NODE = "pve-token"
TICKET_NODE = "pve-ticket"
API_ONLY_NODE = "pve-api-only"


@pytest.fixture
async def home(lab_home, lab_pve, keyring_env):
    lab_home.known_hosts.write_text(lab_pve.ssh.host_key_line + "\n")
    service = NodeService(lab_home, await SecretStore.open())
    await service.add_node(lab_pve.node_config(name=TOKEN_NODE), NodeSecrets(api_token_secret=lab_pve.token_secret))
    await service.add_node(
        lab_pve.node_config(name=TICKET_NODE, api_token_id=None), NodeSecrets(api_password=lab_pve.password)
    )
    await service.add_node(
        lab_pve.node_config(name=API_ONLY_NODE, execution_rule=ExecutionRule.API_ONLY),
        NodeSecrets(api_token_secret=lab_pve.token_secret),
    )
    return lab_home


@pytest.fixture
def fake_log(lab_pve):
    """fakepve's request log from here on; at the end every entry must be allowed by the schema."""
    fake = lab_pve.fake
    start = len(fake.requests)
    yield fake
    schema = PveSchema.load()
    seen = fake.requests[start:]
    assert seen, "the CLI sent nothing to the fake"
    problems = []
    for method, path, body in seen:
        params = dict(urllib.parse.parse_qsl(body.decode())) if body else {}
        params.pop("password", None)  # fakepve logs it as *** (it was there, that is what counts)
        checked = schema.check(method, path, params, token_auth=False)
        problems += [f"{method} {path}: {p}" for p in checked.problems if "password: required" not in p]
    assert not problems, "\n".join(problems)


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, (proc.args, proc.stderr)
    assert "Traceback" not in proc.stderr
    return proc.stdout


def new_ct(fake, status: str = "stopped"):
    taken = {g.vmid for g in fake.vms} | {g.vmid for g in fake.cts}
    vmid = next(i for i in range(3000, 999999) if i not in taken)
    return fake.add_ct(vmid, f"cli-ct{vmid}", status=status)


@pytest.mark.parametrize("node", [TOKEN_NODE, TICKET_NODE])
def test_list_start_stop(home, fake_log, node):
    ct = new_ct(fake_log)
    doc = json.loads(ok(ocv(home, "instances", "list", node, "--json")))
    assert doc["node"] == node
    mine = next(i for i in doc["instances"] if i["id"] == str(ct.vmid))
    assert mine["name"] == ct.name and mine["type"] == "container" and mine["status"] == "stopped"
    assert mine["location"] == "pve1"

    ok(ocv(home, "instances", "start", node, str(ct.vmid)))
    assert ct.status == "running"
    shown = json.loads(ok(ocv(home, "instances", "show", node, ct.name, "--json")))
    assert shown["status"] == "running"
    ok(ocv(home, "instances", "stop", node, str(ct.vmid), "--timeout", "5"))
    assert ct.status == "stopped"
    if node == TICKET_NODE:
        assert any(m == "POST" and p.endswith("/access/ticket") for m, p, _ in fake_log.requests)


def test_create_and_delete_container(home, fake_log):
    template = "debian-12-standard_12.7-1_amd64.tar.zst"
    if f"vztmpl/{template}" not in fake_log.storages["local"].get("volumes", {}):
        fake_log.store_file("local", template, 1024, content="vztmpl")
    args = ["--name", "cli-made", "--image", f"local:vztmpl/{template}", "--memory", "256M", "--disk", "2G"]
    args += ["--storage", "local-lvm", "--opt", "net0=name=eth0,bridge=vmbr0", "--json"]
    created = json.loads(ok(ocv(home, "instances", "create", TOKEN_NODE, *args)))
    assert created["status"] == "running" and created["type"] == "container"
    ct = fake_log.ct(int(created["id"]))
    assert int(ct.config["memory"]) == 256 and "size=2G" in ct.config["rootfs"]
    proc = ocv(home, "instances", "delete", TOKEN_NODE, created["id"], "--yes")
    assert proc.returncode == 1 and "stop it first" in proc.stderr and "Traceback" not in proc.stderr
    ok(ocv(home, "instances", "delete", TOKEN_NODE, created["id"], "--yes", "--force"))
    assert fake_log.ct(int(created["id"])) is None


def test_reset_password_of_a_container_over_ssh(home, fake_log, lab_pve):
    ct = new_ct(fake_log, status="running")
    lab_pve.clear_shim_calls()
    password = ok(ocv(home, "reset-password", TOKEN_NODE, str(ct.vmid))).strip()
    assert len(password) >= 16
    calls = [c for c in lab_pve.shim_calls() if c["argv"][0] == "pct"]
    assert calls == [{"argv": ["pct", "exec", str(ct.vmid), "--", "chpasswd"], "stdin": f"root:{password}\n"}]


def test_reset_password_without_ssh_says_what_is_needed(home, fake_log):
    ct = new_ct(fake_log, status="running")
    proc = ocv(home, "reset-password", API_ONLY_NODE, str(ct.vmid))
    assert proc.returncode == 1 and proc.stdout == ""
    assert "needs SSH access to the Proxmox node" in proc.stderr and "Traceback" not in proc.stderr


def new_vm(fake, **kwargs):
    taken = {g.vmid for g in fake.vms} | {g.vmid for g in fake.cts}
    vmid = next(i for i in range(3000, 999999) if i not in taken)
    return fake.add_vm(vmid, f"cli-vm{vmid}", **kwargs)


def test_reset_password_of_a_vm_through_the_agent(home, fake_log):
    vm = new_vm(fake_log, status="running")
    vm.agent = {}
    password = ok(ocv(home, "reset-password", TICKET_NODE, str(vm.vmid), "--user", "debian")).strip()
    assert len(password) >= 16
    assert [c for c, _ in vm.agent_requests] == ["ping", "set-user-password"]
    assert vm.agent_requests[1][1]["username"] == "debian"


def test_reset_password_of_a_vm_without_agent_needs_allow_reboot(home, fake_log):
    vm = new_vm(fake_log, status="running", config={"ide2": "local-lvm:vm-1-cloudinit,media=cdrom"})
    proc = ocv(home, "reset-password", TOKEN_NODE, str(vm.vmid))
    assert proc.returncode == 1 and proc.stdout == ""
    assert "--allow-reboot" in proc.stderr and "Traceback" not in proc.stderr
    assert "cipassword" not in vm.config and "cipassword" not in vm.pending
    vm.started_at = 1_000_000.0  # "booted" in 1970: only a real reboot in fakepve resets it
    mark = len(fake_log.tasklog)  # the fake's task log lives for the session; vmids are reused
    password = ok(ocv(home, "reset-password", TOKEN_NODE, str(vm.vmid), "--allow-reboot")).strip()
    assert vm.config["cipassword"] == password and vm.status == "running"
    assert vm.started_at > 1_000_000.0  # the reboot happened: its uptime was reset
    reboots = [t for t in fake_log.tasklog[mark:] if t["type"] == "qmreboot" and t["id"] == str(vm.vmid)]
    assert [t.get("exitstatus") for t in reboots] == ["OK"]


def test_snapshots_of_a_vm_and_a_container(home, fake_log):
    vm = new_vm(fake_log, status="running", config={"scsi0": "local-lvm:vm-1-disk-0,size=4G"})
    ok(ocv(home, "snapshots", "create", TOKEN_NODE, str(vm.vmid), "pre_upgrade", "--description", "known good",
           "--stateful"))  # fmt: skip
    doc = json.loads(ok(ocv(home, "snapshots", "list", TOKEN_NODE, str(vm.vmid), "--json")))
    assert doc["node"] == TOKEN_NODE and doc["instance"] == str(vm.vmid)
    (snap,) = doc["snapshots"]
    assert snap["name"] == "pre_upgrade" and snap["description"] == "known good"
    assert snap["stateful"] is True and snap["parent"] is None and snap["created"].endswith("+00:00")
    vm.config["cores"] = 8  # the change the restore must undo
    refused = ocv(home, "snapshots", "restore", TOKEN_NODE, str(vm.vmid), "pre_upgrade")
    assert refused.returncode == 2 and "--yes" in refused.stderr and vm.config["cores"] == 8
    ok(ocv(home, "snapshots", "restore", TOKEN_NODE, str(vm.vmid), "pre_upgrade", "--yes"))
    assert "cores" not in vm.config
    ok(ocv(home, "snapshots", "delete", TOKEN_NODE, str(vm.vmid), "pre_upgrade", "--yes"))
    assert vm.snapshots == {}

    ct = new_ct(fake_log)
    ct.config["rootfs"] = f"local:{ct.vmid}/vm-{ct.vmid}-disk-0.raw,size=8G"  # a directory storage
    proc = ocv(home, "snapshots", "create", TICKET_NODE, str(ct.vmid), "nope")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "storage local (dir) does not support snapshots" in proc.stderr
