"""Trust dialogs: fingerprints shown to compare, Cancel by default, and a changed key or
certificate replaced only after two explicit confirmations."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QFrame, QLabel, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from ocv_desktop.core.errors import CertificateChanged, CertificateUnknown, HostKeyChanged, HostKeyUnknown
from ocv_desktop.ui.dialogs.trust import TrustDialog, confirm_certificate, confirm_host_key, host_key_file
from tests.ui.test_dialogs_support import result, start, visible_window

NEW = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"
OLD = "SHA256:Jm1Ht0Lc2oE0m0V8W5cP2l3b0dKq7rN1Qf9s8u4vXyA"
KEY = {"host": "10.77.0.2", "port": 2222, "key_type": "ssh-ed25519", "fingerprint": NEW}


def unknown_key() -> HostKeyUnknown:
    return HostKeyUnknown("not known", **KEY)


def changed_key() -> HostKeyChanged:
    return HostKeyChanged("changed", expected_fingerprint=OLD, **KEY)


def label(dialog: TrustDialog, name: str) -> QLabel:
    found = dialog.findChild(QLabel, name)
    assert found is not None, name
    return found


def test_unknown_host_key_shows_what_to_compare_and_cancel_is_the_default(qloop: object, qtbot: QtBot) -> None:
    task = start(confirm_host_key(None, unknown_key()))
    dialog = visible_window(qtbot, TrustDialog)
    fingerprint = label(dialog, "fingerprintLabel")
    assert fingerprint.text() == f"ssh-ed25519\n{NEW}"
    assert fingerprint.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert QFontInfo(fingerprint.font()).fixedPitch()  # compare character by character
    assert label(dialog, "verifyCommandLabel").text() == "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub"
    assert any("10.77.0.2:2222" in lb.text() for lb in dialog.findChildren(QLabel))
    cancel = dialog.findChild(QPushButton, "cancelButton")
    assert cancel.isDefault() and not dialog.findChild(QPushButton, "trustButton").isDefault()
    assert dialog.focusWidget() is cancel
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter must not trust
    assert result(qtbot, task) is False

    task = start(confirm_host_key(None, unknown_key()))
    dialog = visible_window(qtbot, TrustDialog, exclude=(dialog,))
    qtbot.mouseClick(dialog.findChild(QPushButton, "trustButton"), Qt.MouseButton.LeftButton)
    assert result(qtbot, task) is True


def test_changed_host_key_is_loud_and_not_replaced_by_one_click(qloop: object, qtbot: QtBot) -> None:
    task = start(confirm_host_key(None, changed_key()))
    dialog = visible_window(qtbot, TrustDialog)
    banner = dialog.findChild(QFrame, "warningBanner")  # the red strip
    assert banner is not None and banner.isVisible()
    assert "WARNING: the SSH host key of 10.77.0.2:2222 has changed!" in [
        lb.text() for lb in banner.findChildren(QLabel)
    ]
    assert label(dialog, "expectedFingerprintLabel").text() == OLD
    assert label(dialog, "fingerprintLabel").text() == f"ssh-ed25519\n{NEW}"
    qtbot.mouseClick(dialog.findChild(QPushButton, "cancelButton"), Qt.MouseButton.LeftButton)
    assert result(qtbot, task) is False

    # First confirmation given, the second refused (its default): still not replaced.
    task = start(confirm_host_key(None, changed_key()))
    dialog = visible_window(qtbot, TrustDialog, exclude=(dialog,))
    qtbot.mouseClick(dialog.findChild(QPushButton, "trustButton"), Qt.MouseButton.LeftButton)
    second = visible_window(qtbot, QMessageBox)
    assert NEW in second.text() and "10.77.0.2:2222" in second.text()
    assert second.defaultButton().text() == "Keep the old one"
    assert not task.done()
    qtbot.keyClick(second, Qt.Key.Key_Return)
    assert result(qtbot, task) is False

    # Both confirmations: replaced.
    task = start(confirm_host_key(None, changed_key()))
    dialog = visible_window(qtbot, TrustDialog, exclude=(dialog,))
    qtbot.mouseClick(dialog.findChild(QPushButton, "trustButton"), Qt.MouseButton.LeftButton)
    third = visible_window(qtbot, QMessageBox, exclude=(second,))
    qtbot.mouseClick(third.findChild(QPushButton, "yesButton"), Qt.MouseButton.LeftButton)
    assert result(qtbot, task) is True


def test_unknown_certificate_shows_both_fingerprint_forms_and_how_to_check(
    qloop: object, qtbot: QtBot, tmp_path: Path
) -> None:
    from tests.unit.test_oneclickvirt import make_cert, openssl_fingerprint

    pem, _ = make_cert(tmp_path)
    hexdigits = openssl_fingerprint(pem)  # what the server-side command prints, computed by openssl itself
    error = CertificateUnknown("unknown", host="pve.lan", port=8006, fingerprint=hexdigits)
    task = start(confirm_certificate(None, error))
    dialog = visible_window(qtbot, TrustDialog)
    shown = label(dialog, "fingerprintLabel").text()
    openssl_line = subprocess.run(
        ["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", str(pem)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert shown.replace("\n", ":") == openssl_line.split("=", 1)[1]  # the same text as openssl's
    assert label(dialog, "plainFingerprintLabel").text() == hexdigits  # as `incus info` prints it
    commands = label(dialog, "verifyCommandLabel").text()
    assert "openssl x509 -noout -fingerprint -sha256 -in /etc/pve/local/pve-ssl.pem" in commands
    assert "incus info" in commands and "lxc info" in commands
    assert dialog.findChild(QPushButton, "cancelButton").isDefault()
    qtbot.mouseClick(dialog.findChild(QPushButton, "trustButton"), Qt.MouseButton.LeftButton)
    assert result(qtbot, task) is True


def test_changed_certificate_needs_two_confirmations(qloop: object, qtbot: QtBot) -> None:
    error = CertificateChanged(
        "changed", host="pve.lan", port=8006, fingerprint="3f" * 32, expected_fingerprint="c0" * 32
    )
    task = start(confirm_certificate(None, error))
    dialog = visible_window(qtbot, TrustDialog)
    assert label(dialog, "expectedFingerprintLabel").text().startswith("C0:C0:")
    assert label(dialog, "fingerprintLabel").text().startswith("3F:3F:")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert result(qtbot, task) is False

    task = start(confirm_certificate(None, error))
    dialog = visible_window(qtbot, TrustDialog, exclude=(dialog,))
    qtbot.mouseClick(dialog.findChild(QPushButton, "trustButton"), Qt.MouseButton.LeftButton)
    second = visible_window(qtbot, QMessageBox)
    qtbot.keyClick(second, Qt.Key.Key_Escape)
    assert result(qtbot, task) is False

    task = start(confirm_certificate(None, error))
    dialog = visible_window(qtbot, TrustDialog, exclude=(dialog,))
    qtbot.mouseClick(dialog.findChild(QPushButton, "trustButton"), Qt.MouseButton.LeftButton)
    third = visible_window(qtbot, QMessageBox, exclude=(second,))
    assert "3F:3F:" in third.text()
    qtbot.mouseClick(third.findChild(QPushButton, "yesButton"), Qt.MouseButton.LeftButton)
    assert result(qtbot, task) is True


@pytest.mark.parametrize(
    ("key_type", "path"),
    [
        ("ssh-ed25519", "/etc/ssh/ssh_host_ed25519_key.pub"),
        ("ecdsa-sha2-nistp256", "/etc/ssh/ssh_host_ecdsa_key.pub"),
        ("ssh-rsa", "/etc/ssh/ssh_host_rsa_key.pub"),
        ("rsa-sha2-512", "/etc/ssh/ssh_host_rsa_key.pub"),
    ],
)
def test_the_verify_command_reads_the_key_file_of_that_type(key_type: str, path: str) -> None:
    assert host_key_file(key_type) == path
