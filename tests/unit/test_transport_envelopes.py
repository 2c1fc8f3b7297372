"""Envelope parsing edge cases (api-contracts.md §6) for LXD/Incus and Proxmox, on wire-shaped answers.

The bodies follow the real wire formats quoted in api-contracts.md (Incus ``response.go`` /
``errorResponse.Render``, PVE ``Formatter/Standard.pm``), including the forms a live server gives
rarely and the lab cannot provoke (a wait whose 200 is followed by an error envelope, a plain-text
proxy error).
"""

from __future__ import annotations

import json

import httpx
import pytest

from ocv_desktop.core.errors import ApiError, AuthError, ConfigError, NotFound, OperationFailed
from ocv_desktop.core.models import NodeConfig, Platform
from ocv_desktop.providers.lxd_family.api import _check_operation, _operation_path, decode_envelope
from ocv_desktop.providers.proxmox.api import (
    decode_pve_response,
    pve_endpoint,
    pve_token_header,
    task_succeeded,
    totp_code,
    upid_node,
)


def response(status: int, body: object = None, *, text: str | None = None, reason: str | None = None) -> httpx.Response:
    content = text.encode() if text is not None else json.dumps(body).encode()
    headers = {"content-type": "text/plain" if text is not None else "application/json"}
    extensions = {"reason_phrase": reason.encode()} if reason is not None else {}
    return httpx.Response(status, content=content, headers=headers, extensions=extensions)


def lxd_envelope(
    kind: str,
    *,
    status_code: int = 200,
    metadata: object = None,
    operation: str = "",
    error_code: int = 0,
    error: str = "",
) -> dict[str, object]:
    status = {"sync": "Success", "async": "Operation created", "error": ""}[kind]
    return {
        "type": kind,
        "status": status,
        "status_code": status_code,
        "operation": operation,
        "error_code": error_code,
        "error": error,
        "metadata": metadata,
    }


def operation(status_code: int, err: str = "", status: str = "") -> dict[str, object]:
    return {
        "id": "5d4c3b2a",
        "class": "task",
        "description": "Starting instance",
        "status": status,
        "status_code": status_code,
        "err": err,
        "metadata": None,
        "may_cancel": False,
    }


# --- LXD / Incus --------------------------------------------------------------------------------


def test_sync_envelope_gives_metadata_and_etag() -> None:
    resp = response(200, lxd_envelope("sync", metadata={"auth": "trusted"}))
    resp.headers["ETag"] = '"abc"'
    answer = decode_envelope(resp, "GET /1.0")
    assert answer.type == "sync"
    assert answer.metadata == {"auth": "trusted"}
    assert answer.operation == ""
    assert answer.etag == '"abc"'


def test_async_envelope_keeps_the_operation_url() -> None:
    body = lxd_envelope(
        "async",
        status_code=100,
        operation="/1.0/operations/5d4c3b2a?project=p1",
        metadata=operation(103, status="Running"),
    )
    answer = decode_envelope(response(202, body), "PUT /1.0/instances/c1/state")
    assert answer.type == "async"
    assert answer.operation == "/1.0/operations/5d4c3b2a?project=p1"
    assert _operation_path(answer.operation) == ("/1.0/operations/5d4c3b2a", {"project": "p1"})
    assert _operation_path("5d4c3b2a") == ("/1.0/operations/5d4c3b2a", {})


def test_error_envelope_404_is_not_found_with_the_server_message() -> None:
    body = lxd_envelope("error", status_code=0, error_code=404, error="Instance not found")
    with pytest.raises(NotFound, match="Instance not found"):
        decode_envelope(response(404, body), "GET /1.0/instances/x")


def test_error_envelope_403_is_an_auth_error() -> None:
    body = lxd_envelope("error", status_code=0, error_code=403, error="not authorized")
    with pytest.raises(AuthError, match="not authorized"):
        decode_envelope(response(403, body), "GET /1.0/instances")


def test_error_envelope_after_http_200_is_still_an_error() -> None:
    # The wait subtlety: the status line said 200 before the server knew the outcome.
    body = lxd_envelope("error", status_code=0, error_code=500, error="Failed to render operation")
    with pytest.raises(ApiError, match="Failed to render operation") as info:
        decode_envelope(response(200, body), "GET /1.0/operations/x/wait")
    assert info.value.status == 500


def test_error_envelope_without_error_code_uses_the_http_status() -> None:
    body = {"type": "error", "error": "bad request", "error_code": 0}
    with pytest.raises(ApiError, match="bad request") as info:
        decode_envelope(response(400, body), "POST /1.0/instances")
    assert info.value.status == 400


def test_non_envelope_bodies_are_rejected() -> None:
    with pytest.raises(ApiError, match="not an LXD/Incus response"):
        decode_envelope(response(200, ["/1.0/instances/c1"]), "GET /1.0/instances")
    with pytest.raises(ApiError, match="Bad Gateway"):
        decode_envelope(response(502, text="<html>bad gateway</html>", reason="Bad Gateway"), "GET /1.0")


def test_wait_answer_is_judged_by_the_operation_status_code() -> None:
    assert _check_operation(operation(200, status="Success"), "wait") is True
    # A wait that timed out server-side returns the operation still running, as a sync 200.
    assert _check_operation(operation(103, status="Running"), "wait") is False
    assert _check_operation(operation(105, status="Pending"), "wait") is False
    with pytest.raises(OperationFailed, match="Starting instance failed: Failed to run: no init"):
        _check_operation(operation(400, err="Failed to run: no init", status="Failure"), "wait")
    with pytest.raises(OperationFailed, match="cancelled"):
        _check_operation(operation(401, status="Cancelled"), "wait")
    with pytest.raises(ApiError, match="no operation"):
        _check_operation(None, "wait")


# --- Proxmox VE ---------------------------------------------------------------------------------


def test_pve_success_envelope() -> None:
    body = decode_pve_response(response(200, {"data": {"version": "9.0.10"}, "total": 1}), "GET /version")
    assert body == {"data": {"version": "9.0.10"}, "total": 1}
    # A null result (e.g. PUT .../config) is a valid success.
    assert decode_pve_response(response(200, {"data": None}), "PUT /x")["data"] is None


def test_pve_parameter_errors_with_message() -> None:
    body = {
        "data": None,
        "message": "Parameter verification failed.\n",
        "errors": {"memory": "type check ('integer') failed - got 'lots'", "cores": "value must be >= 1\n"},
    }
    with pytest.raises(ApiError) as info:
        decode_pve_response(response(400, body, reason="Parameter verification failed."), "POST /nodes/pve1/qemu")
    err = info.value
    assert err.status == 400
    assert err.reason == "POST /nodes/pve1/qemu: Parameter verification failed."
    assert err.field_errors == {"memory": "type check ('integer') failed - got 'lots'", "cores": "value must be >= 1"}
    assert "memory: type check" in str(err)


def test_pve_parameter_errors_without_message_use_the_reason_phrase() -> None:
    # Servers before libpve-http-server-perl 5.2.0 put the message only in the reason phrase.
    body = {"data": None, "errors": {"vmid": "VM 100 already exists"}}
    with pytest.raises(ApiError) as info:
        decode_pve_response(response(400, body, reason="Parameter verification failed."), "POST /nodes/pve1/lxc")
    assert info.value.reason.endswith("Parameter verification failed.")
    assert info.value.field_errors == {"vmid": "VM 100 already exists"}


def test_pve_handler_error_message_in_reason_phrase_only() -> None:
    with pytest.raises(ApiError, match="VM is locked \\(backup\\)") as info:
        decode_pve_response(response(500, {"data": None}, reason="VM is locked (backup)"), "POST /x/status/start")
    assert info.value.status == 500
    assert info.value.field_errors == {}


def test_pve_plain_text_bodies() -> None:
    with pytest.raises(AuthError, match="authentication failure"):
        decode_pve_response(response(401, text="authentication failure\n", reason="authentication failure"), "GET /")
    # A proxy error: standard reason phrase, the useful words are in the text body.
    with pytest.raises(ApiError, match="proxy loop detected") as info:
        decode_pve_response(response(500, text="proxy loop detected\n", reason="Internal Server Error"), "GET /x")
    assert info.value.status == 500
    html = "<html><head><title>502</title></head><body>\n<h1>upstream timed out</h1></body></html>"
    with pytest.raises(ApiError, match=r"GET /x: upstream timed out$") as info:
        decode_pve_response(response(502, text=html, reason="Bad Gateway"), "GET /x")
    with pytest.raises(ApiError, match="No route to host") as info:
        decode_pve_response(response(595, text="", reason="No route to host"), "GET /nodes/pve2/status")
    assert info.value.status == 595


def test_pve_missing_guest_is_not_found() -> None:
    with pytest.raises(NotFound, match="does not exist"):
        decode_pve_response(
            response(500, {"data": None}, reason="Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist"),
            "GET /nodes/pve1/qemu/999/status/current",
        )


def test_pve_success_status_with_a_foreign_body_is_rejected() -> None:
    with pytest.raises(ApiError, match="not a Proxmox API response"):
        decode_pve_response(response(200, text="<html>login</html>"), "GET /version")


def test_token_header_never_doubles_the_prefix() -> None:
    expected = "PVEAPIToken=root@pam!ci=0b7e1c2a-uuid"
    assert pve_token_header("root@pam!ci", "0b7e1c2a-uuid") == expected
    assert pve_token_header("PVEAPIToken=root@pam!ci", "0b7e1c2a-uuid") == expected
    assert pve_token_header("root@pam!ci", "root@pam!ci=0b7e1c2a-uuid") == expected
    assert pve_token_header("root@pam!ci=0b7e1c2a-uuid", "") == expected
    with pytest.raises(ConfigError):
        pve_token_header("root@pam", "secret")


def test_totp_matches_the_rfc_6238_vectors() -> None:
    seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890" (RFC 6238 SHA-1 key)
    assert totp_code(seed, at=59, digits=8) == "94287082"
    assert totp_code(seed, at=1111111109, digits=8) == "07081804"
    assert totp_code(seed, at=1234567890, digits=8) == "89005924"
    assert totp_code(seed.lower(), at=59) == "287082"
    # the rest of RFC 6238 appendix B (SHA-1)
    assert totp_code(seed, at=1111111111, digits=8) == "14050471"
    assert totp_code(seed, at=2000000000, digits=8) == "69279037"
    assert totp_code(seed, at=20000000000, digits=8) == "65353130"


def test_totp_accepts_a_seed_written_in_groups_as_apps_show_it() -> None:
    # "JBSWY3DPEHPK3PXP" is base32 of b"Hello!\xde\xad\xbe\xef"; apps print it in groups of four.
    for seed in ("JBSW Y3DP EHPK 3PXP", " jbsw y3dp ehpk 3pxp ", "JBSWY3DPEHPK3PXP"):
        assert totp_code(seed, at=59) == "996554", seed
        assert totp_code(seed, at=1111111109) == "071271", seed
    # a seed whose length is not a multiple of 8 gets its padding after the spaces are gone
    grouped, plain = "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ GE", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGE"
    assert totp_code(grouped, at=59) == totp_code(plain, at=59)


def test_a_totp_seed_that_is_not_base32_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="base32"):
        totp_code("not base32 at all!", at=59)


def test_upid_and_exit_status() -> None:
    assert upid_node("UPID:pve1:000003E8:00001B58:6B07E1FB:qmstart:100:root@pam:") == "pve1"
    with pytest.raises(ApiError):
        upid_node("not-a-upid")
    assert task_succeeded("OK")
    assert task_succeeded("WARNINGS: 2")
    assert not task_succeeded("VM quit/powerdown failed - got timeout")
    assert not task_succeeded("")


def test_pve_endpoint_defaults_to_the_nodes_port_8006() -> None:
    def node(host: str, endpoint: str | None = None) -> NodeConfig:
        return NodeConfig(name="pve", type=Platform.PROXMOX, host=host, api_endpoint=endpoint)

    assert pve_endpoint(node("10.77.0.2")) == "https://10.77.0.2:8006/api2/json"
    assert pve_endpoint(node("fd00::2")) == "https://[fd00::2]:8006/api2/json"
    assert pve_endpoint(node("10.77.0.2", "https://pve.example:443/api2/json")) == "https://pve.example:443/api2/json"
