"""How often the parsers of node output crash on altered real recordings (a script: numbers, no asserts).

    .venv/bin/python benchmarks/parser_fuzz.py [CASES_PER_TARGET]   # default 3000

Each target takes real recordings (tests/unit/fixtures/docker, tests/fixtures/lxd_family, the shared
specs' docker-cli and proxmox recordings, this machine's own resource command output), changes one to
three values (to a wrong type, NaN/Infinity, a number beyond 64 bits, control characters, or removes
a key) with a fixed seed, and runs what the provider runs on such an answer. It counts the cases
that parsed, that ended in an OcvError (a clear message: fine) and that crashed with anything else
(reported to the user as "internal error (a bug)"). Issue 12 item 7: crashes must be 0.
"""

from __future__ import annotations

import collections
import copy
import json
import math
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ocv_desktop.core.errors import OcvError
from ocv_desktop.health.resources import RESOURCE_ARGV, parse_resources
from ocv_desktop.providers.docker import parse as dp
from ocv_desktop.providers.go_time import parse_go_time
from ocv_desktop.providers.lxd_family import parse as lp
from ocv_desktop.providers.proxmox import parse as pp
from tests.shared_files import SPECS

TESTS = Path(__file__).resolve().parents[1] / "tests"
SHARED = SPECS / "fixtures"
rnd = random.Random(12)
WEIRD: list[Any] = [
    "oops", ["oops"], {}, {"a": 1}, None, math.nan, math.inf, -math.inf, 10**400, 2**70, -1,
    "\x1b[31mred\x1b[0m\x07", True, 1.5, [], [[["deep"]]], "", "0001-01-01T00:00:00Z", "9999-99-99T99:99:99Z", 0,
]  # fmt: skip


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out += paths(value, (*prefix, index))
    return out


def mutate(doc: Any) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(rnd.choice((1, 1, 2, 3))):
        path = rnd.choice(paths(doc))
        if not path:
            doc = copy.deepcopy(rnd.choice(WEIRD))
            continue
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and rnd.random() < 0.2:
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(rnd.choice(WEIRD))
    return doc


def dumps(value: Any) -> str:
    try:
        return json.dumps(value, allow_nan=True)
    except ValueError:  # an int beyond what json.dumps writes (10**400)
        return str(value)


def json_lines(rows: Any) -> str:
    return "\n".join(dumps(r) for r in rows) if isinstance(rows, list) else dumps(rows)


def load(path: Path) -> Any:
    return json.loads(path.read_text())


def lines(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


PS = lines(TESTS / "unit/fixtures/docker/ps.jsonl") + lines(SHARED / "docker-cli/docker-ps-format-json.jsonl")
INSPECT = load(TESTS / "unit/fixtures/docker/inspect.json")
IMAGES = lines(TESTS / "unit/fixtures/docker/images.jsonl") + lines(
    SHARED / "docker-cli/docker-images-format-json.jsonl"
)
VERSION = load(TESTS / "unit/fixtures/docker/version.json")
INFO = load(TESTS / "unit/fixtures/docker/info.json")
LXD = TESTS / "fixtures/lxd_family"
LXD_INSTANCES = [load(p) for p in sorted(LXD.glob("*-instances.json"))]
LXD_IMAGES = [load(p) for p in sorted(LXD.glob("*-images.json"))]
PVE_RESOURCES = load(SHARED / "proxmox/pve9-cluster-resources.json")
RESOURCES_OUT = subprocess.run(RESOURCE_ARGV, capture_output=True, text=True, check=False).stdout


def docker_listing() -> None:
    rows = dp.parse_json_lines(json_lines(mutate(PS)), "docker ps")
    found = dp.parse_inspect(dumps(mutate(INSPECT)))
    dp.merge_listing(rows, found, "n")
    for obj in found:  # get_instance reads each inspect object alone
        dp.instance_from_inspect(obj, "n")


def docker_images() -> None:
    dp.images_from_rows(dp.parse_json_lines(json_lines(mutate(IMAGES)), "docker images"), "n")
    for obj in dp.parse_inspect(dumps(mutate(INSPECT))):
        dp.image_from_inspect(obj, "n")


def docker_daemon() -> None:
    dp.parse_version(dumps(mutate(VERSION)))
    info = mutate(INFO)
    dp.disk_limit_support(info if isinstance(info, dict) else {})


def lxd_instances() -> None:
    lp.parse_instances(mutate(rnd.choice(LXD_INSTANCES)), "n")


def lxd_images() -> None:
    lp.parse_images(mutate(rnd.choice(LXD_IMAGES)), "n")


def proxmox_listing() -> None:
    doc = json.loads(dumps(mutate(PVE_RESOURCES)))
    data = doc["data"] if isinstance(doc, dict) and "data" in doc else doc
    pp.instances_from_resources(data, "n")
    pp.template_images(data, "n")
    for item in data if isinstance(data, list) else []:
        pp.image_from_volume(item, "n", storage="local", pve_node="pve1")


def go_time() -> None:
    parse_go_time(rnd.choice([*WEIRD, "2024-01-01T00:00:00.123456789999Z", "2024-13-01T00:00:00Z"]))


def health_resources() -> None:
    text = list(RESOURCES_OUT)
    for _ in range(rnd.randint(1, 6)):
        text[rnd.randrange(len(text))] = rnd.choice(["\x00", "-", "nan", "9" * 23, "\n", "---\n", "x", "1e400", ":"])
    parse_resources("".join(text))


TARGETS: tuple[Callable[[], None], ...] = (
    docker_listing, docker_images, docker_daemon, lxd_instances, lxd_images, proxmox_listing, go_time,
    health_resources,
)  # fmt: skip


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    total = crashed = 0
    for target in TARGETS:
        kinds: collections.Counter[str] = collections.Counter()
        parsed = refused = 0
        for _ in range(cases):
            try:
                target()
                parsed += 1
            except OcvError:
                refused += 1
            except Exception as exc:
                kinds[type(exc).__name__] += 1
        total += cases
        crashed += sum(kinds.values())
        print(
            f"{target.__name__:17} cases={cases} parsed={parsed} ocv_error={refused} "
            f"crashes={sum(kinds.values())} {dict(kinds) or ''}"
        )
    print(f"TOTAL cases={total} crashes={crashed}")


if __name__ == "__main__":
    main()
