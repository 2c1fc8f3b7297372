"""Prints how long the lab takes to come up and go away (a script, not a test: numbers, no asserts).

    .venv/bin/python benchmarks/lab_startup.py [--uncached-images] [--rounds N]

1. images: the busybox and Debian images from the cache (and, with ``--uncached-images``, built
   from scratch into a temporary cache: that runs debootstrap against the Debian mirror);
2. each host type alone, one after the other, in one lab (what a session using one host pays);
3. all hosts at once in a fresh lab (``start_all``, what ``make lab-up`` does);
4. teardown of each lab.
Run as root. Uses its own slot(s), so it can run beside a test session.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HOSTS = ("ssh", "docker", "incus", "lxd", "pve")


def line(label: str, seconds: float) -> None:
    print(f"  {label:<38} {seconds:7.2f} s", flush=True)


def images(uncached: bool) -> None:
    from tests.lab import images as images_mod

    print("images")
    t0 = time.monotonic()
    im = images_mod.Images()
    im.busybox_ready()
    line("busybox (cache)", time.monotonic() - t0)
    im.debian_ready()
    line("busybox + debian (cache)", time.monotonic() - t0)
    if uncached:
        cache = images_mod.CACHE_DIR
        with tempfile.TemporaryDirectory(prefix="ocv-lab-cache-") as tmp:
            images_mod.CACHE_DIR = Path(tmp)  # a cold cache; the real one is left alone
            try:
                t0 = time.monotonic()
                im = images_mod.Images()
                im.busybox_ready()
                line("busybox (built)", time.monotonic() - t0)
                im.debian_ready()
                line("busybox + debian (built, debootstrap)", time.monotonic() - t0)
            finally:
                images_mod.CACHE_DIR = cache


def one_by_one() -> None:
    from tests.lab.lab import Lab

    print("each host alone (sequential, one lab)")
    t0 = time.monotonic()
    lab = Lab()
    line("lab (slot, keys, user, agent)", time.monotonic() - t0)
    for h in HOSTS:
        t = time.monotonic()
        getattr(lab, h)
        line(h, time.monotonic() - t)
    lab.close()
    for k, v in sorted(lab.timings.items()):
        if k.startswith("close-") or k == "teardown":
            line(k, v)


def all_at_once() -> None:
    from tests.lab.lab import Lab

    print("all hosts in parallel (start_all, fresh lab)")
    t0 = time.monotonic()
    lab = Lab()
    lab.start_all()
    line("ready", time.monotonic() - t0)
    lab.close()
    line("teardown", lab.timings["teardown"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uncached-images", action="store_true", help="also build the images from scratch")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("run as root", file=sys.stderr)
        return 1
    images(args.uncached_images)
    for _ in range(args.rounds):
        one_by_one()
        all_at_once()
    return 0


if __name__ == "__main__":
    sys.exit(main())
