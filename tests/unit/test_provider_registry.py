"""The provider registry reads the entry points once per process (issue 15: every connect attempt
and retry used to scan every installed distribution's metadata)."""

from __future__ import annotations

import pytest

from ocv_desktop.core.errors import Unsupported
from ocv_desktop.core.models import Platform
from ocv_desktop.providers import base
from ocv_desktop.providers.docker.provider import DockerProvider


@pytest.fixture
def counted(monkeypatch):
    calls: list[str] = []
    real = base.entry_points

    def counting(**kwargs):
        calls.append(kwargs.get("group", ""))
        return real(**kwargs)

    monkeypatch.setattr(base, "entry_points", counting)
    base._registered.cache_clear()
    base.provider_class.cache_clear()
    yield calls
    base._registered.cache_clear()
    base.provider_class.cache_clear()


def test_entry_points_are_read_once_for_every_platform_and_lookup(counted) -> None:
    for _ in range(3):
        for platform in Platform:
            assert issubclass(base.provider_class(platform), base.Provider)
    assert base.provider_class(Platform.DOCKER) is DockerProvider
    assert counted == [base.ENTRY_POINT_GROUP]


def test_an_unknown_platform_is_still_refused() -> None:
    with pytest.raises(ValueError):
        base.provider_class("vmware")


def test_a_platform_without_a_provider_is_unsupported(monkeypatch) -> None:
    monkeypatch.setattr(base, "_registered", lambda: {})
    base.provider_class.cache_clear()
    try:
        with pytest.raises(Unsupported):
            base.provider_class(Platform.DOCKER)
    finally:
        base.provider_class.cache_clear()


async def test_large_listings_are_parsed_off_the_event_loop_thread() -> None:
    """Issue 15: parsing 1000 Docker containers on the loop stalled the GUI; big listings go to a
    worker thread, small ones stay on the loop (a thread hop costs more than they do)."""
    import threading

    def where(text: str) -> tuple[str, int]:
        return text, threading.get_ident()

    loop_thread = threading.get_ident()
    small = await base.parse_off_loop(base.PARSE_OFF_LOOP, where, "small")
    large = await base.parse_off_loop(base.PARSE_OFF_LOOP + 1, where, "large")
    assert small == ("small", loop_thread)
    assert large[0] == "large" and large[1] != loop_thread
