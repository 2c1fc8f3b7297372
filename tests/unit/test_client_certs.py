"""Client certificates for LXD/Incus: written private from the start, usable for TLS client auth."""

from __future__ import annotations

import os
import ssl
import stat

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from ocv_desktop.core.errors import ConfigError
from ocv_desktop.providers.lxd_family.client_certs import generate_client_certificate, load_client_certificate
from ocv_desktop.store.home import Home
from tests.unit.test_oneclickvirt import openssl_fingerprint


def test_generate_writes_a_private_key_and_a_client_auth_certificate(tmp_path):
    home = Home(tmp_path / "home")
    cert = generate_client_certificate(home, "node/1")  # a '/' must not escape certs/
    assert cert.cert_path.parent == home.certs_dir == cert.key_path.parent
    assert stat.S_IMODE(os.stat(cert.key_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(home.certs_dir).st_mode) == 0o700
    parsed = x509.load_pem_x509_certificate(cert.cert_path.read_bytes())
    usage = parsed.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in usage
    assert cert.fingerprint == openssl_fingerprint(cert.cert_path)  # what `incus config trust list` shows
    ssl.create_default_context().load_cert_chain(cert.cert_path, cert.key_path)  # the pair matches
    assert not list(home.certs_dir.glob(".*.tmp"))


def test_regenerating_replaces_the_pair(tmp_path):
    home = Home(tmp_path)
    first = generate_client_certificate(home, "n1")
    second = generate_client_certificate(home, "n1")
    assert first.cert_path == second.cert_path and first.fingerprint != second.fingerprint


def test_load_refuses_a_key_others_can_read(tmp_path):
    cert = generate_client_certificate(Home(tmp_path), "n1")
    assert load_client_certificate(cert.cert_path, cert.key_path).fingerprint == cert.fingerprint
    os.chmod(cert.key_path, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_client_certificate(cert.cert_path, cert.key_path)
    with pytest.raises(ConfigError, match="not found"):
        load_client_certificate(tmp_path / "nope.crt", cert.key_path)
