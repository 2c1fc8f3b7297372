"""Reading YAML files so that every problem can point at its line.

``yaml.safe_load`` throws the positions away, so the config store and the OneClickVirt import
compose the node tree instead (SafeLoader, so no tags beyond the plain YAML types) and read values
from it themselves. That gives them:

- the line of every key and value, for messages like ``config.yaml:12: nodes[2].port: ...``;
- duplicate keys, which ``safe_load`` silently resolves to the last one;
- the text of a scalar exactly as written: ``password: 0123`` is the string ``0123``, not the
  octal integer 83, and ``name: yes`` is ``yes``, not ``True``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from ocv_desktop.core.errors import ConfigError
from ocv_desktop.store.files import read_regular_file

# A config or import file is a few KiB; the cap keeps a hostile or mistaken file from filling memory.
MAX_YAML_BYTES = 8 * 2**20
NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file: where (line, dotted field) and what."""

    line: int | None
    field: str | None
    message: str

    def as_error(self, path: Path | str) -> ConfigError:
        return ConfigError(self.message, path=str(path), line=self.line, field=self.field)


class InvalidFile(ConfigError):
    """A file with one or more problems. ``problems`` lists them all, in file order; the message
    shows every one, each as ``path:line: field: message`` so an editor can jump to it."""

    def __init__(self, path: Path | str, problems: list[Problem], *, hint: str | None = None) -> None:
        ordered = sorted(problems, key=lambda p: p.line or 0)
        self.problems = tuple(p.as_error(path) for p in ordered)
        first = ordered[0]
        if len(ordered) == 1:
            super().__init__(first.message, path=str(path), line=first.line, field=first.field, hint=hint)
        else:
            lines = "\n".join(f"  {e}" for e in self.problems)
            super().__init__(f"{len(ordered)} problems:\n{lines}", path=str(path), hint=hint)
            self.line = first.line
            self.field = first.field


def line_of(node: yaml.Node) -> int:
    """1-based line where ``node`` starts."""
    return node.start_mark.line + 1


def read_text(path: Path) -> str:
    """The file as text (UTF-8, an optional BOM dropped); OS and encoding errors as ConfigError."""
    try:
        data = read_regular_file(path, MAX_YAML_BYTES)
    except OSError as e:
        raise ConfigError(f"cannot read the file: {e.strerror or e}", path=str(path)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ConfigError("the file is not UTF-8 text", path=str(path), line=line) from None


def compose(text: str, path: Path) -> yaml.Node | None:
    """The single document's node tree, or None for an empty document. Syntax errors become a
    ConfigError naming the line.

    libyaml's C composer (``CSafeLoader``) builds the same node tree, marks included, ~10x faster
    than the pure-Python one (50 nodes: ~100 ms → ~10 ms of every ``nodes list`` and GUI start).
    When it refuses the text, the pure-Python loader composes it again, so every error message
    (and the "nested too deeply" refusal) is the one it always was."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        c_loader = fast(text)
        try:
            node: yaml.Node | None = c_loader.get_single_node()
            return node
        except yaml.YAMLError:
            pass  # the slow loader below says why, in its own words
        finally:
            c_loader.dispose()
    loader = yaml.SafeLoader(text)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        what = " ".join(s for s in (e.context, e.problem) if s)
        raise ConfigError(f"not valid YAML: {what}", path=str(path), line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as e:
        raise ConfigError(f"not valid YAML: {e}", path=str(path)) from None
    except RecursionError:
        # PyYAML composes recursively: a hostile file nested thousands deep exhausts the stack.
        raise ConfigError("nested too deeply to be a config or import file", path=str(path)) from None
    finally:
        loader.dispose()


def scalar_value(node: yaml.ScalarNode) -> object:
    """The Python value a plain scalar stands for (int, float, bool, None or str)."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node)
    finally:
        loader.dispose()


def mapping_items(
    node: yaml.MappingNode, where: str, problems: list[Problem]
) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """(key, key node, value node) for each entry; non-string and duplicate keys are reported
    (a duplicate is skipped: the first one counts, and the second is an error, not a silent win)."""
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == NULL_TAG:
            problems.append(Problem(line_of(key_node), where or None, "keys must be plain names"))
            continue
        key = str(key_node.value)
        if key in seen:
            problems.append(Problem(line_of(key_node), join(where, key), f"appears twice (first on line {seen[key]})"))
            continue
        seen[key] = line_of(key_node)
        yield key, key_node, value_node


def join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def describe(node: yaml.Node) -> str:
    """What a node is, for "must be X, not Y" messages."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == NULL_TAG:
        return "empty"
    return repr(node.value)
