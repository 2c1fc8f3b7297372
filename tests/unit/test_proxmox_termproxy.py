"""providers/proxmox/termproxy.py without a server: the console ticket's URL and its secrecy."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from ocv_desktop.core.errors import ApiError
from ocv_desktop.providers.proxmox.termproxy import parse_proxy_ticket, websocket_url
from ocv_desktop.transport.http import ApiClient

# Real PVE console tickets are base64 with '+', '/' and '=' after the "PVEVNC:" prefix.
TICKET = "PVEVNC:6745A1B2::Zm9v+YmFy/YmF6=="


def test_a_ticket_and_password_stay_out_of_repr():
    proxy = parse_proxy_ticket(
        {"port": "5900", "ticket": TICKET, "user": "root@pam", "upid": "UPID:x", "password": "s3cret"}, "vncproxy"
    )
    assert (proxy.port, proxy.user, proxy.password) == ("5900", "root@pam", "s3cret")
    assert TICKET not in repr(proxy) and "s3cret" not in repr(proxy)  # a logged object leaks nothing


@pytest.mark.parametrize(
    "data", [None, [], {"port": "5900", "user": "u"}, {"port": "x", "ticket": "t", "user": "u"}, {"ticket": "t"}]
)
def test_an_answer_without_port_ticket_or_user_is_refused(data):
    with pytest.raises(ApiError):
        parse_proxy_ticket(data, "termproxy")


async def test_every_part_of_the_websocket_url_is_encoded():
    client = ApiClient("https://[fd00::5]:8006/api2/json", server_fingerprint="ab" * 32)
    try:
        proxy = parse_proxy_ticket({"port": 5900, "ticket": TICKET, "user": "root@pam"}, "termproxy")
        url = websocket_url(client, "/nodes/pve1/qemu/100", proxy)
    finally:
        await client.close()
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "wss",
        "[fd00::5]:8006",
        "/api2/json/nodes/pve1/qemu/100/vncwebsocket",
    )
    assert "+" not in parts.query and "/" not in parts.query  # '+' would arrive as a space
    assert parse_qs(parts.query) == {"port": ["5900"], "vncticket": [TICKET]}
