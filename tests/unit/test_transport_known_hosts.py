"""The app's known_hosts file: OpenSSH format in and out, TOFU decisions, no silent replacement."""

from __future__ import annotations

import subprocess
from pathlib import Path

import asyncssh
import pytest

from ocv_desktop.core.errors import HostKeyChanged
from ocv_desktop.transport.known_hosts import (
    forget_host_key,
    host_pattern,
    key_info,
    parse_public_key,
    recorded_host_keys,
    trust_host_key,
)


def new_key() -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519").convert_to_public()


def openssh(key: asyncssh.SSHKey) -> str:
    return key_info(key).openssh_line


def test_host_pattern_follows_openssh() -> None:
    assert host_pattern("10.77.0.2", 22) == "10.77.0.2"
    assert host_pattern("10.77.0.2", 2222) == "[10.77.0.2]:2222"
    assert host_pattern("Node1.Example", 22) == "node1.example"
    assert host_pattern("::1", 2222) == "[::1]:2222"
    assert host_pattern("[::1]", 22) == "::1"


def test_key_info_matches_ssh_keygen(tmp_path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "k")], check=True)
    pub = (tmp_path / "k.pub").read_text()
    printed = subprocess.run(
        ["ssh-keygen", "-l", "-E", "sha256", "-f", str(tmp_path / "k.pub")], check=True, capture_output=True, text=True
    ).stdout.split()[1]
    info = key_info(parse_public_key(pub))
    assert info.key_type == "ssh-ed25519"
    assert info.fingerprint == printed
    assert info.openssh_line == " ".join(pub.split()[:2])


def test_trust_writes_openssh_lines_and_is_idempotent(tmp_path: Path) -> None:
    kh = tmp_path / "home" / "known_hosts"
    a, b = new_key(), new_key()
    trust_host_key(kh, "10.77.0.2", 22, openssh(a))
    trust_host_key(kh, "10.77.0.2", 2222, f"10.77.0.2 {openssh(b)} comment")  # a known_hosts line works too
    trust_host_key(kh, "10.77.0.2", 22, a)
    assert kh.read_text().splitlines() == [f"10.77.0.2 {openssh(a)}", f"[10.77.0.2]:2222 {openssh(b)}"]
    assert kh.stat().st_mode & 0o777 == 0o600
    assert recorded_host_keys(kh, "10.77.0.2", 22) == [a]
    assert recorded_host_keys(kh, "10.77.0.2", 2222) == [b]
    # Unlike asyncssh's matcher, a port-22 entry never vouches for another port.
    assert recorded_host_keys(kh, "10.77.0.2", 2200) == []
    # OpenSSH's own client accepts the file as written.
    found = subprocess.run(
        ["ssh-keygen", "-F", "[10.77.0.2]:2222", "-f", str(kh)], check=True, capture_output=True, text=True
    )
    assert openssh(b) in found.stdout


def test_a_different_key_is_refused_unless_replaced_explicitly(tmp_path: Path) -> None:
    kh = tmp_path / "known_hosts"
    old, new = new_key(), new_key()
    trust_host_key(kh, "node1", 22, old)
    before = kh.read_text()
    with pytest.raises(HostKeyChanged) as info:
        trust_host_key(kh, "node1", 22, new)
    assert info.value.fingerprint == key_info(new).fingerprint
    assert info.value.expected_fingerprint == key_info(old).fingerprint
    assert kh.read_text() == before
    trust_host_key(kh, "node1", 22, new, replace=True)
    assert recorded_host_keys(kh, "node1", 22) == [new]


def test_hashed_entries_from_ssh_keygen_are_understood(tmp_path: Path) -> None:
    kh = tmp_path / "known_hosts"
    key = new_key()
    kh.write_text(f"[10.77.1.2]:2222 {openssh(key)}\n")
    subprocess.run(["ssh-keygen", "-H", "-f", str(kh)], check=True, capture_output=True)
    assert kh.read_text().startswith("|1|")
    assert recorded_host_keys(kh, "10.77.1.2", 2222) == [key]
    assert recorded_host_keys(kh, "10.77.1.3", 2222) == []


def test_wildcards_markers_and_junk_never_match(tmp_path: Path) -> None:
    kh = tmp_path / "known_hosts"
    key = new_key()
    kh.write_text(
        f"# comment\n* {openssh(key)}\n10.77.* {openssh(key)}\n@cert-authority 10.77.0.2 {openssh(key)}\n"
        "10.77.0.2 ssh-ed25519 not-base64\nbroken\n"
    )
    assert recorded_host_keys(kh, "10.77.0.2", 22) == []


def test_forget_removes_only_that_host(tmp_path: Path) -> None:
    kh = tmp_path / "known_hosts"
    a, b = new_key(), new_key()
    kh.write_text(f"node1,node2 {openssh(a)}\n[node1]:2222 {openssh(b)}\n")
    assert forget_host_key(kh, "node1", 22) == 1
    assert kh.read_text().splitlines() == [f"node2 {openssh(a)}", f"[node1]:2222 {openssh(b)}"]
    assert forget_host_key(kh, "node9", 22) == 0


def test_parse_public_key_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="not an OpenSSH public key"):
        parse_public_key("hello world")
