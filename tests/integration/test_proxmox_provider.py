"""ProxmoxProvider against the lab's fakepve (a stateful Proxmox VE API simulator) and its SSH host.

Every request the provider sends to the fake is recorded at the httpx transport layer and checked
against the official API schema (``../shared/specs/proxmox/apidata.js``) when the test ends
(``contract`` fixture, autouse): a request the schema does not allow fails the test.

fakepve runs for the whole session (``lab_pve``), so tests create their own guests (fresh VMIDs from
the fake's own allocator) and assert only about those.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from ocv_desktop.core.errors import (
    ApiError,
    AuthError,
    CertificateUnknown,
    ConfigError,
    ConnectError,
    InvalidInput,
    MalformedData,
    NotFound,
    OperationFailed,
    RemoteError,
    Unsupported,
)
from ocv_desktop.core.models import (
    CheckKind,
    CheckStatus,
    ExecutionRule,
    HealthState,
    InstanceSpec,
    InstanceStatus,
    InstanceType,
    NodeConfig,
    NodeSecrets,
)
from ocv_desktop.providers.base import ProviderContext
from ocv_desktop.providers.proxmox.provider import ProxmoxProvider
from tests.contract.pve_schema import APIDATA, RequestRecorder
from tests.shared_files import requires_path

pytestmark = pytest.mark.lab
_needs_schema = requires_path(APIDATA, "the PVE API schema (apidata.js)")

MIB = 1024**2
GIB = 1024**3
CT_TEMPLATE = "debian-12-standard_12.7-1_amd64.tar.zst"
ISO = "debian-13.1.0-amd64-netinst.iso"


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def home(lab_home, lab_pve):
    lab_home.known_hosts.write_text(lab_pve.ssh.host_key_line + "\n")
    return lab_home


@pytest.fixture(autouse=True)
def contract(monkeypatch, lab_pve) -> RequestRecorder:
    """Every request of the test, checked against apidata.js at the end."""
    recorder = RequestRecorder(lab_pve.host).install(monkeypatch)
    yield recorder
    recorder.assert_valid()


@pytest.fixture
def fake(lab_pve):
    fake = lab_pve.fake
    # The shared storages: a template and an ISO for creating guests (idempotent).
    if f"vztmpl/{CT_TEMPLATE}" not in fake.storages["local"].get("volumes", {}):
        fake.store_file("local", CT_TEMPLATE, 120 * MIB, content="vztmpl")
    if ISO not in fake.storages["local"]["files"]:
        fake.store_file("local", ISO, 700 * MIB, content="iso")
    return fake


def token_secrets(lab_pve) -> NodeSecrets:
    return NodeSecrets(api_token_secret=lab_pve.token_secret)


def ticket_node(lab_pve, **overrides: Any) -> NodeConfig:
    return lab_pve.node_config(api_token_id=None, **overrides)


ProviderFactory = Callable[..., Any]


@pytest.fixture
async def make_provider(home, lab_pve) -> AsyncIterator[ProviderFactory]:
    made: list[ProxmoxProvider] = []

    async def make(node: NodeConfig | None = None, secrets: NodeSecrets | None = None) -> ProxmoxProvider:
        provider = ProxmoxProvider(ProviderContext(home=home, operation_timeout=60.0))
        provider.lock_retry_delay = 0.05
        await provider.connect(node or lab_pve.node_config(), secrets or token_secrets(lab_pve))
        made.append(provider)
        return provider

    yield make
    for provider in made:
        await provider.disconnect()


@pytest.fixture
async def pve(make_provider) -> ProxmoxProvider:
    return await make_provider()


def next_vmid(fake) -> int:
    taken = {vm.vmid for vm in fake.vms} | {ct.vmid for ct in fake.cts}
    return next(i for i in range(5000, 999999) if i not in taken)


def add_ct(fake, *, status: str = "stopped", name: str | None = None, **kwargs: Any):
    vmid = next_vmid(fake)
    return fake.add_ct(vmid, name or f"ct{vmid}", status=status, **kwargs)


def add_vm(fake, *, status: str = "stopped", name: str | None = None, **kwargs: Any):
    vmid = next_vmid(fake)
    return fake.add_vm(vmid, name or f"vm{vmid}", status=status, **kwargs)


# A guest "booted" in 1970: only a real (re)start of it in fakepve resets ``started_at`` (its uptime).
BOOTED_LONG_AGO = 1_000_000.0


def booted_long_ago(guest: Any) -> Any:
    assert guest.status == "running"
    guest.started_at = BOOTED_LONG_AGO
    return guest


def task_mark(fake: Any) -> int:
    """Where the fake's task log ends now (it lives for the session; vmids are reused)."""
    return len(fake.tasklog)


def rebooted(guest: Any) -> bool:
    """The guest runs again and its uptime was reset: it really went down and came back up."""
    return guest.status == "running" and guest.started_at is not None and guest.started_at > BOOTED_LONG_AGO


def finished_tasks(fake: Any, task_type: str, vmid: int | str, since: int) -> list[str]:
    """Exit statuses of the fake's tasks of this type for this guest since ``task_mark``."""
    log = fake.tasklog[since:]
    return [t.get("exitstatus", "") for t in log if t["type"] == task_type and t["id"] == str(vmid)]


def pvesh_request(schema, argv: list[str]):
    """``pvesh <verb> <path> --k v ... --output-format json`` as the API request it stands for."""
    method = {"get": "GET", "create": "POST", "set": "PUT", "delete": "DELETE"}[argv[1]]
    params: dict[str, Any] = {}
    rest = argv[3:]
    for key, value in zip(rest[::2], rest[1::2], strict=True):
        if key != "--output-format":
            params[key.removeprefix("--")] = value
    return schema.check(method, argv[2], params, token_auth=False)


def run_on_fake(lab_pve, fn: Callable[[], Any]) -> None:
    async def call() -> None:
        fn()

    lab_pve.call(call())


# --- connection and auth -----------------------------------------------------------------------


async def test_bad_token_is_an_auth_error(make_provider, lab_pve, contract):
    with pytest.raises(AuthError) as info:
        await make_provider(secrets=NodeSecrets(api_token_secret="00000000-0000-0000-0000-000000000000"))
    assert "401" in str(info.value)
    assert contract.recorded[-1].request.headers["authorization"].startswith("PVEAPIToken=root@pam!ci=")


async def test_first_contact_with_unpinned_certificate_asks(make_provider, lab_pve, contract):
    with pytest.raises(CertificateUnknown) as info:
        await make_provider(lab_pve.node_config(server_cert_fingerprint=None))
    assert info.value.fingerprint.replace(":", "").lower() == lab_pve.server_cert_fingerprint.replace(":", "").lower()
    # The handshake failed before the request was sent: the only one recorded is GET /version.
    assert {r.checked.path for r in contract.recorded} <= {"/api2/json/version"}
    contract.expect_requests = False


async def test_ticket_auth_sends_cookie_and_csrf_on_writes(make_provider, lab_pve, fake, contract):
    ct = add_ct(fake)
    pve = await make_provider(ticket_node(lab_pve), NodeSecrets(api_password=lab_pve.password))
    assert str(ct.vmid) in {i.id for i in await pve.list_instances()}
    await pve.start_instance(str(ct.vmid))
    await pve.stop_instance(str(ct.vmid))
    assert fake.ct(ct.vmid).status == "stopped"
    logins = contract.calls("POST", "/access/ticket")
    assert len(logins) == 1 and not logins[0].token_auth
    writes = [r.request for r in contract.recorded if r.request.method != "GET" and "ticket" not in r.request.url.path]
    assert writes, "no write went out"
    for request in writes:
        assert "PVEAuthCookie=" in request.headers["cookie"]
        assert request.headers["CSRFPreventionToken"]
        assert "authorization" not in request.headers


async def test_ticket_auth_wrong_password(make_provider, lab_pve):
    with pytest.raises(AuthError, match="refused the login"):
        await make_provider(ticket_node(lab_pve), NodeSecrets(api_password="wrong-password"))


async def test_api_only_without_credentials_is_a_config_error(make_provider, lab_pve, contract):
    with pytest.raises(ConfigError, match="API only"):
        await make_provider(lab_pve.node_config(execution_rule=ExecutionRule.API_ONLY), NodeSecrets())
    contract.expect_requests = False


# --- listing -------------------------------------------------------------------------------------


async def test_list_is_one_call_for_the_cluster(pve, fake, contract):
    ct = add_ct(fake, status="running", config={"cores": 2, "memory": 1024, "tags": "web;prod"})
    vm = add_vm(fake, config={"cores": 4, "memory": 2048, "scsi0": "local-lvm:vm-1-disk-0,size=16G"})
    tpl = add_vm(fake, template=True)
    other = fake.add_vm(next_vmid(fake), "elsewhere", node="pve2")  # another cluster member
    contract.recorded.clear()

    instances = {i.id: i for i in await pve.list_instances()}

    assert [c.template for c in contract.calls()] == ["/cluster/resources"]
    assert contract.calls()[0].params == {"type": "vm"}
    got_ct, got_vm = instances[str(ct.vmid)], instances[str(vm.vmid)]
    assert got_ct.type is InstanceType.CONTAINER and got_ct.status is InstanceStatus.RUNNING
    assert got_ct.cpu_limit == 2 and got_ct.memory_limit == 1024 * MIB
    assert got_ct.extra["tags"] == "web;prod"
    assert got_vm.type is InstanceType.VM and got_vm.status is InstanceStatus.STOPPED
    assert got_vm.memory_limit == 2048 * MIB and got_vm.disk_limit == 16 * GIB and got_vm.cpu_limit == 4
    assert got_vm.location == "pve1" and got_vm.name == vm.name
    assert str(tpl.vmid) not in instances  # templates are images, not instances
    assert instances[str(other.vmid)].location == "pve2"


async def test_get_instance_by_vmid_or_name(pve, fake):
    ct = add_ct(fake)
    by_id = await pve.get_instance(str(ct.vmid))
    by_name = await pve.get_instance(ct.name)
    assert by_id == by_name and by_id.id == str(ct.vmid)
    with pytest.raises(NotFound):
        await pve.get_instance("no-such-guest")
    with pytest.raises(NotFound):
        await pve.get_instance("999999998")


# --- create, power, delete -----------------------------------------------------------------------


async def test_container_lifecycle(pve, fake, contract):
    name = f"ct-life-{next_vmid(fake)}"
    spec = InstanceSpec(
        name=name,
        image=f"local:vztmpl/{CT_TEMPLATE}",
        type=InstanceType.CONTAINER,
        cpus=2,
        memory=768 * MIB,
        disk=6 * GIB,
        storage="local-lvm",
        extra={"net0": "name=eth0,bridge=vmbr0,ip=dhcp"},
    )
    inst = await pve.create_instance(spec)
    ct = fake.ct(int(inst.id))
    assert inst.status is InstanceStatus.RUNNING and inst.type is InstanceType.CONTAINER and inst.name == name
    assert ct.config["cores"] in (2, "2") and int(ct.config["memory"]) == 768
    assert ct.config["rootfs"].startswith("local-lvm:") and "size=6G" in ct.config["rootfs"]
    assert ct.config["hostname"] == name and ct.config["unprivileged"] == 1
    create = contract.calls("POST", "/nodes/{node}/lxc")[0]
    assert create.params["ostemplate"] == f"local:vztmpl/{CT_TEMPLATE}" and create.params["rootfs"] == "local-lvm:6"
    # Every task was polled to its end.
    assert contract.calls("GET", "/nodes/{node}/tasks/{upid}/status")

    await pve.stop_instance(inst.id)
    assert ct.status == "stopped"
    await pve.stop_instance(inst.id)  # stopping a stopped guest succeeds
    await pve.restart_instance(inst.id)  # a stopped guest is started
    assert ct.status == "running"
    booted_long_ago(ct)
    mark = task_mark(fake)
    await pve.restart_instance(inst.id)
    assert contract.calls("POST", "/nodes/{node}/lxc/{vmid}/status/reboot")
    assert rebooted(ct) and finished_tasks(fake, "vzreboot", inst.id, mark) == ["OK"]
    with pytest.raises(InvalidInput, match="stop it first"):
        await pve.delete_instance(inst.id)
    await pve.delete_instance(inst.id, force=True)
    assert fake.ct(int(inst.id)) is None
    delete = contract.calls("DELETE", "/nodes/{node}/lxc/{vmid}")[0]
    assert delete.params == {"purge": "1", "destroy-unreferenced-disks": "1", "node": "pve1", "vmid": inst.id}
    # Never a qemu path for a container.
    assert not [c for c in contract.calls() if c.template and "/qemu" in c.template]


async def test_container_from_template_file_name_and_default_storage(pve, fake):
    inst = await pve.create_instance(
        InstanceSpec(name=f"ct-plain-{next_vmid(fake)}", image=CT_TEMPLATE, type=InstanceType.CONTAINER, start=False)
    )
    ct = fake.ct(int(inst.id))
    assert inst.status is InstanceStatus.STOPPED
    assert ct.config["rootfs"].startswith("local-lvm:")  # the first storage that takes rootdir content
    await pve.delete_instance(inst.id)
    assert fake.ct(int(inst.id)) is None


async def test_vm_from_iso(pve, fake, contract):
    spec = InstanceSpec(
        name=f"vm-iso-{next_vmid(fake)}",
        image="",
        type=InstanceType.VM,
        cpus=2,
        memory=2 * GIB,
        disk=20 * GIB,
        storage="local-lvm",
        extra={"iso": f"local:iso/{ISO}", "net0": "virtio,bridge=vmbr0"},
    )
    inst = await pve.create_instance(spec)
    vm = fake.vm(int(inst.id))
    assert inst.type is InstanceType.VM and inst.status is InstanceStatus.RUNNING
    assert "size=20G" in vm.config["scsi0"] and vm.config["scsi0"].startswith("local-lvm:")
    assert vm.config["ide2"].startswith(f"local:iso/{ISO}") and "media=cdrom" in vm.config["ide2"]
    assert vm.config["net0"].startswith("virtio=") and str(vm.config["memory"]) == "2048"
    await pve.delete_instance(inst.id, force=True)
    assert fake.vm(int(inst.id)) is None
    assert contract.calls("DELETE", "/nodes/{node}/qemu/{vmid}")


async def test_vm_by_cloning_a_template(pve, fake, contract):
    tpl = add_vm(fake, template=True, config={"scsi0": "local-lvm:base-77-disk-0,size=8G", "cores": 1, "memory": 512})
    images = {i.id: i for i in await pve.list_images()}
    assert images[str(tpl.vmid)].type is InstanceType.VM and images[str(tpl.vmid)].name == tpl.name
    inst = await pve.create_instance(
        InstanceSpec(
            name=f"vm-clone-{next_vmid(fake)}",
            image=tpl.name,
            type=InstanceType.VM,
            cpus=3,
            memory=1 * GIB,
            disk=12 * GIB,
        )
    )
    clone = contract.calls("POST", "/nodes/{node}/qemu/{vmid}/clone")[0]
    assert clone.params["vmid"] == str(tpl.vmid) and clone.params["newid"] == inst.id and clone.params["full"] == "1"
    vm = fake.vm(int(inst.id))
    assert str(vm.config["cores"]) == "3" and str(vm.config["memory"]) == "1024"
    assert contract.calls("PUT", "/nodes/{node}/qemu/{vmid}/resize")[0].params["size"] == "12G"
    await pve.delete_instance(inst.id, force=True)
    with pytest.raises(NotFound):
        await pve.create_instance(InstanceSpec(name="nope", image="no-such-template", type=InstanceType.VM))


async def test_graceful_stop_falls_back_to_hard_stop(pve, fake, contract):
    vm = add_vm(fake, status="running")
    vm.acpi = False  # a guest that ignores the ACPI power button
    ct = add_ct(fake, status="running")
    ct.shutdown_secs = 600  # takes longer than we wait
    await pve.stop_instance(str(vm.vmid), timeout=5)
    await pve.stop_instance(str(ct.vmid), timeout=5)
    assert vm.status == "stopped" and ct.status == "stopped"
    for kind in ("qemu", "lxc"):
        shutdown = contract.calls("POST", f"/nodes/{{node}}/{kind}/{{vmid}}/status/shutdown")
        stop = contract.calls("POST", f"/nodes/{{node}}/{kind}/{{vmid}}/status/stop")
        assert shutdown[0].params["timeout"] == "5" and len(stop) == 1
    fast = add_ct(fake, status="running")
    contract.recorded.clear()
    await pve.stop_instance(str(fast.vmid))
    assert fast.status == "stopped" and not contract.calls("POST", "/nodes/{node}/lxc/{vmid}/status/stop")


async def test_task_failure_shows_the_log_tail(pve, fake):
    ct = add_ct(fake)
    ct.start_error = "mount rootfs failed: no such logical volume pve/vm-1-disk-0"
    with pytest.raises(OperationFailed) as info:
        await pve.start_instance(str(ct.vmid))
    assert any("TASK ERROR: mount rootfs failed" in line for line in info.value.log_tail)
    assert "mount rootfs failed" in str(info.value)


async def test_validation_errors_are_reported_per_field(pve, fake, contract):
    contract.allow("memory: value must have a minimum value of 16")  # the schema says so too
    spec = InstanceSpec(
        name="tiny", image=f"local:vztmpl/{CT_TEMPLATE}", type=InstanceType.CONTAINER, memory=4 * MIB, start=False
    )
    with pytest.raises(ApiError) as info:
        await pve.create_instance(spec)
    assert info.value.status == 400
    assert "minimum" in info.value.field_errors["memory"]


async def test_locked_guest_is_retried(pve, fake, lab_pve, contract):
    ct = add_ct(fake)
    path = f"/nodes/pve1/lxc/{ct.vmid}/status/start"
    # Synchronous form: the API itself answers 500 "can't lock file ... got timeout" twice.
    fake.fail("POST", path, error="config_lock_timeout", times=2)
    await pve.start_instance(str(ct.vmid))
    assert ct.status == "running"
    assert len(contract.calls("POST", "/nodes/{node}/lxc/{vmid}/status/start")) == 3

    # Task form: another task holds the config lock; the start task fails until it is released.
    vm = add_vm(fake)
    lab_pve.call(fake.hold_config_lock(vm.vmid, None))
    timer = threading.Timer(0.15, lambda: run_on_fake(lab_pve, lambda: fake.release_config_lock(vm.vmid)))
    timer.start()
    try:
        await pve.start_instance(str(vm.vmid))
    finally:
        timer.join()
    assert vm.status == "running"
    assert len(contract.calls("POST", "/nodes/{node}/qemu/{vmid}/status/start")) >= 2


async def test_lock_retries_are_bounded(pve, fake):
    vm = add_vm(fake)
    pve.lock_retries = 2
    fake.fail("POST", f"/nodes/pve1/qemu/{vm.vmid}/status/start", error="config_lock_timeout", times=10)
    try:
        with pytest.raises(ApiError, match="can't lock file"):
            await pve.start_instance(str(vm.vmid))
    finally:
        fake.failures.pop(("POST", f"/nodes/pve1/qemu/{vm.vmid}/status/start"), None)
    assert vm.status == "stopped"


# --- passwords -----------------------------------------------------------------------------------


async def test_vm_password_through_the_guest_agent(pve, fake, contract):
    vm = add_vm(fake, status="running", config={"agent": "1"})
    vm.agent = {}
    password = "Agent-Pw-0k!"
    await pve.set_instance_password(str(vm.vmid), password, username="admin")
    commands = [c for c, _ in vm.agent_requests]
    assert commands == ["ping", "set-user-password"]
    assert vm.agent_requests[1][1]["username"] == "admin"
    call = contract.calls("POST", "/nodes/{node}/qemu/{vmid}/agent/set-user-password")[0]
    assert call.params["password"] == password  # in the POST body ...
    for r in contract.recorded:  # ... and never in a URL
        assert password not in str(r.request.url)


async def test_vm_without_agent_needs_consent_for_cloud_init_reboot(pve, fake, contract):
    vm = add_vm(fake, status="running", config={"ide2": "local-lvm:vm-1-cloudinit,media=cdrom"})
    password = "Cloud-Init-Pw1"
    with pytest.raises(Unsupported) as info:
        await pve.set_instance_password(str(vm.vmid), password)
    assert "reboot" in str(info.value) and "allow_reboot" in (info.value.hint or "")
    assert not contract.calls("PUT", "/nodes/{node}/qemu/{vmid}/config")
    assert "cipassword" not in vm.config and "cipassword" not in vm.pending

    booted_long_ago(vm)
    mark = task_mark(fake)
    await pve.set_instance_password(str(vm.vmid), password, allow_reboot=True)
    assert vm.config["cipassword"] == password and vm.config["ciuser"] == "root"  # applied by the reboot
    assert contract.calls("POST", "/nodes/{node}/qemu/{vmid}/status/reboot")
    assert rebooted(vm) and finished_tasks(fake, "qmreboot", vm.vmid, mark) == ["OK"]


async def test_vm_without_agent_or_cloud_init_is_unsupported(pve, fake):
    vm = add_vm(fake, status="running")
    with pytest.raises(Unsupported, match="no cloud-init drive"):
        await pve.set_instance_password(str(vm.vmid), "Whatever-123", allow_reboot=True)


async def test_container_password_via_pct_exec_over_ssh(pve, fake, lab_pve, contract):
    ct = add_ct(fake, status="running")
    lab_pve.clear_shim_calls()
    password = "Ct-Pw-'$(x)\"; 9"
    await pve.set_instance_password(str(ct.vmid), password)
    calls = [c for c in lab_pve.shim_calls() if c["argv"][0] == "pct"]
    assert calls == [{"argv": ["pct", "exec", str(ct.vmid), "--", "chpasswd"], "stdin": f"root:{password}\n"}]
    for call in lab_pve.shim_calls():
        assert password not in " ".join(call["argv"])
    # The API was not asked to run anything in the container (there is no such endpoint).
    assert not [c for c in contract.calls() if c.template is None]


async def test_container_password_without_ssh_says_what_is_needed(make_provider, lab_pve, fake):
    ct = add_ct(fake, status="running")
    pve = await make_provider(lab_pve.node_config(execution_rule=ExecutionRule.API_ONLY))
    assert pve.command_runner is None
    with pytest.raises(Unsupported) as info:
        await pve.set_instance_password(str(ct.vmid), "Some-Pass-1")
    assert "SSH access to the Proxmox node" in str(info.value) and "root or a user with sudo" in str(info.value)


async def test_container_password_needs_a_running_container(pve, fake):
    ct = add_ct(fake)
    with pytest.raises(InvalidInput, match="start it"):
        await pve.set_instance_password(str(ct.vmid), "Some-Pass-1")


# --- images --------------------------------------------------------------------------------------


async def test_images_list_download_and_delete(pve, fake, contract):
    images = {i.id: i for i in await pve.list_images()}
    assert images[f"local:vztmpl/{CT_TEMPLATE}"].type is InstanceType.CONTAINER
    assert images[f"local:iso/{ISO}"].type is InstanceType.VM
    assert {c.params.get("content") for c in contract.calls("GET", "/nodes/{node}/storage/{storage}/content")} == {
        "vztmpl",
        "iso",
    }

    name = f"rescue-{next_vmid(fake)}.iso"
    image = await pve.pull_image(f"https://downloads.example.org/isos/{name}")
    assert image.id == f"local:iso/{name}" and image.size
    download = contract.calls("POST", "/nodes/{node}/storage/{storage}/download-url")[0]
    assert download.params["content"] == "iso" and download.params["filename"] == name
    assert name in fake.storages["local"]["files"]

    await pve.delete_image(image.id)
    assert name not in fake.storages["local"]["files"]
    assert f"local:iso/{name}" not in {i.id for i in await pve.list_images()}


async def test_pull_appliance_template(pve, fake, contract):
    image = await pve.pull_image("local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz")
    assert image.id == "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz"
    call = contract.calls("POST", "/nodes/{node}/aplinfo")[0]
    assert call.params["storage"] == "local" and call.params["template"] == "alpine-3.22-default_20250617_amd64.tar.xz"
    with pytest.raises(InvalidInput):
        await pve.pull_image("not a template")


# --- execution rules -----------------------------------------------------------------------------


async def test_ssh_only_uses_pvesh(make_provider, lab_pve, fake, contract):
    ct = add_ct(fake)
    pve = await make_provider(lab_pve.node_config(execution_rule=ExecutionRule.SSH_ONLY))
    assert not pve.api_configured
    lab_pve.clear_shim_calls()
    contract.recorded.clear()
    listed = {i.id: i for i in await pve.list_instances()}
    assert listed[str(ct.vmid)].type is InstanceType.CONTAINER
    await pve.start_instance(str(ct.vmid))
    assert fake.ct(ct.vmid).status == "running"
    argvs = [c["argv"] for c in lab_pve.shim_calls()]
    assert ["pvesh", "get", "/cluster/resources", "--type", "vm", "--output-format", "json"] in argvs
    assert ["pvesh", "create", f"/nodes/pve1/lxc/{ct.vmid}/status/start", "--output-format", "json"] in argvs
    assert any(a[:2] == ["pvesh", "get"] and "/tasks/" in a[2] for a in argvs)
    assert contract.recorded == []  # no HTTP from us at all
    contract.expect_requests = False
    # The same schema applies to what we asked pvesh for.
    for argv in argvs:
        if argv[0] == "pvesh":
            checked = pvesh_request(contract.schema, argv)
            assert not checked.problems, (argv, checked.problems)


async def test_auto_uses_ssh_when_the_api_cannot_be_reached(make_provider, lab_pve, fake, contract):
    ct = add_ct(fake)
    node = lab_pve.node_config(api_endpoint=f"https://{lab_pve.host}:9/api2/json")  # nothing listens there
    pve = await make_provider(node)
    lab_pve.clear_shim_calls()
    assert str(ct.vmid) in {i.id for i in await pve.list_instances()}
    assert any(c["argv"][:3] == ["pvesh", "get", "/cluster/resources"] for c in lab_pve.shim_calls())
    assert [r.checked.path for r in contract.recorded] == ["/api2/json/version"]  # refused, then SSH


async def test_api_only_does_not_fall_back(make_provider, lab_pve, contract):
    node = lab_pve.node_config(
        api_endpoint=f"https://{lab_pve.host}:9/api2/json", execution_rule=ExecutionRule.API_ONLY
    )
    with pytest.raises(ConnectError) as info:
        await make_provider(node)
    assert "connect" in str(info.value).lower()


# --- health --------------------------------------------------------------------------------------


async def test_health_probes(pve, lab_pve):
    from ocv_desktop.health.checks import check_provider

    assert pve.api_configured
    assert (await pve.probe_api()).startswith("Proxmox VE 9.0.10")
    detail = await pve.probe_service()
    assert detail.startswith("pve-manager/9.0.10") and "pveproxy" in detail
    report = await check_provider(pve, timeout=20)
    assert report.state is HealthState.HEALTHY, report.checks
    assert report.check(CheckKind.SERVICE).status is CheckStatus.ONLINE


async def test_service_probe_reports_a_stopped_daemon(pve, lab_pve):
    lab_pve.shim_respond(["systemctl", "is-active"], stdout="active\ninactive\nactive\n", exit_code=3)
    try:
        with pytest.raises(RemoteError, match="pvedaemon inactive"):
            await pve.probe_service()
    finally:
        lab_pve.clear_shim_responses()


async def test_concurrent_operations_share_one_provider(pve, fake):
    cts = [add_ct(fake) for _ in range(4)]
    await asyncio.gather(*(pve.start_instance(str(ct.vmid)) for ct in cts))
    assert all(ct.status == "running" for ct in cts)


# --- SSH paths for VMs, and falling back mid-session -----------------------------------------------


async def test_vm_password_over_ssh_uses_qm_guest_passwd_with_stdin(make_provider, lab_pve, fake, contract):
    vm = add_vm(fake, status="running")
    pve = await make_provider(lab_pve.node_config(execution_rule=ExecutionRule.SSH_ONLY))
    lab_pve.clear_shim_calls()
    lab_pve.shim_respond(["qm", "guest", "passwd", str(vm.vmid)])
    try:
        await pve.set_instance_password(str(vm.vmid), "Vm-Ssh-Pw-1", username="debian")
        lab_pve.shim_respond(["qm", "guest", "passwd", str(vm.vmid)], stderr="QEMU guest agent is not running\n",
                             exit_code=255)  # fmt: skip
        with pytest.raises(Unsupported, match="no guest agent answers"):
            await pve.set_instance_password(str(vm.vmid), "Vm-Ssh-Pw-2")
    finally:
        lab_pve.clear_shim_responses()
    calls = [c for c in lab_pve.shim_calls() if c["argv"][0] == "qm"]
    assert calls[0] == {
        "argv": ["qm", "guest", "passwd", str(vm.vmid), "debian"],
        "stdin": "Vm-Ssh-Pw-1\nVm-Ssh-Pw-1\n",
    }
    assert all("Vm-Ssh-Pw" not in " ".join(c["argv"]) for c in lab_pve.shim_calls())
    contract.expect_requests = False


class TcpProxy:
    """A loopback TCP relay to the fake's API port that a test can pull the plug on."""

    def __init__(self, host: str, target_port: int) -> None:
        self.host, self.target_port = host, target_port
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, self.host, 0)
        return self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self.host, self.target_port)
        self.writers += [writer, up_writer]

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def cut(self) -> None:
        """Refuse new connections and drop the open ones."""
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()
        await self.server.wait_closed()


async def test_auto_falls_back_per_request_only_when_nothing_was_sent(make_provider, lab_pve, fake, contract):
    proxy = TcpProxy(lab_pve.host, lab_pve.port)
    port = await proxy.start()
    pve = await make_provider(lab_pve.node_config(api_endpoint=f"https://{lab_pve.host}:{port}/api2/json"))
    ct = add_ct(fake)
    vm = add_vm(fake, status="running")
    vm.agent = {}
    assert str(ct.vmid) in {i.id for i in await pve.list_instances()}
    lab_pve.clear_shim_calls()
    await proxy.cut()

    # Connections are refused now: each request provably never left, so pvesh over SSH takes it.
    assert str(ct.vmid) in {i.id for i in await pve.list_instances()}
    await pve.start_instance(str(ct.vmid))
    assert ct.status == "running"
    argvs = [c["argv"] for c in lab_pve.shim_calls()]
    assert ["pvesh", "get", "/cluster/resources", "--type", "vm", "--output-format", "json"] in argvs
    assert any(a[:3] == ["pvesh", "create", f"/nodes/pve1/lxc/{ct.vmid}/status/start"] for a in argvs)

    # A password never takes that road: pvesh would put it in argv.
    lab_pve.clear_shim_calls()
    with pytest.raises(Unsupported, match="cannot go through pvesh"):
        await pve.set_instance_password(str(vm.vmid), "Never-In-Argv-1")
    assert all("Never-In-Argv-1" not in " ".join(c["argv"]) for c in lab_pve.shim_calls())


async def test_restart_of_a_guest_that_ignores_the_reboot(pve, fake, contract):
    vm = booted_long_ago(add_vm(fake, status="running"))
    vm.acpi = False
    mark = task_mark(fake)
    await pve.restart_instance(str(vm.vmid))
    # the ignored reboot failed in the task log; the stop and start that followed really restarted it
    reboots = finished_tasks(fake, "qmreboot", vm.vmid, mark)
    assert len(reboots) == 1 and reboots != ["OK"]
    assert finished_tasks(fake, "qmstop", vm.vmid, mark) == ["OK"] == finished_tasks(fake, "qmstart", vm.vmid, mark)
    assert rebooted(vm)
    assert [c.template.rsplit("/", 1)[-1] for c in contract.calls("POST") if "/status/" in (c.template or "")] == [
        "reboot",
        "stop",
        "start",
    ]


async def test_fractional_cpus_become_cores_plus_cpulimit(pve, fake):
    inst = await pve.create_instance(
        InstanceSpec(
            name=f"ct-half-{next_vmid(fake)}", image=CT_TEMPLATE, type=InstanceType.CONTAINER, cpus=1.5, start=False
        )
    )
    ct = fake.ct(int(inst.id))
    assert str(ct.config["cores"]) == "2" and str(ct.config["cpulimit"]) == "1.5"
    await pve.delete_instance(inst.id)


async def test_container_without_chpasswd(pve, fake, lab_pve):
    ct = add_ct(fake, status="running")
    lab_pve.shim_respond(["pct", "exec", str(ct.vmid)], stderr="exec 'chpasswd' failed: No such file\n", exit_code=127)
    try:
        with pytest.raises(Unsupported, match="no chpasswd"):
            await pve.set_instance_password(str(ct.vmid), "Some-Pass-1")
    finally:
        lab_pve.clear_shim_responses()


async def test_ssh_only_errors_and_failed_tasks(make_provider, lab_pve, fake, contract):
    pve = await make_provider(lab_pve.node_config(execution_rule=ExecutionRule.SSH_ONLY))
    ct = add_ct(fake)
    ct.start_error = "startup for container '100' failed"
    with pytest.raises(OperationFailed) as info:
        await pve.start_instance(str(ct.vmid))
    assert any("TASK ERROR: startup for container" in line for line in info.value.log_tail)
    spec = InstanceSpec(name="tiny", image=f"local:vztmpl/{CT_TEMPLATE}", memory=4 * MIB, start=False)
    with pytest.raises(ApiError) as bad:
        await pve.create_instance(spec)
    assert bad.value.status == 400
    contract.expect_requests = False


@pytest.mark.parametrize("rule", [ExecutionRule.API_ONLY, ExecutionRule.SSH_ONLY])
async def test_both_roads_judge_a_finished_task_alike(make_provider, lab_pve, fake, contract, rule):
    """A task that ends ``WARNINGS: n`` did its work (PVE shows it as finished with warnings), over
    the API and over pvesh; a failed one reads the same on both roads."""
    pve = await make_provider(lab_pve.node_config(execution_rule=rule))
    warned, failed = add_ct(fake), add_ct(fake)
    warned.start_error = "WARNINGS: 1"
    await pve.start_instance(str(warned.vmid))
    failed.start_error = "startup for container failed"
    with pytest.raises(OperationFailed) as info:
        await pve.start_instance(str(failed.vmid))
    assert str(info.value).startswith(f"Proxmox vzstart {failed.vmid} failed: startup for container failed")
    assert info.value.log_tail[-1] == "TASK ERROR: startup for container failed"
    contract.expect_requests = rule is not ExecutionRule.SSH_ONLY


# --- option injection and path parts (issue 12 items 4 and 9) --------------------------------------


async def test_pvesh_refuses_a_parameter_value_that_reads_as_an_option(make_provider, lab_pve, fake, contract):
    pve = await make_provider(lab_pve.node_config(execution_rule=ExecutionRule.SSH_ONLY))
    contract.expect_requests = False
    before = {ct.vmid for ct in fake.cts}
    lab_pve.clear_shim_calls()
    spec = InstanceSpec(
        name=f"ct-inj-{next_vmid(fake)}",
        image=f"local:vztmpl/{CT_TEMPLATE}",
        type=InstanceType.CONTAINER,
        start=False,
        extra={"description": "--unprivileged=0"},  # would read as a flag on a naive parser
    )
    with pytest.raises(InvalidInput, match="may not start with '-'"):
        await pve.create_instance(spec)
    created = [c["argv"] for c in lab_pve.shim_calls() if c["argv"][:2] == ["pvesh", "create"]]
    assert created == []  # the create never ran
    assert {ct.vmid for ct in fake.cts} == before


@pytest.mark.parametrize("rule", [ExecutionRule.API_ONLY, ExecutionRule.SSH_ONLY])
async def test_a_node_name_that_is_not_one_is_refused_before_any_write(make_provider, lab_pve, fake, contract, rule):
    pve = await make_provider(lab_pve.node_config(execution_rule=rule))
    contract.expect_requests = False
    lab_pve.clear_shim_calls()
    for bad in ("../../access/users", "pve1/lxc?x=1", "-pve1"):
        spec = InstanceSpec(name="ct-path", image=f"local:vztmpl/{CT_TEMPLATE}", extra={"node": bad}, start=False)
        with pytest.raises(InvalidInput, match="node name"):
            await pve.create_instance(spec)
    assert [r for r in contract.recorded if r.checked.method != "GET"] == []
    assert [c for c in lab_pve.shim_calls() if c["argv"][:2] == ["pvesh", "create"]] == []


# --- malformed answers (issue 12 item 7) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "what"),
    [
        ('["oops"]', "/cluster/resources list[0] is a string"),
        ('{"data": 1}', "/cluster/resources list is an object"),
        ('[{"type": "lxc", "vmid": 101, "maxmem": 1e999}]', "inf"),
        ('[{"type": "lxc", "vmid": 101, "cpu": NaN, "maxcpu": 2}]', "nan"),
    ],
    ids=["list-of-strings", "object", "infinity", "nan"],
)
async def test_a_malformed_listing_is_a_clear_error_naming_the_node(make_provider, lab_pve, contract, printed, what):
    pve = await make_provider(lab_pve.node_config(execution_rule=ExecutionRule.SSH_ONLY, name="pve-malformed"))
    contract.expect_requests = False
    lab_pve.shim_respond(["pvesh", "get", "/cluster/resources"], stdout=printed + "\n")
    try:
        with pytest.raises(MalformedData) as info:
            await pve.list_instances()
    finally:
        lab_pve.clear_shim_responses()
    message = str(info.value)
    assert message.startswith("node pve-malformed sent malformed data") and what in message.lower()


# --- snapshots -------------------------------------------------------------------------------------


def dir_storage(fake) -> str:
    """A directory storage that holds guest disks: PVE cannot snapshot a container on it, nor a VM's
    raw disk (only qcow2 on a file storage)."""
    if "ocv-dir" not in fake.storages:
        fake.storages["ocv-dir"] = {
            "type": "dir",
            "active": 1,
            "content": "images,rootdir",
            "files": set(),
            "path": "/var/lib/ocv-dir",
            "avail": 50 * GIB,
        }
    return "ocv-dir"


@pytest.mark.parametrize("kind", ["lxc", "qemu"])
async def test_snapshot_round_trip(pve, fake, contract, kind):
    if kind == "lxc":
        guest = add_ct(fake, status="running")
    else:
        vmid = next_vmid(fake)
        guest = fake.add_vm(
            vmid, f"vm{vmid}", status="running", config={"scsi0": f"local-lvm:vm-{vmid}-disk-0,size=4G"}
        )
    vmid = str(guest.vmid)
    assert await pve.list_snapshots(vmid) == []  # PVE's "current" entry is not a snapshot

    await pve.create_snapshot(vmid, "before_upgrade", description="known good")
    assert set(guest.snapshots) == {"before_upgrade"}  # the task had ended when the call returned
    (snap,) = await pve.list_snapshots(vmid)
    assert snap.name == "before_upgrade" and snap.description == "known good"
    assert snap.created is not None and snap.parent is None and snap.stateful is False
    create = contract.calls("POST", f"/nodes/{{node}}/{kind}/{{vmid}}/snapshot")[0]
    assert create.params["snapname"] == "before_upgrade" and "vmstate" not in create.params

    memory_before = guest.config["memory"] if kind == "lxc" else guest.config.get("memory")
    guest.config["memory"] = 4096  # the change the rollback must undo
    await pve.create_snapshot(vmid, "after_change")
    listed = {s.name: s for s in await pve.list_snapshots(vmid)}
    assert set(listed) == {"before_upgrade", "after_change"}
    after = listed["after_change"]
    assert after.parent == "before_upgrade"

    await pve.restore_snapshot(vmid, "before_upgrade")
    assert guest.config.get("memory") == memory_before
    assert contract.calls("POST", f"/nodes/{{node}}/{kind}/{{vmid}}/snapshot/{{snapname}}/rollback")
    assert guest.status == "stopped"  # PVE stops the guest for a rollback

    await pve.delete_snapshot(vmid, "after_change")
    await pve.delete_snapshot(vmid, "before_upgrade")
    assert guest.snapshots == {} and await pve.list_snapshots(vmid) == []
    with pytest.raises(OperationFailed, match="does not exist"):
        await pve.delete_snapshot(vmid, "before_upgrade")
    # Every task was polled to its exit status, never assumed.
    assert len(contract.calls("GET", "/nodes/{node}/tasks/{upid}/status")) >= 5


async def test_stateful_snapshot_of_a_vm_and_not_of_a_container(pve, fake, contract):
    vmid = next_vmid(fake)
    vm = fake.add_vm(vmid, f"vm{vmid}", status="running", config={"scsi0": f"local-lvm:vm-{vmid}-disk-0,size=4G"})
    await pve.create_snapshot(str(vmid), "with_ram", stateful=True)
    (snap,) = await pve.list_snapshots(str(vmid))
    assert snap.stateful is True and vm.snapshots["with_ram"].get("vmstate")
    ct = add_ct(fake, status="running")
    contract.recorded.clear()
    with pytest.raises(Unsupported, match="only VMs"):
        await pve.create_snapshot(str(ct.vmid), "with_ram", stateful=True)
    assert not contract.calls("POST", "/nodes/{node}/lxc/{vmid}/snapshot") and ct.snapshots == {}


async def test_snapshot_on_a_storage_that_cannot_names_the_storage(pve, fake, contract):
    store = dir_storage(fake)
    ct = add_ct(fake)
    ct.config["rootfs"] = f"{store}:{ct.vmid}/vm-{ct.vmid}-disk-0.raw,size=8G"
    with pytest.raises(Unsupported, match=rf"storage {store} \(dir\) does not support snapshots") as info:
        await pve.create_snapshot(str(ct.vmid), "nope")
    assert info.value.hint and "LVM-thin" in info.value.hint
    assert ct.snapshots == {}

    vmid = next_vmid(fake)
    vm = fake.add_vm(vmid, f"vm{vmid}", config={"scsi0": f"{store}:{vmid}/vm-{vmid}-disk-0.raw,size=4G"})
    with pytest.raises(Unsupported, match=rf"storage {store} \(dir\)"):
        await pve.create_snapshot(str(vmid), "nope")
    vm.config["scsi0"] = f"{store}:{vmid}/vm-{vmid}-disk-0.qcow2,size=4G"  # qcow2 on a directory can
    await pve.create_snapshot(str(vmid), "qcow")
    assert set(vm.snapshots) == {"qcow"}


async def test_snapshot_names_are_checked_before_anything_is_sent(pve, fake, contract):
    ct = add_ct(fake)
    contract.recorded.clear()
    for bad in ("-x", "a", "1abc", "current", "vzdump", "Pending", "a b", "a/b", "x" * 41, "snap-1"):
        with pytest.raises(InvalidInput, match="invalid snapshot name"):
            await pve.create_snapshot(str(ct.vmid), bad)
        with pytest.raises(InvalidInput):
            await pve.restore_snapshot(str(ct.vmid), bad)
        with pytest.raises(InvalidInput):
            await pve.delete_snapshot(str(ct.vmid), bad)
    assert contract.recorded == []
    contract.expect_requests = False


async def test_snapshots_over_ssh_use_pvesh(make_provider, lab_pve, fake, contract):
    ct = add_ct(fake)
    pve = await make_provider(lab_pve.node_config(execution_rule=ExecutionRule.SSH_ONLY))
    lab_pve.clear_shim_calls()
    contract.recorded.clear()
    await pve.create_snapshot(str(ct.vmid), "over_ssh", description="via pvesh")
    assert [s.name for s in await pve.list_snapshots(str(ct.vmid))] == ["over_ssh"]
    await pve.restore_snapshot(str(ct.vmid), "over_ssh")
    await pve.delete_snapshot(str(ct.vmid), "over_ssh")
    assert ct.snapshots == {}
    argvs = [c["argv"] for c in lab_pve.shim_calls()]
    path = f"/nodes/pve1/lxc/{ct.vmid}/snapshot"
    assert [
        "pvesh",
        "create",
        path,
        "--snapname",
        "over_ssh",
        "--description",
        "via pvesh",
        "--output-format",
        "json",
    ] in argvs
    assert ["pvesh", "create", f"{path}/over_ssh/rollback", "--output-format", "json"] in argvs
    assert ["pvesh", "delete", f"{path}/over_ssh", "--output-format", "json"] in argvs
    assert contract.recorded == []
    contract.expect_requests = False
    for argv in argvs:
        if argv[0] == "pvesh":
            checked = pvesh_request(contract.schema, argv)
            assert not checked.problems, (argv, checked.problems)


# --- resource history (rrddata) ----------------------------------------------------------------


async def test_rrddata_of_the_node_and_of_a_guest_is_asked_as_the_schema_says(pve, fake, contract):
    # fakepve has no RRD model: its schema-generic route checks the request (path, timeframe, cf,
    # permissions: the contract fixture checks it against apidata.js too) and answers a list of
    # empty objects or none. The values are the parser's (tests/unit/test_proxmox_parse.py).
    ct = add_ct(fake, status="running")
    node_history = await pve.resource_history()
    guest_history = await pve.resource_history(str(ct.vmid))
    assert isinstance(node_history, list) and isinstance(guest_history, list)
    node_calls = contract.calls("GET", "/nodes/{node}/rrddata")
    guest_calls = contract.calls("GET", "/nodes/{node}/lxc/{vmid}/rrddata")
    assert len(node_calls) == 1 and len(guest_calls) == 1
    for call in (*node_calls, *guest_calls):
        assert call.params["timeframe"] == "day" and call.params["cf"] == "AVERAGE"
    assert guest_calls[0].params["vmid"] in (ct.vmid, str(ct.vmid))
    assert node_history == [] and guest_history == []  # fakepve's [{}]: no step with a time
