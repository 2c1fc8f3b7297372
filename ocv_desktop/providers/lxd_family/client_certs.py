"""Client certificates for LXD/Incus nodes, kept in the home dir's ``certs/``.

One key pair per node (so revoking one node's trust never affects another). EC P-384, self-signed,
with the clientAuth usage, as the ``incus``/``lxc`` clients generate their own. The private key is
written through ``core.files.write_atomically``: a temporary file created 0600, renamed into place,
so a crash never leaves a half-written or world-readable key.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ocv_desktop.core.errors import ConfigError
from ocv_desktop.store.files import write_atomically
from ocv_desktop.store.home import Home
from ocv_desktop.store.oneclickvirt import certificate_fingerprint

VALIDITY_DAYS = 3650  # what the incus/lxc clients use for their own client certificates


@dataclass(frozen=True, slots=True)
class ClientCertificate:
    cert_path: Path
    key_path: Path
    fingerprint: str  # sha256 of the DER, hex: what `incus config trust list` shows

    @property
    def pem(self) -> str:
        return self.cert_path.read_text(encoding="ascii")


def _safe_stem(node_id: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", node_id).strip(".")
    if not stem:
        raise ConfigError(f"node id {node_id!r} cannot name a certificate file")
    return stem


def cert_paths(home: Home, node_id: str) -> tuple[Path, Path]:
    stem = _safe_stem(node_id)
    return home.certs_dir / f"{stem}.crt", home.certs_dir / f"{stem}.key"


def generate_client_certificate(home: Home, node_id: str, *, common_name: str | None = None) -> ClientCertificate:
    """Create (or replace) the node's key pair under ``home.certs_dir``. Blocking: call it through
    ``asyncio.to_thread`` from async code."""
    home.ensure()
    cert_path, key_path = cert_paths(home, node_id)
    key = ec.generate_private_key(ec.SECP384R1())
    cn = common_name or f"ocv-desktop@{socket.gethostname()}"
    name = x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ocv-desktop"), x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))  # tolerate a server clock slightly behind ours
        .not_valid_after(now + dt.timedelta(days=VALIDITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(key, hashes.SHA384())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    write_atomically(key_path, key_pem, mode=0o600)
    write_atomically(cert_path, cert_pem, mode=0o644)
    return ClientCertificate(cert_path, key_path, certificate_fingerprint(cert_path))


def load_client_certificate(cert_path: str | Path, key_path: str | Path) -> ClientCertificate:
    """An existing pair, checked: both files readable, the key private to the user."""
    cert_p, key_p = Path(cert_path).expanduser(), Path(key_path).expanduser()
    for p in (cert_p, key_p):
        if not p.is_file():
            raise ConfigError("file not found", path=str(p))
    if os.name == "posix" and key_p.stat().st_mode & 0o077:
        raise ConfigError("the private key is readable by other users", path=str(key_p), hint=f"run: chmod 600 {key_p}")
    return ClientCertificate(cert_p, key_p, certificate_fingerprint(cert_p))
