"""LXD/Incus JSON -> models, and the request builders.

The recorded outputs under tests/fixtures/lxd_family/ were captured from the lab's real incusd 6.0
and LXD 5.0 (`incus list --format json`, `GET /1.0/instances?recursion=2`, `GET /1.0/images?recursion=1`;
see tests/fixtures/lxd_family/README.md). The small inline objects below cover shapes the lab cannot
produce on demand (a VM, a clustered location, an error status).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ocv_desktop.core.errors import InvalidInput, MalformedData, Unsupported
from ocv_desktop.core.models import InstanceSpec, InstanceStatus, InstanceType, PortMapping, Protocol
from ocv_desktop.providers.go_time import parse_go_time
from ocv_desktop.providers.lxd_family import parse as P
from ocv_desktop.providers.lxd_family import requests as R

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "lxd_family"


def _fixture(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# --- sizes, cpu, times ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("512MiB", 512 * 2**20),
        ("1GiB", 2**30),
        ("10GB", 10 * 10**9),
        ("1.5GiB", int(1.5 * 2**30)),
        ("1073741824", 2**30),
        ("100kB", 100_000),
        ("50%", None),
        ("", None),
        (None, None),
        ("lots", None),
    ],
)
def test_parse_size(text, expected):
    assert P.parse_size(text) == expected


def test_format_mib_rounds_up_and_never_sends_the_seed_units():
    assert P.format_mib(512 * 2**20) == "512MiB"
    assert P.format_mib(512 * 2**20 + 1) == "513MiB"
    assert P.format_mib(1) == "1MiB"


@pytest.mark.parametrize(
    ("text", "expected"), [("2", 2.0), ("0-3", 4.0), ("1,3", 2.0), ("0-1,4", 3.0), ("", None), ("x", None)]
)
def test_parse_cpu_limit(text, expected):
    assert P.parse_cpu_limit(text) == expected


def test_parse_time_handles_nanoseconds_and_zero_time():
    assert parse_go_time("2026-11-26T10:20:30.123456789Z") == datetime(2026, 11, 26, 10, 20, 30, 123456, tzinfo=UTC)
    assert parse_go_time("2026-11-26T10:20:30Z") == datetime(2026, 11, 26, 10, 20, 30, tzinfo=UTC)
    assert parse_go_time("0001-01-01T00:00:00Z") is None
    assert parse_go_time("garbage") is None


@pytest.mark.parametrize(
    ("word", "code", "expected"),
    [
        ("Running", 103, InstanceStatus.RUNNING),
        ("Stopped", 102, InstanceStatus.STOPPED),
        ("Frozen", 110, InstanceStatus.FROZEN),
        ("Error", 112, InstanceStatus.ERROR),
        ("RUNNING", None, InstanceStatus.RUNNING),  # CLI csv words
        ("Whatever", None, InstanceStatus.UNKNOWN),
        ("Running", 102, InstanceStatus.STOPPED),  # the code wins over the text
    ],
)
def test_map_status(word, code, expected):
    assert P.map_status(word, code) is expected


def test_cpu_rate():
    assert P.cpu_rate(1_000_000_000, 10.0, 3_000_000_000, 12.0) == pytest.approx(1.0)
    assert P.cpu_rate(5, 10.0, 1, 12.0) is None  # counter went back: restarted
    assert P.cpu_rate(1, 10.0, 2, 10.0) is None


# --- instances ---------------------------------------------------------------------------------------


def _vm_stopped() -> dict:
    return {
        "name": "vm1",
        "type": "virtual-machine",
        "status": "Stopped",
        "status_code": 102,
        "location": "member2",
        "created_at": "2026-01-02T03:04:05.5Z",
        "config": {"limits.cpu": "4"},
        "expanded_config": {"limits.cpu": "4", "limits.memory": "2GiB", "image.os": "Debian", "image.release": "12"},
        "devices": {},
        "expanded_devices": {"root": {"type": "disk", "path": "/", "pool": "fast", "size": "20GiB"}},
        "state": {
            "status": "Stopped",
            "status_code": 102,
            "network": None,
            "disk": None,
            "memory": {"usage": 0, "total": 0},
            "cpu": {"usage": 0},
            "pid": 0,
            "processes": 0,
        },
        "snapshots": None,
        "backups": None,
    }


def test_stopped_vm_with_null_network():
    inst = P.parse_instance(_vm_stopped(), "n1")
    assert inst.id == inst.name == "vm1"
    assert inst.type is InstanceType.VM
    assert inst.status is InstanceStatus.STOPPED and inst.raw_status == "Stopped"
    assert inst.ipv4 == () and inst.ipv6 == ()
    assert inst.cpu_limit == 4.0
    assert inst.memory_limit == 2 * 2**30
    assert inst.disk_limit == 20 * 2**30
    assert inst.disk_usage is None
    assert inst.image == "Debian 12"
    assert inst.location == "member2"
    assert inst.extra["storage_pool"] == "fast"
    assert "pid" not in inst.extra


def test_addresses_skip_loopback_and_link_scope():
    obj = _vm_stopped()
    obj["state"]["status"], obj["state"]["status_code"] = "Running", 103
    obj["state"]["network"] = {
        "lo": {"type": "loopback", "addresses": [{"family": "inet", "address": "127.0.0.1", "scope": "local"}]},
        "eth0": {
            "type": "broadcast",
            "addresses": [
                {"family": "inet", "address": "10.77.9.20", "netmask": "24", "scope": "global"},
                {"family": "inet6", "address": "fe80::1", "netmask": "64", "scope": "link"},
                {"family": "inet6", "address": "fd42::20", "netmask": "64", "scope": "global"},
            ],
        },
        "eth1": {"type": "broadcast", "addresses": None},
    }
    inst = P.parse_instance(obj, "n1")
    assert inst.status is InstanceStatus.RUNNING
    assert inst.ipv4 == ("10.77.9.20",)
    assert inst.ipv6 == ("fd42::20",)


def test_recursion_zero_url_list_is_refused_not_read_as_empty():
    with pytest.raises(MalformedData, match="expected a list of instance objects"):
        P.parse_instances(["/1.0/instances/c1"], "n1")
    assert P.parse_instances([], "n1") == []


# --- recorded outputs from the real daemons ---------------------------------------------------------


def _shape(i):
    """What both roads must agree on (usage counters and PIDs move between two captures)."""
    return (i.name, i.status, i.type, i.image, i.memory_limit, i.cpu_limit, i.disk_limit, i.ipv4, i.created)


@pytest.mark.parametrize("flavour", ["incus-6.0", "lxd-5.0"])
def test_the_api_and_the_cli_recordings_of_one_daemon_give_the_same_models(flavour):
    # The same daemon state, read through the REST API (LxdApiBackend) and the CLI (LxdCliBackend):
    # the provider must show the same instances and images whichever road a node takes.
    api = sorted(P.parse_instances(_fixture(f"{flavour}-api-instances.json"), "n"), key=lambda i: i.name)
    cli = sorted(P.parse_instances(_fixture(f"{flavour}-cli-instances.json"), "n"), key=lambda i: i.name)
    assert len(api) >= 2
    assert [_shape(i) for i in api] == [_shape(i) for i in cli]
    images = {}
    for road in ("api", "cli"):
        parsed = P.parse_images(_fixture(f"{flavour}-{road}-images.json"), "n")
        images[road] = sorted((i.id, i.name, i.aliases, i.size) for i in parsed)
    assert len(images["api"]) >= 2 and images["api"] == images["cli"]


RECORDINGS = [f"{f}-{road}" for f in ("incus-6.0", "lxd-5.0") for road in ("api", "cli")]


@pytest.mark.parametrize("path", [FIXTURES / f"{r}-instances.json" for r in RECORDINGS], ids=lambda p: p.name)
def test_recorded_instances(path):
    data = _fixture(path.name)
    instances = P.parse_instances(data, "node")
    assert len(instances) == len(data) >= 2
    by_name = {i.name: i for i in instances}
    for raw in data:
        inst = by_name[raw["name"]]
        assert inst.status is P.map_status(raw["state"]["status"], raw["state"]["status_code"])
        assert inst.created is not None
        if raw["state"]["status"] == "Running":
            assert inst.status is InstanceStatus.RUNNING
            assert inst.memory_usage and inst.memory_usage > 0
            assert int(inst.extra["cpu_time_ns"]) > 0
            assert int(inst.extra["pid"]) > 0
            assert inst.ipv4 and all(a.startswith("10.77.") for a in inst.ipv4)
            assert "127.0.0.1" not in inst.ipv4
            assert not any(a.startswith("fe80") or a == "::1" for a in inst.ipv6)
            # traffic of every interface but loopback
            nics = {k: v["counters"] for k, v in raw["state"]["network"].items() if k != "lo"}
            assert inst.network_rx == sum(c["bytes_received"] for c in nics.values())
            assert inst.network_tx == sum(c["bytes_sent"] for c in nics.values())
        else:
            assert inst.status is InstanceStatus.STOPPED
            assert inst.ipv4 == ()
            assert inst.network_rx is None and inst.network_tx is None  # no counters: unknown, not 0
    running = [i for i in instances if i.status is InstanceStatus.RUNNING]
    stopped = [i for i in instances if i.status is InstanceStatus.STOPPED]
    assert running and stopped, "the recording holds one running and one stopped instance"
    limited = [i for i in instances if i.memory_limit is not None]
    assert limited and limited[0].memory_limit == 256 * 2**20 and limited[0].cpu_limit == 1.0
    assert limited[0].disk_limit == 300 * 2**20


@pytest.mark.parametrize("path", [FIXTURES / f"{r}-images.json" for r in RECORDINGS], ids=lambda p: p.name)
def test_recorded_images(path):
    data = _fixture(path.name)
    images = P.parse_images(data, "node")
    names = {i.name for i in images}
    assert {"busybox", "debian"} <= names
    for img in images:
        assert len(img.id) == 64
        assert img.size and img.size > 0
        assert img.type is InstanceType.CONTAINER
        assert img.created is not None
    busybox = next(i for i in images if i.name == "busybox")
    assert busybox.aliases[0] == "busybox"


# --- request builders ---------------------------------------------------------------------------------


def test_parse_image_ref_forms():
    assert R.parse_image_ref("busybox") == R.ImageSource(alias="busybox")
    fp = "a" * 64
    assert R.parse_image_ref(fp) == R.ImageSource(fingerprint=fp)
    assert R.parse_image_ref("images:debian/12") == R.RemoteRef("images", "debian/12")
    assert R.parse_image_ref("https://img.example/x#debian/12") == R.ImageSource(
        alias="debian/12", server="https://img.example/x", protocol="simplestreams"
    )
    assert R.parse_image_ref("incus+https://10.77.8.2:8443#busybox") == R.ImageSource(
        alias="busybox", server="https://10.77.8.2:8443", protocol="incus"
    )
    for bad in ("", "a b", "https://#x", "https://host"):
        with pytest.raises(InvalidInput):
            R.parse_image_ref(bad)


def test_resolve_remote():
    src = R.resolve_remote(R.RemoteRef("images", "debian/12"))
    assert src.server == "https://images.linuxcontainers.org" and src.protocol == "simplestreams"
    with pytest.raises(Unsupported, match="unknown image remote"):
        R.resolve_remote(R.RemoteRef("mine", "x"))


def test_create_body_units_pool_and_type():
    spec = InstanceSpec(
        name="web-1",
        image="debian",
        type=InstanceType.VM,
        cpus=1.5,
        memory=512 * 2**20,
        disk=10 * 2**30,
        env={"A": "1"},
        start=True,
    )
    body = R.build_create_body(spec, R.ImageSource(alias="debian"), default_pool="default")
    assert body == {
        "name": "web-1",
        "type": "virtual-machine",
        "source": {"type": "image", "alias": "debian"},
        "config": {
            "limits.cpu": "2",
            "limits.cpu.allowance": "150ms/100ms",
            "limits.memory": "512MiB",
            "environment.A": "1",
        },
        "devices": {"root": {"type": "disk", "path": "/", "pool": "default", "size": "10240MiB"}},
        "start": True,
    }


def test_create_body_ports_and_refusals():
    spec = InstanceSpec(name="c1", image="x", ports=(PortMapping(8080, 80, Protocol.BOTH),))
    devices = R.build_create_body(spec, R.ImageSource(alias="x"))["devices"]
    assert devices == {
        "proxy-tcp-8080": {"type": "proxy", "listen": "tcp:0.0.0.0:8080", "connect": "tcp:127.0.0.1:80"},
        "proxy-udp-8080": {"type": "proxy", "listen": "udp:0.0.0.0:8080", "connect": "udp:127.0.0.1:80"},
    }
    with pytest.raises(InvalidInput):
        R.build_create_body(InstanceSpec(name="bad_name", image="x"), R.ImageSource(alias="x"))
    with pytest.raises(InvalidInput):
        R.build_create_body(InstanceSpec(name="9lives", image="x"), R.ImageSource(alias="x"))
    with pytest.raises(Unsupported):
        R.build_create_body(InstanceSpec(name="c1", image="x", command=("sleep", "1")), R.ImageSource(alias="x"))
    with pytest.raises(InvalidInput, match="pool"):
        R.build_create_body(InstanceSpec(name="c1", image="x", disk=2**30), R.ImageSource(alias="x"))


def test_pull_body_has_a_source_object():
    body = R.build_image_pull_body(R.ImageSource(alias="debian/12", server="https://s", protocol="simplestreams"))
    assert body["source"] == {
        "type": "image",
        "mode": "pull",
        "alias": "debian/12",
        "server": "https://s",
        "protocol": "simplestreams",
    }
    with pytest.raises(InvalidInput):
        R.build_image_pull_body(R.ImageSource(alias="local"))


def test_exec_body_uses_the_real_keys():
    body = R.build_exec_body(["chpasswd"])
    assert body["wait-for-websocket"] is True and body["record-output"] is False
    assert "wait-for-ws" not in body


def test_state_body():
    assert R.build_state_body("stop", timeout=29.6, force=False) == {"action": "stop", "force": False, "timeout": 30}
    with pytest.raises(ValueError):
        R.build_state_body("explode")


def test_token_body_by_server_generation():
    assert R.build_certificate_token_body("T", name="n", explicit_trust_token=True) == {
        "type": "client",
        "name": "n",
        "trust_token": "T",
    }
    assert R.build_certificate_token_body("T", name="n", explicit_trust_token=False)["password"] == "T"


@pytest.mark.parametrize("bad", ["not-an-ip", "1.2.3.4 connect=tcp:10.0.0.1:22", "-x"])
def test_a_port_mapping_host_address_must_be_an_address(bad):
    # On the CLI road each proxy property is one `key=value` argv element: only an address goes in.
    spec = InstanceSpec(name="web", image="busybox", ports=(PortMapping(8080, 80, host_ip=bad),))
    with pytest.raises(InvalidInput, match="invalid host address"):
        R.build_proxy_devices(spec)


def test_a_port_mapping_host_address_is_normalised():
    spec = InstanceSpec(name="web", image="busybox", ports=(PortMapping(8080, 80, host_ip="::0001"),))
    assert R.build_proxy_devices(spec)["proxy-tcp-8080"]["listen"] == "tcp:[::1]:8080"


# --- snapshots -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture", sorted(FIXTURES.glob("*-snapshots.json")), ids=lambda p: p.name.removesuffix("-snapshots.json")
)
def test_recorded_snapshot_lists(fixture):
    snaps = P.parse_snapshots(json.loads(fixture.read_text()))
    assert [s.name for s in snaps] == ["snap0", "before-upgrade"]  # oldest first
    assert all(s.created is not None and s.created.tzinfo is not None for s in snaps)
    assert snaps[0].created < snaps[1].created
    assert all(s.stateful is False and s.parent is None and s.description == "" for s in snaps)


def test_snapshot_names_from_older_servers_lose_the_instance_prefix():
    (snap,) = P.parse_snapshots([{"name": "c1/snap0", "created_at": "2024-01-01T00:00:00Z", "stateful": True}])
    assert snap.name == "snap0" and snap.stateful is True and snap.created == datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("bad", [[{"name": 3}], [{"name": "s", "stateful": "yes"}], {"name": "s"}, ["s"]])
def test_malformed_snapshot_lists(bad):
    with pytest.raises(MalformedData):
        P.parse_snapshots(bad)


@pytest.mark.parametrize("name", ["snap0", "before-upgrade", "a", "v1.2_rc", "9lives", "x" * 63])
def test_snapshot_names_accepted(name):
    assert R.validate_snapshot_name(name) == name


@pytest.mark.parametrize("name", ["", "-x", "--stateful", "a/b", "a b", ".hidden", "x" * 64, "a:b", "a\nb", "é"])
def test_snapshot_names_refused(name):
    with pytest.raises(InvalidInput):
        R.validate_snapshot_name(name)
