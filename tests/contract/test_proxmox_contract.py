"""The Proxmox request checker (pve_schema.py) against the official schema, apidata.js.

First the checker itself: it must accept what PVE accepts and reject what PVE rejects (unknown
endpoints such as the container exec OneClickVirt called, unknown or missing parameters, wrong types,
enums, ranges, patterns, property strings, ``allowtoken``). Then one provider session against fakepve
with every request recorded on the wire: all of them must pass, and together they must cover every
API route the provider uses.
"""

from __future__ import annotations

import httpx
import pytest

from tests.contract.pve_schema import APIDATA, PveSchema, RequestRecorder
from tests.shared_files import requires_path

_needs_schema = requires_path(APIDATA, "the PVE API schema (apidata.js)")


@pytest.fixture(scope="module")
def schema() -> PveSchema:
    return PveSchema.load()


def problems(schema: PveSchema, method: str, path: str, token: bool = True, **params: object) -> list[str]:
    return schema.check(method, path, dict(params), token_auth=token).problems


# --- the checker ---------------------------------------------------------------------------------


def test_route_table_is_complete(schema):
    assert len(schema.routes) == 649  # api-contracts.md §2: 649 methods on 431 paths with methods
    assert ("GET", "/cluster/resources") in schema.routes
    assert ("POST", "/nodes/{node}/qemu/{vmid}/agent/set-user-password") in schema.routes


def test_container_exec_does_not_exist(schema):
    found = problems(schema, "POST", "/nodes/pve1/lxc/100/exec", command="echo 'root:pw' | chpasswd")
    assert found == ["POST /nodes/pve1/lxc/100/exec: no such endpoint in the PVE API schema"]
    # It does exist for VMs (the guest agent), which is why the path looks plausible.
    assert problems(schema, "POST", "/nodes/pve1/qemu/100/agent/exec", command="true") == []


def test_method_must_exist_for_the_path(schema):
    assert problems(schema, "PUT", "/cluster/resources")[0].endswith("no such endpoint in the PVE API schema")


def test_valid_requests_pass(schema):
    assert problems(schema, "GET", "/api2/json/cluster/resources", type="vm") == []
    assert (
        problems(
            schema,
            "POST",
            "/nodes/pve1/lxc",
            vmid="101",
            ostemplate="local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
            rootfs="local-lvm:8",
            memory="512",
            cores="2",
            hostname="web-1",
            unprivileged="1",
            net0="name=eth0,bridge=vmbr0,ip=dhcp",
        )
        == []
    )
    assert (
        problems(
            schema,
            "POST",
            "/nodes/pve1/qemu",
            vmid=102,
            name="vm1",
            memory="2048",
            scsi0="local-lvm:32",
            ide2="local:iso/x.iso,media=cdrom",
            net0="virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1",
            agent="1",
            boot="order=scsi0;ide2",
        )
        == []
    )
    # A UPID is one path segment, percent-encoded or not.
    upid = "UPID:pve1:000003E8:00001B58:6740AC4E:qmstart:100:root@pam!ci:"
    assert problems(schema, "GET", f"/nodes/pve1/tasks/{upid}/status") == []
    encoded = "UPID%3Apve1%3A000003E8%3A00001B58%3A6740AC4E%3Aqmstart%3A100%3Aroot%40pam%21ci%3A"
    assert problems(schema, "GET", f"/nodes/pve1/tasks/{encoded}/log", start=0, limit=20) == []


def test_unknown_parameter(schema):
    found = problems(schema, "POST", "/nodes/pve1/lxc/100/status/start", timeout="30")
    assert found == ["timeout: unknown parameter (additionalProperties is 0)"]


def test_missing_required_parameter(schema):
    found = problems(schema, "POST", "/nodes/pve1/lxc", vmid="101")
    assert found == ["ostemplate: required parameter missing"]
    found = problems(schema, "POST", "/nodes/pve1/qemu/100/agent/set-user-password", username="root")
    assert found == ["password: required parameter missing"]


@pytest.mark.parametrize(
    ("method", "path", "params", "expected"),
    [
        ("POST", "/nodes/pve1/lxc", {"vmid": "101", "ostemplate": "x:vztmpl/y", "memory": "lots"}, "type check"),
        ("POST", "/nodes/pve1/lxc", {"vmid": "101", "ostemplate": "x:vztmpl/y", "memory": "8"}, "minimum value"),
        ("POST", "/nodes/pve1/lxc", {"vmid": "99", "ostemplate": "x:vztmpl/y"}, "minimum value of 100"),
        ("POST", "/nodes/pve1/lxc", {"vmid": "101", "ostemplate": "x:vztmpl/y", "unprivileged": "maybe"}, "boolean"),
        ("GET", "/cluster/resources", {"type": "vms"}, "enumeration"),
        (
            "POST",
            "/nodes/pve1/storage/local/download-url",
            {"content": "iso", "filename": "a.iso", "url": "ftp://x"},
            "regex pattern",
        ),
        (
            "POST",
            "/nodes/pve1/storage/local/download-url",
            {"content": "backup", "filename": "a", "url": "https://x"},
            "enumeration",
        ),
        (
            "POST",
            "/nodes/pve1/qemu/100/agent/set-user-password",
            {"username": "root", "password": "abc"},
            "at least 5 characters",
        ),
        (
            "POST",
            "/nodes/pve1/lxc",
            {"vmid": "101", "ostemplate": "x:vztmpl/y", "rootfs": "local-lvm:8,sise=8G"},
            "unknown key 'sise'",
        ),
        ("POST", "/nodes/pve1/qemu", {"vmid": "101", "net0": "virtio,bridge=vmbr0,mtu=70000"}, "maximum value"),
        ("POST", "/nodes/pve1/qemu", {"vmid": "101", "agent": "enabled=maybe"}, "boolean"),
        (
            "POST",
            "/nodes/pve1/storage/local/download-url",
            {"content": "iso", "filename": "a.iso", "url": "https://x", "checksum": "ab"},
            "requires parameter",
        ),
        ("POST", "/nodes/pve1/lxc", {"vmid": "101", "ostemplate": "x:vztmpl/y", "hostname": "bad_name"}, "dns-name"),
        ("POST", "/nodes/pve1/lxc", {"vmid": ["101", "102"], "ostemplate": "x:vztmpl/y"}, "ARRAY"),
    ],
)
def test_invalid_values(schema, method, path, params, expected):
    found = schema.check(method, path, params, token_auth=True).problems
    assert len(found) == 1 and expected in found[0], found


def test_allowtoken(schema):
    assert problems(schema, "POST", "/access/ticket", token=False, username="root@pam", password="x") == []
    found = problems(schema, "POST", "/access/ticket", token=True, username="root@pam", password="x")
    assert found == ["POST /access/ticket: allowtoken is 0, API tokens may not call it"]


def test_path_and_body_must_agree(schema):
    found = problems(schema, "POST", "/nodes/pve1/lxc/100/status/start", vmid="101")
    assert found == ["vmid: given in path (100) and body (101) differently"]


def test_httpx_requests_are_read_like_the_server_reads_them(schema):
    form = httpx.Request(
        "POST",
        "https://pve:8006/api2/json/nodes/pve1/qemu/100/status/shutdown?timeout=30",
        data={"forceStop": "0"},
        headers={"Authorization": "PVEAPIToken=root@pam!ci=secret"},
    )
    checked = schema.check_httpx(form)
    assert checked.problems == [] and checked.token_auth
    assert checked.params == {"timeout": "30", "forceStop": "0", "node": "pve1", "vmid": "100"}
    bad = httpx.Request("POST", "https://pve:8006/api2/json/nodes/pve1/lxc", json={"vmid": 101, "bogus": True})
    assert schema.check_httpx(bad).problems == [
        "ostemplate: required parameter missing",
        "bogus: unknown parameter (additionalProperties is 0)",
    ]
    # Ticket-authenticated writes need the CSRF header; the recorder flags them.
    recorder = RequestRecorder("pve", schema)
    recorder.add(
        httpx.Request(
            "POST",
            "https://pve:8006/api2/json/nodes/pve1/lxc/100/status/start",
            headers={"Cookie": "PVEAuthCookie=PVE:root@pam:1234::abc"},
        )
    )
    assert recorder.problems() == [
        "POST /api2/json/nodes/pve1/lxc/100/status/start: ticket-authenticated write without the CSRFPreventionToken"
        " header"
    ]


# --- the recorder on the wire ----------------------------------------------------------------------


@pytest.mark.lab
async def test_recorder_catches_a_forbidden_request_sent_by_the_real_client(monkeypatch, lab_pve):
    from ocv_desktop.core.errors import OcvError
    from ocv_desktop.core.models import NodeSecrets
    from ocv_desktop.providers.proxmox.api import open_pve_client, pve_request

    recorder = RequestRecorder(lab_pve.host).install(monkeypatch)
    client = open_pve_client(lab_pve.node_config(), NodeSecrets(api_token_secret=lab_pve.token_secret))
    try:
        with pytest.raises(OcvError):  # fakepve answers 501 for an endpoint PVE does not have
            await pve_request(client, "POST", "/nodes/pve1/lxc/100/exec", data={"command": "chpasswd"})
        await pve_request(client, "GET", "/cluster/resources", params={"type": "vm", "full": "1"})
    finally:
        await client.close()
    assert recorder.problems() == [
        "POST /api2/json/nodes/pve1/lxc/100/exec: POST /api2/json/nodes/pve1/lxc/100/exec: no such endpoint in the "
        "PVE API schema",
        "GET /api2/json/cluster/resources: full: unknown parameter (additionalProperties is 0)",
    ]
    with pytest.raises(AssertionError, match="requests the PVE API schema does not allow"):
        recorder.assert_valid()


# --- one provider session: everything it sends is allowed, every route it uses is covered --------

PROVIDER_ROUTES = {
    ("GET", "/version"),
    ("POST", "/access/ticket"),
    ("GET", "/cluster/resources"),
    ("GET", "/cluster/nextid"),
    ("GET", "/nodes/{node}/storage"),
    ("GET", "/nodes/{node}/storage/{storage}/content"),
    ("DELETE", "/nodes/{node}/storage/{storage}/content/{volume}"),
    ("POST", "/nodes/{node}/storage/{storage}/download-url"),
    ("POST", "/nodes/{node}/aplinfo"),
    ("GET", "/nodes/{node}/tasks/{upid}/status"),
    ("GET", "/nodes/{node}/tasks/{upid}/log"),
    ("POST", "/nodes/{node}/lxc"),
    ("POST", "/nodes/{node}/lxc/{vmid}/status/start"),
    ("POST", "/nodes/{node}/lxc/{vmid}/status/shutdown"),
    ("POST", "/nodes/{node}/lxc/{vmid}/status/stop"),
    ("POST", "/nodes/{node}/lxc/{vmid}/status/reboot"),
    ("DELETE", "/nodes/{node}/lxc/{vmid}"),
    ("GET", "/nodes/{node}/lxc/{vmid}/snapshot"),
    ("POST", "/nodes/{node}/lxc/{vmid}/snapshot"),
    ("POST", "/nodes/{node}/lxc/{vmid}/snapshot/{snapname}/rollback"),
    ("DELETE", "/nodes/{node}/lxc/{vmid}/snapshot/{snapname}"),
    ("GET", "/nodes/{node}/lxc/{vmid}/config"),
    ("GET", "/nodes/{node}/qemu/{vmid}/snapshot"),
    ("POST", "/nodes/{node}/qemu/{vmid}/snapshot"),
    ("POST", "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback"),
    ("DELETE", "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}"),
    ("POST", "/nodes/{node}/qemu"),
    ("POST", "/nodes/{node}/qemu/{vmid}/clone"),
    ("GET", "/nodes/{node}/qemu/{vmid}/config"),
    ("PUT", "/nodes/{node}/qemu/{vmid}/config"),
    ("PUT", "/nodes/{node}/qemu/{vmid}/resize"),
    ("POST", "/nodes/{node}/qemu/{vmid}/status/start"),
    ("POST", "/nodes/{node}/qemu/{vmid}/status/shutdown"),
    ("POST", "/nodes/{node}/qemu/{vmid}/status/stop"),
    ("POST", "/nodes/{node}/qemu/{vmid}/status/reboot"),
    ("POST", "/nodes/{node}/qemu/{vmid}/agent/ping"),
    ("POST", "/nodes/{node}/qemu/{vmid}/agent/set-user-password"),
    ("DELETE", "/nodes/{node}/qemu/{vmid}"),
    ("GET", "/cluster/status"),
    ("GET", "/nodes/{node}/services/{service}/state"),
}


@pytest.mark.lab
async def test_provider_session_sends_only_allowed_requests(monkeypatch, lab_pve, lab_home):
    from ocv_desktop.core.errors import Unsupported
    from ocv_desktop.core.models import ExecutionRule, InstanceSpec, InstanceType, NodeSecrets
    from ocv_desktop.providers.base import ProviderContext
    from ocv_desktop.providers.proxmox.provider import ProxmoxProvider

    fake = lab_pve.fake
    template = "debian-12-standard_12.7-1_amd64.tar.zst"
    if f"vztmpl/{template}" not in fake.storages["local"].get("volumes", {}):
        fake.store_file("local", template, 1024, content="vztmpl")
    if "contract.iso" not in fake.storages["local"]["files"]:
        fake.store_file("local", "contract.iso", 1024, content="iso")
    taken = {g.vmid for g in fake.vms} | {g.vmid for g in fake.cts}
    tpl_id = next(i for i in range(8000, 9000) if i not in taken)
    fake.add_vm(tpl_id, "contract-tpl", template=True, config={"scsi0": "local-lvm:base-1-disk-0,size=4G"})
    recorder = RequestRecorder(lab_pve.host).install(monkeypatch)

    async def session(provider: ProxmoxProvider) -> None:
        ct = await provider.create_instance(
            InstanceSpec(name="contract-ct", image=template, type=InstanceType.CONTAINER, memory=256 * 1024**2)
        )
        await provider.create_snapshot(ct.id, "contract_snap", description="contract")
        await provider.list_snapshots(ct.id)
        await provider.restore_snapshot(ct.id, "contract_snap")
        await provider.delete_snapshot(ct.id, "contract_snap")
        fake.ct(int(ct.id)).config["rootfs"] = f"local:{ct.id}/vm-{ct.id}-disk-0.raw,size=8G"  # cannot snapshot
        with pytest.raises(Unsupported):
            await provider.create_snapshot(ct.id, "contract_snap")
        await provider.start_instance(ct.id)
        await provider.restart_instance(ct.id)
        fake.ct(int(ct.id)).shutdown_secs = 999  # force the shutdown -> stop path
        await provider.stop_instance(ct.id, timeout=1)
        await provider.delete_instance(ct.id)
        vm = await provider.create_instance(
            InstanceSpec(name="contract-vm", image="contract-tpl", type=InstanceType.VM, cpus=2, disk=8 * 1024**3)
        )
        await provider.create_snapshot(vm.id, "contract_vm", stateful=True)
        await provider.list_snapshots(vm.id)
        await provider.restore_snapshot(vm.id, "contract_vm")
        await provider.delete_snapshot(vm.id, "contract_vm")
        await provider.start_instance(vm.id)
        fake.vm(int(vm.id)).agent = {}
        await provider.set_instance_password(vm.id, "Contract-1")
        await provider.restart_instance(vm.id)
        await provider.stop_instance(vm.id)
        await provider.delete_instance(vm.id)
        iso_vm = await provider.create_instance(
            InstanceSpec(name="contract-iso", image="local:iso/contract.iso", type=InstanceType.VM, start=False)
        )
        fake.vm(int(iso_vm.id)).config["ide0"] = "local-lvm:vm-1-cloudinit,media=cdrom"
        await provider.start_instance(iso_vm.id)
        await provider.set_instance_password(iso_vm.id, "Contract-2", allow_reboot=True)
        fake.vm(int(iso_vm.id)).acpi = False
        await provider.stop_instance(iso_vm.id, timeout=1)
        await provider.delete_instance(iso_vm.id)
        image = await provider.pull_image("https://example.org/contract-2.iso")
        await provider.delete_image(image.id)
        await provider.pull_image("alpine-3.22-default_20250617_amd64.tar.xz")
        await provider.probe_api()

    for node, secrets in (
        (
            lab_pve.node_config(proxmox_node=None, execution_rule=ExecutionRule.API_ONLY),
            NodeSecrets(api_token_secret=lab_pve.token_secret),
        ),
        (
            lab_pve.node_config(api_token_id=None, execution_rule=ExecutionRule.API_ONLY),
            NodeSecrets(api_password=lab_pve.password),
        ),
    ):
        provider = ProxmoxProvider(ProviderContext(home=lab_home, operation_timeout=60.0))
        await provider.connect(node, secrets)
        try:
            await session(provider)
            await provider.probe_service()  # no SSH (api_only): the services' state from the API
        finally:
            await provider.disconnect()
    fake.vms.remove(fake.vm(tpl_id))

    recorder.assert_valid()
    used = {(c.method, c.template) for c in recorder.calls()}
    assert used == PROVIDER_ROUTES, (used - PROVIDER_ROUTES, PROVIDER_ROUTES - used)
    assert all(not c.token_auth for c in recorder.calls("POST", "/access/ticket"))
