"""Finishing WeasyPrint's PDF/UA tagging while it writes the PDF: what version 70 leaves undone.

WeasyPrint marks every run of text as a ``/Span`` with an MCID and builds one structure tree per page.
What it leaves undone is done here, on its own objects before they are written (WeasyPrint's
``finisher`` hook), so nothing is parsed back and the bytes stay the same for the same input:

- text in the page margins (footer, print id, the running DRAFT notice) gets an MCID but no place in
  the tree: it becomes an ``/Artifact`` (``/Pagination``, ``/Header`` or ``/Footer``), except the
  DRAFT notice of the last page, which goes at the end of the tree: a screen reader says it once, last;
- the DRAFT watermark (an element with ``data-artifact="watermark"``) becomes a ``/Watermark``
  artifact on every page, wrapped in an empty ``/ActualText`` so that copy and paste and text
  extraction (pdftotext) skip it too;
- right-to-left text is drawn glyph by glyph in visual order, which extraction reads backwards (and a
  lam-alef ligature as alef-lam): each such run's ``/Span`` structure element gets ``/ActualText``,
  the run as written, in logical order;
- an element a page break splits (a list, a section, a paragraph) is put back together as one;
- an element whose ``lang`` differs from the document's gets ``/Lang``.

Two of WeasyPrint's internals are wrapped while a PDF is written, and only then: its content-stream
class (to learn which box each MCID draws and where its operators are) and its box-to-tag builder (to
learn which box each structure element comes from). :func:`finishing` checks that both exist and
says so plainly when an upgrade removed one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

WATERMARK = "watermark"  # the value of data-artifact that makes an element a watermark


@dataclass
class _Mark:
    """One marked-content sequence WeasyPrint wrote: where its operators are, and which box it draws."""

    stream: Any
    begin: int  # index in stream.stream of the tag name; the property list follows it
    box: Any
    end: int = -1  # index of its EMC
    actual_text: str | None = None  # the run in logical order, for right-to-left text


@dataclass
class _Record:
    """What the wrapped internals saw during one write: per page, MCID -> mark; per structure element
    (by id), the box it was made for. ``keep`` holds every object an id refers to, so no id is reused."""

    pages: list[dict[int, _Mark]] = field(default_factory=list)
    by_tags: dict[int, dict[int, _Mark]] = field(default_factory=dict)
    boxes: dict[int, Any] = field(default_factory=dict)
    elements: list[Any] = field(default_factory=list)
    keep: list[Any] = field(default_factory=list)


def right_to_left(text: str) -> bool:
    """Whether ``text`` has a letter of a right-to-left script (Arabic, Hebrew, Syriac, Thaana, N'Ko…)."""
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


@contextmanager
def finishing() -> Iterator[Callable[[Any, Any], None]]:
    """While the block runs, WeasyPrint's stream class and tag builder are wrapped to record what the
    finisher needs; yields the finisher to give ``write_pdf(finisher=…)``. Restored afterwards."""
    from handoutgen.render.weasy import load

    load()  # WeasyPrint itself first, its libraries found the quick way
    import weasyprint.pdf as pdf_module
    import weasyprint.pdf.stream as stream_module
    import weasyprint.pdf.tags as tags_module

    for module, name in ((pdf_module, "Stream"), (stream_module, "Stream"), (tags_module, "_build_box_tree")):
        if not hasattr(module, name):
            raise RuntimeError(
                f"WeasyPrint {getattr(pdf_module, 'VERSION', '?')} has no {module.__name__}.{name}: "
                "handoutgen/render/tagging.py needs updating for this version"
            )
    record = _Record()
    saved = (pdf_module.Stream, stream_module.Stream, tags_module._build_box_tree)
    marking = _marking_stream(stream_module.Stream, record)
    pdf_module.Stream = stream_module.Stream = marking
    tags_module._build_box_tree = _recording_builder(saved[2], record)
    try:
        yield lambda document, pdf: _Finisher(document, pdf, record).run()
    finally:
        pdf_module.Stream, stream_module.Stream, tags_module._build_box_tree = saved


def _marking_stream(base: type, record: _Record) -> type:
    """WeasyPrint's content stream, noting each marked-content sequence, and the logical text of a
    right-to-left run. That goes on the run's structure element, not in the content stream: poppler
    (pdftotext, Evince, Okular) lays a content-stream ActualText out left to right and then reverses
    the right-to-left line, so it would extract every Arabic word backwards."""
    import pydyf

    class MarkingStream(base):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            tags = self._tags  # one dict per page, shared by the page's groups and patterns
            if tags is not None and id(tags) not in record.by_tags:
                marks: dict[int, _Mark] = {}
                record.by_tags[id(tags)] = marks
                record.pages.append(marks)
                record.keep.append(tags)

        @contextmanager
        def marked(self, box: Any, tag: str) -> Iterator[None]:
            if self._tags is None:
                yield
                return
            mcid = len(self._tags)
            self._tags[box] = {"tag": tag, "mcid": mcid}
            properties = pydyf.Dictionary({"MCID": mcid})
            mark = _Mark(self, len(self.stream), box)
            text = getattr(box, "text", None)
            if tag == "Span" and text and right_to_left(text):
                mark.actual_text = text
            record.by_tags[id(self._tags)][mcid] = mark
            self.begin_marked_content(tag, properties)
            try:
                yield
            finally:
                self.end_marked_content()
                mark.end = len(self.stream) - 1

    return MarkingStream


def _recording_builder(
    original: Callable[..., Iterator[Any]], record: _Record
) -> Callable[..., Iterator[Any]]:
    """WeasyPrint's box-to-tag builder (which calls itself through the module, so through this
    wrapper too), noting the box each structure element it yields was made for: the innermost call
    that yields it (the page, ``html`` and ``body`` pass their children's elements on)."""

    def build(box: Any, *args: Any) -> Iterator[Any]:
        for element in original(box, *args):
            if id(element) not in record.boxes:
                record.elements.append(element)
                record.boxes[id(element)] = box
            yield element

    return build


class _Finisher:
    """The structure tree WeasyPrint built, finished (see the module's docstring)."""

    def __init__(self, document: Any, pdf: Any, record: _Record) -> None:
        self.document = document
        self.pdf = pdf
        self.record = record
        root = self.obj(pdf.catalog["StructTreeRoot"])
        self.root = self.obj(root["K"][0])
        self.nums = self.obj(root["ParentTree"])["Nums"]
        self.lang = str(getattr(pdf.catalog.get("Lang"), "string", "") or "").lower()
        self.merged: dict[int, Any] = {}  # id(element put into another) -> that other element

    def obj(self, reference: Any) -> Any:
        """The object a reference (``b"12 0 R"``) stands for; anything else as it is."""
        if isinstance(reference, bytes) and reference.endswith(b" R"):
            return self.pdf.objects[int(reference.split()[0])]
        return reference

    def run(self) -> None:
        import pydyf

        self._drop_watermarks(self.root)
        reachable = self._reachable()
        notice = self._margin_content(reachable)
        if notice:
            note = pydyf.Dictionary({"Type": "/StructElem", "S": "/P", "P": self.root.reference})
            note["K"] = pydyf.Array(notice)
            note["Pg"] = self.obj(notice[0])["Pg"]
            self.pdf.add_object(note)
            for leaf in notice:
                self.obj(leaf)["P"] = note.reference
            self.root["K"].append(note.reference)
        self._join_split(self.root)
        self._point_parent_tree_at_joined()
        self._add_languages(self.root, None)
        reachable = self._reachable()
        for element in self.record.elements:
            if id(element) not in reachable:
                element.clear()  # an orphan WeasyPrint made for margin text: nothing refers to it now

    # -- the watermark and the page margins ----------------------------------------------------------

    def _box(self, element: Any) -> Any:
        return self.record.boxes.get(id(element))

    def _drop_watermarks(self, element: Any) -> None:
        """Structure elements made for a watermark leave the tree (their content becomes an artifact)."""
        kept = []
        for reference in element["K"]:
            kid = self.obj(reference)
            if isinstance(kid, dict) and kid.get("Type") == "/StructElem":
                box = self._box(kid)
                if _artifact_kind(box) == WATERMARK:
                    continue
                self._drop_watermarks(kid)
            kept.append(reference)
        element["K"][:] = kept

    def _reachable(self) -> set[int]:
        """The ids of the structure elements the document's tree reaches."""
        seen: set[int] = set()
        todo = [self.root]
        while todo:
            element = todo.pop()
            seen.add(id(element))
            for reference in element.get("K", ()):
                kid = self.obj(reference)
                if isinstance(kid, dict) and kid.get("Type") == "/StructElem" and id(kid) not in seen:
                    todo.append(kid)
        return seen

    def _margin_content(self, reachable: set[int]) -> list[bytes]:
        """Right-to-left runs get their ActualText (see _marking_stream). Every marked sequence whose
        structure element the tree does not reach becomes an artifact; returns the leaves of the last
        page's header (the DRAFT notice), which stay tagged instead."""
        import pydyf

        last_header: list[bytes] = []
        for page, marks in enumerate(self.record.pages):
            references = self.nums[2 * page + 1]
            height = self.document.pages[page].height
            header: list[bytes] = []
            for mcid, mark in sorted(marks.items()):
                leaf = self.obj(references[mcid])
                kind = _artifact_kind(mark.box)
                if kind is None and id(leaf) not in reachable:
                    kind = "Header" if mark.box.position_y < height / 2 else "Footer"
                if kind is None or (kind == "Header" and page == len(self.record.pages) - 1):
                    if mark.actual_text:
                        leaf["ActualText"] = pydyf.String(mark.actual_text)
                    if kind == "Header":
                        header.append(references[mcid])
                    continue
                _make_artifact(mark, kind)
                references[mcid] = b"null"
            last_header = header
        return last_header

    # -- elements split by a page break ---------------------------------------------------------------

    def _join_split(self, element: Any) -> None:
        """Two neighbouring elements made for the same HTML element on different pages become one: the
        later one's children join the earlier one's. Then the same, one level down."""
        kept: list[Any] = []
        for reference in element["K"]:
            kid = self.obj(reference)
            previous = self.obj(kept[-1]) if kept else None
            if _is_element(kid) and _is_element(previous) and self._continues(previous, kid):
                self._absorb(previous, kid)
                continue
            kept.append(reference)
        element["K"][:] = kept
        for reference in kept:
            kid = self.obj(reference)
            if _is_element(kid):
                self._join_split(kid)

    def _continues(self, first: Any, second: Any) -> bool:
        box, other = self._box(first), self._box(second)
        return (
            box is not None
            and other is not None
            and box.element is not None
            and box.element is other.element
            and first["S"] == second["S"]
            and first.get("Pg") != second.get("Pg")
        )

    def _absorb(self, first: Any, second: Any) -> None:
        import pydyf

        for reference in second["K"]:
            if isinstance(reference, int):  # an MCID on the later element's page
                reference = pydyf.Dictionary({"Type": "/MCR", "Pg": second["Pg"], "MCID": reference})
            else:
                kid = self.obj(reference)
                if _is_element(kid):
                    kid["P"] = first.reference
            first["K"].append(reference)
        self.merged[id(second)] = first
        if "Lang" in second and "Lang" not in first:
            first["Lang"] = second["Lang"]

    def _point_parent_tree_at_joined(self) -> None:
        """Each MCID (or annotation) the parent tree gave to an element now joined to another belongs to
        that other."""
        for index in range(1, len(self.nums), 2):
            entry = self.nums[index]
            entries = entry if isinstance(entry, list) else None
            for position, reference in enumerate(entries if entries is not None else [entry]):
                target = self.obj(reference)
                while id(target) in self.merged:
                    target = self.merged[id(target)]
                if target is not self.obj(reference):
                    if entries is not None:
                        entries[position] = target.reference
                    else:
                        self.nums[index] = target.reference

    # -- languages ----------------------------------------------------------------------------------------

    def _add_languages(self, element: Any, inherited: str | None) -> None:
        """/Lang on the element made for an HTML element whose ``lang`` is not the one it inherits."""
        import pydyf

        box = self._box(element)
        lang = box.element.get("lang") if box is not None and box.element is not None else None
        current = inherited or self.lang
        if lang and lang.lower() != current:
            element["Lang"] = pydyf.String(lang)
            current = lang.lower()
        for reference in element.get("K", ()):
            kid = self.obj(reference)
            if _is_element(kid):
                self._add_languages(kid, current)


def _is_element(value: Any) -> bool:
    return isinstance(value, dict) and value.get("Type") == "/StructElem"


def _artifact_kind(box: Any) -> str | None:
    """``watermark`` for a box made for an element marked ``data-artifact="watermark"``, else None."""
    element = getattr(box, "element", None)
    if element is not None and element.get("data-artifact") == WATERMARK:
        return WATERMARK
    return None


def _make_artifact(mark: _Mark, kind: str) -> None:
    """Rewrite one marked sequence's operators as an artifact of ``kind`` (Header, Footer, watermark);
    a watermark's glyphs also get an empty ActualText, so that extraction leaves them out."""
    import pydyf

    operators = mark.stream.stream
    subtype = "Watermark" if kind == WATERMARK else kind
    operators[mark.begin] = "/Artifact"
    operators[mark.begin + 1] = pydyf.Dictionary({"Type": "/Pagination", "Subtype": f"/{subtype}"})
    if kind == WATERMARK:
        operators[mark.begin + 2] = b"BDC /Span << /ActualText <FEFF> >> BDC"
        operators[mark.end] = b"EMC EMC"
