"""Docker CLI output parsing and ``docker run`` argv building, fed with the recorded outputs in
``shared/specs/fixtures/docker-cli`` (docker/cli docs samples) and with outputs recorded from the lab's
real dockerd (``tests/unit/fixtures/docker``)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ocv_desktop.core.errors import InvalidInput, MalformedData, Unsupported
from ocv_desktop.core.models import InstanceSpec, InstanceStatus, InstanceType, PortMapping, Protocol
from ocv_desktop.providers.docker import parse as dp
from ocv_desktop.providers.docker.provider import argv_batches, run_argv
from ocv_desktop.providers.go_time import parse_go_time
from ocv_desktop.transport.stream_http import http_get
from tests.shared_files import SPECS as SHARED_SPECS
from tests.shared_files import require_path

SPECS = SHARED_SPECS / "fixtures" / "docker-cli"
RECORDED = Path(__file__).resolve().parent / "fixtures" / "docker"


def _spec_fixture(name: str) -> str:
    return require_path(SPECS / name, "a recorded docker CLI output").read_text()


def _recorded(name: str) -> str:
    return (RECORDED / name).read_text()


# --- docker ps ---------------------------------------------------------------------------------


def test_ps_docs_sample_maps_to_instance():
    rows = dp.parse_json_lines(_spec_fixture("docker-ps-format-json.jsonl"), "docker ps")
    assert len(rows) == 1
    inst = dp.instance_from_ps(rows[0], "node-1")
    assert inst.id == "a762a2b37a1d"
    assert inst.name == "boring_keldysh"
    assert inst.status is InstanceStatus.RUNNING and inst.raw_status == "running"
    assert inst.image == "nginx"
    assert inst.type is InstanceType.CONTAINER
    assert inst.created == datetime(2021, 3, 10, 0, 15, 5, tzinfo=timezone(timedelta(hours=1)))
    assert inst.extra["status_text"] == "Up 3 seconds"
    assert inst.extra["ports"] == "80/tcp"
    assert inst.extra["command"] == '"/docker-entrypoint.…"'
    assert "platform" not in inst.extra and "health" not in inst.extra
    # Without inspect nothing is invented.
    assert inst.cpu_limit is None and inst.memory_limit is None and inst.ipv4 == ()


@pytest.mark.parametrize(
    ("platform", "health", "shown_platform"),
    [
        (None, None, None),  # CLI < 28.2: keys absent
        ({"architecture": "amd64", "os": "linux"}, None, "linux/amd64"),  # 28.2+: Platform object
        ({"architecture": "arm64", "os": "linux", "variant": "v8"}, "healthy", "linux/arm64/v8"),  # 29.5+
    ],
)
def test_ps_optional_keys_present_or_absent(platform, health, shown_platform):
    row = json.loads(_spec_fixture("docker-ps-format-json.jsonl").splitlines()[0])
    if platform is not None:
        row["Platform"] = platform
    if health is not None:
        row["HealthStatus"] = health
    inst = dp.instance_from_ps(row, "n")
    assert inst.extra.get("platform") == shown_platform
    assert inst.extra.get("health") == health


def test_ps_platform_null_is_fine():
    row = json.loads(_spec_fixture("docker-ps-format-json.jsonl").splitlines()[0])
    row["Platform"] = None
    assert "platform" not in dp.instance_from_ps(row, "n").extra


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("running", InstanceStatus.RUNNING),
        ("paused", InstanceStatus.PAUSED),
        ("restarting", InstanceStatus.STARTING),
        ("exited", InstanceStatus.STOPPED),
        ("created", InstanceStatus.STOPPED),
        ("dead", InstanceStatus.ERROR),
        ("removing", InstanceStatus.STOPPING),
        ("Running", InstanceStatus.RUNNING),
        ("something-new", InstanceStatus.UNKNOWN),
        ("", InstanceStatus.UNKNOWN),
    ],
)
def test_status_mapping(state, status):
    assert dp.map_status(state) is status


def test_primary_name_skips_link_aliases():
    assert dp.primary_name("web,db/web-alias") == "web"
    assert dp.primary_name("/only") == "only"
    assert dp.primary_name("") == ""


def test_unreadable_output_is_a_clear_error():
    with pytest.raises(dp.DockerOutputError, match="line 2"):
        dp.parse_json_lines('{"ID": "x"}\nWARNING: something\n', "docker ps")
    with pytest.raises(dp.DockerOutputError, match="not a JSON object"):
        dp.parse_json_lines("[1, 2]\n", "docker ps")
    assert dp.parse_json_lines("\n\n", "docker ps") == []


# --- recorded from the lab's dockerd (20.10 daemon, 28.2 CLI) ----------------------------------


def test_recorded_listing_joins_ps_and_inspect():
    rows = dp.parse_json_lines(_recorded("ps.jsonl"), "docker ps")
    inspected = dp.parse_inspect(_recorded("inspect.json"))
    listing = dp.merge_listing(rows, inspected, "node-1")
    by_name = {i.name: i for i in listing}
    assert set(by_name) == {"ocv-rec-web", "ocv-rec-stopped", "ocv-rec-created"}

    web = by_name["ocv-rec-web"]
    assert len(web.id) == 64
    assert web.status is InstanceStatus.RUNNING
    assert web.cpu_limit == 1.5
    assert web.memory_limit == 64 * 2**20
    assert web.ipv4 and web.ipv4[0].startswith("10.77.")
    assert web.extra["restart_policy"] == "unless-stopped"
    assert web.extra["hostname"] == "web-host"
    assert "8080->80/tcp" in web.extra["ports"]
    assert web.created is not None and web.created.tzinfo is not None
    assert web.created.year >= 2024

    stopped = by_name["ocv-rec-stopped"]
    assert stopped.status is InstanceStatus.STOPPED and stopped.raw_status == "exited"
    assert stopped.extra["exit_code"] == "3"
    assert stopped.ipv4 == () and stopped.cpu_limit is None and stopped.memory_limit is None

    created = by_name["ocv-rec-created"]
    assert created.status is InstanceStatus.STOPPED and created.raw_status == "created"


def test_recorded_vanished_container_is_left_out():
    rows = dp.parse_json_lines(_recorded("ps.jsonl"), "docker ps")
    inspected = dp.parse_inspect(_recorded("inspect.json"))
    gone = next(o for o in inspected if o["Name"] == "/ocv-rec-stopped")
    listing = dp.merge_listing(rows, [o for o in inspected if o is not gone], "n")
    assert {i.name for i in listing} == {"ocv-rec-web", "ocv-rec-created"}


def test_recorded_inspect_alone_gives_the_same_facts():
    inspected = dp.parse_inspect(_recorded("inspect.json"))
    web = dp.instance_from_inspect(next(o for o in inspected if o["Name"] == "/ocv-rec-web"), "n")
    assert web.name == "ocv-rec-web" and web.status is InstanceStatus.RUNNING
    assert web.image == "lab/busybox:1.35"
    assert web.cpu_limit == 1.5 and web.memory_limit == 64 * 2**20
    assert "8080->80/tcp" in web.extra["ports"]
    assert web.extra["networks"] == "bridge"


def test_recorded_images_group_tags():
    rows = dp.parse_json_lines(_recorded("images.jsonl"), "docker images")
    images = dp.images_from_rows(rows, "n")
    by_name = {i.name: i for i in images}
    busybox = next(i for i in images if "lab/busybox:1.35" in i.aliases)
    assert busybox.id.startswith("sha256:") and len(busybox.id) == 71
    assert busybox.size and busybox.size > 100_000
    assert busybox.created is not None
    # the same image under a second tag is one Image with both aliases
    assert "ocv-rec/alias:v1" in busybox.aliases
    assert len(images) == len({r["ID"] for r in rows})
    untagged = [i for i in images if not i.aliases]
    assert untagged and all(i.name == dp.short_id(i.id) for i in untagged)
    assert "lab/debian:12" in by_name


def test_recorded_version_and_info():
    version = dp.parse_version(_recorded("version.json"))
    assert version.server and version.server.startswith("20.10")
    assert version.api == "1.41"
    assert version.detail == f"Docker {version.server} (API 1.41)"
    down = dp.parse_version(_recorded("version-daemon-down.json"))
    assert down.server is None and down.client
    info = json.loads(_recorded("info.json"))
    support = dp.disk_limit_support(info)
    assert support.supported is False and "overlay2" in support.reason


class _Sink:
    """Where http_get writes its request when the answer is a recording."""

    def write(self, data: bytes) -> None: ...

    async def drain(self) -> None: ...

    def close(self) -> None: ...


async def test_recorded_ping_headers_name_the_same_versions_as_docker_version():
    reader = asyncio.StreamReader()
    reader.feed_data((RECORDED / "ping.http").read_bytes())
    reader.feed_eof()
    ping = await http_get(reader, _Sink(), "/_ping")
    assert (ping.status, ping.body) == (200, b"OK")
    from_ping = dp.version_from_ping(ping.headers)
    from_cli = dp.parse_version(_recorded("version.json"))
    assert from_ping is not None and from_ping.detail == from_cli.detail
    # another engine behind the socket: its headers do not say Docker
    assert dp.version_from_ping({"server": "Libpod/4.3.1 (linux)", "api-version": "1.41"}) is None
    assert dp.version_from_ping({"server": "Docker/28.0.1 (linux)"}) is None


# --- docs samples: docker images ---------------------------------------------------------------


def test_images_docs_sample():
    rows = dp.parse_json_lines(_spec_fixture("docker-images-format-json.jsonl"), "docker images")
    images = dp.images_from_rows(rows, "n")
    assert [i.name for i in images] == ["ubuntu:latest", "alpine:latest"]
    ubuntu = images[0]
    assert ubuntu.id == "4dd97cefde62"
    assert ubuntu.size == 72_900_000
    assert ubuntu.in_use is None  # "N/A"
    assert "digest" not in ubuntu.extra  # "<none>"
    assert ubuntu.created == datetime(2021, 3, 4, 3, 24, 42, tzinfo=timezone(timedelta(hours=1)))


def test_images_none_repository_and_tag():
    row = json.loads(_spec_fixture("docker-images-format-json.jsonl").splitlines()[0])
    row.update(Repository="<none>", Tag="<none>", ID="sha256:" + "ab" * 32)
    (img,) = dp.images_from_rows([row], "n")
    assert img.aliases == () and img.name == "abababababab"
    row.update(Repository="repo", Tag="<none>")
    (img,) = dp.images_from_rows([row], "n")
    assert img.name == "repo"


# --- values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [("72.9MB", 72_900_000), ("0B", 0), ("5.61MB", 5_610_000), ("1.2GB", 1_200_000_000), ("512kB", 512_000)],
)
def test_human_sizes(text, size):
    assert dp.parse_human_size(text) == size


@pytest.mark.parametrize("text", ["N/A", "", "12.3kB (virtual 45MB)", "abc"])
def test_human_sizes_unknown(text):
    assert dp.parse_human_size(text) is None


def test_ram_sizes_roundtrip():
    for size in (10 * 2**30, 1536 * 2**20, 4096, 1000):
        assert dp.parse_ram_size(dp.format_ram_size(size)) == size
    assert dp.format_ram_size(10 * 2**30) == "10g"
    assert dp.parse_ram_size("10G") == 10 * 2**30
    assert dp.parse_ram_size("nonsense") is None


def test_api_times():
    assert parse_go_time("2024-01-01T12:34:56.123456789Z") == datetime(2024, 1, 1, 12, 34, 56, 123456, tzinfo=UTC)
    assert parse_go_time("2024-01-01T12:34:56+02:00") == datetime(
        2024, 1, 1, 12, 34, 56, tzinfo=timezone(timedelta(hours=2))
    )
    assert parse_go_time("0001-01-01T00:00:00Z") is None
    assert parse_go_time("") is None and parse_go_time(None) is None
    assert dp.parse_cli_time("garbage") is None


def test_pull_progress_counts_layers():
    tracker = dp.PullProgress()
    assert tracker.feed("1.35: Pulling from lab/busybox") is None
    assert tracker.feed("aaaaaaaaaaaa: Pulling fs layer") == 0.0
    assert tracker.feed("bbbbbbbbbbbb: Already exists") == 0.5
    assert tracker.feed("aaaaaaaaaaaa: Downloading") == 0.5
    assert tracker.feed("aaaaaaaaaaaa: Pull complete") == 1.0
    assert tracker.feed("Status: Downloaded newer image for lab/busybox:1.35") == 1.0


@pytest.mark.parametrize(
    ("driver", "backing", "supported"),
    [
        ("overlay2", "extfs", False),
        ("overlay2", "xfs", None),
        ("btrfs", "btrfs", True),
        ("zfs", "zfs", True),
        ("devicemapper", "xfs", True),
        ("vfs", "extfs", False),
        ("fuse-overlayfs", "extfs", False),
    ],
)
def test_disk_limit_support(driver, backing, supported):
    info = {"Driver": driver, "DriverStatus": [["Backing Filesystem", backing], ["Supports d_type", "true"]]}
    result = dp.disk_limit_support(info)
    assert result.supported is supported
    assert driver in result.reason


# --- docker run argv ---------------------------------------------------------------------------


def test_run_argv_full_spec():
    spec = InstanceSpec(
        name="web_1",
        image="10.77.0.2:5000/lab/busybox:1.35",
        cpus=1.5,
        memory=512 * 2**20,
        ports=(
            PortMapping(8080, 80),
            PortMapping(5353, 53, Protocol.BOTH, host_ip="127.0.0.1"),
            PortMapping(9000, 9000, Protocol.UDP, host_ip="::1"),
        ),
        env={"A": "x y", "PASS": "it's $HOME"},
        command=("-not-an-option", "sleep", "100"),
        restart_policy="on-failure:3",
        extra={"network": "bridge"},
    )
    argv = run_argv(spec)
    assert argv[:2] == ["run", "-d"]
    assert "--name=web_1" in argv and "--hostname=web-1" in argv
    assert "--cpus=1.5" in argv and f"--memory={512 * 2**20}" in argv
    assert "--restart=on-failure:3" in argv
    assert "--publish=8080:80/tcp" in argv
    assert "--publish=127.0.0.1:5353:53/tcp" in argv and "--publish=127.0.0.1:5353:53/udp" in argv
    assert "--publish=[::1]:9000:9000/udp" in argv
    assert "--env=PASS=it's $HOME" in argv
    assert "--network=bridge" in argv
    dashdash = argv.index("--")
    assert argv[dashdash + 1 :] == ["10.77.0.2:5000/lab/busybox:1.35", "-not-an-option", "sleep", "100"]


def test_run_argv_not_started_uses_create():
    assert run_argv(InstanceSpec(name="ab", image="busybox", start=False))[0] == "create"


@pytest.mark.parametrize(
    "spec",
    [
        InstanceSpec(name="-rm", image="busybox"),
        InstanceSpec(name="a", image="busybox"),  # Docker wants 2+ characters
        InstanceSpec(name="a b", image="busybox"),
        InstanceSpec(name="x" * 64, image="busybox"),
        InstanceSpec(name="ok", image="--privileged"),
        InstanceSpec(name="ok", image="busybox; rm -rf /"),
        InstanceSpec(name="ok", image="busybox", memory=1024),
        InstanceSpec(name="ok", image="busybox", cpus=0),
        InstanceSpec(name="ok", image="busybox", restart_policy="sometimes"),
        InstanceSpec(name="ok", image="busybox", ports=(PortMapping(0, 80),)),
        InstanceSpec(name="ok", image="busybox", ports=(PortMapping(80, 80, host_ip="not-an-ip"),)),
        InstanceSpec(name="ok", image="busybox", env={"A=B": "x"}),
        InstanceSpec(name="ok", image="busybox", extra={"privileged": "true"}),
        InstanceSpec(name="ok", image="busybox", hostname="bad_host"),
    ],
)
def test_run_argv_rejects_bad_input(spec):
    with pytest.raises(InvalidInput):
        run_argv(spec)


def test_run_argv_unsupported():
    with pytest.raises(Unsupported, match="containers only"):
        run_argv(InstanceSpec(name="ok", image="busybox", type=InstanceType.VM))
    with pytest.raises(Unsupported, match="storage pools"):
        run_argv(InstanceSpec(name="ok", image="busybox", storage="default"))


def test_inspect_batches_stay_under_the_argv_budget():
    ids = [f"{n:064x}" for n in range(1000)]
    batches = list(argv_batches(ids, 10_000))
    assert [i for b in batches for i in b] == ids  # all of them, in order
    assert all(sum(len(i) + 1 for i in b) <= 10_000 for b in batches)
    assert len(batches) == 7  # 153 ids of 65 characters fit in 10 000
    assert list(argv_batches(ids[:200], 200_000)) == [ids[:200]]  # a normal node: one call


def test_a_large_inspect_array_decoded_element_by_element_equals_one_document() -> None:
    """Issue 15: big ``docker inspect`` outputs are decoded one element at a time (the GIL is free
    between elements); the result must be exactly the whole-document one, errors included."""
    import json

    from ocv_desktop.providers.docker import parse as dp

    items = [{"Id": f"{i:064x}", "Name": f"/c{i}", "Config": {"Labels": {"k": "v" * 300}}} for i in range(1000)]
    text = "\n" + json.dumps(items, indent=2) + "\n"
    assert len(text) > dp.INSPECT_BY_ELEMENT
    assert dp.parse_inspect(text) == items
    assert dp.parse_inspect(" [ ] ".ljust(dp.INSPECT_BY_ELEMENT + 10)) == []
    for broken in (text[:-3], text.replace("},\n", "}\n", 1), text + "[]", "{" + text[2:]):
        with pytest.raises(dp.DockerOutputError):
            dp.parse_inspect(broken)
    with pytest.raises(dp.DockerOutputError):
        dp.parse_inspect(json.dumps([1, 2] * 100_000))  # elements must be objects


# --- docker stats --------------------------------------------------------------------------------

BUSY_ID = "fa3ce249dc7bfdd8f35f67b894ba9feb2ad1f7e06f994078e3e13f2d56a75558"
WEB_ID = "93d14b93b8ef60f8e97cba7a2a6b12003895927c394ed648b7e177bb52e2af5d"


def test_stats_recorded_from_the_lab_give_usage_by_full_id():
    rows = dp.parse_json_lines(_recorded("stats.jsonl"), "docker stats")
    usage = dp.usage_from_stats(rows)
    assert set(usage) == {BUSY_ID, WEB_ID}
    busy, web = usage[BUSY_ID], usage[WEB_ID]
    assert busy.cpu_usage == pytest.approx(0.6493)  # CPUPerc 64.93% = 0.65 of one core
    assert busy.memory_usage == 560 * 1024  # MemUsage is binary (KiB), the limit part is dropped
    assert (busy.network_rx, busy.network_tx) == (732, 0)
    assert web.cpu_usage == 0.0 and web.memory_usage == 576 * 1024 and web.network_rx == 572


@pytest.mark.parametrize(
    ("text", "size"),
    [("0B", 0), ("1.5MiB", 1572864), ("1.2kB", 1200), ("2GB", 2 * 10**9), ("3GiB", 3 * 2**30), ("--", None),
     ("", None), ("12", None), ("1e999GB", None), ("-1B", None), ("1.5 MiB", 1572864)],
)  # fmt: skip
def test_stats_sizes(text, size):
    assert dp.parse_stats_size(text) == size


@pytest.mark.parametrize(
    ("text", "fraction"), [("0.00%", 0.0), ("250.5%", 2.505), ("--", None), ("nan%", None), ("-3%", None), ("", None)]
)
def test_stats_percentages(text, fraction):
    assert dp.parse_percent(text) == (pytest.approx(fraction) if fraction is not None else None)


def test_stats_rows_that_cannot_be_matched_are_skipped_and_wrong_types_are_malformed():
    good = {"ID": WEB_ID, "CPUPerc": "1.00%", "MemUsage": "1MiB / 2MiB", "NetIO": "1kB / 2kB"}
    # docker stats without --no-trunc (a short id), or a wrapper's junk row: nothing to match, left out
    skipped = [{**good, "ID": WEB_ID[:12]}, {"ID": "x; rm -rf /"}, {}]
    usage = dp.usage_from_stats([*skipped, good])
    assert list(usage) == [WEB_ID] and usage[WEB_ID].network_tx == 2000
    # a sample Docker could not take yet reads as unknown, not zero
    blank = dp.usage_from_stats([{"ID": WEB_ID, "CPUPerc": "--", "MemUsage": "-- / --", "NetIO": "-- / --"}])
    assert blank[WEB_ID] == dp.ContainerUsage(None, None, None, None)
    with pytest.raises(MalformedData, match="CPUPerc"):
        dp.usage_from_stats([{**good, "CPUPerc": {"oops": 1}}])
    with pytest.raises(dp.DockerOutputError):
        dp.parse_json_lines('{"ID": "a"}\nnot json\n', "docker stats")


def test_usage_is_merged_into_the_listing_by_id_and_others_keep_none():
    rows = dp.parse_json_lines(_recorded("ps.jsonl"), "docker ps")
    listing = dp.merge_listing(rows, dp.parse_inspect(_recorded("inspect.json")), "n1")
    first = listing[0]
    usage = {first.id: dp.ContainerUsage(0.5, 1024, 10, 20)}
    merged = dp.with_usage(listing, usage)
    assert (merged[0].cpu_usage, merged[0].memory_usage, merged[0].network_rx, merged[0].network_tx) == (
        0.5, 1024, 10, 20,
    )  # fmt: skip
    assert merged[0].memory_limit == first.memory_limit  # the limit from inspect is kept
    assert all(i.cpu_usage is None and i.memory_usage is None for i in merged[1:])
