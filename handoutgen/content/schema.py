"""Settings schemas: every YAML file is described by tables of fields, and one engine reads them all.

A :class:`Field` says what one key holds: its name, its type (how its node is read), whether it is
required, its default, what it is for, and optionally a validator. A :class:`Table` is the fields
of one mapping. Reading a mapping against its table reports every problem, each as
``file:line: path.into.data: what is wrong (how to fix)``, in this order:

1. the mapping itself: not a mapping, a duplicate key, an unknown key (naming the known ones);
2. every required field that is missing (at the mapping's line);
3. every present field's value, in the table's order: its type first, then its validator.

A type reads one node and returns its value, or None once it has reported why it cannot; types
nest (a list of mappings of text…). ``clinic.yaml``, ``glossary.yaml``, ``literacy.yaml`` and the
handouts are all read this way (:mod:`handoutgen.content.clinic`, :mod:`handoutgen.content.settings`,
:mod:`handoutgen.content.handout`).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from handoutgen.content.yamldoc import Reader, key_nodes, line_of, read_text_file

#: A validator: ``(reader, node, path, value)`` -> the value (possibly converted), or None after
#: reporting what is wrong with it.
Check = Callable[[Reader, yaml.Node, str, Any], Any]


def join(path: str, name: str) -> str:
    """The path into the data of a mapping's field: ``sections[2]`` + ``body``."""
    return f"{path}.{name}" if path else name


class Type:
    """How one node is read. Subclasses say what they accept in ``what`` (for the docs)."""

    @property
    def what(self) -> str:
        return "anything"

    def read(self, reader: Reader, node: yaml.Node, path: str) -> Any:
        """The node's value, or None when nothing usable is there (any problem is reported)."""
        return None


#: Any value, not read: a note for people (``note:`` beside a glossary term).
ANYTHING = Type()


@dataclass(frozen=True)
class Field:
    """One key of a mapping: what it holds, whether it must be there, and what it is for."""

    name: str
    type: Type
    doc: str
    required: bool = False
    default: Any = None
    check: Check | None = None
    missing: str = ""  # the problem when a required field is absent; "" for the standard message

    def read(self, reader: Reader, node: yaml.Node, path: str) -> Any:
        value = self.type.read(reader, node, path)
        if value is not None and self.check is not None:
            value = self.check(reader, node, path, value)
        return copy.copy(self.default) if value is None else value

    def describe(self) -> str:
        how = "required" if self.required else f"default {self.default!r}"
        return f"{self.name} ({self.type.what}, {how}): {self.doc}"


class Table:
    """The fields of one mapping, in the order their values are read (and their problems reported)."""

    def __init__(self, *fields: Field) -> None:
        self.fields = fields
        self.docs = {f.name: f.doc for f in fields}

    def read(self, reader: Reader, node: yaml.Node, path: str) -> dict[str, Any] | None:
        """Every field's value (its default when absent or wrong), or None when it is no mapping."""
        nodes = reader.mapping(node, path, self.docs)
        return None if nodes is None else self.read_fields(reader, node, nodes, path)

    def read_fields(
        self, reader: Reader, node: yaml.Node, nodes: dict[str, yaml.Node], path: str
    ) -> dict[str, Any]:
        """The fields of a mapping already split into ``nodes`` (see :meth:`Reader.mapping`)."""
        for field in self.fields:
            if field.required and field.name not in nodes:
                reader.problem(node, path, field.missing or f"missing required field '{field.name}'")
        return {
            f.name: f.read(reader, nodes[f.name], join(path, f.name))
            if f.name in nodes
            else copy.copy(f.default)
            for f in self.fields
        }

    def describe(self, indent: str = "") -> list[str]:
        """The table as documentation: one line per field, nested tables indented under theirs."""
        lines = []
        for field in self.fields:
            lines.append(indent + field.describe())
            if isinstance(field.type, Record):
                lines += field.type.table.describe(indent + "  ")
        return lines


# -- types ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text(Type):
    """A scalar as text, whitespace folded (so re-wrapping the YAML changes nothing)."""

    allow_empty: bool = False

    @property
    def what(self) -> str:
        return "text"

    def read(self, reader: Reader, node: yaml.Node, path: str) -> str | None:
        return reader.text(node, path, allow_empty=self.allow_empty)


TEXT = Text()


@dataclass(frozen=True)
class Number(Type):
    """A number of 0 or more, written as text (``6``, ``7.5``); ``whole`` numbers only for int."""

    kind: type[int] | type[float] = float

    @property
    def what(self) -> str:
        return "whole number" if self.kind is int else "number"

    def read(self, reader: Reader, node: yaml.Node, path: str) -> int | float | None:
        value = reader.text(node, path)
        try:
            result = self.kind(value) if value is not None else None
        except ValueError:
            result = None
        if result is None or result < 0:
            whole = "whole " if self.kind is int else ""
            reader.problem(node, path, f"expected a {whole}number of 0 or more, got {value!r}")
            return None
        return result


@dataclass(frozen=True)
class WholeNumber(Type):
    """A whole number in a range, e.g. a page budget from 1 to 20."""

    low: int
    high: int
    unit: str  # "pages": said in the problem

    @property
    def what(self) -> str:
        return f"whole number of {self.unit} from {self.low} to {self.high}"

    def read(self, reader: Reader, node: yaml.Node, path: str) -> int | None:
        value = node.value if isinstance(node, yaml.ScalarNode) else None
        if not (isinstance(value, str) and value.isdigit() and self.low <= int(value) <= self.high):
            reader.problem(node, path, f"expected a {self.what}, got {value!r}")
            return None
        return int(value)


@dataclass(frozen=True)
class YesNo(Type):
    """``true`` or ``false`` (YAML's ``yes``/``no`` too), e.g. ``large_print: true``."""

    @property
    def what(self) -> str:
        return "true or false"

    def read(self, reader: Reader, node: yaml.Node, path: str) -> bool | None:
        value = node.value if isinstance(node, yaml.ScalarNode) else None
        word = str(value).lower() if value is not None else None
        if word in ("true", "yes", "on"):
            return True
        if word in ("false", "no", "off"):
            return False
        reader.problem(node, path, f"expected true or false, got {value!r}")
        return None


@dataclass(frozen=True)
class Date(Type):
    """A calendar date written ``YYYY-MM-DD``."""

    @property
    def what(self) -> str:
        return "date (YYYY-MM-DD)"

    def read(self, reader: Reader, node: yaml.Node, path: str) -> dt.date | None:
        value = node.value if isinstance(node, yaml.ScalarNode) else None
        try:
            return dt.date.fromisoformat(str(value))
        except (TypeError, ValueError):
            reader.problem(node, path, f"expected a date like 2026-11-01, got {value!r}")
            return None


@dataclass(frozen=True)
class Pattern(Type):
    """A Python regular expression, matched without regard to case."""

    @property
    def what(self) -> str:
        return "regular expression"

    def read(self, reader: Reader, node: yaml.Node, path: str) -> re.Pattern[str] | None:
        source = reader.text(node, path)
        if source is None:
            return None
        try:
            return re.compile(source, re.IGNORECASE)
        except re.error as exc:
            reader.problem(
                node, path, f"bad regular expression ({exc}); in YAML put regexes in single quotes"
            )
            return None


@dataclass(frozen=True)
class ListOf(Type):
    """A list; items that cannot be read are reported and left out. ``empty``: the problem when the
    list has no items at all ("" when an empty list is fine)."""

    item: Type
    empty: str = ""

    @property
    def what(self) -> str:
        return f"list of {self.item.what}"

    def read(self, reader: Reader, node: yaml.Node, path: str) -> tuple[Any, ...] | None:
        nodes = reader.sequence(node, path)
        if nodes is None:
            return None
        values = [self.item.read(reader, child, f"{path}[{i}]") for i, child in enumerate(nodes)]
        if not nodes and self.empty:
            reader.problem(node, path, self.empty)
        return tuple(v for v in values if v is not None)


#: A key check for :class:`MapOf`: ``(reader, key node, value node, path, key)`` -> whether the
#: value is read (False after reporting what is wrong with the key).
KeyCheck = Callable[[Reader, yaml.Node, yaml.Node, str, str], bool]


@dataclass(frozen=True)
class MapOf(Type):
    """A mapping of free names (locale codes, terms) to values of one type."""

    value: Type
    key: KeyCheck | None = None

    @property
    def what(self) -> str:
        return f"mapping of name -> {self.value.what}"

    def read(self, reader: Reader, node: yaml.Node, path: str) -> dict[str, Any] | None:
        nodes = reader.mapping(node, path)
        if nodes is None:
            return None
        keys = key_nodes(node)
        result = {}
        for key, child in nodes.items():
            where = join(path, key)
            if self.key is not None and not self.key(reader, keys.get(key, child), child, where, key):
                continue
            value = self.value.read(reader, child, where)
            if value is not None:
                result[key] = value
        return result


@dataclass(frozen=True)
class Record(Type):
    """A mapping with its own table of fields; its value is the fields' values by name."""

    table: Table

    @property
    def what(self) -> str:
        return "mapping"

    def read(self, reader: Reader, node: yaml.Node, path: str) -> dict[str, Any] | None:
        return self.table.read(reader, node, path)


@dataclass(frozen=True)
class ByShape(Type):
    """One of several types, chosen by the node's shape: a mapping, a list, nothing (null), or
    ``other`` (which reports a shape it does not take)."""

    other: Type
    mapping: Type | None = None
    sequence: Type | None = None
    null: Type | None = None

    @property
    def what(self) -> str:
        kinds = [self.mapping, self.sequence, self.other]
        return " or ".join(t.what for t in kinds if t is not None)

    def read(self, reader: Reader, node: yaml.Node, path: str) -> Any:
        chosen = self.other
        if isinstance(node, yaml.MappingNode) and self.mapping is not None:
            chosen = self.mapping
        elif isinstance(node, yaml.SequenceNode) and self.sequence is not None:
            chosen = self.sequence
        elif isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null") and self.null is not None:
            chosen = self.null
        return chosen.read(reader, node, path)


@dataclass(frozen=True)
class Const(Type):
    """Always the same value (e.g. no terms for a ``keep:`` left empty)."""

    value: Any

    @property
    def what(self) -> str:
        return "nothing"

    def read(self, reader: Reader, node: yaml.Node, path: str) -> Any:
        return self.value


@dataclass(frozen=True)
class Checked(Type):
    """Another type's value, then a validator (which may convert it): for list items and map values."""

    inner: Type
    check: Check

    @property
    def what(self) -> str:
        return self.inner.what

    def read(self, reader: Reader, node: yaml.Node, path: str) -> Any:
        value = self.inner.read(reader, node, path)
        return None if value is None else self.check(reader, node, path, value)


@dataclass(frozen=True)
class Lined(Type):
    """Another type's value with the node's line, ``(value, line)``: for values that name their line
    later (a glossary term in a translation check's message)."""

    inner: Type

    @property
    def what(self) -> str:
        return self.inner.what

    def read(self, reader: Reader, node: yaml.Node, path: str) -> tuple[Any, int] | None:
        value = self.inner.read(reader, node, path)
        return None if value is None else (value, line_of(node))


# -- validators -----------------------------------------------------------------------------------


def convert(function: Callable[[Any], Any]) -> Check:
    """A validator that only converts the value (lower-cases it, makes it a set…)."""
    return lambda reader, node, path, value: function(value)


def one_of(choices: tuple[str, ...] | dict[str, Any], message: str) -> Check:
    """The value must be one of ``choices``; ``message`` is formatted with ``value`` and ``choices``."""

    def check(reader: Reader, node: yaml.Node, path: str, value: str) -> str | None:
        if value in choices:
            return value
        reader.problem(node, path, message.format(value=value, choices=", ".join(choices)))
        return None

    return check


# -- whole files ----------------------------------------------------------------------------------


def read_document(
    reader: Reader, text: str | None, table: Table, empty_hint: str
) -> tuple[dict[str, yaml.Node], dict[str, Any]] | None:
    """A YAML document whose top level is ``table``'s mapping: its nodes and its values by field,
    or None when it is not even a mapping (or is empty, or not YAML); every problem is in ``reader``."""
    root = reader.load(text) if text is not None else None
    if root is None:
        if not reader.problems:
            reader.problem(None, "", f"file is empty; {empty_hint}")
        return None
    nodes = reader.mapping(root, "", table.docs)
    if nodes is None:
        return None
    return nodes, table.read_fields(reader, root, nodes, "")


def read_settings(
    reader: Reader, path: Path, table: Table, empty_hint: str
) -> tuple[dict[str, yaml.Node], dict[str, Any]] | None:
    """A settings file read against its table (see :func:`read_document`)."""
    return read_document(reader, read_text_file(Path(path), reader), table, empty_hint)
