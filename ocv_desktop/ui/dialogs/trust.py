"""Trust on first use, made explicit (DESIGN.md rule 4): SSH host keys and API certificates.

What the user sees decides whether trust-on-first-use protects anything, so the dialogs:
- show the fingerprint in a monospace, selectable label, with the exact command that prints the
  same fingerprint on the server, so it can be compared instead of clicked away;
- make Cancel the default button (Enter and Esc never trust anything);
- for a *changed* key or certificate: a red warning, the trusted and the presented fingerprint
  one above the other, and replacing needs a second, explicit confirmation. Both answers default
  to not replacing.

The CLI shows the same facts (cli/trust.py); the flow that records the answer (known_hosts,
config pin) belongs to the caller.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ocv_desktop.core.errors import CertificateChanged, CertificateUnknown, HostKeyChanged, HostKeyUnknown
from ocv_desktop.transport.tls import format_fingerprint
from ocv_desktop.ui.dialogs.base import ask_yes_no, run_and_dispose
from ocv_desktop.ui.dialogs.widgets import (
    FittingDialog,
    headline,
    mono_label,
    scrolling_body,
    text_label,
    warning_banner,
)


def host_key_file(key_type: str) -> str:
    """The server-side public key file for an SSH key type (what ``ssh-keygen -lf`` should read)."""
    for marker, name in (("ed25519", "ed25519"), ("ecdsa", "ecdsa"), ("rsa", "rsa"), ("dss", "dsa")):
        if marker in key_type:
            return f"/etc/ssh/ssh_host_{name}_key.pub"
    return "/etc/ssh/ssh_host_ed25519_key.pub"


def certificate_fingerprint_lines(fingerprint: str) -> str:
    """``AB:CD:...`` in two lines of 16 bytes (a full SHA-256 line is too wide to compare by eye)."""
    if not fingerprint:
        return "(none)"
    try:
        shown = format_fingerprint(fingerprint)
    except ValueError:
        return fingerprint
    return f"{shown[:47]}\n{shown[48:]}"


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class TrustDialog(FittingDialog):
    """One dialog for the four cases (host key or certificate, unknown or changed). Accepted means
    "trust" (unknown) or "replace" (changed; the caller then asks the second confirmation)."""

    def __init__(
        self, parent: QWidget | None, error: HostKeyUnknown | HostKeyChanged | CertificateUnknown | CertificateChanged
    ) -> None:
        super().__init__(parent)
        self.setObjectName("trustDialog")
        self.error = error
        self.changed = isinstance(error, HostKeyChanged | CertificateChanged)
        self.is_host_key = isinstance(error, HostKeyUnknown | HostKeyChanged)
        outer = QVBoxLayout(self)
        layout = scrolling_body(outer)
        layout.setSpacing(10)
        address = _address(error.host, error.port)
        if self.is_host_key:
            self._build_host_key(layout, address)
        else:
            self._build_certificate(layout, address)
        self._build_buttons(outer)
        self.setMinimumWidth(560)

    # --- SSH host keys ---------------------------------------------------------------------------

    def _build_host_key(self, layout: QVBoxLayout, address: str) -> None:
        error = self.error
        assert isinstance(error, HostKeyUnknown | HostKeyChanged)
        presented = f"{error.key_type}\n{error.fingerprint}"
        if isinstance(error, HostKeyChanged):
            self.setWindowTitle(self.tr("SSH host key changed"))
            layout.addWidget(
                warning_banner(self.tr("WARNING: the SSH host key of {address} has changed!").format(address=address))
            )
            layout.addWidget(
                text_label(
                    self.tr(
                        "The server presents a different host key from the one you trusted before, so "
                        "ocv-desktop did not connect. Either the server was reinstalled or its keys were "
                        "regenerated, or someone is intercepting the connection."
                    )
                )
            )
            layout.addWidget(text_label(self.tr("Trusted until now:")))
            layout.addWidget(mono_label(error.expected_fingerprint, object_name="expectedFingerprintLabel"))
            layout.addWidget(text_label(self.tr("Presented now:")))
            layout.addWidget(mono_label(presented, object_name="fingerprintLabel"))
        else:
            self.setWindowTitle(self.tr("Unknown SSH host key"))
            layout.addLayout(
                self._headline(
                    self.tr("First connection to {address}. Do you trust this server?").format(address=address)
                )
            )
            layout.addWidget(
                text_label(
                    self.tr(
                        "ocv-desktop has not connected to this server before. Its SSH host key has this fingerprint:"
                    )
                )
            )
            layout.addWidget(mono_label(presented, object_name="fingerprintLabel"))
        layout.addWidget(
            text_label(
                self.tr(
                    "To check it, run this on the server itself (at its console or through a connection "
                    "you already trust) and compare the SHA256 fingerprint:"
                )
            )
        )
        layout.addWidget(
            mono_label(f"ssh-keygen -lf {host_key_file(error.key_type)}", object_name="verifyCommandLabel")
        )
        layout.addWidget(
            text_label(self.tr("If the fingerprints differ, do not continue: the connection is not safe."))
        )

    # --- TLS certificates ------------------------------------------------------------------------

    def _build_certificate(self, layout: QVBoxLayout, address: str) -> None:
        error = self.error
        assert isinstance(error, CertificateUnknown | CertificateChanged)
        if isinstance(error, CertificateChanged):
            self.setWindowTitle(self.tr("API certificate changed"))
            layout.addWidget(
                warning_banner(
                    self.tr("WARNING: the API certificate of {address} has changed!").format(address=address)
                )
            )
            layout.addWidget(
                text_label(
                    self.tr(
                        "The server presents a different TLS certificate from the one you pinned, so "
                        "ocv-desktop did not connect. Either the server got a new certificate, or someone "
                        "is intercepting the connection."
                    )
                )
            )
            layout.addWidget(text_label(self.tr("Pinned until now (SHA-256):")))
            layout.addWidget(
                mono_label(
                    certificate_fingerprint_lines(error.expected_fingerprint), object_name="expectedFingerprintLabel"
                )
            )
            layout.addWidget(text_label(self.tr("Presented now (SHA-256):")))
        else:
            self.setWindowTitle(self.tr("Unknown API certificate"))
            layout.addLayout(
                self._headline(
                    self.tr("First connection to the API at {address}. Pin its certificate?").format(address=address)
                )
            )
            layout.addWidget(
                text_label(
                    self.tr(
                        "No certificate authority known to this computer signed this server's certificate. "
                        "LXD, Incus and Proxmox VE create such self-signed certificates themselves, so this "
                        "is normal at the first connection. Pin it only if its SHA-256 fingerprint matches "
                        "the one the server shows:"
                    )
                )
            )
        layout.addWidget(mono_label(certificate_fingerprint_lines(error.fingerprint), object_name="fingerprintLabel"))
        if error.fingerprint:
            layout.addWidget(text_label(self.tr("The same, as incus info and lxc info print it:")))
            layout.addWidget(
                mono_label(error.fingerprint.lower().replace(":", ""), object_name="plainFingerprintLabel")
            )
        layout.addWidget(text_label(self.tr("To see the fingerprint on the server:")))
        commands = "\n".join(
            (
                "# Incus",
                "incus info | grep certificate_fingerprint",
                "# LXD",
                "lxc info | grep certificate_fingerprint",
                "# Proxmox VE",
                "openssl x509 -noout -fingerprint -sha256 -in /etc/pve/local/pve-ssl.pem",
            )
        )
        layout.addWidget(mono_label(commands, object_name="verifyCommandLabel"))
        layout.addWidget(
            text_label(
                self.tr(
                    "On Proxmox VE it is also shown in the web interface under the node, System, Certificates "
                    "(use pveproxy-ssl.pem if you uploaded your own certificate)."
                )
            )
        )

    # --- common parts ----------------------------------------------------------------------------

    def _headline(self, text: str) -> QHBoxLayout:
        return headline(self, QStyle.StandardPixmap.SP_MessageBoxQuestion, text)

    def _build_buttons(self, layout: QVBoxLayout) -> None:
        if self.changed:
            accept_text = (
                self.tr("Replace trusted key…") if self.is_host_key else self.tr("Replace pinned certificate…")
            )
            role = QDialogButtonBox.ButtonRole.DestructiveRole
        else:
            accept_text = self.tr("Trust and connect") if self.is_host_key else self.tr("Pin certificate and connect")
            role = QDialogButtonBox.ButtonRole.AcceptRole
        self.trust_button = QPushButton(accept_text, objectName="trustButton")
        layout.addWidget(self.cancel_first_buttons(self.trust_button, role))  # Enter must never trust


async def _confirm_replacement(parent: QWidget | None, title: str, text: str) -> bool:
    return await ask_yes_no(
        parent,
        title,
        text,
        yes=QCoreApplication.translate("TrustDialog", "Replace"),
        no=QCoreApplication.translate("TrustDialog", "Keep the old one"),
        destructive=True,
    )


async def confirm_host_key(parent: QWidget | None, error: HostKeyUnknown | HostKeyChanged) -> bool:
    """Unknown key: True when the user trusts it. Changed key: True only when the user chooses to
    replace it *and* confirms that a second time."""
    dialog = TrustDialog(parent, error)
    if await run_and_dispose(dialog) != QDialog.DialogCode.Accepted:
        return False
    if isinstance(error, HostKeyChanged):
        return await _confirm_replacement(
            parent,
            QCoreApplication.translate("TrustDialog", "Replace the trusted SSH host key?"),
            QCoreApplication.translate(
                "TrustDialog",
                "Only continue if you checked on the server itself that its host key is now:\n\n{fingerprint}\n\n"
                "ocv-desktop will then trust this key instead of the old one for {address}.",
            ).format(fingerprint=f"{error.key_type} {error.fingerprint}", address=_address(error.host, error.port)),
        )
    return True


async def confirm_certificate(parent: QWidget | None, error: CertificateUnknown | CertificateChanged) -> bool:
    """Like ``confirm_host_key`` for an API server certificate (pin it / replace the pin)."""
    dialog = TrustDialog(parent, error)
    if await run_and_dispose(dialog) != QDialog.DialogCode.Accepted:
        return False
    if isinstance(error, CertificateChanged):
        return await _confirm_replacement(
            parent,
            QCoreApplication.translate("TrustDialog", "Replace the pinned API certificate?"),
            QCoreApplication.translate(
                "TrustDialog",
                "Only continue if you checked on the server itself that its certificate's SHA-256 fingerprint "
                "is now:\n\n{fingerprint}\n\nocv-desktop will then pin this certificate instead of the old one "
                "for {address}.",
            ).format(
                fingerprint=certificate_fingerprint_lines(error.fingerprint), address=_address(error.host, error.port)
            ),
        )
    return True
