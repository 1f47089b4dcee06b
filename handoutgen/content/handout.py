"""Handout content: the YAML schema, loading and validation into typed objects.

A handout file looks like this (every field is described in :data:`HANDOUT` and
:data:`SECTION_TABLES`, the tables :mod:`handoutgen.content.schema` reads it with)::

    id: aftercare
    title: After your acupuncture visit
    summary: How to care for yourself in the first day after acupuncture.
    audience: Adults who have just had acupuncture.
    version: "1.0"
    reviewed: 2026-11-01        # date of the last clinical review
    pages: 2                    # page budget: the most pages it may print on
    sections:
      - kind: aftercare
        body:
          - Rest for the rest of the day if you can.
          - list:
              - Drink water.
              - Use **gentle** heat for 15–20 minutes.
      - kind: faq
        items:
          - q: Does it hurt?
            a: You may feel a small pinch.
      - kind: when_to_get_help
        body:
          - when_to_call:           # a box with the clinic's phone, hours and emergency number
        urgent:
          - {text: "Call us at {clinic_phone} if a bruise gets bigger.", icon: call-us}
        emergency:
          - Call {emergency_number} if you have trouble breathing.

Besides paragraphs, ``list`` and ``steps``, a block may be a ``checklist`` (a tick box before each
item), ``notes`` (ruled lines under a heading), ``pain_scale`` (0 to 10 in boxes, to circle) or
``when_to_call`` (see :data:`BLOCK_KINDS`); a paragraph or item may name an icon of
:data:`handoutgen.content.icons.ICONS`. Every translatable string becomes a :class:`Text` that
remembers its line and its path into the data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from handoutgen.content.icons import ICONS
from handoutgen.content.markup import PLACEHOLDER_NAME_RE, PLACEHOLDER_RE
from handoutgen.content.schema import (
    TEXT,
    Checked,
    Date,
    Field,
    ListOf,
    Record,
    Table,
    Type,
    WholeNumber,
    YesNo,
    join,
    read_document,
)
from handoutgen.content.yamldoc import Reader, display_path, line_of, read_text_file
from handoutgen.errors import ContentError, Problem

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

SECTION_KINDS = {
    "what_to_expect": "what to expect at the visit",
    "before_your_visit": "how to get ready",
    "aftercare": "care after the visit",
    "faq": "questions and answers (items: q/a pairs)",
    "when_to_get_help": "warning signs (urgent: call the clinic; emergency: call the emergency number)",
    "section": "a free section with its own title",
}
BLOCK_KINDS = {
    "list": "bulleted list",
    "steps": "numbered steps",
    "checklist": "a list with an empty tick box before each item",
    "notes": "ruled lines to write on, under a heading: null or {title, lines}",
    "pain_scale": "0 to 10 in boxes, to circle, with 'no pain' and 'worst pain': null or {prompt}",
    "when_to_call": "a box with the clinic's phone, hours and emergency number: null or {title}",
}
#: The blocks that hold a list of items (the others hold options).
ITEM_BLOCKS = ("list", "steps", "checklist")
#: How many ruled lines a ``notes`` block has unless it says.
NOTES_LINES = 6


@dataclass(frozen=True)
class Text:
    """One translatable string (a catalogue entry), with where it came from."""

    text: str
    line: int
    path: str
    role: str  # what it is on the page, for translators: "title", "list item", "FAQ answer", …
    context: str | None = None  # msgctxt, when the same English needs different translations
    icon: Icon | None = None  # a picture printed before it (paragraphs and items only)

    @property
    def placeholders(self) -> list[str]:
        return sorted(set(PLACEHOLDER_RE.findall(self.text)))


@dataclass(frozen=True)
class Icon:
    """An icon of the set (``assets/icons/<name>.svg``) and its text alternative, itself a string to
    translate."""

    name: str
    alt: Text


@dataclass(frozen=True)
class Block:
    """A paragraph (one item), a bulleted ``list``, numbered ``steps`` or a ``checklist``; or one of the
    blocks with options only: ``notes``, ``pain_scale``, ``when_to_call``."""

    kind: str  # "paragraph" | "list" | "steps" | "checklist" | "notes" | "pain_scale" | "when_to_call"
    items: tuple[Text, ...] = ()
    title: Text | None = None  # notes and when_to_call: the heading; pain_scale: the question
    lines: int = 0  # notes: how many ruled lines

    def texts(self) -> Iterator[Text]:
        """Its strings in reading order, each item's icon text right after the item."""
        if self.title is not None:
            yield self.title
        for item in self.items:
            yield item
            if item.icon is not None:
                yield item.icon.alt

    def words(self) -> tuple[Text, ...]:
        """The strings printed as text (icon text alternatives aside): what the reading checks score."""
        return ((self.title,) if self.title is not None else ()) + self.items


@dataclass(frozen=True)
class FaqItem:
    question: Text
    answer: tuple[Block, ...]


@dataclass(frozen=True)
class Section:
    """One section of a known kind; ``title`` overrides the kind's default heading."""

    kind: str
    line: int
    title: Text | None = None
    body: tuple[Block, ...] = ()
    items: tuple[FaqItem, ...] = ()  # faq only
    urgent: tuple[Block, ...] = ()  # when_to_get_help only: call the clinic
    emergency: tuple[Block, ...] = ()  # when_to_get_help only: call the emergency number


@dataclass(frozen=True)
class Handout:
    id: str
    title: Text
    summary: Text
    audience: Text
    version: str
    reviewed: dt.date
    pages: int
    sections: tuple[Section, ...]
    source: Path
    id_line: int = 1
    large_print: bool = False  # print this handout in large print (body 16 pt), whatever the clinic says
    reviewed_by: Text | None = None  # who did the clinical review (a role or a name and credential)
    sources: tuple[Text, ...] = ()  # where the facts come from, printed at the end

    def texts(self) -> Iterator[Text]:
        """Every translatable string, in reading order."""
        yield self.title
        yield self.summary
        yield self.audience
        for section in self.sections:
            if section.title:
                yield section.title
            yield from _block_texts(section.body)
            for item in section.items:
                yield item.question
                yield from _block_texts(item.answer)
            yield from _block_texts(section.urgent)
            yield from _block_texts(section.emergency)
        if self.reviewed_by:
            yield self.reviewed_by
        yield from self.sources


def _block_texts(blocks: Iterable[Block]) -> Iterator[Text]:
    for block in blocks:
        yield from block.texts()


# -- reading ---------------------------------------------------------------------------------------


class _HandoutReader(Reader):
    """Reads one handout; placeholders are checked against the clinic's when they are known."""

    def __init__(self, file: str, placeholders: set[str] | None):
        super().__init__(file)
        self.placeholders = placeholders


def _check_inline(reader: Reader, node: yaml.Node, path: str, value: str) -> None:
    """Placeholders well-formed (and known to the clinic), braces and emphasis markers balanced."""
    known = reader.placeholders if isinstance(reader, _HandoutReader) else None
    for name in PLACEHOLDER_RE.findall(value):
        if not PLACEHOLDER_NAME_RE.match(name):
            reader.problem(
                node, path, f"bad placeholder '{{{name}}}'; use lower-case names like {{clinic_phone}}"
            )
        elif known is not None and name not in known:
            choices = ", ".join("{" + p + "}" for p in sorted(known))
            reader.problem(
                node,
                path,
                f"placeholder '{{{name}}}' is not defined in the clinic settings; use one of {choices} "
                "or add it under 'extra' in clinic.yaml",
            )
    if value.count("{") != value.count("}"):
        reader.problem(node, path, "unbalanced '{' or '}'; placeholders look like {clinic_phone}")
    stripped = value.replace("**", "")
    if value.count("**") % 2 or stripped.count("*") % 2:
        reader.problem(
            node, path, "unbalanced emphasis marker; write **bold** or *italic* with a closing marker"
        )


@dataclass(frozen=True)
class Words(Type):
    """One translatable string written as plain text; its role is what it is on the page."""

    role: str = ""

    @property
    def what(self) -> str:
        return "text"

    def read(self, reader: Reader, node: yaml.Node, path: str) -> Text | None:
        value = reader.text(node, path)
        if value is None:
            return None
        _check_inline(reader, node, path, value)
        return Text(value, line_of(node), path, self.role)


#: A translatable string written with its msgctxt: ``{text: …, context: …}``.
TEXT_WITH_CONTEXT = Table(
    Field("context", TEXT, "msgctxt for translators: which meaning of the English is meant"),
    Field("text", Words(), "the words", required=True),
)


def _known_icon(reader: Reader, node: yaml.Node, path: str, name: str) -> Icon | None:
    """The icon of that name, with its text alternative as a string to translate."""
    if name not in ICONS:
        reader.problem(node, path, f"unknown icon '{name}'; use one of: {', '.join(sorted(ICONS))}")
        return None
    role = f"text alternative of the icon '{name}' (read aloud instead of the picture)"
    return Icon(name, Text(ICONS[name], line_of(node), path, role))


#: A paragraph or an item written as a mapping, which may also name an icon: ``{text: …, icon: rest}``.
TEXT_WITH_ICON = Table(
    *TEXT_WITH_CONTEXT.fields,
    Field("icon", TEXT, "an icon printed before the text: one of " + ", ".join(ICONS), check=_known_icon),
)


@dataclass(frozen=True)
class Translatable(Type):
    """A string, or ``{text: …, context: …}`` when the author gives a msgctxt (and ``icon: …`` where
    ``icons`` allows one: paragraphs and items)."""

    role: str
    icons: bool = False

    @property
    def what(self) -> str:
        return "text or {text, context, icon}" if self.icons else "text or {text, context}"

    def read(self, reader: Reader, node: yaml.Node, path: str) -> Text | None:
        if not isinstance(node, yaml.MappingNode):
            return Words(self.role).read(reader, node, path)
        table = TEXT_WITH_ICON if self.icons else TEXT_WITH_CONTEXT
        if any(k.value not in table.docs and v.tag.endswith(":null") for k, v in node.value):
            reader.problem(
                node, path, "text that starts with '{' reads as a YAML mapping; put the whole line in quotes"
            )
            return None
        values = table.read(reader, node, path)
        if values is None or values["text"] is None:
            return None
        icon = values.get("icon")
        return dataclasses.replace(values["text"], role=self.role, context=values["context"], icon=icon)


@dataclass(frozen=True)
class Blocks(Type):
    """A list of blocks (paragraphs and the kinds of :data:`BLOCK_KINDS`); a bare string is a single
    paragraph."""

    role: str

    @property
    def what(self) -> str:
        return "list of paragraphs and blocks (" + ", ".join(BLOCK_KINDS) + ")"

    def read(self, reader: Reader, node: yaml.Node, path: str) -> tuple[Block, ...]:
        if isinstance(node, yaml.ScalarNode):
            text = Translatable(self.role).read(reader, node, path)
            return (Block("paragraph", (text,)),) if text else ()
        nodes = reader.sequence(node, path)
        if nodes is None:
            return ()
        if not nodes:
            reader.problem(node, path, "is empty; add at least one paragraph")
        found = [_block(reader, child, f"{path}[{i}]", self.role) for i, child in enumerate(nodes)]
        return tuple(block for block in found if block)


def _block(reader: Reader, node: yaml.Node, path: str, role: str) -> Block | None:
    """A paragraph, or a mapping holding one block of :data:`BLOCK_KINDS`."""
    if not (isinstance(node, yaml.MappingNode) and {str(k.value) for k, _ in node.value} & set(BLOCK_KINDS)):
        text = Translatable(f"{role}, paragraph", icons=True).read(reader, node, path)
        return Block("paragraph", (text,)) if text else None
    fields = reader.mapping(node, path, BLOCK_KINDS)
    if fields is None or len(fields) != 1:
        kinds = ", ".join(f"'{kind}'" for kind in BLOCK_KINDS)
        reader.problem(node, path, f"a block holds exactly one of {kinds}")
        return None
    kind, value = next(iter(fields.items()))
    if kind in ITEM_BLOCKS:
        return _item_block(reader, value, f"{path}.{kind}", kind, role)
    options = _BLOCK_OPTIONS[kind]
    if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null"):
        values: dict[str, Any] | None = {f.name: f.default for f in options.fields}
    else:
        values = options.read(reader, value, f"{path}.{kind}")
    if values is None:
        return None
    title = values.get("title") or values.get("prompt")
    return Block(
        kind,
        (),
        dataclasses.replace(title, role=f"{role}, {title.role}") if title else None,
        values.get("lines", 0),
    )


_ITEM_ROLES = {
    "list": "list item",
    "steps": "step",
    "checklist": "checklist item (an empty tick box is printed before it)",
}


def _item_block(reader: Reader, node: yaml.Node, path: str, kind: str, role: str) -> Block | None:
    """A ``list``, ``steps`` or ``checklist``: its items, each a text that may name an icon."""
    items = reader.sequence(node, path)
    if not items:
        if items is not None:
            reader.problem(node, path, "is empty; add at least one item")
        return None
    item_role = f"{role}, {_ITEM_ROLES[kind]}"
    texts = [
        Translatable(item_role, icons=True).read(reader, item, f"{path}[{i}]") for i, item in enumerate(items)
    ]
    return Block(kind, tuple(t for t in texts if t))


#: The options of the blocks that hold no items; each may be left empty (``- when_to_call:``).
_BLOCK_OPTIONS = {
    "notes": Table(
        Field(
            "title",
            Translatable("heading over ruled lines where the reader writes their own notes"),
            "the heading; default 'My questions and notes'",
        ),
        Field(
            "lines",
            WholeNumber(2, 20, "lines"),
            f"how many ruled lines to write on (default {NOTES_LINES})",
            default=NOTES_LINES,
        ),
    ),
    "pain_scale": Table(
        Field(
            "prompt",
            Translatable("question over a 0-10 pain scale; the reader circles a number"),
            "the question over the scale; default 'How bad is your pain right now? Circle a number.'",
        ),
    ),
    "when_to_call": Table(
        Field(
            "title",
            Translatable("heading of the box with our phone number, hours and emergency number"),
            "the heading; default 'How to reach us'",
        ),
    ),
}


def _faq_item(reader: Reader, node: yaml.Node, path: str, values: dict[str, Any]) -> FaqItem | None:
    return FaqItem(values["q"], values["a"]) if values["q"] and values["a"] else None


def _calls_emergency(
    reader: Reader, node: yaml.Node, path: str, blocks: tuple[Block, ...]
) -> tuple[Block, ...]:
    if blocks and not any("{emergency_number}" in t.text for b in blocks for t in b.items):
        reader.problem(
            node,
            path,
            "must say to call {emergency_number}; add a line such as "
            "'Call {emergency_number} right away if …'",
        )
    return blocks


_FAQ_ITEMS = Field(
    "items",
    ListOf(
        Checked(
            Record(
                Table(
                    Field("q", Translatable("FAQ question"), "question", required=True),
                    Field("a", Blocks("FAQ answer"), "answer", required=True),
                )
            ),
            _faq_item,
        )
    ),
    "questions and answers",
    required=True,
    default=(),
)
_WARNING_SIGNS = (
    Field(
        "urgent",
        Blocks("when to get help: call the clinic"),
        "signs to call the clinic for",
        required=True,
        default=(),
    ),
    Field(
        "emergency",
        Blocks("when to get help: emergency"),
        "signs to call {emergency_number} for",
        required=True,
        default=(),
        check=_calls_emergency,
    ),
)


def _section_table(kind: str) -> Table:
    """The fields a section of ``kind`` may have (besides ``kind``), in the order they are read."""
    title = Field(
        "title",
        Translatable(f"heading of a '{kind}' section"),
        "heading; replaces the kind's default heading",
        required=kind == "section",
        missing="a free 'section' needs a 'title'",
    )
    if kind == "faq":
        return Table(title, _FAQ_ITEMS)
    body = Field(
        "body",
        Blocks(kind.replace("_", " ") + " section"),
        "paragraphs, lists and steps",
        required=kind != "when_to_get_help",
        default=(),
        missing=f"a '{kind}' section needs a 'body'",
    )
    if kind == "when_to_get_help":
        return Table(title, body, *_WARNING_SIGNS)
    return Table(title, body)


#: Each section kind's fields (``kind`` itself aside).
SECTION_TABLES = {kind: _section_table(kind) for kind in SECTION_KINDS}
#: Every field a section may have, whatever its kind (``context`` is known, and never allowed).
SECTION_FIELDS = {
    "kind": "one of: " + ", ".join(SECTION_KINDS),
    "context": "not for a section: give a title its msgctxt with {text: …, context: …}",
    **{name: doc for table in SECTION_TABLES.values() for name, doc in table.docs.items()},
}


def _known_kind(reader: Reader, node: yaml.Node, path: str, kind: str) -> str | None:
    if kind in SECTION_KINDS:
        return kind
    choices = ", ".join(sorted(SECTION_KINDS))
    reader.problem(node, path, f"unknown section kind '{kind}'; expected one of: {choices}")
    return None


_KIND = Table(Field("kind", TEXT, SECTION_FIELDS["kind"], required=True, check=_known_kind))


@dataclass(frozen=True)
class SectionOfKind(Type):
    """A section: its ``kind`` says which table its other fields are read with."""

    @property
    def what(self) -> str:
        return "section"

    def read(self, reader: Reader, node: yaml.Node, path: str) -> Section | None:
        nodes = reader.mapping(node, path, SECTION_FIELDS)
        if nodes is None:
            return None
        kind = _KIND.read_fields(reader, node, nodes, path)["kind"]
        if kind is None:
            return None
        table = SECTION_TABLES[kind]
        allowed = ", ".join(sorted({"kind", *table.docs}))
        for key, value in nodes.items():
            if key != "kind" and key not in table.docs:  # reported, not read: it is to be removed
                message = f"'{key}' does not belong in a section of kind '{kind}'; allowed: {allowed}"
                reader.problem(value, join(path, key), message)
        values = table.read_fields(reader, node, {k: v for k, v in nodes.items() if k in table.docs}, path)
        return Section(kind, line_of(node), **values)


def _handout_id(reader: Reader, node: yaml.Node, path: str, value: str) -> str:
    if not ID_RE.match(value):
        reader.problem(node, path, f"'{value}' is not a valid id; use lower-case letters, digits and hyphens")
    return value


#: A handout file, in the order its fields are read.
HANDOUT = Table(
    Field(
        "id",
        TEXT,
        "lower-case id used for file names (letters, digits, hyphens)",
        required=True,
        default="",
        check=_handout_id,
    ),
    Field("title", Translatable("handout title"), "the handout's title", required=True),
    Field(
        "summary",
        Translatable("summary under the title"),
        "one or two sentences: what this handout is for",
        required=True,
    ),
    Field("audience", Translatable("who the handout is for"), "who it is for", required=True),
    Field("version", TEXT, "content version, e.g. '1.2'", required=True, default=""),
    Field("reviewed", Date(), "date of the last clinical review (YYYY-MM-DD)", required=True),
    Field(
        "pages",
        WholeNumber(1, 20, "pages"),
        "page budget: the most pages the handout may print on (default 2)",
        default=2,
    ),
    Field(
        "large_print",
        YesNo(),
        "true: always print this handout in large print (body text 16 pt; more pages)",
        default=False,
    ),
    Field("sections", ListOf(SectionOfKind()), "ordered list of sections", required=True, default=()),
    Field(
        "reviewed_by",
        Translatable("who did the clinical review, printed as 'Checked for accuracy by … on <date>'"),
        "who did the clinical review on the 'reviewed' date: a role or a name with a credential",
    ),
    Field(
        "sources",
        ListOf(Translatable("a source of the facts in this handout; keep the names of publications")),
        "where the facts come from (organisation, title, web address), printed at the end",
        default=(),
    ),
)


def parse_handout(
    text: str, source: Path, placeholders: set[str] | None = None, display_name: str | None = None
) -> tuple[Handout | None, list[Problem]]:
    """Validate one handout's YAML text; returns the handout (when valid) and every problem found."""
    reader = _HandoutReader(display_name or str(source), placeholders)
    document = read_document(reader, text, HANDOUT, "see 'Editing a handout' in README.md")
    if document is None:
        return None, reader.problems
    nodes, values = document
    sections = nodes.get("sections")
    if (
        isinstance(sections, yaml.SequenceNode)
        and not any(s.kind == "when_to_get_help" for s in values["sections"])
        and not reader.problems
    ):
        reader.problem(sections, "sections", "every handout needs a 'when_to_get_help' section")
    if reader.problems:
        return None, reader.problems
    return Handout(**values, source=Path(source), id_line=line_of(nodes["id"])), []


def load_handouts(
    folder: Path, placeholders: set[str] | None = None, root: Path | None = None
) -> list[Handout]:
    """Load and validate every ``*.yaml`` in ``folder``; all problems of all files are raised together."""
    folder = Path(folder)
    paths = sorted(folder.glob("*.yaml"))
    problems: list[Problem] = []
    if not paths:
        problems.append(
            Problem(
                str(folder),
                None,
                "no handouts found; add a .yaml file (see 'Editing a handout' in README.md)",
            )
        )
    seen: dict[str, Handout] = {}
    for path in paths:
        handout = _read_handout_file(path, display_path(path, root), placeholders, problems)
        if handout is not None and handout.id in seen:
            problems.append(_duplicate_id(handout, seen[handout.id], root))
        elif handout is not None:
            seen[handout.id] = handout
    if problems:
        raise ContentError(problems=problems)
    return list(seen.values())


def _read_handout_file(
    path: Path, name: str, placeholders: set[str] | None, problems: list[Problem]
) -> Handout | None:
    """One handout file, read and validated; its problems are added to ``problems``."""
    reader = Reader(name)
    text = read_text_file(path, reader)
    if text is None:
        problems.extend(reader.problems)
        return None
    handout, found = parse_handout(text, path, placeholders, name)
    problems.extend(found)
    return handout


def _duplicate_id(handout: Handout, first: Handout, root: Path | None) -> Problem:
    return Problem(
        display_path(handout.source, root),
        handout.id_line,
        f"duplicate id '{handout.id}' (also in {display_path(first.source, root)}); "
        "give each handout its own id",
        "id",
    )
