"""The config store: ``config.yaml`` in the home folder (nodes and settings, never secrets).

Format (``version: 1``)::

    version: 1
    settings:            # every key optional; defaults in ``Settings``
      health_interval: 30
    nodes:
      - id: 1f0c...      # optional when written by hand: derived from the name (stable)
        name: web-1
        type: docker     # docker | lxd | incus | proxmox
        host: 10.0.0.5
        port: 22
        ...              # the NodeConfig field names, exactly (core/models.py)

Rules (DESIGN.md rule 5): every problem names file, line and field, and all problems of a file
are reported together; unknown keys (typos, or keys from a newer version) are errors, never
dropped; a file that does not load is never overwritten; saves are atomic (temp file, fsync,
rename) and keep the previous file as ``config.yaml.bak``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ocv_desktop.core.errors import ConfigError, NotFound
from ocv_desktop.core.models import AuthMethod, ExecutionRule, NodeConfig, Platform
from ocv_desktop.core.nodes import normalize_fingerprint, validate_node
from ocv_desktop.store.files import write_atomically
from ocv_desktop.store.yamlfile import (
    BOOL_TAG,
    FLOAT_TAG,
    INT_TAG,
    NULL_TAG,
    InvalidFile,
    Problem,
    compose,
    describe,
    join,
    line_of,
    mapping_items,
    read_text,
    scalar_value,
)

CONFIG_VERSION = 1
GROUP_BY_CHOICES = ("platform", "tag")
THEME_CHOICES = ("system", "light", "dark")
TERMINAL_CHOICES = ("builtin", "external")  # consoles in the window's tabs, or the user's own terminal program
_LANGUAGE_RE = re.compile(r"^(?:[a-z]{2,3}(?:_[A-Z]{2})?|pseudo)$")
# Hand-written nodes without an id get one derived from their name, so the id (and the keyring
# entries keyed by it) stays the same on every load until the app writes the file back.
NODE_ID_NAMESPACE = uuid.UUID("6f3b8f9e-4c1e-4d8a-9a51-0c2d7e5b9a10")


@dataclass(frozen=True, slots=True)
class Settings:
    """The ``settings:`` section. Durations in seconds."""

    health_interval: float = 30.0  # between two health checks of one node
    health_timeout: float = 10.0  # one health check
    # Nodes checked at the same time. A warm check is two network round trips and ~2 ms of CPU, so
    # the cap is about connection set-ups, not checks: 16 made 50 nodes four waves (issue 15).
    health_concurrency: int = 64
    connect_timeout: float = 15.0  # SSH / API connection set-up
    command_timeout: float = 300.0  # one remote command
    group_by: str = "platform"  # node tree grouping: platform | tag
    theme: str = "system"  # the window's colours: system | light | dark
    language: str = ""  # a locale such as zh_CN or en_US; empty: the system's
    clipboard_clear_seconds: float = 60.0  # a copied password leaves the clipboard after this
    terminal: str = "builtin"  # where Open terminal opens: builtin (a tab in the window) | external


@dataclass(frozen=True, slots=True)
class AppConfig:
    nodes: tuple[NodeConfig, ...] = ()
    settings: Settings = field(default_factory=Settings)

    def find(self, name_or_id: str) -> NodeConfig:
        """The node with this exact name, else this id. Raises NotFound."""
        for node in self.nodes:
            if node.name == name_or_id:
                return node
        for node in self.nodes:
            if node.id == name_or_id:
                return node
        raise NotFound(f"no node named {name_or_id!r}", hint="`ocv-desktop nodes list` shows the configured nodes")

    def with_node(self, node: NodeConfig) -> AppConfig:
        """This config with ``node`` replacing the node of the same id, or appended."""
        if any(n.id == node.id for n in self.nodes):
            return dataclasses.replace(self, nodes=tuple(node if n.id == node.id else n for n in self.nodes))
        return dataclasses.replace(self, nodes=(*self.nodes, node))

    def without_node(self, node_id: str) -> AppConfig:
        return dataclasses.replace(self, nodes=tuple(n for n in self.nodes if n.id != node_id))


def check_node(node: NodeConfig) -> None:
    """Raise an InvalidFile naming every problem of ``node`` (for nodes made by code or the CLI)."""
    problems = validate_node(node)
    if problems:
        raise InvalidFile(f"node {node.name!r}", [Problem(None, f, m) for f, m in problems])


# --- reading -------------------------------------------------------------------------------------

_INVALID = object()  # a value that could not be read; its problem is already recorded


def _read_str(node: yaml.Node, where: str, problems: list[Problem], *, optional: bool) -> Any:
    if isinstance(node, yaml.ScalarNode):
        if node.tag == NULL_TAG:
            if optional:
                return None
        else:
            return str(node.value)  # the text as written (see yamlfile)
    problems.append(Problem(line_of(node), where, f"must be text, not {describe(node)}"))
    return _INVALID


def _read_int(node: yaml.Node, where: str, problems: list[Problem]) -> Any:
    if isinstance(node, yaml.ScalarNode) and node.tag == INT_TAG:
        return scalar_value(node)
    problems.append(Problem(line_of(node), where, f"must be a whole number, not {describe(node)}"))
    return _INVALID


def _read_float(node: yaml.Node, where: str, problems: list[Problem]) -> Any:
    if isinstance(node, yaml.ScalarNode) and node.tag in (INT_TAG, FLOAT_TAG):
        return float(scalar_value(node))  # type: ignore[arg-type]
    problems.append(Problem(line_of(node), where, f"must be a number of seconds, not {describe(node)}"))
    return _INVALID


def _read_bool(node: yaml.Node, where: str, problems: list[Problem]) -> Any:
    if isinstance(node, yaml.ScalarNode) and node.tag == BOOL_TAG:
        return scalar_value(node)
    problems.append(Problem(line_of(node), where, f"must be true or false, not {describe(node)}"))
    return _INVALID


def _enum_reader(enum: type) -> Callable[[yaml.Node, str, list[Problem]], Any]:
    choices = [m.value for m in enum]  # type: ignore[attr-defined]

    def read(node: yaml.Node, where: str, problems: list[Problem]) -> Any:
        if isinstance(node, yaml.ScalarNode) and node.value in choices and node.tag != NULL_TAG:
            return enum(node.value)
        problems.append(Problem(line_of(node), where, f"must be one of {', '.join(choices)}, not {describe(node)}"))
        return _INVALID

    return read


def _read_tags(node: yaml.Node, where: str, problems: list[Problem]) -> Any:
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(line_of(node), where, f"must be a list of tags, not {describe(node)}"))
        return _INVALID
    tags = []
    for i, item in enumerate(node.value):
        value = _read_str(item, f"{where}[{i}]", problems, optional=False)
        if value is not _INVALID:
            tags.append(value)
    return tuple(tags)


Reader = Callable[[yaml.Node, str, list[Problem]], Any]

# How each annotation of NodeConfig / Settings is read. Keys are the annotation strings, so a new
# field of a new type fails loudly here (at import) instead of being read wrongly.
_READERS: dict[str, Reader] = {
    "str": lambda n, w, p: _read_str(n, w, p, optional=False),
    "str | None": lambda n, w, p: _read_str(n, w, p, optional=True),
    "int": _read_int,
    "float": _read_float,
    "bool": _read_bool,
    "tuple[str, ...]": _read_tags,
    "Platform": _enum_reader(Platform),
    "AuthMethod": _enum_reader(AuthMethod),
    "ExecutionRule": _enum_reader(ExecutionRule),
}


def _field_readers(cls: type) -> dict[str, Reader]:
    readers = {}
    for f in dataclasses.fields(cls):
        if f.type not in _READERS:
            raise TypeError(f"config.py cannot read {cls.__name__}.{f.name} of type {f.type!r}")
        readers[f.name] = _READERS[f.type]
    return readers


NODE_FIELDS = _field_readers(NodeConfig)
SETTINGS_FIELDS = _field_readers(Settings)
_REQUIRED_NODE_FIELDS = tuple(
    f.name
    for f in dataclasses.fields(NodeConfig)
    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
)


def _unknown_key(key: str, known: Iterable[str], where: str, line: int, problems: list[Problem]) -> None:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    problems.append(Problem(line, join(where, key), f"unknown key{hint}"))


def _read_settings(node: yaml.Node, problems: list[Problem]) -> Settings:
    if isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG:
        return Settings()
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(line_of(node), "settings", f"must be a mapping, not {describe(node)}"))
        return Settings()
    values: dict[str, Any] = {}
    for key, key_node, value_node in mapping_items(node, "settings", problems):
        if key not in SETTINGS_FIELDS:
            _unknown_key(key, SETTINGS_FIELDS, "settings", line_of(key_node), problems)
            continue
        where = f"settings.{key}"
        value = SETTINGS_FIELDS[key](value_node, where, problems)
        if value is _INVALID:
            continue
        problem = _settings_value_problem(key, value)
        if problem:
            problems.append(Problem(line_of(value_node), where, problem))
            continue
        values[key] = value
    return Settings(**values)


_SETTINGS_CHOICES = {"group_by": GROUP_BY_CHOICES, "theme": THEME_CHOICES, "terminal": TERMINAL_CHOICES}


def _settings_value_problem(key: str, value: Any) -> str | None:
    choices = _SETTINGS_CHOICES.get(key)
    if choices is not None:
        return None if value in choices else f"must be one of {', '.join(choices)}"
    if key == "language":
        return None if value == "" or _LANGUAGE_RE.fullmatch(value) else "must be a locale such as zh_CN, or empty"
    if key == "health_concurrency":
        return None if 1 <= value <= 1024 else "must be between 1 and 1024"
    if key == "health_interval":
        return None if value >= 1 else "must be at least 1 second"
    return None if value > 0 else "must be more than 0 seconds"


def _read_node_values(
    node: yaml.MappingNode, where: str, problems: list[Problem]
) -> tuple[dict[str, Any], dict[str, int], bool]:
    """The readable values of one node, the line of each key, and whether anything was unreadable."""
    values: dict[str, Any] = {}
    lines: dict[str, int] = {"": line_of(node)}
    broken = False
    for key, key_node, value_node in mapping_items(node, where, problems):
        if key not in NODE_FIELDS:
            _unknown_key(key, NODE_FIELDS, where, line_of(key_node), problems)
            broken = True
            continue
        lines[key] = line_of(value_node)
        value = NODE_FIELDS[key](value_node, join(where, key), problems)
        if value is _INVALID:
            broken = True
        else:
            values[key] = value
    if values.get("local") and "host" not in values:
        values["host"] = "localhost"  # "this computer" needs no address
    for name in _REQUIRED_NODE_FIELDS:
        if name not in values and name not in lines:
            problems.append(Problem(line_of(node), join(where, name), "is missing"))
            broken = True
    return values, lines, broken


def _read_node(node: yaml.Node, index: int, problems: list[Problem]) -> tuple[NodeConfig | None, dict[str, int]]:
    """One node, and the line of each of its keys (for problems found after construction)."""
    where = f"nodes[{index}]"
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(line_of(node), where, f"must be a mapping of node settings, not {describe(node)}"))
        return None, {}
    values, lines, broken = _read_node_values(node, where, problems)
    if broken:
        return None, lines
    if values.get("server_cert_fingerprint"):
        with contextlib.suppress(ValueError):  # validate_node reports a bad one with its line
            values["server_cert_fingerprint"] = normalize_fingerprint(values["server_cert_fingerprint"])
    if "id" not in values:
        values["id"] = str(uuid.uuid5(NODE_ID_NAMESPACE, values["name"]))
    config = NodeConfig(**values)
    found = validate_node(config)
    for name, message in found:
        problems.append(Problem(lines.get(name, lines[""]), join(where, name), message))
    return (None if found else config), lines


def _read_nodes(node: yaml.Node, problems: list[Problem]) -> tuple[NodeConfig, ...]:
    if isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG:
        return ()
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(line_of(node), "nodes", f"must be a list of nodes, not {describe(node)}"))
        return ()
    nodes: list[NodeConfig] = []
    names: dict[str, int] = {}
    ids: dict[str, int] = {}
    for index, item in enumerate(node.value):
        config, lines = _read_node(item, index, problems)
        if config is None:
            continue
        where = f"nodes[{index}]"
        if config.name in names:
            problems.append(
                Problem(lines["name"], f"{where}.name", f"{config.name!r} is already used on line {names[config.name]}")
            )
            continue
        if config.id in ids:
            line = lines.get("id", lines[""])
            problems.append(Problem(line, f"{where}.id", f"{config.id!r} is already used on line {ids[config.id]}"))
            continue
        names[config.name] = lines["name"]
        ids[config.id] = lines.get("id", lines[""])
        nodes.append(config)
    return tuple(nodes)


def parse_config(text: str, path: Path) -> AppConfig:
    """Parse and validate config text; ``path`` only names the file in messages."""
    root = compose(text, path)
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == NULL_TAG):
        return AppConfig()
    problems: list[Problem] = []
    if not isinstance(root, yaml.MappingNode):
        raise InvalidFile(path, [Problem(line_of(root), None, "must be a mapping with version, settings and nodes")])
    version_node = None
    nodes: tuple[NodeConfig, ...] = ()
    settings = Settings()
    for key, key_node, value_node in mapping_items(root, "", problems):
        if key == "version":
            version_node = value_node
        elif key == "nodes":
            nodes = _read_nodes(value_node, problems)
        elif key == "settings":
            settings = _read_settings(value_node, problems)
        elif key == "providers":
            problems.append(
                Problem(
                    line_of(key_node),
                    key,
                    "this looks like a OneClickVirt file; import it with `ocv-desktop import FILE`",
                )
            )
        else:
            _unknown_key(key, ("version", "nodes", "settings"), "", line_of(key_node), problems)
    if version_node is None:
        problems.append(Problem(line_of(root), "version", f"is missing (this format is version {CONFIG_VERSION})"))
    else:
        version = _read_int(version_node, "version", problems)
        if version is not _INVALID and version != CONFIG_VERSION:
            newer = " (written by a newer ocv-desktop?)" if version > CONFIG_VERSION else ""
            problems.append(
                Problem(
                    line_of(version_node),
                    "version",
                    f"is {version}{newer}; this ocv-desktop reads version {CONFIG_VERSION}",
                )
            )
    if problems:
        raise InvalidFile(path, problems)
    return AppConfig(nodes=nodes, settings=settings)


def load_config(path: Path) -> AppConfig:
    """The config in ``path``; an empty config if the file does not exist. Raises ConfigError
    (an ``InvalidFile`` listing every problem) when the file is unreadable or invalid."""
    path = Path(path)
    if not path.exists():
        return AppConfig()
    if path.is_dir():
        raise ConfigError("is a folder, not a file", path=str(path))
    return parse_config(read_text(path), path)


# --- writing -------------------------------------------------------------------------------------

_HEADER = (
    "# ocv-desktop configuration (format version 1). Secrets are not kept here: passwords and\n"
    "# token secrets live in the system keyring, under service 'ocv-desktop'.\n"
)
_ALWAYS_WRITTEN = ("id", "name", "type", "host", "port", "username", "auth", "execution_rule")


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Platform | AuthMethod | ExecutionRule):
        return value.value
    return value


def _node_dict(node: NodeConfig) -> dict[str, Any]:
    defaults = {f.name: f.default for f in dataclasses.fields(NodeConfig) if f.default is not dataclasses.MISSING}
    out: dict[str, Any] = {name: _plain(getattr(node, name)) for name in _ALWAYS_WRITTEN}
    for f in dataclasses.fields(NodeConfig):
        value = getattr(node, f.name)
        if f.name in out or (f.name in defaults and value == defaults[f.name]):
            continue
        out[f.name] = _plain(value)
    return out


def dump_config(config: AppConfig) -> str:
    """The YAML text for ``config`` (UTF-8 names kept readable, fields in a stable order)."""
    data = {
        "version": CONFIG_VERSION,
        "settings": {f.name: getattr(config.settings, f.name) for f in dataclasses.fields(Settings)},
        "nodes": [_node_dict(n) for n in config.nodes],
    }
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000)
    return _HEADER + body


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def save_config(path: Path, config: AppConfig) -> None:
    """Write ``config`` to ``path`` atomically, keeping the previous file as ``<name>.bak``.

    Callers hold the home's ``config_lock`` (core.files.FileLock) from the read they changed to
    this write, or another process's change in between is lost: NodeService does; use it.

    Refuses (ConfigError) to replace a file that does not load, so a hand-edited file with a
    mistake is never lost; and never writes text it could not read back to the same config.
    """
    path = Path(path)
    for node in config.nodes:
        check_node(node)
    text = dump_config(config)
    if parse_config(text, path) != config:  # pragma: no cover - a bug in dump_config, not user input
        raise RuntimeError("config.yaml would not read back as written; refusing to save")
    if path.exists():
        try:
            load_config(path)
        except ConfigError as e:
            raise ConfigError(
                f"not saving over a file that does not load:\n{e}",
                path=str(path),
                hint="fix or move the file, then try again",
            ) from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            write_atomically(backup_path(path), path.read_bytes())
        write_atomically(path, text.encode("utf-8"))
    except OSError as e:
        raise ConfigError(f"could not save: {e.strerror or e}", path=str(path)) from None
