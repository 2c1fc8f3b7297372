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
