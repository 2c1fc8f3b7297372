"""``make lab-up`` / ``make lab-down``: the test lab for manual use, with a home dir that lists its nodes.

``up`` starts a detached ``serve`` process that owns the lab (it holds the slot lock, runs fakepve
in-process and waits for SIGTERM), waits until the lab is ready and prints how to start the app on it.
``serve`` records itself in ``<home>/lab.json``. ``down`` sends it SIGTERM (it tears the lab down by
PID), then takes the slot itself to remove anything left (the PIDs recorded in the lab dir's
``state.json``, the slot's namespaces, cgroups and directory).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tests.lab import slots, system
from tests.lab.lab import Lab
from tests.lab.system import LabError

DEFAULT_HOME = Path("/tmp/ocv-lab-home")
ALL_HOSTS = ("ssh", "docker", "incus", "lxd", "pve")
READY_TIMEOUT = 900  # a first run builds the Debian image (debootstrap)


def _record_path(home: Path) -> Path:
    return home / "lab.json"


def _read_record(home: Path) -> dict[str, Any]:
    try:
        return json.loads(_record_path(home).read_text())
    except (OSError, ValueError):
        return {}


def _write_record(home: Path, record: dict[str, Any]) -> None:
    tmp = _record_path(home).with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=1))
    tmp.replace(_record_path(home))


# ------------------------------------------------------------------------------------------------ up


def up(home: Path, hosts: tuple[str, ...] = ALL_HOSTS) -> int:
    home.mkdir(parents=True, exist_ok=True)
    old = _read_record(home)
    if old.get("pid") and system.alive(old["pid"], old.get("start")):
        print(f"a lab already runs for {home} (pid {old['pid']}, slot {old.get('slot')}); `make lab-down` first")
        return 1
    _record_path(home).unlink(missing_ok=True)
    log = home / "lab.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.lab", "serve", "--home", str(home), "--hosts", ",".join(hosts)],
            cwd=system.REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,  # survives the terminal and make; stopped by `make lab-down`
        )
    print(f"starting the lab (pid {proc.pid}, log {log}) ...", flush=True)
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        record = _read_record(home)
        if record.get("status") == "ready":
            _print_ready(home, record)
            return 0
        if proc.poll() is not None:
            print(f"the lab failed to start (exit {proc.returncode}):\n{system.log_tail(log, 60)}")
            return 1
        time.sleep(0.3)
    print(f"the lab is not ready after {READY_TIMEOUT} s; see {log}; stopping it")
    down(home)
    return 1


def _print_ready(home: Path, record: dict[str, Any]) -> None:
    print(f"lab ready in {record['ready_after']:.1f} s: slot {record['slot']}, lab dir {record['lab_dir']}")
    for line in record.get("nodes", []):
        print("  " + line)
    for note in record.get("notes", []):
        print("note: " + note)
    print(f"home: {home}")
    print(f"\n    OCV_DESKTOP_HOME={home} make run\n")
    print("stop it with: make lab-down" + ("" if home == DEFAULT_HOME else f" LAB_HOME={home}"))


# --------------------------------------------------------------------------------------------- serve


def serve(home: Path, hosts: tuple[str, ...]) -> int:
    """Run in the detached process: own the lab until SIGTERM/SIGINT."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    t0 = time.monotonic()
    lab = Lab()
    try:
        _write_record(
            home,
            {"pid": os.getpid(), "start": system.start_time(os.getpid()), "slot": lab.slot.index,
             "lab_dir": str(lab.dir), "status": "starting"},
        )  # fmt: skip
        lab.start_all(hosts=hosts)
        nodes, notes = asyncio.run(write_home(lab, home))
        record = _read_record(home)
        record.update(status="ready", ready_after=time.monotonic() - t0, nodes=nodes, notes=notes, timings=lab.timings)
        _write_record(home, record)
        print(f"lab ready: {json.dumps(lab.timings)}", flush=True)
        while not stop.wait(1):
            pass
    finally:
        lab.close()
        print(f"lab stopped: teardown {lab.timings.get('teardown', 0):.1f} s", flush=True)
        if _read_record(home).get("pid") == os.getpid():
            _record_path(home).unlink(missing_ok=True)
    return 0


async def write_home(lab: Lab, home_dir: Path) -> tuple[list[str], list[str]]:
    """Put the lab's nodes into the home's config.yaml (secrets in the keyring, server certificates
    pinned, host keys in the app's known_hosts, keys and client certificates copied into the home)."""
    from ocv_desktop.core.models import NodeSecrets
    from ocv_desktop.services.nodes import NodeService
    from ocv_desktop.store.home import Home
    from ocv_desktop.store.secrets import SecretStore
    from ocv_desktop.transport.known_hosts import trust_host_key

    home = Home(home_dir).ensure()
    keys = home.root / "lab-keys"
    keys.mkdir(mode=0o700, exist_ok=True)

    def copy(src: Path) -> str:
        dst = keys / src.name
        shutil.copyfile(src, dst)
        dst.chmod(0o600)
        return str(dst)

    root_key = copy(lab.root_key)
    entries = []  # (node, secrets, ssh host)
    for name in ("docker", "incus", "lxd", "pve"):
        host = lab.started(name)
        if host is None:
            continue
        overrides: dict[str, Any] = {"key_path": root_key}
        secrets = NodeSecrets()
        if name in ("incus", "lxd"):
            cert_dir = keys / name
            cert_dir.mkdir(mode=0o700, exist_ok=True)
            for src in (host.client_cert, host.client_key):
                shutil.copyfile(src, cert_dir / src.name)
                (cert_dir / src.name).chmod(0o600)
            overrides |= {"client_cert": str(cert_dir / "client.crt"), "client_key": str(cert_dir / "client.key")}
        if name == "pve":
            secrets = NodeSecrets(api_token_secret=host.token_secret, api_password=host.password)
        entries.append((host.node_config(**overrides), secrets, host.ssh))

    store = await SecretStore.open()
    service = NodeService(home, store)
    for node, secrets, ssh in entries:
        if any(n.name == node.name for n in (await service.reload()).nodes):
            await service.remove_node(node.name)  # the same lab node from an earlier lab-up
        await service.add_node(node, secrets)
        await asyncio.to_thread(
            trust_host_key, home.known_hosts, ssh.address, ssh.port, ssh.host_key_line, replace=True
        )
    nodes = [f"{n.name:<11} {n.type.value:<8} ssh root@{n.host}  api {n.api_endpoint or '-'}" for n, _, _ in entries]
    notes = []
    if not store.persistent:
        pve = lab.started("pve")
        notes.append(f"{store.describe()}; the PVE node's token secret is not saved")
        if pve is not None:
            notes.append(f"enter it in the app if asked: token {pve.token_id} secret {pve.token_secret}")
    return nodes, notes


# ---------------------------------------------------------------------------------------------- down


def down(home: Path) -> int:
    record = _read_record(home)
    if not record:
        print(f"no lab recorded in {home}")
        return 0
    pid, slot = record.get("pid"), record.get("slot")
    if pid and system.alive(pid, record.get("start")):
        print(f"stopping the lab (pid {pid}, slot {slot}) ...", flush=True)
        system.kill_pid(pid, record.get("start"), timeout=120)
    if slot is not None:
        # Whatever the owner could not stop: the next owner's cleanup, by the recorded PIDs.
        try:
            taken = slots.acquire_slot(int(slot))
        except LabError as exc:
            print(f"slot {slot} is busy again ({exc}); left as it is")
        else:
            taken.release()
    _record_path(home).unlink(missing_ok=True)
    print("lab stopped")
    return 0
