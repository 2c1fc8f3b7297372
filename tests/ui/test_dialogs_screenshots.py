"""Screenshots of every dialog and the welcome panel, to look at (test-artifacts/, gitignored).

Each variant runs in its own process, because QT_SCALE_FACTOR and the language must be set before
the QApplication exists: light at 100 %, dark at 200 %, zh_CN (CJK glyphs: fonts-noto-cjk) and
pseudo-localised. The tests check what a machine can check — every picture shows its theme's
background and text in its text colour, 200 % pictures are twice as large, no dialog is wider
than a 1280-pixel screen at 100 %, each variant really shows its language, and the zh_CN ones have
a font with Chinese glyphs (else they are empty boxes) — and a human looks at the rest.
Run by hand: ``python -m tests.ui.test_dialogs_screenshots OUT_DIR [light|dark]``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "dialogs"

VARIANTS = {
    "light-100": {"OCV_DESKTOP_LANG": "en_US", "QT_SCALE_FACTOR": "1", "theme": "light"},
    "dark-200": {"OCV_DESKTOP_LANG": "en_US", "QT_SCALE_FACTOR": "2", "theme": "dark"},
    "zh_CN-100": {"OCV_DESKTOP_LANG": "zh_CN", "QT_SCALE_FACTOR": "1", "theme": "light"},
    "zh_CN-dark-100": {"OCV_DESKTOP_LANG": "zh_CN", "QT_SCALE_FACTOR": "1", "theme": "dark"},
    "pseudo-100": {"OCV_DESKTOP_LANG": "pseudo", "QT_SCALE_FACTOR": "1", "theme": "light"},
}


class PictureWorkspace:
    """What the create-instance and images dialogs read from the workspace, for pictures taken
    without a lab: nodes, their health, and tasks that are not run (the pictures set the lists)."""

    def __init__(self, nodes: list[Any], health: dict[str, Any] | None = None) -> None:
        from types import SimpleNamespace

        from ocv_desktop.store.config import Settings
        from ocv_desktop.store.home import Home

        self.nodes = nodes
        self.health = health or {}
        self.settings = Settings(language="zh_CN")
        self.secrets = SimpleNamespace(persistent=True, backend_name="SecretService (GNOME Keyring)", reason="")
        self.home = Home(Path("/home/admin/.config/ocv-desktop"))

    def node(self, node_id: str) -> Any:
        return next((n for n in self.nodes if n.id == node_id), None)

    def run_task(self, name: str, coro: Any) -> None:
        coro.close()


def workspace_gallery() -> Iterator[tuple[str, object]]:
    """The dialogs that work on a node (create instance, images), filled as a lab would."""
    from datetime import UTC, datetime

    from ocv_desktop.core.models import HealthReport, Image, NodeConfig, Platform, Resources
    from ocv_desktop.ui.dialogs.create_instance import CreateInstanceDialog
    from ocv_desktop.ui.dialogs.widgets import error_colour, set_text_colour

    docker = NodeConfig(name="docker-lab", type=Platform.DOCKER, host="10.0.0.5")
    incus = NodeConfig(name="incus-lab", type=Platform.INCUS, host="10.0.0.7")
    health = {
        docker.id: HealthReport(
            node_id=docker.id,
            checked_at=datetime(2026, 12, 7, 12, 0, tzinfo=UTC),
            resources=Resources(cpu_cores=8, memory_total=16 * 2**30, memory_used=5 * 2**30, disk_free=120 * 2**30),
        )
    }
    ws = PictureWorkspace([docker, incus], health)
    images = [
        Image(id="sha256:1", name="nginx:1.27", node_id=docker.id, size=190 * 2**20),
        Image(id="sha256:2", name="debian:12", node_id=docker.id, aliases=("debian:bookworm",), size=117 * 2**20),
    ]
    create = CreateInstanceDialog(None, ws, docker.id)
    create._images = images
    create._show_images()
    create.images_state.setText(create.tr("%n image(s) on the node", "", len(images)))
    create.refresh_images_button.setEnabled(True)  # the listing is done in this picture
    create.image_combo.setEditText("nginx:1.27")
    create.name_edit.setText("web-1")
    create.memory_edit.setText("512M")
    create.ports_edit.setPlainText("8080:80/tcp\n8443:443/tcp")
    create.env_edit.setPlainText("TZ=Europe/Berlin")
    yield "create-instance-docker", create
    refused = CreateInstanceDialog(None, ws, incus.id)
    refused.name_edit.setText("web_1")
    refused.error_label.setText(
        refused.tr("The node refused: {error}").format(error='Failed creating instance record: Instance "web" exists')
    )
    refused.error_label.show()
    yield "create-instance-incus-invalid", refused
    from ocv_desktop.ui.dialogs.images import ImagesPanel

    panel = ImagesPanel(None, ws, docker.id)
    made = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
    panel.show_images(
        [
            Image(id="sha256:1f2e", name="nginx:1.27", node_id=docker.id, size=190 * 2**20, created=made, in_use=True),
            Image(
                id="sha256:9a8b",
                name="debian:12",
                node_id=docker.id,
                aliases=("debian:bookworm",),
                size=117 * 2**20,
                created=made,
                in_use=False,
            ),
        ]
    )
    panel.table.selectRow(0)
    panel.status_label.setText(
        panel.tr("The node refused to delete it: {error}").format(
            error="image 'nginx:1.27' is used by containers web-1 (running)"
        )
    )
    set_text_colour(panel.status_label, error_colour(panel))
    yield "images-panel", panel
    from ocv_desktop.ui.dialogs.about import AboutDialog
    from ocv_desktop.ui.dialogs.settings import SettingsDialog

    settings = SettingsDialog(None, ws)
    settings.language_combo.setCurrentIndex(settings.language_combo.findData("en_US"))  # the restart hint
    yield "settings", settings
    yield "about", AboutDialog(None, ws)
    from concurrent.futures import Future

    from ocv_desktop.core.models import AuthMethod, CheckKind, CheckResult, CheckStatus
    from ocv_desktop.ui.dialogs.node_editor import NodeEditorDialog

    tested = NodeEditorDialog(None, tester=lambda node, secrets: Future())  # type: ignore[arg-type,return-value]
    tested.platform_combo.setCurrentIndex(tested.platform_combo.findData(Platform.DOCKER))
    tested.name_edit.setText("docker-lab")
    tested.host_edit.setText("10.0.0.5")
    tested.auth_combo.setCurrentIndex(tested.auth_combo.findData(AuthMethod.PASSWORD))
    tested.password_edit.setText("not-the-password")
    report: Future[Any] = Future()
    report.set_result(
        HealthReport(
            node_id="n",
            checks=(
                CheckResult(CheckKind.SSH, CheckStatus.OFFLINE, error="authentication failed for admin@10.0.0.5:22"),
                CheckResult(CheckKind.SERVICE, CheckStatus.OFFLINE, error="not asked: no SSH connection"),
            ),
        )
    )
    tested.test_results.show()
    tested._tested(report)  # type: ignore[arg-type]
    yield "node-editor-test-failed", tested


def enrolment_gallery() -> Iterator[tuple[str, object]]:
    """The node editor's LXD/Incus enrolment: the first contact (fingerprint to compare, Pin and
    enrol offered) and the state after a successful enrolment."""
    from concurrent.futures import Future

    from ocv_desktop.core.errors import CertificateUnknown
    from ocv_desktop.core.models import AuthMethod, Platform
    from ocv_desktop.providers.lxd_family.enrollment import EnrollResult
    from ocv_desktop.ui.dialogs.node_editor import NodeEditorDialog

    def incus_editor() -> NodeEditorDialog:
        editor = NodeEditorDialog(None, enroller=lambda *_: Future())  # type: ignore[arg-type,return-value]
        editor.platform_combo.setCurrentIndex(editor.platform_combo.findData(Platform.INCUS))
        editor.name_edit.setText("incus-lab")
        editor.host_edit.setText("10.0.0.7")
        editor.user_edit.setText("admin")
        editor.auth_combo.setCurrentIndex(editor.auth_combo.findData(AuthMethod.KEY))
        editor.key_edit.setText("/home/admin/.ssh/id_ed25519")
        editor.token_edit.setText("eyJjbGllbnRfbmFtZSI6Im9jdi1kZXNrdG9wIn0=")
        editor.show()
        return editor

    first = incus_editor()
    contact: Future[Any] = Future()
    contact.set_exception(CertificateUnknown("unknown", host="10.0.0.7", port=8443, fingerprint="3f" * 32))
    first._enrolled_done(contact)  # type: ignore[arg-type]
    yield "node-editor-enrol-first-contact", first
    done = incus_editor()
    enrolled: Future[Any] = Future()
    node = done._candidate().replace(
        api_endpoint="https://10.0.0.7:8443",
        client_cert="/home/admin/.config/ocv-desktop/certs/n-1a2b.crt",
        client_key="/home/admin/.config/ocv-desktop/certs/n-1a2b.key",
        server_cert_fingerprint="3f" * 32,
    )
    enrolled.set_result(EnrollResult(node, "9c" * 32, "token", "incus 6.0.4"))
    done._enrolled_done(enrolled)  # type: ignore[arg-type]
    yield "node-editor-enrolled", done


def gallery() -> Iterator[tuple[str, object]]:
    """(name, widget) for every dialog in its interesting states. Needs a QApplication."""
    from ocv_desktop.core.errors import (
        CertificateChanged,
        CertificateUnknown,
        ConnectError,
        HostKeyChanged,
        HostKeyUnknown,
    )
    from ocv_desktop.core.models import (
        AuthMethod,
        Instance,
        InstanceStatus,
        InstanceType,
        NodeConfig,
        Platform,
    )
    from ocv_desktop.services.local_detect import LocalCandidate
    from ocv_desktop.services.nodes import ImportReport
    from ocv_desktop.store.oneclickvirt import ImportProblem
    from ocv_desktop.ui.dialogs.base import error_box, question_box
    from ocv_desktop.ui.dialogs.confirm import ConfirmDeleteDialog
    from ocv_desktop.ui.dialogs.import_dialog import ImportReportDialog
    from ocv_desktop.ui.dialogs.node_editor import NodeEditorDialog
    from ocv_desktop.ui.dialogs.password import NewPasswordDialog, PasswordDialog
    from ocv_desktop.ui.dialogs.trust import TrustDialog
    from ocv_desktop.ui.widgets.config_problems import ConfigProblemsPanel
    from ocv_desktop.ui.widgets.welcome import WelcomePanel

    fp = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"
    yield "node-editor-new", NodeEditorDialog(None, taken_names=frozenset({"web-1"}))
    proxmox = NodeEditorDialog(None)
    proxmox.platform_combo.setCurrentIndex(proxmox.platform_combo.findData(Platform.PROXMOX))
    proxmox.name_edit.setText("pve-1")
    proxmox.host_edit.setText("pve.example.com:22")
    proxmox.host_edit.textEdited.emit(proxmox.host_edit.text())
    proxmox.token_id_edit.setText("root@pam!ocv=secret")
    proxmox.token_id_edit.textEdited.emit(proxmox.token_id_edit.text())
    yield "node-editor-proxmox-invalid", proxmox
    existing = NodeConfig(
        name="incus-lab",
        type=Platform.INCUS,
        host="10.0.0.7",
        auth=AuthMethod.KEY,
        key_path="/home/admin/.ssh/id_ed25519",
        api_endpoint="https://10.0.0.7:8443",
        client_cert="/home/admin/.config/ocv-desktop/certs/incus-lab.crt",
        client_key="/home/admin/.config/ocv-desktop/certs/incus-lab.key",
        server_cert_fingerprint="ab" * 32,
        tags=("lab", "eu-west"),
        notes="rack 4, second shelf",
    )
    yield "node-editor-incus-edit", NodeEditorDialog(None, existing=existing, taken_names=frozenset({"incus-lab"}))
    yield (
        "node-editor-local-docker",
        NodeEditorDialog(None, local=Platform.DOCKER, local_endpoint="unix:///var/run/docker.sock"),
    )
    common = {"host": "192.0.2.10", "port": 22, "key_type": "ssh-ed25519", "fingerprint": fp}
    yield "trust-host-key-unknown", TrustDialog(None, HostKeyUnknown("unknown", **common))
    yield (
        "trust-host-key-changed",
        TrustDialog(
            None,
            HostKeyChanged(
                "changed", expected_fingerprint="SHA256:Jm1Ht0Lc2oE0m0V8W5cP2l3b0dKq7rN1Qf9s8u4vXyA", **common
            ),
        ),
    )
    cert = {"host": "pve.example.com", "port": 8006, "fingerprint": "3f" * 32}
    yield "trust-certificate-unknown", TrustDialog(None, CertificateUnknown("unknown", **cert))
    yield (
        "trust-certificate-changed",
        TrustDialog(None, CertificateChanged("changed", expected_fingerprint="c0" * 32, **cert)),
    )
    names = {"n1": "docker-eu-1", "n2": "pve-cluster-东京"}
    instances = [
        Instance(id="c1", name="web-frontend", node_id="n1", status=InstanceStatus.RUNNING, raw_status="running"),
        Instance(id="c2", name="db-replica-2", node_id="n1", status=InstanceStatus.STOPPED, raw_status="exited"),
        Instance(id="101", name="测试虚拟机", node_id="n2", status=InstanceStatus.RUNNING, raw_status="running"),
    ]
    yield "confirm-delete-many", ConfirmDeleteDialog(None, instances, names)
    yield "confirm-delete-one", ConfirmDeleteDialog(None, instances[1:2], names)
    box, _ = question_box(
        None,
        "Reset root password",
        "Set a new random root password for web-frontend on docker-eu-1?\n\n"
        "The current password stops working. The new one is shown once and not saved anywhere.",
        yes="Reset password",
        no="Cancel",
        destructive=True,
    )
    yield "ask-yes-no-destructive", box
    password = NewPasswordDialog(None, instances[0], "docker-eu-1", "vR7#kq2Lm9$wXe4tB8zN")
    yield "new-password", password
    copied = NewPasswordDialog(None, instances[0], "docker-eu-1", "vR7#kq2Lm9$wXe4tB8zN", user="deploy")
    copied.show()
    # the state after Copy (the password box must not be clipped); the picture process leaves the
    # real clipboard alone: a secret on it at interpreter exit crashes the offscreen plugin
    from ocv_desktop.ui.dialogs import password as password_module

    real_copy = password_module.copy_secret_to_clipboard
    password_module.copy_secret_to_clipboard = lambda secret, clear_after=None: None
    try:
        copied.copy_button.click()
    finally:
        password_module.copy_secret_to_clipboard = real_copy
    yield "new-password-copied", copied
    pve = NodeConfig(name="pve-cluster-东京", type=Platform.PROXMOX, host="198.51.100.20")
    vm = Instance(id="101", name="测试虚拟机", node_id="n2", status=InstanceStatus.RUNNING, raw_status="running",
                  type=InstanceType.VM)  # fmt: skip
    typed = PasswordDialog(None, vm, pve)
    typed.user_edit.setText("deploy")
    typed.type_radio.setChecked(True)
    typed.password_edit.setText("correct horse")
    typed.confirm_edit.setText("correct hose")
    yield "password-typed-mismatch", typed
    yield (
        "password-generate",
        PasswordDialog(None, instances[0], NodeConfig(name="docker-eu-1", type=Platform.DOCKER, host="h")),
    )
    yield from enrolment_gallery()
    problems = ConfigProblemsPanel()
    path = "/home/admin/.config/ocv-desktop/config.yaml"
    problems.set_problems(
        path,
        [
            f"{path}:4: nodes[0].type: must be one of docker, lxd, incus, proxmox, not 'hyper-v'",
            f"{path}:9: nodes[1].port: must be a whole number, not 'twenty-two'",
        ],
    )
    problems.resize(760, 560)
    yield "config-problems", problems
    report = ImportReport(
        source=Path("/home/admin/oneclickvirt-providers.yaml"),
        added=(
            NodeConfig(name="hk-docker", type=Platform.DOCKER, host="203.0.113.5"),
            NodeConfig(name="fra-pve", type=Platform.PROXMOX, host="198.51.100.20", port=2222),
        ),
        updated=(NodeConfig(name="lxd-01", type=Platform.LXD, host="198.51.100.30"),),
        errors=(ImportProblem("providers.yaml", 3, "broken", 41, "host: 'a b' is not a host name or IP address"),),
        warnings=(ImportProblem("providers.yaml", 1, "fra-pve", 17, "sshKey is ignored: keys are not imported"),),
    )
    yield "import-report", ImportReportDialog(None, report)
    yield (
        "error-expected",
        error_box(
            None,
            "Refresh failed",
            ConnectError(
                "cannot connect to root@192.0.2.10:22: connection refused", hint="is sshd running on the node?"
            ),
        ),
    )
    try:
        {}["missing"]  # a real traceback for the picture
    except KeyError as e:
        yield "error-unexpected", error_box(None, "Refresh failed", e)
    welcome = WelcomePanel()
    welcome.set_local_candidates(
        [
            LocalCandidate(Platform.DOCKER, "unix:///var/run/docker.sock", "Docker on this computer"),
            LocalCandidate(Platform.INCUS, "unix:///var/lib/incus/unix.socket", "Incus on this computer"),
        ]
    )
    welcome.resize(760, 560)
    yield "welcome", welcome
    yield from workspace_gallery()


def capture(out_dir: Path, theme: str) -> dict[str, Any]:
    """Show every gallery widget offscreen, save ``<name>.png``; return per widget its logical size,
    DPR and window title, and the font families that can draw Simplified Chinese."""
    from PySide6.QtGui import QFontDatabase, QPalette
    from PySide6.QtWidgets import QApplication

    from ocv_desktop.ui.i18n import install_translator
    from ocv_desktop.ui.theme import apply_palette

    app = QApplication.instance() or QApplication([])
    install_translator(app)  # type: ignore[arg-type]
    apply_palette(app, theme)  # type: ignore[arg-type]
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes: dict[str, dict[str, Any]] = {}
    for name, widget in gallery():
        widget.show()  # type: ignore[attr-defined]
        for _ in range(3):
            app.processEvents()
        pixmap = widget.grab()  # type: ignore[attr-defined]
        palette = widget.palette()  # type: ignore[attr-defined]
        pixmap.save(str(out_dir / f"{name}.png"))
        sizes[name] = {
            "width": widget.width(),  # type: ignore[attr-defined]
            "height": widget.height(),  # type: ignore[attr-defined]
            "pixel_width": pixmap.width(),
            "dpr": pixmap.devicePixelRatio(),
            "title": widget.windowTitle(),  # type: ignore[attr-defined]
            # the colours the picture must show: the theme's backgrounds (of the window and of its
            # views) and text drawn in the theme's text colours
            "backgrounds": [palette.color(r).name() for r in (QPalette.ColorRole.Window, QPalette.ColorRole.Base)],
            "text_colours": [palette.color(r).name() for r in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text)],
        }
        widget.close()  # type: ignore[attr-defined]
        widget.deleteLater()  # type: ignore[attr-defined]
    return {"widgets": sizes, "cjk_fonts": QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)}


SCREEN = (1920, 1080)  # the offscreen screen: a common desktop; at 200 % it is 960 x 540 logical


def _run_variant(name: str) -> dict[str, Any]:
    settings = VARIANTS[name]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screen = ARTIFACTS / "screen.json"
    screen.write_text(
        json.dumps({"screens": [{"name": "s", "x": 0, "y": 0, "width": SCREEN[0], "height": SCREEN[1], "dpr": 1}]}),
        encoding="utf-8",
    )
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={screen}", "QT_API": "pyside6"}
    env.update({k: v for k, v in settings.items() if k != "theme"})
    out = ARTIFACTS / name
    proc = subprocess.run(
        [sys.executable, "-m", "tests.ui.test_dialogs_screenshots", str(out), settings["theme"]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _colours(png: Path) -> Counter[tuple[int, int, int]]:
    """How many pixels of the picture have each colour."""
    from PySide6.QtGui import QImage

    image = QImage(str(png)).convertToFormat(QImage.Format.Format_RGB32)
    assert not image.isNull(), png
    data = bytes(image.constBits())  # B, G, R, 0xff per pixel (little-endian ARGB32)
    raw = Counter(data[i : i + 3] for i in range(0, len(data), 4))
    return Counter({(b[2], b[1], b[0]): n for b, n in raw.items()})


def _rgb(name: str) -> tuple[int, int, int]:
    return int(name[1:3], 16), int(name[3:5], 16), int(name[5:7], 16)


def _near(a: tuple[int, int, int], b: tuple[int, int, int], tolerance: int) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def assert_shows_the_theme_and_text(png: Path, size: dict[str, Any]) -> None:
    """The picture is the widget in its theme: its commonest colour is the palette's window or view
    background (a blank, black or wrong-theme picture fails), and text was drawn: pixels in the
    theme's text colour."""
    colours = _colours(png)
    background, _ = colours.most_common(1)[0]
    assert any(_near(background, _rgb(c), 8) for c in size["backgrounds"]), (png.name, background, size["backgrounds"])
    texts = [_rgb(c) for c in size["text_colours"]]
    ink = sum(n for colour, n in colours.items() if any(_near(colour, t, 40) for t in texts))
    assert ink >= 40, (png.name, ink, size["text_colours"])


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_dialog_renders(variant: str, qapp: Any) -> None:
    facts = _run_variant(variant)
    sizes = facts["widgets"]
    scale = float(VARIANTS[variant]["QT_SCALE_FACTOR"])
    language = VARIANTS[variant]["OCV_DESKTOP_LANG"]
    title = sizes["node-editor-new"]["title"]  # the variant's language, not English by fallback
    if language == "zh_CN":
        assert title == "添加节点"
        assert facts["cjk_fonts"], "no font draws Chinese: install fonts-noto-cjk (scripts/install-system-deps.sh)"
    elif language == "pseudo":
        assert title.startswith("[Åđđ ñöđé"), title
    else:
        assert title == "Add node"
    assert len(sizes) == 28  # every dialog state of gallery() made a picture
    for name, size in sizes.items():
        assert_shows_the_theme_and_text(ARTIFACTS / variant / f"{name}.png", size)
        assert size["dpr"] == scale, name
        assert size["pixel_width"] == round(size["width"] * scale), name
        if scale == 1 and not variant.startswith("pseudo"):
            assert size["width"] <= 1280, f"{name} is {size['width']} px wide"
        if name not in ("welcome", "config-problems"):  # a dialog fits the screen (its body scrolls when it must)
            assert size["width"] <= SCREEN[0] / scale and size["height"] <= SCREEN[1] / scale, (name, size)


if __name__ == "__main__":
    result = capture(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "light")
    print(json.dumps(result))
