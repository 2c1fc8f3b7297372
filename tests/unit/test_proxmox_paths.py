"""API paths built from node data: each part is one encoded segment (issue 12 item 9)."""

from __future__ import annotations

from ocv_desktop.providers.proxmox.provider import _guest


def test_guest_path_encodes_a_node_name_from_the_cluster():
    # /cluster/resources is the node's data; a '/' or '?' in a node name must not pick another endpoint.
    guest = _guest({"vmid": 101, "type": "lxc", "node": "pve 1/../access?x", "name": "web"})
    assert guest.path == "/nodes/pve%201%2F..%2Faccess%3Fx/lxc/101"


def test_guest_path_of_an_ordinary_node_is_unchanged():
    assert _guest({"vmid": 100, "type": "qemu", "node": "pve-1"}).path == "/nodes/pve-1/qemu/100"
