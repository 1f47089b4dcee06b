"""YAML read as a node tree, so every value keeps its 1-based line and every problem can name it.

Validation walks nodes instead of plain dicts: ``handouts/aftercare.yaml:14: sections[2].body[0]:
expected text, got a list`` needs both the line and the path into the data. :class:`Reader` reads
single nodes; :mod:`handoutgen.content.schema` reads whole files against tables of fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from handoutgen.errors import Problem

try:  # the C loader is much faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass
class Reader:
    """Walks one YAML file's nodes and collects every problem instead of stopping at the first."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, node: yaml.Node | None, path: str, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(Problem(self.file, line, message, path))

    # -- loading ---------------------------------------------------------------------------------
    def load(self, text: str) -> yaml.Node | None:
        try:
            return yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            what = exc.problem or exc.context or "invalid YAML"
            self.problems.append(
                Problem(self.file, line, f"YAML syntax: {what}; check indentation and quoting")
            )
        except yaml.YAMLError as exc:
            self.problems.append(Problem(self.file, None, f"YAML syntax: {exc}"))
        return None

    # -- typed accessors ---------------------------------------------------------------------------
    @staticmethod
    def kind(node: yaml.Node) -> str:
        if isinstance(node, yaml.MappingNode):
            return "a mapping"
        if isinstance(node, yaml.SequenceNode):
            return "a list"
        if node.tag.endswith(":null"):
            return "nothing (null)"
        return "text"

    def mapping(
        self, node: yaml.Node, path: str, known: dict[str, str] | None = None
    ) -> dict[str, yaml.Node] | None:
        """A mapping's keys to value nodes; unknown or duplicate keys are problems."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, path, f"expected a mapping, got {self.kind(node)}")
            return None
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            where = f"{path}.{key}" if path else key
            if key in result:
                self.problem(key_node, where, "duplicate key; keep only one")
                continue
            if known is not None and key not in known:
                choices = ", ".join(sorted(known))
                self.problem(key_node, where, f"unknown field '{key}'; expected one of: {choices}")
                continue
            result[key] = value_node
        return result

    def sequence(self, node: yaml.Node, path: str) -> list[yaml.Node] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, path, f"expected a list, got {self.kind(node)}")
            return None
        return list(node.value)

    def text(self, node: yaml.Node, path: str, *, allow_empty: bool = False) -> str | None:
        """A scalar as text with whitespace folded, so re-wrapping the YAML changes nothing."""
        if not isinstance(node, yaml.ScalarNode) or node.tag.endswith(":null"):
            self.problem(node, path, f"expected text, got {self.kind(node)}")
            return None
        value = " ".join(str(node.value).split())
        if not value and not allow_empty:
            self.problem(node, path, "is empty; write the text or remove the field")
            return None
        return value


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def key_nodes(node: yaml.Node) -> dict[str, yaml.Node]:
    """A mapping's keys to their own nodes (the first of duplicates), for problems about a key."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    found: dict[str, yaml.Node] = {}
    for key_node, _ in node.value:
        found.setdefault(str(key_node.value), key_node)
    return found


def display_path(path: Path, root: Path | None) -> str:
    """A path as staff know it: relative to the project when it is inside it."""
    if root is not None:
        try:
            return str(Path(path).resolve().relative_to(Path(root).resolve()))
        except ValueError:
            pass
    return str(path)


def read_text_file(path: Path, reader: Reader) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        reader.problems.append(
            Problem(reader.file, None, f"not UTF-8 text ({exc.reason}); save the file as UTF-8")
        )
    except OSError as exc:
        reader.problems.append(Problem(reader.file, None, f"cannot read: {exc.strerror}"))
    return None
