"""Property-based tests for every parser of node output (DESIGN: wrong types, missing keys, NaN,
huge numbers, control characters): whatever a node sends, only an ``OcvError`` may escape, never an
AttributeError or OverflowError reported as "internal error (a bug)" (issue 12 item 7).

Inputs are real recordings (tests/unit/fixtures/docker, tests/fixtures/lxd_family, and the shared
Proxmox recordings when present) with one to three values replaced by arbitrary JSON or a key
removed, plus wholly arbitrary documents. Example counts stay small so the file runs in seconds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ocv_desktop.core.errors import MalformedData, OcvError
from ocv_desktop.health import resources as hr
from ocv_desktop.providers.docker import parse as dp
from ocv_desktop.providers.go_time import parse_go_time
from ocv_desktop.providers.lxd_family import parse as lp
from ocv_desktop.providers.proxmox import parse as pp
from tests.shared_files import SPECS

HERE = Path(__file__).parent
DOCKER = HERE / "fixtures" / "docker"
LXD = HERE.parent / "fixtures" / "lxd_family"
PVE = SPECS / "fixtures" / "proxmox"

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


PS_ROWS = _lines(DOCKER / "ps.jsonl")
INSPECT = json.loads((DOCKER / "inspect.json").read_text())
IMAGE_ROWS = _lines(DOCKER / "images.jsonl")
STATS_ROWS = _lines(DOCKER / "stats.jsonl")
VERSION = json.loads((DOCKER / "version.json").read_text())
INFO = json.loads((DOCKER / "info.json").read_text())
LXD_INSTANCES = json.loads((LXD / "incus-6.0-api-instances.json").read_text())
LXD_IMAGES = json.loads((LXD / "lxd-5.0-cli-images.json").read_text())
LXD_SNAPSHOTS = json.loads((LXD / "incus-6.0-api-snapshots.json").read_text())
# The documented shape of a PVE snapshot list (tests/unit/test_proxmox_parse.py SNAPSHOT_LIST).
PVE_SNAPSHOTS = [
    {"name": "base", "description": "x", "snaptime": 1700000000, "vmstate": 0},
    {"name": "up", "description": "", "snaptime": 1700003600, "vmstate": 1, "parent": "base"},
    {"name": "current", "description": "You are here!", "running": 1, "parent": "up"},
]
PVE_RESOURCES = json.loads((PVE / "pve9-cluster-resources.json").read_text()) if PVE.is_dir() else None

# Leaves a broken or hostile node may send: wrong types, NaN/Infinity, numbers beyond int64,
# terminal escape and other control characters.
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.sampled_from([10**400, 2**63, -(2**63) - 1])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
    | st.sampled_from(["\x1b[31m", "\x00", "\u202e", "0001-01-01T00:00:00Z", "9999-99-99T99:99:99Z", "²"])
)
JSON = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out += _paths(value, (*prefix, index))
    return out


def mutated(doc: Any) -> st.SearchStrategy[Any]:
    """``doc`` with 1-3 values replaced by arbitrary JSON or removed (a missing key)."""

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        current = json.loads(json.dumps(doc))
        for _ in range(draw(st.integers(1, 3))):
            path = draw(st.sampled_from(_paths(current)))
            if not path:
                current = draw(JSON)
                continue
            parent = current
            for key in path[:-1]:
                parent = parent[key]
            if isinstance(parent, dict) and draw(st.booleans()):
                del parent[path[-1]]
            else:
                parent[path[-1]] = draw(JSON)
        return current

    return build()


def _dumps(value: Any) -> str:
    # json writes NaN/Infinity as the tokens Go and Perl never print but json.loads reads back.
    return json.dumps(value, allow_nan=True)


def only_ocv_errors(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a parser; an OcvError is an acceptable answer, anything else fails the test."""
    try:
        return fn(*args, **kwargs)
    except OcvError as exc:
        assert str(exc)  # a sentence to show, never empty
        return None


# --- Docker ------------------------------------------------------------------------------------------


def _with(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(doc))
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return copy


@FUZZ
@given(rows=mutated(PS_ROWS), inspected=mutated(INSPECT))
@example(rows=PS_ROWS, inspected=_with(INSPECT, (0, "NetworkSettings", "Networks"), "bridge"))  # the audit's case
@example(rows=PS_ROWS, inspected=_with(INSPECT, (0, "HostConfig", "NanoCpus"), math.inf))
def test_docker_listing(rows, inspected):
    def listing():
        ps = dp.parse_json_lines("\n".join(_dumps(r) for r in rows) if isinstance(rows, list) else _dumps(rows), "ps")
        found = dp.parse_inspect(_dumps(inspected))
        dp.merge_listing(ps, found, "n")
        for obj in found:
            dp.instance_from_inspect(obj, "n")

    only_ocv_errors(listing)


def test_docker_inspect_with_networks_as_a_string_names_the_field():
    broken = json.loads(json.dumps(INSPECT[0]))
    broken["NetworkSettings"]["Networks"] = "bridge"
    with pytest.raises(MalformedData, match=r"NetworkSettings\.Networks is a string, expected an object"):
        dp.instance_from_inspect(broken, "n")


@FUZZ
@given(rows=mutated(IMAGE_ROWS), inspected=mutated(INSPECT))
@example(rows=IMAGE_ROWS, inspected=_with(INSPECT, (0, "Created"), 1700000000))
def test_docker_images(rows, inspected):
    text = "\n".join(_dumps(r) for r in rows) if isinstance(rows, list) else _dumps(rows)
    only_ocv_errors(lambda: dp.images_from_rows(dp.parse_json_lines(text, "images"), "n"))
    only_ocv_errors(lambda: [dp.image_from_inspect(o, "n") for o in dp.parse_inspect(_dumps(inspected))])


@FUZZ
@given(rows=mutated(STATS_ROWS))
@example(rows=_with(STATS_ROWS, (0, "CPUPerc"), math.nan))
@example(rows=_with(STATS_ROWS, (0, "MemUsage"), "9" * 400 + "YiB / 1B"))
def test_docker_stats(rows):
    text = "\n".join(map(_dumps, rows)) if isinstance(rows, list) else _dumps(rows)
    usage = only_ocv_errors(lambda: dp.usage_from_stats(dp.parse_json_lines(text, "docker stats")))
    for found in (usage or {}).values():
        for value in (found.cpu_usage, found.memory_usage, found.network_rx, found.network_tx):
            assert value is None or (math.isfinite(value) and 0 <= value < 2**63)


@FUZZ
@given(version=mutated(VERSION), info=mutated(INFO))
def test_docker_daemon_facts(version, info):
    only_ocv_errors(dp.parse_version, _dumps(version))
    only_ocv_errors(dp.parse_engine_version, _dumps(version.get("Server") if isinstance(version, dict) else version))
    only_ocv_errors(dp.disk_limit_support, info if isinstance(info, dict) else {})


@FUZZ
@given(text=st.text(max_size=200))
def test_docker_json_framing_of_arbitrary_text(text):
    only_ocv_errors(dp.parse_json_lines, text, "ps")
    only_ocv_errors(dp.parse_inspect, text)
    only_ocv_errors(dp.parse_version, text)


# --- LXD / Incus ----------------------------------------------------------------------------------------


@FUZZ
@given(items=mutated(LXD_INSTANCES))
def test_lxd_instances(items):
    only_ocv_errors(lp.parse_instances, items, "n")


@FUZZ
@given(items=mutated(LXD_IMAGES))
def test_lxd_images(items):
    only_ocv_errors(lp.parse_images, items, "n")


@FUZZ
@given(items=mutated(LXD_SNAPSHOTS))
def test_lxd_snapshots(items):
    only_ocv_errors(lp.parse_snapshots, items)


@FUZZ
@given(value=JSON)
@example(value=["/1.0/instances/c1"])
def test_lxd_lists_of_anything(value):
    only_ocv_errors(lp.parse_instances, value, "n")
    only_ocv_errors(lp.parse_images, value, "n")
    only_ocv_errors(lp.parse_snapshots, value)


@FUZZ
@given(items=mutated(PVE_SNAPSHOTS))
@example(items=[{"name": "s", "snaptime": 10**400}])
def test_proxmox_snapshots(items):
    only_ocv_errors(pp.snapshots_from_list, items)
    only_ocv_errors(pp.snapshots_from_list, json.loads(_dumps(items)))


# The shape of a PVE rrddata answer (tests/unit/test_proxmox_parse.py NODE_RRD, GUEST_RRD).
PVE_RRD = [
    {"time": 1765152000, "cpu": 0.05, "maxcpu": 8, "memused": 4294967296, "memtotal": 17179869184,
     "rootused": 10737418240, "roottotal": 42949672960, "loadavg": 0.42, "mem": 1, "maxmem": 2, "disk": 3},
    {"time": 1765152300},
]


@FUZZ
@given(items=mutated(PVE_RRD))
@example(items=[{"time": 10**400}])
def test_proxmox_rrddata(items):
    for parse in (pp.node_rrddata, pp.guest_rrddata):
        only_ocv_errors(parse, items)
        only_ocv_errors(parse, json.loads(_dumps(items)))


# --- Proxmox ------------------------------------------------------------------------------------------


needs_pve = pytest.mark.skipif(PVE_RESOURCES is None, reason=f"shared Proxmox recordings not found at {PVE}")


@needs_pve
@FUZZ
@given(doc=mutated(PVE_RESOURCES))
def test_proxmox_listing(doc):
    data = json.loads(_dumps(doc))
    data = data.get("data") if isinstance(data, dict) else data
    only_ocv_errors(pp.instances_from_resources, data, "n")
    only_ocv_errors(pp.template_images, data, "n")
    for item in data if isinstance(data, list) else ():
        only_ocv_errors(pp.image_from_volume, item, "n", storage="local", pve_node="pve1")


@pytest.mark.parametrize("data", [["oops"], "oops", {"data": []}, [None], [[1]], 7])
def test_proxmox_data_that_is_not_a_list_of_objects_is_malformed(data):
    with pytest.raises(MalformedData, match="/cluster/resources list"):
        pp.instances_from_resources(data, "n")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 10**400])
def test_proxmox_numbers_that_are_no_numbers_are_malformed(bad):
    with pytest.raises(MalformedData, match="maxmem"):
        pp.instances_from_resources([{"type": "lxc", "vmid": 101, "maxmem": bad}], "n")


# --- shared readers ---------------------------------------------------------------------------------------


@FUZZ
@given(value=JSON)
@example(value={"a": 1})
@example(value=1e400)
def test_go_time(value):
    parsed = only_ocv_errors(parse_go_time, value)
    assert parsed is None or parsed.tzinfo is not None


@FUZZ
@given(text=st.text(alphabet=st.sampled_from("0123456789 .-:,\n\x1b\x00kBMemTotalAvailable---ex²"), max_size=300))
@example(text="1\n---\nFS 1K-blocks Used Avail\n/ 99999999999999999999999 1 2 3\n---\nnan 0 0\nMemTotal: 1 kB\n")
@example(text="MemTotal: ² kB\n")  # str.isdigit() is True for "²"; int() refuses it
def test_health_resources(text):
    res = only_ocv_errors(hr.parse_resources, text)
    if res is not None:
        assert res.load1 is None or math.isfinite(res.load1)
    only_ocv_errors(hr.count_cpu_list, text)
    only_ocv_errors(hr.parse_meminfo, text)
