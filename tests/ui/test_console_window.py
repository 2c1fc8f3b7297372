"""The in-window terminal end to end against the lab: Ctrl+T opens a node shell, a Docker exec and
an Incus exec (CLI road over the node's SSH) in tabs; typing reaches the remote shell and its
echo is read back from the emulator's screen; resizing reaches `stty size`; CJK takes two cells;
closing a tab ends the remote program; no secret appears in any argv while a session opens."""

from __future__ import annotations

import json
import re
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from ocv_desktop.core.models import AuthMethod, ExecutionRule, NodeSecrets
from ocv_desktop.ui.console.render import line_runs
from ocv_desktop.ui.console.tabs import ConsoleTabs
from ocv_desktop.ui.console.terminal_view import TerminalView
from tests.proc_view import cmdlines, gone
from tests.ui.window_fixtures import LabNode, child, incus_node, pve_node, run

pytestmark = [pytest.mark.lab]

SERVICE = ("sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done")


def lines(view: TerminalView) -> list[str]:
    return [line.rstrip() for line in view.term.display]


def type_line(qtbot, view: TerminalView, text: str) -> None:
    qtbot.keyClicks(view, text)
    qtbot.keyClick(view, Qt.Key.Key_Return)


def wait_line(qtbot, view: TerminalView, pattern: str, timeout: int = 20_000) -> re.Match[str]:
    """Wait until a whole screen line matches ``pattern``; returns the match."""
    found: list[re.Match[str]] = []

    def seen() -> bool:
        for line in lines(view):
            m = re.fullmatch(pattern, line)
            if m:
                found.append(m)
                return True
        return False

    try:
        qtbot.waitUntil(seen, timeout=timeout)
    except Exception:
        raise AssertionError(f"no line matches {pattern!r}:\n" + "\n".join(lines(view))) from None
    return found[0]


def clear(qtbot, view: TerminalView) -> None:
    """Clear the screen so earlier output cannot answer the next question."""
    type_line(qtbot, view, "clear")
    qtbot.waitUntil(lambda: sum(1 for line in lines(view) if line) <= 1, timeout=10_000)


def settled_size(qtbot, view: TerminalView):
    """The view's size once the remote PTY has been told it (a resize is sent 40 ms later)."""
    qtbot.waitUntil(lambda: view.sent_size == view.term_size(), timeout=5000)
    return view.term_size()


def open_tab(qtbot, it) -> TerminalView:
    tabs = child(it.window, ConsoleTabs, "consoleTabs")
    before = tabs.count()
    action = it.window.actions_.open_terminal
    assert action.isEnabled(), action.toolTip()
    action.trigger()
    qtbot.waitUntil(lambda: tabs.count() == before + 1, timeout=30_000)
    view = tabs.currentWidget()
    assert isinstance(view, TerminalView)
    assert view.objectName() == "terminalView"
    qtbot.waitUntil(view.hasFocus, timeout=5000)  # typing goes straight to the remote shell
    qtbot.waitUntil(lambda: view.channel is not None, timeout=30_000)
    return view


@pytest.fixture
def docker_with_password(lab_docker) -> LabNode:
    """The Docker node, logged in with the lab user's password (the secret we look for)."""
    ssh = lab_docker.ssh
    config = lab_docker.node_config(username=ssh.user, auth=AuthMethod.PASSWORD, key_path=None)
    return LabNode(config, NodeSecrets(ssh_password=ssh.user_password), trust=ssh)


def test_node_shell_echo_resize_cjk_and_close(qtbot, open_window, lab_docker, docker_with_password) -> None:
    it = open_window([docker_with_password])
    dock = child(it.window, QDockWidget, "consoleDock")
    assert not dock.isVisible()  # hidden until the first console opens
    it.select_node(qtbot, docker_with_password.config.name)
    view = open_tab(qtbot, it)
    assert dock.isVisible()
    password = docker_with_password.secrets.ssh_password
    assert password and not any(password.encode() in c for c in cmdlines())

    type_line(qtbot, view, "echo $((6*7))")
    wait_line(qtbot, view, "42")

    # The size the widget shows is the size the remote PTY has, also after a resize.
    clear(qtbot, view)
    size = settled_size(qtbot, view)
    type_line(qtbot, view, "stty size")
    wait_line(qtbot, view, f"{size.rows} {size.cols}")
    it.window.resize(it.window.width() - 160, it.window.height() + 80)
    qtbot.waitUntil(lambda: view.term_size() != size, timeout=5000)
    new = settled_size(qtbot, view)
    clear(qtbot, view)
    type_line(qtbot, view, "stty size")
    wait_line(qtbot, view, f"{new.rows} {new.cols}")

    # CJK: two cells each in pyte's buffer, and painted at those cells.
    clear(qtbot, view)
    type_line(qtbot, view, r"printf 'x\344\270\255\346\226\207y\n'")
    match = wait_line(qtbot, view, "x中文y")
    row = next(i for i, line in enumerate(lines(view)) if line == match.group(0))
    cells = [view.term.buffer[row][c].data for c in range(6)]
    assert cells == ["x", "中", "", "文", "", "y"]
    runs = [(run.col, run.cells, run.text.rstrip()) for run in line_runs(view.term, row)][:4]
    assert runs == [(0, 1, "x"), (1, 2, "中"), (3, 2, "文"), (5, view.term.columns - 5, "y")]
    cell_w, _ = view.cell_size()
    wide = view.cell_rect(row, 1, 2)
    assert abs(wide.width() - 2 * cell_w) <= 1
    assert view.cell_rect(row, 5).x() == view.cell_rect(row, 3, 2).right() + 1

    # Closing the tab ends the shell on the server.
    clear(qtbot, view)
    type_line(qtbot, view, "echo PID=$$")
    pid = int(wait_line(qtbot, view, r"PID=(\d+)").group(1))
    assert not gone(pid)
    tabs = child(it.window, ConsoleTabs, "consoleTabs")
    tabs.tabCloseRequested.emit(tabs.indexOf(view))
    qtbot.waitUntil(lambda: gone(pid), timeout=15_000)
    qtbot.waitUntil(lambda: not dock.isVisible(), timeout=5000)  # the last tab closed


def test_docker_and_incus_exec_in_tabs(qtbot, open_window, lab, lab_docker, lab_incus) -> None:
    docker_name = lab.unique_name("con")
    lab_docker.docker_ok("run", "-d", "--name", docker_name, "lab/busybox:1.35", *SERVICE)
    incus_name = lab.unique_name("con")
    lab_incus.cli_ok("launch", "busybox", incus_name)
    try:
        docker = LabNode(lab_docker.node_config(name="lab-docker"), trust=lab_docker.ssh)
        incus = incus_node(lab_incus, name="lab-incus")  # API for listing; the console goes over SSH
        it = open_window([docker, incus])
        for node, name in (("lab-docker", docker_name), ("lab-incus", incus_name)):
            it.select_node(qtbot, node)
            it.refresh(qtbot, node)
            qtbot.waitUntil(lambda name=name: it.row_of(name) is not None, timeout=30_000)
            it.select_rows([it.row_of(name)])
            view = open_tab(qtbot, it)
            type_line(qtbot, view, "echo $((6*7))")
            wait_line(qtbot, view, "42")
            # busybox ash asks the terminal where its cursor is after each prompt and drops
            # keys typed before the answer arrived: give the answer time to get there.
            qtbot.wait(300)
            size = settled_size(qtbot, view)
            type_line(qtbot, view, "echo S=$(stty size)")
            wait_line(qtbot, view, f"S={size.rows} {size.cols}")
            qtbot.wait(300)
            type_line(qtbot, view, "echo PID=$$")
            pid = wait_line(qtbot, view, r"PID=(\d+)").group(1)
            tabs = child(it.window, ConsoleTabs, "consoleTabs")
            task = tabs.close_tab(tabs.indexOf(view))
            assert task is not None
            qtbot.waitUntil(task.done, timeout=30_000)
            # The shell inside the container is gone (checked with the lab's own CLIs).
            if node == "lab-docker":
                alive = lab_docker.docker("exec", docker_name, "kill", "-0", pid).returncode == 0
            else:
                alive = lab_incus.cli("exec", incus_name, "--", "kill", "-0", pid).returncode == 0
            assert not alive, f"the shell {pid} in {name} still runs"
    finally:
        lab_docker.docker("rm", "-f", docker_name)
        lab_incus.cli("delete", "--force", incus_name)


def test_terminal_action_disabled_with_reason_on_an_api_only_node(qtbot, open_window, lab_pve) -> None:
    it = open_window([pve_node(lab_pve, name="pve-api", execution_rule=ExecutionRule.API_ONLY)])
    it.select_node(qtbot, "pve-api")
    action = it.window.actions_.open_terminal
    qtbot.waitUntil(lambda: not action.isEnabled(), timeout=5000)
    assert "SSH" in action.toolTip()
    assert child(it.window, ConsoleTabs, "consoleTabs").count() == 0


# --- the graphical console of a Proxmox VM (remote-viewer) -----------------------------------------

RECORDING_VIEWER = """\
import json, os, sys
# what remote-viewer would get: its argv and the connection file it is pointed at
with open(sys.argv[1]) as f:
    content = f.read()
with open(os.environ["VIEWER_RECORD"], "w") as out:
    json.dump({"argv": sys.argv, "file": content}, out)
"""


def _guests(lab_pve) -> tuple[int, int]:
    fake = lab_pve.fake
    taken = {vm.vmid for vm in fake.vms} | {ct.vmid for ct in fake.cts}
    free = (i for i in range(7100, 999999) if i not in taken)
    vm, ct = next(free), next(free)
    fake.add_vm(vm, f"screen{vm}", status="running")
    fake.add_ct(ct, f"box{ct}", status="running")
    return vm, ct


def test_graphical_console_for_a_vm_only_and_the_viewer_gets_the_password_in_a_file(
    qtbot, open_window, lab_pve, tmp_path, monkeypatch
) -> None:
    from ocv_desktop.transport import viewer

    vm, ct = _guests(lab_pve)
    it = open_window([pve_node(lab_pve, name="pve-screen", execution_rule=ExecutionRule.API_ONLY)])
    it.select_node(qtbot, "pve-screen")
    it.refresh(qtbot, "pve-screen")
    action = it.window.actions_.open_graphical

    # a container has no screen: disabled, and the tooltip says what to use instead
    it.select_rows([it.row_of(f"box{ct}")])
    qtbot.waitUntil(lambda: not action.isEnabled(), timeout=5000)
    assert "terminal" in action.toolTip()

    it.select_rows([it.row_of(f"screen{vm}")])
    qtbot.waitUntil(action.isEnabled, timeout=5000)

    # no viewer installed: the banner names the package, nothing is asked of the node
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(viewer, "EXTRA_PLACES", [])
    action.trigger()
    qtbot.waitUntil(lambda: "virt-viewer" in it.window.banner.message(), timeout=20_000)
    it.window.banner.dismiss()

    # a viewer: it is started with the connection file only; the password is in the file
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "remote-viewer"
    script.write_text(f"#!{sys.executable}\n" + RECORDING_VIEWER)
    script.chmod(0o755)
    record = tmp_path / "record.json"
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("VIEWER_RECORD", str(record))
    inst = it.instance(f"screen{vm}")
    node = it.ws.node(it.node_id("pve-screen"))
    assert inst is not None and node is not None
    status = run(qtbot, it.window.open_graphical_console(node, inst), timeout=60)
    assert status == 0
    seen = json.loads(record.read_text())
    fields = dict(line.split("=", 1) for line in seen["file"].splitlines() if "=" in line)
    assert fields["type"] == "vnc" and fields["password"]
    assert not [arg for arg in seen["argv"] if fields["password"] in arg]
    assert it.window.banner.isHidden()
