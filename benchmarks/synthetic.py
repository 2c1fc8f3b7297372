"""Synthetic nodes and instances (the table and memory figures feed the GUI with these)."""

from __future__ import annotations

import random
from pathlib import Path

from ocv_desktop.core.models import Instance, InstanceStatus, InstanceType, NodeConfig, Platform

GIB = 1024**3
STATUSES = (InstanceStatus.RUNNING, InstanceStatus.STOPPED, InstanceStatus.PAUSED, InstanceStatus.ERROR)


def instances(node_id: str, count: int, seed: int = 1, generation: int = 0) -> list[Instance]:
    """``count`` instances of one node; a later ``generation`` changes every row (status, usage)."""
    rnd = random.Random(seed * 1000 + generation)  # noqa: S311 - test data, reproducible
    out = []
    for i in range(count):
        status = STATUSES[(i + generation) % len(STATUSES)]
        out.append(
            Instance(
                id=f"{node_id[:6]}-{i:06d}",
                name=f"web-{rnd.randrange(10**6):06d}-{i}",
                node_id=node_id,
                status=status,
                raw_status=status.value,
                type=InstanceType.CONTAINER if i % 3 else InstanceType.VM,
                image=f"debian:{11 + i % 3}",
                cpu_limit=float(1 + i % 8),
                cpu_usage=rnd.random() * 2,
                memory_limit=(1 + i % 16) * GIB,
                memory_usage=rnd.randrange(GIB),
                disk_limit=(10 + i % 90) * GIB,
                disk_usage=rnd.randrange(10 * GIB),
                ipv4=(f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",),
            )
        )
    return out


def dead_nodes(count: int) -> list[NodeConfig]:
    """Docker nodes on loopback ports where nothing listens (connection refused at once)."""
    return [
        NodeConfig(name=f"dead{i:03d}", type=Platform.DOCKER, host="127.0.0.1", port=1 + i, username="root")
        for i in range(count)
    ]


def write_home(root: Path, nodes: list[NodeConfig]):  # -> Home
    from ocv_desktop.store.config import AppConfig, save_config
    from ocv_desktop.store.home import Home

    home = Home(root).ensure()
    save_config(home.config_file, AppConfig(nodes=tuple(nodes)))
    return home
