"""Which socket the Docker service check uses: ``ENDPOINT_ARGV`` run for real by this machine's
``sh`` (through LocalSession) in the environments the docker CLI distinguishes, and the rule that
reads its output. (The lab tests use the socket and the CLI fallback against the real dockerd.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocv_desktop.providers.docker.engine import DEFAULT_SOCKET, ENDPOINT_ARGV, socket_from_environment
from ocv_desktop.transport.local import LocalSession


async def endpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], config: object = None) -> str:
    for name in ("DOCKER_HOST", "DOCKER_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    if config is not None:
        (tmp_path / "config.json").write_text(json.dumps(config, indent="\t"))
    result = await LocalSession().run(ENDPOINT_ARGV)
    return result.out


@pytest.mark.parametrize(
    ("env", "config", "socket"),
    [
        ({}, None, DEFAULT_SOCKET),  # nothing set: the CLI's default
        ({"DOCKER_HOST": "unix:///run/user/1000/docker.sock"}, None, "/run/user/1000/docker.sock"),
        ({"DOCKER_HOST": "tcp://10.77.0.2:2376"}, None, None),  # not a unix socket: the CLI knows the way
        ({"DOCKER_HOST": "ssh://admin@10.77.0.2"}, None, None),
        ({"DOCKER_HOST": "unix://relative.sock"}, None, None),
        ({"DOCKER_CONTEXT": "rootless"}, None, None),
        ({"DOCKER_CONTEXT": "default"}, {"currentContext": "rootless"}, DEFAULT_SOCKET),  # the env wins
        ({}, {"auths": {"r.example": {"auth": "c2VjcmV0"}}, "currentContext": "rootless"}, None),
        ({}, {"currentContext": "default", "psFormat": "table"}, DEFAULT_SOCKET),
        ({}, {"auths": {}}, DEFAULT_SOCKET),
        # DOCKER_HOST wins over any context (the CLI warns that it overrides the active one)
        (
            {"DOCKER_HOST": "unix:///var/run/other.sock", "DOCKER_CONTEXT": "x"},
            {"currentContext": "y"},
            "/var/run/other.sock",
        ),
    ],
)
async def test_the_socket_the_cli_would_use(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], config: object, socket: str | None
) -> None:
    out = await endpoint(monkeypatch, tmp_path, env, config)
    assert socket_from_environment(out) == socket
    assert "c2VjcmV0" not in out  # the credentials in the config never leave the node


def test_unreadable_output_means_the_default_socket_only_when_nothing_else_is_said() -> None:
    assert socket_from_environment("") == DEFAULT_SOCKET
    assert socket_from_environment("\n\n") == DEFAULT_SOCKET
    assert socket_from_environment('\n\n"currentContext": "colima"\n') is None


async def test_a_socket_answering_malformed_http_means_asking_the_cli(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The health check's socket road against a real unix socket on this machine whose daemon
    answers ``Content-Length: ²``: the engine gives up the socket (None: ask the CLI), it does not
    crash with a bare ValueError (which the check reports as an internal error)."""
    import asyncio

    from ocv_desktop.providers.docker.engine import DockerEngine

    asked: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        asked.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.0 200 OK\r\nServer: Docker/27.0\r\nContent-Length: \xb2\r\n\r\n{}")
        await writer.drain()
        writer.close()

    sock = tmp_path / "docker.sock"
    server = await asyncio.start_unix_server(handle, str(sock))
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    monkeypatch.setenv("DOCKER_HOST", f"unix://{sock}")
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    try:
        session = LocalSession()
        assert await DockerEngine(session).version(timeout=10) is None
        assert len(asked) == 1 and asked[0].startswith(b"GET /_ping ")  # the socket was really asked
    finally:
        server.close()
        await server.wait_closed()
