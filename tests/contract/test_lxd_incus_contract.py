"""Every request body the LXD/Incus provider builds, and the response shapes it accepts, against the
official specs (Incus main + 6.0 LTS, LXD main + 5.21 LTS) in ``../shared/specs``.

Bodies are built by the product's own builders (lxd_requests.py), VM creation included (VMs cannot
run here, so this is where their requests are checked). Definitions are made strict in test code
(``additionalProperties: false``), so a misspelt key fails; required keys are asserted here because
the specs declare none. The real exchanges with the lab's daemons are validated by the integration
tests (tests/integration/test_lxd_family_provider.py) with the same checker.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocv_desktop.core.models import InstanceSpec, InstanceType, PortMapping, Protocol
from ocv_desktop.providers.lxd_family import requests as R
from tests.contract import lxd_spec
from tests.shared_files import require_path

# Every spec, present or not: a missing one is reported by the fixture below (a skip that names it
# on a developer's machine, a failure in CI), never an empty, silently skipped parameter list.
ALL_SPECS = sorted(lxd_spec.SPEC_FILES)


@pytest.fixture(autouse=True)
def _specs_here(request: pytest.FixtureRequest) -> None:
    names = [request.getfixturevalue("spec")] if "spec" in request.fixturenames else list(lxd_spec.MAIN_SPECS)
    for name in names:
        require_path(lxd_spec.SPEC_FILES[name], f"the official {name} REST API spec")


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "lxd_family"
MiB, GiB = 2**20, 2**30
FP = "a" * 64


def _create_bodies() -> dict[str, dict]:
    local = R.ImageSource(alias="debian")
    return {
        "container-minimal": R.build_create_body(InstanceSpec(name="c1", image="debian"), local),
        "container-full": R.build_create_body(
            InstanceSpec(
                name="c2",
                image="debian",
                cpus=2,
                memory=512 * MiB,
                disk=10 * GiB,
                storage="fast",
                env={"LANG": "C.UTF-8"},
                ports=(PortMapping(8080, 80), PortMapping(5353, 53, Protocol.BOTH, "127.0.0.1")),
                restart_policy="always",
                start=False,
            ),
            local,
        ),
        "vm": R.build_create_body(
            InstanceSpec(name="vm1", image="debian", type=InstanceType.VM, cpus=1.5, memory=2 * GiB, disk=20 * GiB),
            R.ImageSource(fingerprint=FP),
            default_pool="default",
        ),
        "vm-from-remote": R.build_create_body(
            InstanceSpec(name="vm2", image="images:debian/12", type=InstanceType.VM),
            R.resolve_remote(R.RemoteRef("images", "debian/12")),
        ),
        "container-from-lxd-server": R.build_create_body(
            InstanceSpec(name="c3", image="x"),
            R.ImageSource(alias="x", server="https://10.0.0.1:8443", protocol="lxd", certificate="PEM", project="p"),
        ),
    }


CREATE = _create_bodies()


@pytest.mark.parametrize("spec", ALL_SPECS)
@pytest.mark.parametrize("case", sorted(CREATE))
def test_create_bodies(spec, case):
    body = CREATE[case]
    assert lxd_spec.request_errors(spec, "POST", "/1.0/instances", body) == []
    for key in ("name", "type", "source"):
        assert key in body
    assert body["source"]["type"] == "image"
    assert ("alias" in body["source"]) != ("fingerprint" in body["source"])
    assert all(isinstance(v, str) for v in body["config"].values()), "ConfigMap values are strings"
    for device in body["devices"].values():
        assert all(isinstance(v, str) for v in device.values()), "device properties are strings"


def test_vm_body_is_a_virtual_machine_with_mib_units():
    vm = CREATE["vm"]
    assert vm["type"] == "virtual-machine"
    assert vm["config"]["limits.memory"] == "2048MiB"
    assert vm["devices"]["root"] == {"type": "disk", "path": "/", "pool": "default", "size": "20480MiB"}


@pytest.mark.parametrize("spec", ALL_SPECS)
@pytest.mark.parametrize(
    "body",
    [
        R.build_state_body("start"),
        R.build_state_body("stop", timeout=30),
        R.build_state_body("stop", force=True),
        R.build_state_body("restart", timeout=30),
    ],
    ids=["start", "stop", "stop-force", "restart"],
)
def test_state_bodies(spec, body):
    assert lxd_spec.request_errors(spec, "PUT", "/1.0/instances/c1/state", body) == []
    assert "action" in body


@pytest.mark.parametrize("spec", ALL_SPECS)
def test_exec_body(spec):
    body = R.build_exec_body(["chpasswd"])
    assert lxd_spec.request_errors(spec, "POST", "/1.0/instances/c1/exec", body) == []
    assert body["command"] == ["chpasswd"]


@pytest.mark.parametrize("spec", ALL_SPECS)
def test_console_exec_body(spec):
    body = R.build_console_exec_body(["sh"], width=100, height=30, term="xterm-256color")
    assert lxd_spec.request_errors(spec, "POST", "/1.0/instances/c1/exec", body) == []
    assert body["interactive"] is True and body["wait-for-websocket"] is True and not body["record-output"]
    assert (body["width"], body["height"]) == (100, 30)


@pytest.mark.parametrize("spec", ALL_SPECS)
def test_the_original_misspelt_exec_key_is_caught(spec):
    wrong = {"command": ["bash", "-c", "echo 'root:pw' | chpasswd"], "wait-for-ws": True, "interactive": False}
    errors = lxd_spec.request_errors(spec, "POST", "/1.0/instances/c1/exec", wrong)
    assert any("wait-for-ws" in e for e in errors)


@pytest.mark.parametrize("spec", ALL_SPECS)
@pytest.mark.parametrize(
    "source",
    [
        R.resolve_remote(R.RemoteRef("images", "debian/12")),
        R.ImageSource(fingerprint=FP, server="https://img.example", protocol="simplestreams"),
        R.ImageSource(alias="busybox", server="https://10.0.0.1:8443", protocol="incus", certificate="PEM"),
    ],
    ids=["images-remote", "fingerprint", "incus-server"],
)
def test_image_pull_bodies(spec, source):
    body = R.build_image_pull_body(source)
    assert lxd_spec.request_errors(spec, "POST", "/1.0/images", body) == []
    assert body["source"]["type"] == "image" and body["source"]["mode"] == "pull"
    assert body["source"]["server"] and body["source"]["protocol"]


def test_the_original_flat_pull_body_is_caught():
    flat = {"server": "https://images.linuxcontainers.org", "protocol": "simplestreams", "alias": "x"}
    assert lxd_spec.request_errors("incus", "POST", "/1.0/images", flat)


@pytest.mark.parametrize("spec", ALL_SPECS)
def test_alias_and_patch_bodies(spec):
    assert lxd_spec.request_errors(spec, "POST", "/1.0/images/aliases", R.build_alias_body("a", FP)) == []
    assert lxd_spec.request_errors(spec, "PATCH", "/1.0/images/aliases/a", {"target": FP}) == []
    assert lxd_spec.request_errors(spec, "PATCH", "/1.0/instances/c1", {"config": {"limits.cpu": "2"}}) == []


@pytest.mark.parametrize("spec", ALL_SPECS)
@pytest.mark.parametrize("stateful", [False, True])
def test_snapshot_bodies(spec, stateful):
    create = R.build_snapshot_body("snap0", stateful=stateful)
    assert lxd_spec.request_errors(spec, "POST", "/1.0/instances/c1/snapshots", create) == []
    assert create == {"name": "snap0", "stateful": stateful}
    restore = R.build_restore_body("snap0")
    assert lxd_spec.request_errors(spec, "PUT", "/1.0/instances/c1", restore) == []
    assert restore["restore"] == "snap0"
    assert lxd_spec.request_errors(spec, "DELETE", "/1.0/instances/c1/snapshots/snap0", None) == []
    assert lxd_spec.operation_key(spec, "GET", "/1.0/instances/c1/snapshots", {"recursion": "1"}).endswith(
        "?recursion=1"
    )


@pytest.mark.parametrize("spec", ALL_SPECS)
def test_a_snapshot_description_is_not_in_the_create_body(spec):
    """Why create_snapshot refuses a description on LXD/Incus instead of sending it."""
    errors = lxd_spec.request_errors(spec, "POST", "/1.0/instances/c1/snapshots", {"name": "s", "description": "x"})
    assert any("description" in e for e in errors)


@pytest.mark.parametrize("spec", ALL_SPECS)
def test_token_bodies(spec):
    explicit = R.build_certificate_token_body("T", name="n", explicit_trust_token=True)
    assert lxd_spec.request_errors(spec, "POST", "/1.0/certificates", explicit) == []
    legacy = R.build_certificate_token_body("T", name="n", explicit_trust_token=False)
    errors = lxd_spec.request_errors(spec, "POST", "/1.0/certificates", legacy)
    # `password` (LXD 5.0's way to carry a token) exists only in the LXD specs; Incus gets trust_token.
    assert (errors == []) == spec.startswith("lxd")


# --- responses we accept -------------------------------------------------------------------------------


def _envelope(metadata, status_code=200):
    return {"type": "sync", "status": "Success", "status_code": status_code, "operation": "", "error_code": 0,
            "error": "", "metadata": metadata}  # fmt: skip


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*-api-instances.json")), ids=lambda p: p.name)
def test_recorded_instance_lists_fit_the_spec(fixture):
    spec = "incus" if fixture.name.startswith("incus") else "lxd"
    body = _envelope(json.loads(fixture.read_text()))
    assert lxd_spec.response_errors(spec, "GET", "/1.0/instances", 200, body, {"recursion": "2"}) == ""


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*-api-images.json")), ids=lambda p: p.name)
def test_recorded_image_lists_fit_the_spec(fixture):
    spec = "incus" if fixture.name.startswith("incus") else "lxd"
    body = _envelope(json.loads(fixture.read_text()))
    assert lxd_spec.response_errors(spec, "GET", "/1.0/images", 200, body, {"recursion": "1"}) == ""


@pytest.mark.parametrize("spec", ALL_SPECS)
def test_the_validator_rejects_wrong_types(spec):
    bad = _envelope([{"name": "c1", "status_code": "oops"}])
    complaint = lxd_spec.response_errors(spec, "GET", "/1.0/instances", 200, bad, {"recursion": "2"})
    # the spec's own complaint about that field, not any non-empty text (a crash in the checker is not one)
    assert complaint.startswith("Response violates schema"), complaint
    assert "/properties/status_code" in complaint and '"oops"' in complaint, complaint
    good = _envelope([{"name": "c1", "status_code": 103}])
    assert lxd_spec.response_errors(spec, "GET", "/1.0/instances", 200, good, {"recursion": "2"}) == ""


def test_a_crash_in_the_checker_is_raised_not_returned_as_a_complaint(monkeypatch):
    def broken(self, response):
        raise RuntimeError("the checker itself broke")

    op = lxd_spec.schemathesis_schema("incus")["/1.0/instances?recursion=2"]["GET"]
    monkeypatch.setattr(type(op), "validate_response", broken)
    with pytest.raises(RuntimeError, match="checker itself broke"):
        lxd_spec.response_errors("incus", "GET", "/1.0/instances", 200, _envelope([]), {"recursion": "2"})


@pytest.mark.parametrize("spec", ALL_SPECS)
def test_error_envelope_and_async_answer(spec):
    error = {"type": "error", "status": "", "status_code": 0, "operation": "", "error_code": 404,
             "error": "Instance not found", "metadata": None}  # fmt: skip
    assert lxd_spec.response_errors(spec, "DELETE", "/1.0/instances/c1", 404, error) == ""
    op = {"id": "u", "class": "task", "description": "Deleting instance", "created_at": "2026-01-01T00:00:00Z",
          "updated_at": "2026-01-01T00:00:00Z", "status": "Running", "status_code": 103, "resources": None,
          "metadata": None, "may_cancel": False, "err": "", "location": "none"}  # fmt: skip
    accepted = {"type": "async", "status": "Operation created", "status_code": 100, "operation": "/1.0/operations/u",
                "error_code": 0, "error": "", "metadata": op}  # fmt: skip
    assert lxd_spec.response_errors(spec, "DELETE", "/1.0/instances/c1", 202, accepted) == ""


def test_operation_keys_include_the_recursion_query():
    assert lxd_spec.operation_key("incus", "GET", "/1.0/instances", {"recursion": "2"}) == "/1.0/instances?recursion=2"
    assert lxd_spec.operation_key("lxd", "GET", "/1.0/images/aliases/x") == "/1.0/images/aliases/{name}"
    with pytest.raises(KeyError):
        lxd_spec.operation_key("incus", "POST", "/1.0/instances/c1/explode")
