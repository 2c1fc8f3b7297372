"""Proxmox consoles over the API against the lab's fakepve: the text console (``termproxy`` relayed by
``vncwebsocket`` with the xterm.js framing; providers/proxmox/termproxy.py) and the graphical
console (``vncproxy`` relayed to a local port for ``remote-viewer``; providers/proxmox/vnc.py).

fakepve checks the console ticket (one use, the requesting user), answers the terminal handshake
(``USER:TICKET\\n`` -> ``OK``), echoes input frames and records every frame it got (``termdata``);
on a VNC ticket it is an RFB 3.8 server with VNC authentication. Every HTTP request is checked
against the PVE API schema at the end of each test, as in test_proxmox_provider.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from websockets.protocol import State

from ocv_desktop.core.errors import AuthError, CertificateChanged, Unsupported
from ocv_desktop.core.models import ExecutionRule, NodeSecrets
from ocv_desktop.providers.base import ProviderContext
from ocv_desktop.providers.proxmox import termproxy
from ocv_desktop.providers.proxmox.api import open_pve_client, pve_request
from ocv_desktop.providers.proxmox.provider import ProxmoxProvider
from ocv_desktop.transport import viewer
from ocv_desktop.transport.console import ConsoleChannel, TermSize
from tests.contract.pve_schema import RequestRecorder

pytestmark = pytest.mark.lab
READ_LIMIT = 20.0  # a bound on waits that take milliseconds, not a measurement


@pytest.fixture
def home(lab_home, lab_pve):
    lab_home.known_hosts.write_text(lab_pve.ssh.host_key_line + "\n")
    return lab_home


@pytest.fixture(autouse=True)
def contract(monkeypatch, lab_pve) -> RequestRecorder:
    recorder = RequestRecorder(lab_pve.host).install(monkeypatch)
    yield recorder
    recorder.assert_valid()


@pytest.fixture
async def make_provider(home, lab_pve):
    made: list[ProxmoxProvider] = []

    async def make(*, ticket: bool = False, rule: ExecutionRule = ExecutionRule.API_ONLY) -> ProxmoxProvider:
        provider = ProxmoxProvider(ProviderContext(home=home, operation_timeout=60.0))
        if ticket:
            node = lab_pve.node_config(api_token_id=None, execution_rule=rule)
            secrets = NodeSecrets(api_password=lab_pve.password)
        else:
            node = lab_pve.node_config(execution_rule=rule)
            secrets = NodeSecrets(api_token_secret=lab_pve.token_secret)
        await provider.connect(node, secrets)
        made.append(provider)
        return provider

    yield make
    for provider in made:
        await provider.disconnect()


def on_fake(lab_pve, fn) -> Any:
    """Run ``fn`` on fakepve's own loop (it lives in another thread) and return its result."""

    async def call() -> Any:
        return fn()

    return lab_pve.call(call())


def add_guest(lab_pve, kind: str = "vm") -> Any:
    fake = lab_pve.fake

    def add() -> Any:
        taken = {vm.vmid for vm in fake.vms} | {ct.vmid for ct in fake.cts}
        vmid = next(i for i in range(7000, 999999) if i not in taken)
        if kind == "vm":
            return fake.add_vm(vmid, f"con{vmid}", status="running")
        return fake.add_ct(vmid, f"con{vmid}", status="running")

    return on_fake(lab_pve, add)


def frames_since(lab_pve, mark: int) -> list[str]:
    return on_fake(lab_pve, lambda: list(lab_pve.fake.termdata[mark:]))


async def read_until(console: ConsoleChannel, needle: bytes) -> bytes:
    out = b""
    async with asyncio.timeout(READ_LIMIT):
        while needle not in out:
            chunk = await console.read()
            assert chunk, f"the console ended before {needle!r} appeared; output: {out!r}"
            out += chunk
    return out


# --- the text console (termproxy) ---------------------------------------------------------------


@pytest.mark.parametrize("ticket", [False, True], ids=["token", "ticket"])
async def test_serial_console_handshake_echo_and_resize(make_provider, lab_pve, ticket):
    vm = add_guest(lab_pve)
    pve = await make_provider(ticket=ticket)
    mark = len(lab_pve.fake.termdata)
    console = await pve.open_console(str(vm.vmid), TermSize(80, 24))
    try:
        assert str(vm.vmid) in console.title and "serial" in console.title
        # After "OK" the proxy's own output comes through (fakepve: its serial terminal banner).
        assert b"starting serial terminal" in await read_until(console, b"serial0\r\n")
        console.write(b"echo hi\r")
        assert b"echo hi\r" in await read_until(console, b"echo hi\r")
        await console.resize(TermSize(cols=100, rows=30))
        # A character split across two writes goes out whole, its length counted in UTF-8 bytes.
        word = "中文".encode()
        console.write(word[:4])
        console.write(word[4:])
        assert word in await read_until(console, word)
    finally:
        await console.close()
    frames = frames_since(lab_pve, mark)
    assert frames == ["1:80:24:", "0:8:echo hi\r", "1:100:30:", "0:3:中", "0:3:文"]
    assert await console.read() == b""
    await console.close()  # twice is harmless


async def test_close_ends_the_relay_on_the_server(make_provider, lab_pve):
    vm = add_guest(lab_pve)
    pve = await make_provider()
    console = await pve.open_console(str(vm.vmid), TermSize())
    await read_until(console, b"serial0\r\n")
    await console.close()
    ws = console._ws  # test-only look at the websocket: the server answered our close
    assert ws.state is State.CLOSED and ws.close_code == 1000  # close_code: what the server sent back
    # The ticket was for one connection: it cannot open a second one.
    assert on_fake(lab_pve, lambda: vm.vncticket) is None


async def test_a_refused_terminal_handshake_is_an_auth_error(make_provider, lab_pve):
    vm = add_guest(lab_pve)
    pve = await make_provider()
    on_fake(lab_pve, lambda: setattr(lab_pve.fake, "refuse_terminal", True))
    try:
        with pytest.raises(AuthError, match="refused its ticket"):
            await pve.open_console(str(vm.vmid), TermSize())
    finally:
        on_fake(lab_pve, lambda: setattr(lab_pve.fake, "refuse_terminal", False))


async def test_the_console_ticket_is_never_logged(make_provider, lab_pve, caplog):
    vm = add_guest(lab_pve)
    pve = await make_provider()
    caplog.set_level(logging.DEBUG)  # everything, as the app's debug switch would
    console = await pve.open_console(str(vm.vmid), TermSize())
    try:
        console.write(b"typed-secret\r")
        await read_until(console, b"typed-secret")
    finally:
        await console.close()
    assert caplog.records, "nothing was logged at all: the check would prove nothing"
    # fakepve's console tickets start with PVEVNC:, as PVE's do; keystrokes are not logged either.
    assert "PVEVNC:" not in caplog.text and "typed-secret" not in caplog.text


async def test_a_vm_on_a_node_with_ssh_still_gets_its_serial_console_over_the_api(make_provider, lab_pve):
    """SSH carries container consoles (pct enter); a VM's serial port is only reachable through
    termproxy, so the API road is taken even when the node has SSH."""
    vm = add_guest(lab_pve)
    pve = await make_provider(rule=ExecutionRule.AUTO)
    console = await pve.open_console(str(vm.vmid), TermSize())
    try:
        assert console.title.endswith("(serial)")
        console.write(b"echo hi\r")
        await read_until(console, b"echo hi")
    finally:
        await console.close()


# --- the graphical console (vncproxy + remote-viewer) ----------------------------------------------

# A stand-in for remote-viewer: it records what it was given, connects where the file says and
# authenticates with the file's password as an RFB client, then waits until the test releases it.
FAKE_VIEWER = """\
import configparser, json, os, socket, stat, sys, time
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

path = sys.argv[1]
record = {"argv": sys.argv, "mode": stat.S_IMODE(os.stat(path).st_mode),
          "dir_mode": stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode)}
parser = configparser.ConfigParser(interpolation=None)
parser.read(path)
fields = dict(parser["virt-viewer"])
record["fields"] = fields
sock = socket.create_connection((fields["host"], int(fields["port"])), timeout=20)

def recv(n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError(buf)
        buf += chunk
    return buf

record["version"] = recv(12).decode()
sock.sendall(b"RFB 003.008\\n")
record["security_types"] = list(recv(recv(1)[0]))
sock.sendall(b"\\x02")  # VNC authentication: DES of the challenge, key = password, bits mirrored
challenge = recv(16)
key = bytes(int(format(b, "08b")[::-1], 2) for b in (fields["password"].encode() + bytes(8))[:8])
encryptor = Cipher(TripleDES(key * 3), modes.ECB()).encryptor()
sock.sendall(encryptor.update(challenge) + encryptor.finalize())
record["auth_result"] = int.from_bytes(recv(4), "big")
with open(os.environ["FAKE_VIEWER_RECORD"] + ".tmp", "w") as f:
    json.dump(record, f)
os.replace(os.environ["FAKE_VIEWER_RECORD"] + ".tmp", os.environ["FAKE_VIEWER_RECORD"])  # whole or absent
deadline = time.time() + 30
while not os.path.exists(os.environ["FAKE_VIEWER_RELEASE"]) and time.time() < deadline:
    time.sleep(0.05)
"""


def wait_for_file(path: Path) -> str:
    """The text of ``path`` once it exists (the fake viewer writes it whole, by rename)."""
    deadline = time.monotonic() + READ_LIMIT
    while not path.exists():
        assert time.monotonic() < deadline, f"the fake viewer wrote no {path.name}"
        time.sleep(0.05)
    return path.read_text()


@pytest.fixture
def no_viewer(monkeypatch, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(viewer, "EXTRA_PLACES", [])
    return empty


async def test_without_a_viewer_the_error_names_the_package(make_provider, lab_pve, no_viewer, contract):
    vm = add_guest(lab_pve)
    pve = await make_provider()
    with pytest.raises(Unsupported) as info:
        await pve.open_graphical_console(str(vm.vmid))
    assert "remote-viewer" in str(info.value) and "virt-viewer" in (info.value.hint or "")
    # Nothing was asked of PVE: no console ticket was issued for a viewer that is not there.
    assert not [r for r in contract.recorded if r.request.url.path.endswith("/vncproxy")]


async def test_a_container_has_no_graphical_console(make_provider, lab_pve):
    ct = add_guest(lab_pve, "ct")
    pve = await make_provider()
    with pytest.raises(Unsupported, match="no graphical console"):
        await pve.open_graphical_console(str(ct.vmid))


async def test_the_viewer_gets_a_private_file_and_the_password_only_there(
    make_provider, lab_pve, no_viewer, monkeypatch, tmp_path
):
    script = no_viewer / "remote-viewer"
    script.write_text(f"#!{sys.executable}\n" + FAKE_VIEWER)
    script.chmod(0o755)
    record_path, release = tmp_path / "record.json", tmp_path / "release"
    monkeypatch.setenv("FAKE_VIEWER_RECORD", str(record_path))
    monkeypatch.setenv("FAKE_VIEWER_RELEASE", str(release))
    vm = add_guest(lab_pve)
    pve = await make_provider()

    session = await pve.open_graphical_console(str(vm.vmid))
    try:
        record = json.loads(await asyncio.to_thread(wait_for_file, record_path))
        password = on_fake(lab_pve, lambda: vm.vncpassword)
        assert password, "fakepve generated no VNC password: generate-password was not sent"
        # While the viewer runs: the password is in no argv and no environment (/proc).
        cmdline = Path(f"/proc/{session.pid}/cmdline").read_bytes()
        environ = Path(f"/proc/{session.pid}/environ").read_bytes()
        assert password.encode() not in cmdline and password.encode() not in environ
        assert not any(password in arg for arg in record["argv"])
        conn_file = Path(record["argv"][1])
        assert record["mode"] == 0o600 and record["dir_mode"] == 0o700
        assert record["fields"]["type"] == "vnc" and record["fields"]["host"] == "127.0.0.1"
        assert record["fields"]["password"] == password
        assert record["fields"]["delete-this-file"] == "1"
        assert str(vm.vmid) in record["fields"]["title"]
        # Through the relay the viewer reached the VM's VNC server and the password opened it.
        assert record["version"] == "RFB 003.008\n" and record["security_types"] == [2]
        assert record["auth_result"] == 0
    finally:
        release.touch()
    async with asyncio.timeout(READ_LIMIT):
        assert await session.wait() == 0
    assert not conn_file.parent.exists()  # the session's private directory is gone with it
    await session.close()  # after the end: harmless


async def test_closing_the_session_ends_the_viewer(make_provider, lab_pve, no_viewer, tmp_path, monkeypatch):
    script = no_viewer / "remote-viewer"
    script.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(60)\n")
    script.chmod(0o755)
    vm = add_guest(lab_pve)
    pve = await make_provider()
    session = await pve.open_graphical_console(str(vm.vmid))
    pid = session.pid
    assert Path(f"/proc/{pid}").exists()
    await session.close()
    assert not Path(f"/proc/{pid}").exists()  # ended and reaped
    await session.close()


# --- the proxy task after close ----------------------------------------------------------------


def fake_task(lab_pve, vmid: int, status: str) -> str:
    """A termproxy task record in fakepve, running or finished (fakepve's own termproxy answers
    with a placeholder task id, so the stop road is exercised on a record of the real shape)."""

    def make() -> str:
        upid = f"UPID:{lab_pve.node_name}:0000A1B2:0000C3D4:{int(time.time()):08X}:termproxy:{vmid}:root@pam:"
        record = {"upid": upid, "node": lab_pve.node_name, "pid": 41394, "pstart": 1, "starttime": int(time.time())}
        record.update({"type": "termproxy", "id": str(vmid), "user": "root@pam", "status": status, "log": []})
        if status == "stopped":
            record["exitstatus"] = "OK"
        lab_pve.fake.tasks[upid] = record
        return upid

    return on_fake(lab_pve, make)


@pytest.mark.parametrize("status", ["running", "stopped"])
async def test_a_proxy_task_still_running_after_close_is_stopped(make_provider, lab_pve, contract, monkeypatch, status):
    monkeypatch.setattr(termproxy, "TASK_END_WAIT", 0.3)
    vm = add_guest(lab_pve)
    pve = await make_provider()
    upid = fake_task(lab_pve, vm.vmid, status)
    await termproxy.stop_task(pve._api.client, upid)
    task_path = f"/api2/json/nodes/{lab_pve.node_name}/tasks/{quote(upid, safe='')}"
    seen = [(r.request.method, r.request.url.raw_path.decode()) for r in contract.recorded]
    assert ("GET", task_path + "/status") in seen
    stopped = ("DELETE", task_path) in seen
    assert stopped is (status == "running")


async def test_a_placeholder_task_id_is_left_alone(make_provider, lab_pve, contract):
    pve = await make_provider()
    before = len(contract.recorded)
    await termproxy.stop_task(pve._api.client, "UPID:pve1:termproxy:100:")  # fakepve's own placeholder
    assert len(contract.recorded) == before


async def test_the_console_websocket_checks_the_pinned_certificate(make_provider, lab_pve):
    vm = add_guest(lab_pve)
    pve = await make_provider()
    good = pve._api.client
    path = f"/nodes/{lab_pve.node_name}/qemu/{vm.vmid}"
    proxy = termproxy.parse_proxy_ticket(await pve_request(good, "POST", path + "/termproxy", data={}), "termproxy")
    wrong_pin = lab_pve.node_config(server_cert_fingerprint="ab" * 32)
    bad = open_pve_client(wrong_pin, NodeSecrets(api_token_secret=lab_pve.token_secret))
    try:
        with pytest.raises(CertificateChanged):
            await termproxy.open_vnc_websocket(bad, path, proxy)
    finally:
        await bad.close()
    # Refused before anything was sent: the one-use ticket is still unspent.
    ws = await termproxy.open_vnc_websocket(good, path, proxy)
    await ws.close()


async def test_close_while_the_widget_is_reading(make_provider, lab_pve):
    vm = add_guest(lab_pve)
    pve = await make_provider()
    console = await pve.open_console(str(vm.vmid), TermSize())
    await read_until(console, b"serial0\r\n")

    async def read_to_end() -> None:
        while await console.read():
            pass

    reader = asyncio.ensure_future(read_to_end())
    await asyncio.sleep(0)  # the reader is now waiting in read()
    await console.close()
    async with asyncio.timeout(READ_LIMIT):
        await reader
    assert console._ws.close_code == 1000  # the server took part in the close


# --- the real viewer, where it is installed ---------------------------------------------------------


@pytest.fixture
def x_display(monkeypatch):
    """A private X server (Xvfb picks a free display number itself) for the real remote-viewer."""
    if not (shutil.which("remote-viewer") and shutil.which("Xvfb")):
        pytest.skip("remote-viewer (virt-viewer) or Xvfb is not installed here")
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as f:
            number = f.readline().strip()
        assert number.isdigit(), "Xvfb did not say which display it took"
        monkeypatch.setenv("DISPLAY", f":{number}")
        yield f":{number}"
    finally:
        xvfb.terminate()
        xvfb.wait(10)


async def test_the_real_remote_viewer_reaches_the_vm_screen(make_provider, lab_pve, x_display):
    vm = add_guest(lab_pve)
    pve = await make_provider()
    session = await pve.open_graphical_console(str(vm.vmid))

    def served_a_frame() -> bool:
        deadline = time.monotonic() + READ_LIMIT
        while time.monotonic() < deadline:
            if on_fake(lab_pve, lambda: getattr(vm, "screenshots", 0)):
                return True
            time.sleep(0.1)
        return False

    try:
        # fakepve counts a framebuffer update it served only after the viewer passed VNC
        # authentication with the password from the file: the whole road works. (fakepve then
        # ends the session, so the viewer may already have exited.)
        assert await asyncio.to_thread(served_a_frame), "remote-viewer never got a frame"
    finally:
        await session.close()
    assert not Path(f"/proc/{session.pid}").exists()
