"""Reading OneClickVirt provider YAML (the seed README's format) for import."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import textwrap
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ocv_desktop.core.errors import ConfigError
from ocv_desktop.core.models import AuthMethod, Platform
from ocv_desktop.store.oneclickvirt import certificate_fingerprint, read_oneclickvirt, split_api_token
from tests.shared_files import REFERENCE, require_path

SEED_README = REFERENCE / "seed-provider-package-README.zh.md"


def seed_example() -> str:
    """The YAML block of the seed README's 配置文件格式 section, verbatim."""
    hint = "check out the team's shared folder (../shared/reference) or set OCV_SHARED"
    text = require_path(SEED_README, "the seed provider README", hint).read_text(encoding="utf-8")
    match = re.search(r"## 配置文件格式.*?```yaml\n(.*?)```", text, re.S)
    assert match, "the seed README has no YAML example any more"
    return match.group(1)


def make_cert(folder: Path, name: str = "server") -> tuple[Path, Path]:
    """A self-signed server certificate as PEM and DER files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = folder / f"{name}.crt"
    der = folder / f"{name}.der"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    der.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    return pem, der


def openssl_fingerprint(pem: Path) -> str:
    out = subprocess.run(
        ["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", str(pem)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().split("=", 1)[1].replace(":", "").lower()


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_seed_readme_example(tmp_path: Path) -> None:
    path = tmp_path / "providers.yaml"
    path.write_text(seed_example(), encoding="utf-8")
    plan = read_oneclickvirt(path)

    docker, lxd, proxmox = plan.entries
    assert (docker.name, docker.fields["type"], docker.fields["host"]) == (
        "docker-node-1",
        Platform.DOCKER,
        "192.168.1.100",
    )
    assert docker.fields["auth"] is AuthMethod.PASSWORD
    assert docker.secrets.ssh_password == "password"
    assert proxmox.fields["api_token_id"] == "user@pam!token"  # not doubled, no secret in it
    assert proxmox.secrets.api_token_secret == "uuid"
    assert proxmox.fields["api_endpoint"] == "https://192.168.1.102:8006/api2/json"

    # The LXD entry's certificate paths exist only on the OneClickVirt server: the node is imported
    # without pin and client certificate, and each missing file is a warning with its line.
    assert not plan.errors
    assert lxd.name == "lxd-cluster-1" and lxd.fields["host"] == "192.168.1.101"
    assert not {"server_cert_fingerprint", "client_cert", "client_key"} & set(lxd.fields)
    by_key = {w.message.split(":")[0]: w for w in plan.warnings}
    assert set(by_key) == {"server_cert", "client_cert", "client_key"}
    pin = by_key["server_cert"]
    assert pin.line == 1 + seed_example().splitlines().index('    server_cert: "/path/to/server.crt"')
    assert "no certificate was pinned" in pin.message and "confirm on first connect" in pin.message
    assert "client certificate was not imported" in by_key["client_cert"].message
    assert str(pin).startswith(f"{path}:{pin.line}: providers[1] (lxd-cluster-1): ")


def test_server_cert_is_pinned_by_fingerprint(tmp_path: Path) -> None:
    pem, der = make_cert(tmp_path)
    expected = openssl_fingerprint(pem)
    assert certificate_fingerprint(pem) == expected
    assert certificate_fingerprint(der) == expected
    path = write(
        tmp_path / "p.yaml",
        """
        providers:
          - name: lxd-1
            type: lxd
            host: 10.0.0.9
            client_cert: certs/client.crt
            client_key: certs/client.key
            server_cert: server.crt
        """,
    )
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "client.crt").write_text("cert")
    (tmp_path / "certs" / "client.key").write_text("key")
    (entry,) = read_oneclickvirt(path).entries
    assert entry.fields["server_cert_fingerprint"] == expected
    # relative paths are relative to the imported file, and kept as paths
    assert entry.fields["client_cert"] == str(tmp_path / "certs" / "client.crt")
    assert entry.fields["client_key"] == str(tmp_path / "certs" / "client.key")
    assert "auth" not in entry.fields  # no password: the node keeps agent (or its current) auth


def test_warns_about_missing_client_cert_files(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml",
        "providers:\n  - {name: a, type: incus, host: h, client_cert: /no/c.crt, client_key: /no/c.key}\n",
    )
    plan = read_oneclickvirt(path)
    assert len(plan.entries) == 1 and not plan.errors
    assert [w.message.split(":")[0] for w in plan.warnings] == ["client_cert", "client_key"]
    # A path that does not exist here is not imported: it would only break the API road.
    assert "client_cert" not in plan.entries[0].fields and "client_key" not in plan.entries[0].fields


# --- hostile files (issue 12 item 8) -------------------------------------------------------------------


def test_server_cert_that_is_dev_zero_is_refused_not_read(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", "providers:\n  - {name: a, type: lxd, host: h, server_cert: /dev/zero}\n")
    (error,) = read_oneclickvirt(path).errors  # before: read /dev/zero until memory ran out
    assert "server_cert: cannot read /dev/zero" in error.message and "not a regular file" in error.message


@pytest.mark.timeout(20)
def test_server_cert_that_is_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "server.crt"
    os.mkfifo(fifo)  # nobody ever writes to it: opening it for reading would block forever
    path = write(tmp_path / "p.yaml", "providers:\n  - {name: a, type: lxd, host: h, server_cert: server.crt}\n")
    (error,) = read_oneclickvirt(path).errors
    assert "not a regular file" in error.message


def test_a_huge_server_cert_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "server.crt"
    with big.open("wb") as fh:
        fh.truncate(64 * 2**20)  # sparse: 64 MiB that takes no disk
    path = write(tmp_path / "p.yaml", "providers:\n  - {name: a, type: lxd, host: h, server_cert: server.crt}\n")
    (error,) = read_oneclickvirt(path).errors
    assert "larger than" in error.message


def test_the_import_file_itself_must_be_a_regular_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"is not a file|not a regular file"):
        read_oneclickvirt(Path("/dev/zero"))


@pytest.mark.parametrize("endpoint", ["unix:///var/lib/incus/unix.socket", "UNIX:///run/docker.sock"])
def test_a_unix_socket_endpoint_is_refused_for_a_remote_entry(tmp_path: Path, endpoint: str) -> None:
    path = write(
        tmp_path / "p.yaml",
        f"providers:\n  - {{name: a, type: incus, host: 10.0.0.5, api_endpoint: '{endpoint}'}}\n",
    )
    plan = read_oneclickvirt(path)
    (error,) = plan.errors
    assert not plan.entries and error.line == 2
    assert "api_endpoint: a unix:// socket is a daemon on this computer" in error.message


def test_a_file_that_is_not_a_certificate(tmp_path: Path) -> None:
    (tmp_path / "server.crt").write_text("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n")
    path = write(tmp_path / "p.yaml", "providers:\n  - {name: a, type: lxd, host: h, server_cert: server.crt}\n")
    (error,) = read_oneclickvirt(path).errors
    assert "is not a certificate" in error.message and error.line == 2


def test_chinese_names_raw_passwords_and_quoted_ports(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml",
        """
        providers:
          - name: 北京-docker
            type: docker
            host: 10.1.0.2
            port: "2222"
            password: 0123
          - name: 广州 Proxmox
            type: proxmoxve
            host: pve.example.cn
            api_token: root@pam!ocv=root@pam!ocv=0f9e8d7c
        """,
    )
    first, second = read_oneclickvirt(path).entries
    assert first.name == "北京-docker" and first.fields["port"] == 2222
    assert first.secrets.ssh_password == "0123"  # as written, not the octal number 83
    assert second.name == "广州 Proxmox" and second.fields["type"] is Platform.PROXMOX
    assert second.fields["api_token_id"] == "root@pam!ocv"
    assert second.secrets.api_token_secret == "0f9e8d7c"  # the doubled prefix of the original is removed


def test_bad_entries_are_reported_with_lines_and_the_rest_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml",
        """
        providers:
          - name: good-1
            type: docker
            host: 10.0.0.1
          - name: bad-type
            type: vmware
            host: 10.0.0.2
          - name: no-host
            type: lxd
          - name: bad-token
            type: proxmox
            host: 10.0.0.3
            api_token: just-an-id
          - name: typo
            type: docker
            hots: 10.0.0.4
          - just a string
          - name: good-1
            type: docker
            host: 10.0.0.5
          - name: bad-port
            type: docker
            host: 10.0.0.6
            port: 99999
          - name: 好的
            type: incus
            host: 10.0.0.7
        """,
    )
    plan = read_oneclickvirt(path)
    assert [e.name for e in plan.entries] == ["good-1", "bad-port", "好的"]  # bad-port fails when built
    got = [(p.index, p.name, p.line, p.message.split(":")[0]) for p in plan.errors]
    assert got == [
        (1, "bad-type", 6, "type"),
        (2, "no-host", 8, "host"),
        (3, "bad-token", 13, "api_token"),
        (4, "typo", 16, "hots"),
        (4, "typo", 14, "host"),
        (5, None, 17, "must be a mapping, not 'just a string'"),
        (6, "good-1", 18, "name"),
    ]
    assert "appears twice in this file (first on line 2)" in plan.errors[-1].message
    bad_port = plan.entries[1]
    node, problems = bad_port.build(None, str(path))
    assert node is None
    assert [(p.line, p.message) for p in problems] == [(24, "port: must be between 1 and 65535, not 99999")]


def test_split_api_token() -> None:
    assert split_api_token("user@pam!token=uuid") == ("user@pam!token", "uuid")
    assert split_api_token(" a@pve!t = s=with=equals ") == ("a@pve!t", "s=with=equals")
    for bad in ("no-secret", "=secret", "id="):
        with pytest.raises(ValueError, match="USER@REALM!TOKENID=SECRET"):
            split_api_token(bad)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("providers: [\n", "not valid YAML"),
        ("nodes: []\n", "unknown key"),
        ("providers: {a: 1}\n", "must have a `providers:` list"),
        ("- a\n", "must be a mapping"),
    ],
)
def test_unusable_files_raise(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        read_oneclickvirt(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        read_oneclickvirt(tmp_path / "nope.yaml")


def test_an_import_file_nested_20000_deep_is_a_config_error(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", "providers: " + "[" * 20_000 + "]" * 20_000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        read_oneclickvirt(path)
