"""Screenshots of the main window with console tabs open, under Xvfb (light, dark, zh_CN); root.

    python -m tests.ui.console_screenshot OUTDIR

Starts the lab's Docker host, writes a home with that node and a running container, then for each
variant runs a child process (the platform, palette and language are chosen before the
QApplication exists) that opens a node shell and a docker exec tab, types a line with colours,
bold, reverse video and CJK text, and saves the window as OUTDIR/console-<variant>.png. A human
looks at the pictures.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = {
    "light": {"OCV_DESKTOP_LANG": "en_US", "theme": "light"},
    "dark": {"OCV_DESKTOP_LANG": "en_US", "theme": "dark"},
    "zh_CN": {"OCV_DESKTOP_LANG": "zh_CN", "theme": "light"},
}
DEMO = (
    "ls --color=always -F / | head -6; printf '\\344\\270\\255\\346\\226\\207 CJK width | "
    "\\033[1;31mbold red\\033[0m \\033[38;5;208m256-colour\\033[0m \\033[48;5;24;97m bg \\033[0m "
    "\\033[7mreverse\\033[0m \\033[4munderline\\033[0m\\n'\r"
)


async def _capture(home_dir: str, out: str, container: str) -> None:
    from ocv_desktop.store.home import Home
    from ocv_desktop.store.secrets import SecretStore
    from ocv_desktop.ui.app_window import MainWindow
    from ocv_desktop.ui.bridge import Workspace

    ws = Workspace(Home(Path(home_dir)), SecretStore(None))
    window = MainWindow(ws, remember_state=False)
    window.resize(1280, 820)
    window.show()
    await ws.start()
    node = ws.nodes[0]
    deadline = time.monotonic() + 60
    while not ws.loaded(node.id) and time.monotonic() < deadline:  # noqa: ASYNC110 - no event for it
        await asyncio.sleep(0.1)
    window.node_tree.setCurrentIndex(window.tree_model.node_indexes(node.id)[0])
    inst = next(i for i in ws.instances_of(node.id) if i.name == container)
    exec_view = await window.open_console(node, inst)
    shell = await window.open_console(node, None)
    assert exec_view is not None and shell is not None
    await asyncio.sleep(1.5)
    exec_view.send(b"echo inside the container: $(hostname)\r")
    shell.send(DEMO.encode())
    await asyncio.sleep(2.5)
    window.grab().save(out, "PNG")
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    window.close()
    await asyncio.wait_for(closed.wait(), 30)


def child(argv: list[str]) -> int:
    os.environ.setdefault("QT_API", "pyside6")
    import qasync

    from ocv_desktop.ui.main import _application
    from ocv_desktop.ui.theme import apply_palette

    home_dir, out, container, theme = argv
    app = _application()
    apply_palette(app, theme)
    qasync.run(_capture(home_dir, out, container))
    return 0


def main(argv: list[str]) -> int:
    from ocv_desktop.core.models import NodeSecrets
    from ocv_desktop.services.nodes import NodeService
    from ocv_desktop.store.config import Settings
    from ocv_desktop.store.home import Home
    from ocv_desktop.store.secrets import SecretStore
    from ocv_desktop.transport.known_hosts import trust_host_key
    from tests.lab.lab import Lab

    outdir = Path(argv[0]).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    with Lab() as lab, tempfile.TemporaryDirectory(prefix="ocv-console-shot-") as tmp:
        docker = lab.docker
        container = lab.unique_name("web")
        docker.docker_ok("run", "-d", "--name", container, "--hostname", "web1", docker.busybox, "sleep", "3600")
        read_fd, write_fd = os.pipe()
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
            pass_fds=(write_fd,),
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        try:
            with os.fdopen(read_fd) as pipe:
                display = ":" + pipe.readline().strip()
            for variant, opts in VARIANTS.items():
                home = Home(Path(tmp) / variant).ensure()
                trust_host_key(home.known_hosts, docker.ssh.address, docker.ssh.port, docker.ssh.host_key_line)
                store = SecretStore(None)

                async def setup(
                    home: Home = home, store: SecretStore = store, lang: str = opts["OCV_DESKTOP_LANG"]
                ) -> None:
                    service = NodeService(home, store)
                    await service.update_settings(Settings(language=lang))
                    await service.add_node(docker.node_config(name="lab-docker"), NodeSecrets())

                asyncio.run(setup())
                env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
                env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", OCV_DESKTOP_LANG=opts["OCV_DESKTOP_LANG"])
                out = outdir / f"console-{variant}.png"
                proc = subprocess.run(
                    [sys.executable, "-m", "tests.ui.console_screenshot", "--child", str(home.root), str(out),
                     container, opts["theme"]],
                    cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False,
                )  # fmt: skip
                print(variant, proc.returncode, out, proc.stderr[-1500:] if proc.returncode else "")
        finally:
            xvfb.terminate()
            xvfb.wait(10)
            docker.docker("rm", "-f", container)
    return 0


if __name__ == "__main__":
    if shutil.which("Xvfb") is None:
        sys.exit("Xvfb is missing")
    if sys.argv[1:2] == ["--child"]:
        sys.exit(child(sys.argv[2:]))
    sys.exit(main(sys.argv[1:]))
