"""Proxmox mapping fed with the recorded PVE 9 answers in ../shared/specs/fixtures/proxmox."""

from __future__ import annotations

import json

import pytest

from ocv_desktop.core.models import InstanceStatus, InstanceType
from ocv_desktop.providers.proxmox import parse as pp
from tests.shared_files import SPECS, requires_path

FIXTURES = SPECS / "fixtures" / "proxmox"

_needs_recordings = requires_path(FIXTURES, "the recorded PVE 9 answers")


def _data(name: str):
    return json.loads((FIXTURES / name).read_text())["data"]


def test_cluster_resources_instances_skip_templates_nodes_and_storage():
    items = _data("pve9-cluster-resources.json")
    instances = pp.instances_from_resources(items, "node-id")
    # 4 qemu guests in the recording, one of them (101) a template; nodes and storages are not guests.
    assert [i.id for i in instances] == ["100", "102", "200"]
    server1 = instances[0]
    assert server1.name == "server1"
    assert server1.type is InstanceType.VM
    assert server1.status is InstanceStatus.RUNNING
    assert server1.raw_status == "running"
    assert server1.location == "node2"
    assert server1.node_id == "node-id"
    assert server1.cpu_limit == 1
    assert server1.cpu_usage == pytest.approx(0.0249060195469461)
    assert server1.memory_limit == 1073741824
    assert server1.memory_usage == 842551296
    assert server1.disk_limit == 34359738368
    assert server1.disk_usage is None  # PVE reports 0 for VMs: unknown, not empty
    assert server1.extra["pve_type"] == "qemu"
    tagged = instances[1]
    assert tagged.status is InstanceStatus.STOPPED
    assert tagged.extra["tags"] == "go-proxmox+cloud-init"
    assert "template" not in tagged.extra


def test_cluster_resources_template_becomes_image():
    items = _data("pve9-cluster-resources.json")
    images = pp.template_images(items, "node-id")
    assert [(i.id, i.name, i.type) for i in images] == [("101", "leap154", InstanceType.VM)]
    assert images[0].extra["node"] == "node1"
    assert images[0].size == 68719476736


def test_cpu_usage_scales_with_maxcpu():
    inst = pp.instance_from_resource(
        {"type": "lxc", "vmid": "105", "status": "running", "cpu": 0.5, "maxcpu": 4, "disk": 1024, "name": "ct"},
        "n",
    )
    assert inst.cpu_usage == 2.0
    assert inst.type is InstanceType.CONTAINER
    assert inst.disk_usage == 1024  # containers: PVE sees the rootfs usage


@pytest.mark.parametrize(
    ("vmid", "expected"),
    [(101, "101"), ("101", "101")],  # integer on PVE 8+, string on 7.x
)
def test_vmid_as_int_or_string(vmid, expected):
    inst = pp.instance_from_resource({"type": "qemu", "vmid": vmid, "status": "stopped"}, "n")
    assert inst.id == expected
    assert inst.name == f"VM {expected}"  # no name: PVE's own fallback wording


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, False), (1, True), ("0", False), ("1", True), (True, True), (None, False), ("true", True)],
)
def test_booleans_as_0_1(value, expected):
    assert pp.as_bool(value) is expected


def test_template_flag_as_string_is_still_a_template():
    items = [{"type": "qemu", "vmid": "300", "template": "1", "status": "stopped", "name": "tpl", "node": "a"}]
    assert pp.instances_from_resources(items, "n") == []
    assert [i.id for i in pp.template_images(items, "n")] == ["300"]


def test_qemu_status_current_fixture():
    data = _data("pve9-qemu-status-current.json")
    assert pp.as_bool(data["agent"]) is True
    assert pp.map_status(data["status"], data["qmpstatus"]) is InstanceStatus.RUNNING
    assert pp.map_status("running", "paused") is InstanceStatus.PAUSED
    assert pp.map_status("stopped", "paused") is InstanceStatus.STOPPED
    assert pp.map_status("unknown") is InstanceStatus.UNKNOWN
    assert pp.map_status("weird") is InstanceStatus.UNKNOWN


def test_nodes_fixture_names():
    nodes = _data("pve9-nodes.json")
    assert sorted(n["node"] for n in nodes if n["status"] == "online") == ["node1", "node2", "node3", "node4"]


def test_upid():
    upid = "UPID:pve1:000003E8:00001B58:6740AC4E:qmstart:100:root@pam!ci:"
    assert pp.upid_node(upid) == "pve1"
    assert pp.is_upid(upid)
    assert not pp.is_upid("OK")
    assert not pp.is_upid(None)
    assert pp.upid_node("UPID:node-2.example:0001A2B3:0ABCDEF0:6740AC4E:vzcreate:105:root@pam:") == "node-2.example"


def test_lock_timeout_detection():
    assert pp.is_lock_timeout("can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout")
    assert pp.is_lock_timeout("can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout")
    assert not pp.is_lock_timeout("VM 100 not running")
    assert not pp.is_lock_timeout("VM quit/powerdown failed - got timeout")


def test_volume_helpers_and_images():
    assert pp.is_volid("local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst")
    assert pp.volid_content("local:iso/x.iso") == "iso"
    assert pp.volid_content("local-lvm:vm-100-disk-0") is None
    assert not pp.is_volid("debian-12")
    img = pp.image_from_volume(
        {
            "volid": "local:vztmpl/debian-12.tar.zst",
            "content": "vztmpl",
            "size": 123,
            "ctime": 1700000000,
            "format": "tzst",
        },
        "n",
        storage="local",
        pve_node="pve1",
    )
    assert img.id == img.name == "local:vztmpl/debian-12.tar.zst"
    assert img.aliases == ("debian-12.tar.zst",)
    assert img.type is InstanceType.CONTAINER
    assert img.created is not None and img.created.year == 2023
    iso = pp.image_from_volume({"volid": "local:iso/x.iso", "size": 5}, "n", storage="local", pve_node="pve1")
    assert iso.type is InstanceType.VM and iso.extra["content"] == "iso"


def test_sizes_round_up():
    assert pp.to_mib(512 * pp.MIB) == 512
    assert pp.to_mib(512 * pp.MIB + 1) == 513
    assert pp.to_gib(8 * pp.GIB) == 8
    assert pp.to_gib(1) == 1


def test_is_vmid():
    assert pp.is_vmid("100") and pp.is_vmid("999999999")
    assert not pp.is_vmid("99") and not pp.is_vmid("0100") and not pp.is_vmid("web")


def test_pveversion():
    assert pp.parse_pveversion("pve-manager/9.0.10/deadbeef1234 (running kernel: 6.14.8-2-pve)\n") == (
        "pve-manager/9.0.10"
    )
    with pytest.raises(ValueError, match="not pveversion"):
        pp.parse_pveversion("proxmox-ve: 9.0.0 (running kernel: 6.14.8-2-pve)\n")


# --- pvesh output (PVE::Exception stringified on stderr; one JSON line on stdout) ------------------


def test_pvesh_parameter_error_keeps_the_fields():
    from ocv_desktop.core.errors import ApiError
    from ocv_desktop.providers.proxmox.backends import pvesh_error

    stderr = (
        "400 Parameter verification failed.\n"
        "memory: value must have a minimum value of 16\n"
        "hostname: invalid format - value does not look like a valid DNS name\n"
        "pvesh create <api_path> [OPTIONS] [FORMAT_OPTIONS]\n"
    )
    err = pvesh_error(["pvesh", "create", "/nodes/pve1/lxc"], 255, stderr)
    assert isinstance(err, ApiError) and err.status == 400
    assert err.field_errors == {
        "memory": "value must have a minimum value of 16",
        "hostname": "invalid format - value does not look like a valid DNS name",
    }


def test_pvesh_other_errors_are_remote_errors():
    from ocv_desktop.core.errors import RemoteError
    from ocv_desktop.providers.proxmox.backends import pvesh_error

    err = pvesh_error(
        ["pvesh", "create", "/nodes/pve1/lxc/100/status/start", "--x", "y"], 255, "500 CT 100 already running\n"
    )
    assert isinstance(err, RemoteError) and err.exit_code == 255
    assert "CT 100 already running" in str(err) and "--x" not in str(err)


def test_pvesh_json_after_a_task_log():
    from ocv_desktop.core.errors import OperationFailed
    from ocv_desktop.providers.proxmox.backends import last_json

    upid = "UPID:pve1:0000A1B2:0001C3D4:6740AC4E:vzstart:100:root@pam:"
    assert last_json(f'starting container 100\nTASK OK\n"{upid}"\n') == upid
    assert last_json('[{"vmid":100}]\n') == [{"vmid": 100}]
    assert last_json("") is None
    with pytest.raises(OperationFailed, match="not JSON"):
        last_json("some text\n")


# --- snapshots -------------------------------------------------------------------------------------

# GET /nodes/{node}/qemu/{vmid}/snapshot as the PVE API documents it (apidata.js: name, description,
# snaptime, vmstate, parent; plus the "current" entry PVE appends). No real PVE here to record from.
SNAPSHOT_LIST = [
    {"name": "base", "description": "fresh install\n", "snaptime": 1700000000, "vmstate": 0},
    {"name": "upgraded", "description": "", "snaptime": 1700003600, "vmstate": 1, "parent": "base"},
    {"name": "current", "description": "You are here!", "digest": "abc", "running": 1, "parent": "upgraded"},
]


def test_snapshot_list_without_current_oldest_first():
    snaps = pp.snapshots_from_list(list(reversed(SNAPSHOT_LIST)))
    assert [s.name for s in snaps] == ["base", "upgraded"]
    base, upgraded = snaps
    assert base.description == "fresh install" and base.parent is None and base.stateful is False
    assert upgraded.parent == "base" and upgraded.stateful is True
    assert base.created is not None and base.created.timestamp() == 1700000000


def test_snapshot_without_snaptime_has_no_creation_time():
    (snap,) = pp.snapshots_from_list([{"name": "s", "vmstate": "1"}])  # pvesh prints some numbers as text
    assert snap.created is None and snap.stateful is True


@pytest.mark.parametrize("bad", [[{"name": 1}], [{"name": "s", "snaptime": float("nan")}], "oops", [None]])
def test_malformed_snapshot_entries(bad):
    from ocv_desktop.core.errors import MalformedData

    with pytest.raises(MalformedData):
        pp.snapshots_from_list(bad)


# --- rrddata ---------------------------------------------------------------------------------------
# No recording of rrddata exists in ../shared/specs (fakepve has no RRD model either): these are
# written after PVE's RRD steps (PVE 8/9 ``pvesh get /nodes/pve1/rrddata --timeframe day``): one
# object per step, numbers as JSON numbers, a field left out where the step has no value.
NODE_RRD = [
    {
        "time": 1765152000,
        "cpu": 0.0512,
        "maxcpu": 8,
        "memused": 4294967296,
        "memtotal": 17179869184,
        "rootused": 10737418240,
        "roottotal": 42949672960,
        "loadavg": 0.42,
        "netin": 1200.5,
        "iowait": 0.001,
    },
    {
        "time": 1765151700,
        "cpu": 0.25,
        "maxcpu": 8,
        "memused": 8589934592,
        "memtotal": 17179869184,
        "rootused": 10737418240,
        "roottotal": 42949672960,
        "loadavg": 2.1,
    },
    {"time": 1765152300},  # the node was down: a step with no values
]
GUEST_RRD = [
    {
        "time": 1765152000,
        "cpu": 0.5,
        "maxcpu": 2,
        "mem": 536870912,
        "maxmem": 2147483648,
        "disk": 0,
        "maxdisk": 8589934592,
        "diskread": 0,
        "netin": 10,
    },
    {"time": 1765152300, "maxcpu": 2, "maxmem": 2147483648},  # stopped
]


def test_node_rrddata_oldest_first_in_our_units():
    samples = pp.node_rrddata(NODE_RRD)
    assert [s.time for s in samples] == [1765151700.0, 1765152000.0, 1765152300.0]
    busy = samples[0]
    assert busy.cpu_percent == 25.0 and busy.load1 == 2.1
    assert busy.memory_used == 8 * 2**30 and busy.memory_total == 16 * 2**30
    assert busy.disk_used == 10 * 2**30 and busy.disk_total == 40 * 2**30
    empty = samples[2]
    assert (empty.cpu_percent, empty.memory_used, empty.load1) == (None, None, None)


def test_guest_rrddata_cpu_in_cores():
    running, stopped = pp.guest_rrddata(GUEST_RRD)
    assert running.cpu_cores == 1.0 and running.cpu_percent == 50.0 and running.memory_used == 512 * 2**20
    assert stopped.cpu_cores is None and stopped.memory_used is None and stopped.memory_total == 2 * 2**30


@pytest.mark.parametrize(
    "data",
    [
        "oops",
        [{"time": "yesterday", "cpu": 0.1}],
        [{"time": 1765152000, "cpu": 40}],  # a percentage where PVE sends a fraction
        [{"time": 1765152000, "cpu": float("nan")}],
        [{"time": 1765152000, "memused": 2**70, "mem": 2**70}],
        [{"time": True}],
    ],
)
def test_rrddata_of_the_wrong_shape_is_malformed(data):
    from ocv_desktop.core.errors import MalformedData

    with pytest.raises(MalformedData):
        pp.node_rrddata(data)
    with pytest.raises(MalformedData):
        pp.guest_rrddata(data)


def test_rrddata_steps_without_a_time_are_left_out():
    assert pp.node_rrddata([{}, {"cpu": 0.1}]) == [] and pp.guest_rrddata([{}]) == []
