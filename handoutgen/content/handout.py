"""Handout content: the YAML schema, loading and validation into typed objects.

A handout file looks like this (every field is described on the dataclass that holds it)::

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
        urgent:
          - Call us at {clinic_phone} if a bruise gets bigger.
        emergency:
          - Call {emergency_number} if you have trouble breathing.

Every translatable string becomes a :class:`Text` that remembers its line and its path into the data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from handoutgen.content.yamldoc import Reader, display_path, line_of, read_text_file
from handoutgen.errors import ContentError, Problem

PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
PLACEHOLDER_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

SECTION_KINDS = {
    "what_to_expect": "what to expect at the visit",
    "before_your_visit": "how to get ready",
    "aftercare": "care after the visit",
    "faq": "questions and answers (items: q/a pairs)",
    "when_to_get_help": "warning signs (urgent: call the clinic; emergency: call the emergency number)",
    "section": "a free section with its own title",
}
BLOCK_KINDS = {"list": "bulleted list", "steps": "numbered steps"}


@dataclass(frozen=True)
class Text:
    """One translatable string (a catalogue entry), with where it came from."""

    text: str
    line: int
    path: str
    role: str  # what it is on the page, for translators: "title", "list item", "FAQ answer", …
    context: str | None = None  # msgctxt, when the same English needs different translations

    @property
    def placeholders(self) -> list[str]:
        return sorted(set(PLACEHOLDER_RE.findall(self.text)))


@dataclass(frozen=True)
class Block:
    """A paragraph (one item), a bulleted ``list`` or numbered ``steps``."""

    kind: str  # "paragraph" | "list" | "steps"
    items: tuple[Text, ...]


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


def _block_texts(blocks: Iterable[Block]) -> Iterator[Text]:
    for block in blocks:
        yield from block.items


# -- validation -----------------------------------------------------------------------------------

_HANDOUT_FIELDS = {
    "id": "lower-case id used for file names (letters, digits, hyphens)",
    "title": "the handout's title",
    "summary": "one or two sentences: what this handout is for",
    "audience": "who it is for",
    "version": "content version, e.g. '1.2'",
    "reviewed": "date of the last clinical review (YYYY-MM-DD)",
    "pages": "page budget: the most pages the handout may print on (default 2)",
    "sections": "ordered list of sections",
}
_SECTION_FIELDS = {
    "kind": "",
    "title": "",
    "context": "",
    "body": "",
    "items": "",
    "urgent": "",
    "emergency": "",
}
_TEXT_FIELDS = {"text": "the words", "context": "msgctxt for translators"}


class _HandoutReader(Reader):
    def __init__(self, file: str, placeholders: set[str] | None):
        super().__init__(file)
        self.placeholders = placeholders

    def translatable(self, node: yaml.Node, path: str, role: str) -> Text | None:
        """A string, or ``{text: …, context: …}`` when the author gives a msgctxt."""
        context = None
        text_node = node
        if isinstance(node, yaml.MappingNode):
            if any(k.value not in _TEXT_FIELDS and v.tag.endswith(":null") for k, v in node.value):
                self.problem(
                    node,
                    path,
                    "text that starts with '{' reads as a YAML mapping; put the whole line in quotes",
                )
                return None
            fields = self.mapping(node, path, _TEXT_FIELDS)
            if fields is None:
                return None
            text_node = self.require(fields, node, path, "text")
            if text_node is None:
                return None
            context = self.optional(fields, "context", path, self.text, None)
            path = f"{path}.text"
        value = self.text(text_node, path)
        if value is None:
            return None
        self.check_inline(text_node, path, value)
        return Text(value, line_of(text_node), path, role, context)

    def check_inline(self, node: yaml.Node, path: str, value: str) -> None:
        for name in PLACEHOLDER_RE.findall(value):
            if not PLACEHOLDER_NAME_RE.match(name):
                self.problem(
                    node, path, f"bad placeholder '{{{name}}}'; use lower-case names like {{clinic_phone}}"
                )
            elif self.placeholders is not None and name not in self.placeholders:
                known = ", ".join("{" + p + "}" for p in sorted(self.placeholders))
                self.problem(
                    node,
                    path,
                    f"placeholder '{{{name}}}' is not defined in the clinic settings; use one of {known} or add it under 'extra' in clinic.yaml",
                )
        if value.count("{") != value.count("}"):
            self.problem(node, path, "unbalanced '{' or '}'; placeholders look like {clinic_phone}")
        stripped = value.replace("**", "")
        if value.count("**") % 2 or stripped.count("*") % 2:
            self.problem(
                node, path, "unbalanced emphasis marker; write **bold** or *italic* with a closing marker"
            )

    def blocks(self, node: yaml.Node, path: str, role: str) -> tuple[Block, ...]:
        """A list of blocks; a bare string is accepted as a single paragraph."""
        if isinstance(node, yaml.ScalarNode):
            text = self.translatable(node, path, role)
            return (Block("paragraph", (text,)),) if text else ()
        nodes = self.sequence(node, path)
        if nodes is None:
            return ()
        result = []
        for index, child in enumerate(nodes):
            block = self.block(child, f"{path}[{index}]", role)
            if block:
                result.append(block)
        if not result and not self.problems:
            self.problem(node, path, "is empty; add at least one paragraph")
        return tuple(result)

    def block(self, node: yaml.Node, path: str, role: str) -> Block | None:
        if isinstance(node, yaml.MappingNode):
            keys = {str(k.value) for k, _ in node.value}
            kinds = keys & set(BLOCK_KINDS)
            if kinds:
                fields = self.mapping(node, path, BLOCK_KINDS)
                if fields is None or len(fields) != 1:
                    self.problem(node, path, "a block holds one 'list' or one 'steps'")
                    return None
                kind, items_node = next(iter(fields.items()))
                items = self.sequence(items_node, f"{path}.{kind}")
                if not items:
                    if items is not None:
                        self.problem(items_node, f"{path}.{kind}", "is empty; add at least one item")
                    return None
                texts = [
                    self.translatable(
                        item, f"{path}.{kind}[{i}]", f"{role}, {'list item' if kind == 'list' else 'step'}"
                    )
                    for i, item in enumerate(items)
                ]
                return Block(kind, tuple(t for t in texts if t))
        text = self.translatable(node, path, f"{role}, paragraph")
        return Block("paragraph", (text,)) if text else None

    def section(self, node: yaml.Node, path: str) -> Section | None:
        fields = self.mapping(node, path, _SECTION_FIELDS)
        if fields is None:
            return None
        kind_node = self.require(fields, node, path, "kind")
        kind = self.text(kind_node, f"{path}.kind") if kind_node is not None else None
        if kind is None:
            return None
        if kind not in SECTION_KINDS:
            choices = ", ".join(sorted(SECTION_KINDS))
            self.problem(
                kind_node, f"{path}.kind", f"unknown section kind '{kind}'; expected one of: {choices}"
            )
            return None
        allowed = {"kind", "title"} | {
            "faq": {"items"},
            "when_to_get_help": {"body", "urgent", "emergency"},
        }.get(kind, {"body"})
        for key, value in fields.items():
            if key not in allowed:
                self.problem(
                    value,
                    f"{path}.{key}",
                    f"'{key}' does not belong in a section of kind '{kind}'; allowed: {', '.join(sorted(allowed))}",
                )
        title = None
        if "title" in fields:
            title = self.translatable(fields["title"], f"{path}.title", f"heading of a '{kind}' section")
        elif kind == "section":
            self.problem(node, path, "a free 'section' needs a 'title'")
        role = kind.replace("_", " ") + " section"
        body = self.blocks(fields["body"], f"{path}.body", role) if "body" in fields else ()
        items = self.faq_items(fields, node, path) if kind == "faq" else ()
        urgent = emergency = ()
        if kind == "when_to_get_help":
            urgent, emergency = self.help_parts(fields, node, path)
        elif kind != "faq" and "body" not in fields:
            self.problem(node, path, f"a '{kind}' section needs a 'body'")
        return Section(kind, line_of(node), title, body, items, urgent, emergency)

    def faq_items(self, fields: dict[str, yaml.Node], node: yaml.Node, path: str) -> tuple[FaqItem, ...]:
        items_node = self.require(fields, node, path, "items")
        nodes = self.sequence(items_node, f"{path}.items") if items_node is not None else None
        result = []
        for index, item_node in enumerate(nodes or ()):
            where = f"{path}.items[{index}]"
            item = self.mapping(item_node, where, {"q": "question", "a": "answer"})
            if item is None:
                continue
            q_node = self.require(item, item_node, where, "q")
            a_node = self.require(item, item_node, where, "a")
            if q_node is None or a_node is None:
                continue
            question = self.translatable(q_node, f"{where}.q", "FAQ question")
            answer = self.blocks(a_node, f"{where}.a", "FAQ answer")
            if question and answer:
                result.append(FaqItem(question, answer))
        return tuple(result)

    def help_parts(
        self, fields: dict[str, yaml.Node], node: yaml.Node, path: str
    ) -> tuple[tuple[Block, ...], tuple[Block, ...]]:
        parts = []
        for key, role in (
            ("urgent", "when to get help: call the clinic"),
            ("emergency", "when to get help: emergency"),
        ):
            part_node = self.require(fields, node, path, key)
            parts.append(self.blocks(part_node, f"{path}.{key}", role) if part_node is not None else ())
        emergency = parts[1]
        if emergency and not any("{emergency_number}" in t.text for b in emergency for t in b.items):
            self.problem(
                fields["emergency"],
                f"{path}.emergency",
                "must say to call {emergency_number}; add a line such as 'Call {emergency_number} right away if …'",
            )
        return parts[0], parts[1]


def parse_handout(
    text: str, source: Path, placeholders: set[str] | None = None, display_name: str | None = None
) -> tuple[Handout | None, list[Problem]]:
    """Validate one handout's YAML text; returns the handout (when valid) and every problem found."""
    reader = _HandoutReader(display_name or str(source), placeholders)
    root = reader.load(text)
    if root is None:
        if not reader.problems:
            reader.problem(None, "", "file is empty; see 'Editing a handout' in README.md")
        return None, reader.problems
    fields = reader.mapping(root, "", _HANDOUT_FIELDS)
    if fields is None:
        return None, reader.problems
    for name in ("id", "title", "summary", "audience", "version", "reviewed", "sections"):
        reader.require(fields, root, "", name)
    handout_id = reader.optional(fields, "id", "", reader.text, "")
    if handout_id and not ID_RE.match(handout_id):
        reader.problem(
            fields["id"],
            "id",
            f"'{handout_id}' is not a valid id; use lower-case letters, digits and hyphens",
        )
    title = reader.translatable(fields["title"], "title", "handout title") if "title" in fields else None
    summary = (
        reader.translatable(fields["summary"], "summary", "summary under the title")
        if "summary" in fields
        else None
    )
    audience = (
        reader.translatable(fields["audience"], "audience", "who the handout is for")
        if "audience" in fields
        else None
    )
    version = reader.optional(fields, "version", "", reader.text, "")
    reviewed = _date(reader, fields.get("reviewed"))
    pages = _pages(reader, fields.get("pages"))
    sections: list[Section] = []
    section_nodes = reader.sequence(fields["sections"], "sections") if "sections" in fields else None
    for index, section_node in enumerate(section_nodes or ()):
        section = reader.section(section_node, f"sections[{index}]")
        if section:
            sections.append(section)
    if (
        section_nodes is not None
        and not any(s.kind == "when_to_get_help" for s in sections)
        and not reader.problems
    ):
        reader.problem(fields["sections"], "sections", "every handout needs a 'when_to_get_help' section")
    if reader.problems:
        return None, reader.problems
    assert title and summary and audience and reviewed
    handout = Handout(
        handout_id,
        title,
        summary,
        audience,
        version,
        reviewed,
        pages,
        tuple(sections),
        Path(source),
        line_of(fields["id"]),
    )
    return handout, []


def _date(reader: Reader, node: yaml.Node | None) -> dt.date | None:
    if node is None:
        return None
    value = node.value if isinstance(node, yaml.ScalarNode) else None
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        reader.problem(node, "reviewed", f"expected a date like 2026-11-01, got {value!r}")
        return None


def _pages(reader: Reader, node: yaml.Node | None) -> int:
    if node is None:
        return 2
    value = node.value if isinstance(node, yaml.ScalarNode) else None
    if not (isinstance(value, str) and value.isdigit() and 1 <= int(value) <= 20):
        reader.problem(node, "pages", f"expected a whole number of pages from 1 to 20, got {value!r}")
        return 2
    return int(value)


def load_handouts(
    folder: Path, placeholders: set[str] | None = None, root: Path | None = None
) -> list[Handout]:
    """Load and validate every ``*.yaml`` in ``folder``; all problems of all files are raised together."""
    folder = Path(folder)
    paths = sorted(folder.glob("*.yaml"))
    handouts: list[Handout] = []
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
        name = display_path(path, root)
        reader = Reader(name)
        text = read_text_file(path, reader)
        if text is None:
            problems.extend(reader.problems)
            continue
        handout, found = parse_handout(text, path, placeholders, name)
        problems.extend(found)
        if handout is None:
            continue
        if handout.id in seen:
            other = display_path(seen[handout.id].source, root)
            problems.append(
                Problem(
                    name,
                    handout.id_line,
                    f"duplicate id '{handout.id}' (also in {other}); give each handout its own id",
                    "id",
                )
            )
            continue
        seen[handout.id] = handout
        handouts.append(handout)
    if problems:
        raise ContentError(problems=problems)
    return handouts
