"""Property test: random sequences of what staff, translators, reviewers and tools do to a project
never lose a translation, never count an entry as reviewed unless a listed reviewer approved that
exact English and translation, and always show the reviewer the English they last approved.

Every step works on real files: the handout YAML is rewritten, ``catalogs update`` merges it into
the real ``.po`` (checked by GNU ``msgfmt -c``), translators edit the ``.po`` the way Poedit saves
it (no ``fuzzy``), ``msgattrib --clear-fuzzy`` and ``pybabel update``'s obsolete handling are
replayed, and approvals go through the same library calls as ``review approve``.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from conftest import approve, list_reviewers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoutgen.catalogs.approvals import load_approvals
from handoutgen.catalogs.states import State, entry_state
from handoutgen.catalogs.store import init_catalog, load_catalog, po_path, save_catalog, update_catalogs
from handoutgen.errors import ReviewError

EXAMPLES = 100
WORDS = [
    "rest",
    "water",
    "heat",
    "walk",
    "sleep",
    "call",
    "ice",
    "bruise",
    "needle",
    "towel",
    "pain",
    "drive",
]
paragraph = st.lists(st.sampled_from(WORDS), min_size=4, max_size=8).map(
    lambda ws: " ".join(ws).capitalize() + "."
)
index = st.integers(0, 30)
operation = st.one_of(
    st.tuples(st.just("edit"), index, st.sampled_from(WORDS)),
    st.tuples(st.just("undo"), index),
    st.tuples(st.just("delete"), index),
    st.tuples(st.just("restore"), index),
    st.tuples(st.just("add-similar"), index, st.sampled_from(WORDS)),
    st.tuples(st.just("share"), index),
    st.tuples(st.just("edit-one-copy"), index, st.sampled_from(WORDS)),
    st.tuples(st.just("translate"), index, st.sampled_from(WORDS)),
    st.tuples(st.just("approve"), index),
    st.tuples(st.just("self-approve"), index),
    st.tuples(
        st.just("clear-fuzzy"),
    ),
    st.tuples(
        st.just("obsolete-unfuzzy"),
    ),
    st.tuples(st.just("rewrap"), index),
)

HEADER = """id: {id}
title: Handout {id}
summary: Random edits.
audience: Tests.
version: "1"
reviewed: 2026-01-01
sections:
  - kind: aftercare
    body:
"""
FOOTER = """  - kind: when_to_get_help
    urgent:
      - Call {clinic_phone}.
    emergency:
      - Call {emergency_number}.
"""
REVIEWERS = """reviewers:
  - id: ana
    name: Ana Reviewer
    languages: [es]
    qualification: ATA certified en>es (test)
  - id: tran
    name: Tran Slator
    email: tran@example.org
    languages: [es]
    qualification: bilingual staff (test)
"""
TRANSLATOR = "Tran Slator <tran@example.org>"


@dataclass
class Model:
    """What the people did, as the test remembers it."""

    handouts: dict[str, list[str]] = field(default_factory=lambda: {"one": [], "two": []})
    wrapped: set[str] = field(default_factory=set)
    deleted: list[str] = field(default_factory=list)
    edits: list[tuple[str, int, str, str]] = field(default_factory=list)  # handout, index, old, new
    written: dict[str, str] = field(default_factory=dict)  # English -> the last translation written for it
    approved: list[tuple[str, str]] = field(default_factory=list)  # (English, translation), in order
    derived: dict[str, str] = field(default_factory=dict)  # English made by editing -> the English edited

    def current(self) -> list[str]:
        return list(dict.fromkeys(p for ps in self.handouts.values() for p in ps))


def _write(root: Path, model: Model) -> None:
    for name, paragraphs in model.handouts.items():
        body = ""
        for text in paragraphs or ["Placeholder paragraph for an empty section."]:
            if text in model.wrapped:
                words = text.split()
                body += f"      - >-\n        {' '.join(words[:2])}\n          {' '.join(words[2:])}\n"
            else:
                body += f"      - {text}\n"
        (root / "handouts" / f"{name}.yaml").write_text(HEADER.format(id=name) + body + FOOTER)


def _catalog(root: Path):
    return load_catalog(po_path(root / "locales", "es"), "es")


def _save(root: Path, catalog) -> None:
    save_catalog(catalog, po_path(root / "locales", "es"))


def _setup(root: Path, model: Model) -> None:
    (root / "handouts").mkdir()
    (root / "templates").mkdir()
    (root / "babel.cfg").write_text("[handout: handouts/**.yaml]\n")
    list_reviewers(root, REVIEWERS)
    _write(root, model)
    init_catalog(root, "es")
    update_catalogs(root, ["es"])
    catalog = _catalog(root)
    catalog.last_translator = TRANSLATOR
    for message in catalog:
        if message.id:
            message.string = "ES " + message.id.lower()
            model.written[message.id] = message.string
    _save(root, catalog)
    approve(root, "es")
    model.approved += [(m.id, m.string) for m in _catalog(root) if m.id]


def _pick(model: Model, i: int) -> tuple[str, int] | None:
    pairs = [(name, n) for name, ps in model.handouts.items() for n in range(len(ps))]
    return pairs[i % len(pairs)] if pairs else None


def _english_step(model: Model, op: tuple) -> None:
    """Long because it is the table of English edits: one branch per kind of edit staff make."""
    kind = op[0]
    where = _pick(model, op[1]) if len(op) > 1 else None
    current = model.current()
    if kind in ("edit", "edit-one-copy") and where:
        name, n = where
        old = model.handouts[name][n]
        new = old[:-1] + " " + op[2] + "."
        if kind == "edit-one-copy":  # the same sentence is on both handouts: edit only this copy
            other = "two" if name == "one" else "one"
            if old not in model.handouts[other]:
                model.handouts[other].append(old)
        if new not in current:
            model.handouts[name][n] = new
            model.edits.append((name, n, old, new))
            model.derived.setdefault(new, old)
    elif kind == "undo" and model.edits:
        name, n, old, new = model.edits.pop()
        paragraphs = model.handouts[name]
        if n < len(paragraphs) and paragraphs[n] == new and old not in current:
            paragraphs[n] = old
    elif kind == "delete" and where and len(current) > 1:
        name, n = where
        model.deleted.append(model.handouts[name].pop(n))
    elif kind == "restore" and model.deleted:
        text = model.deleted.pop(op[1] % len(model.deleted))
        if text not in current:
            model.handouts["one"].append(text)
    elif kind == "add-similar" and model.deleted:
        base = model.deleted[op[1] % len(model.deleted)]
        new = base[:-1] + " " + op[2] + "."
        if new not in current:
            model.handouts["two"].append(new)
            model.derived.setdefault(new, base)
    elif kind == "share" and where:
        name, n = where
        other = "two" if name == "one" else "one"
        if model.handouts[name][n] not in model.handouts[other]:
            model.handouts[other].append(model.handouts[name][n])
    elif kind == "rewrap" and where:
        name, n = where
        model.wrapped ^= {model.handouts[name][n]}


def _people_step(root: Path, model: Model, op: tuple) -> None:
    kind = op[0]
    current = model.current()
    text = current[op[1] % len(current)] if current and len(op) > 1 else None
    if kind == "translate" and text:  # a Poedit save: new text, not fuzzy, no #| lines
        catalog = _catalog(root)
        message = catalog.get(text)
        message.string = f"ES {text.lower()} {op[2]}"
        message.flags.discard("fuzzy")
        message.previous_id = []
        catalog.last_translator = TRANSLATOR
        _save(root, catalog)
        model.written[text] = message.string
    elif kind in ("approve", "self-approve") and text:
        message = _catalog(root).get(text)
        reviewer = "ana" if kind == "approve" else "tran"
        try:
            count = approve(root, "es", keys=[(text, None)], reviewer=reviewer)
        except ReviewError:
            count = 0
        if kind == "self-approve":
            assert count == 0, "a translator approved their own translation"
        elif count:
            model.approved.append((text, message.string))
    elif kind == "clear-fuzzy":  # msgattrib --clear-fuzzy
        subprocess.run(["msgattrib", "--clear-fuzzy", "-o", str(_po(root)), str(_po(root))], check=True)
    elif kind == "obsolete-unfuzzy":  # what pybabel update does to obsolete entries
        catalog = _catalog(root)
        for message in catalog.obsolete.values():
            message.flags.discard("fuzzy")
        _save(root, catalog)


def _po(root: Path) -> Path:
    return po_path(root / "locales", "es")


def _check(root: Path, model: Model) -> None:
    """The three promises, read from the real files."""
    catalog = _catalog(root)
    approvals = load_approvals(root, "es")
    approved = set(model.approved)
    for text in model.current():
        message = catalog.get(text)
        assert message is not None, f"{text!r} is not in the catalogue"
        # 1. no translation lost: English that was translated has its translation back
        if text in model.written:
            assert message.string == model.written[text], f"translation of {text!r} lost"
        elif model.derived.get(text) in model.written:  # edited English keeps the old translation
            assert message.string, f"{text!r}, edited from {model.derived[text]!r}, lost its translation"
        # 2. reviewed only if a listed reviewer approved exactly this text
        state = entry_state(message, approvals)
        if state is State.REVIEWED:
            assert (text, message.string) in approved, f"{text!r} reviewed without an approval"
        elif (text, message.string) in approved and not message.fuzzy and not message.previous_id:
            raise AssertionError(f"{text!r} was approved in exactly this form but is {state.value}")
        # 3. the English shown as "previous" is English a reviewer approved with this very
        #    translation (when it was ever approved), never an edit nobody reviewed
        if message.previous_id and any(t == message.string for _, t in model.approved):
            assert (message.previous_id[0], message.string) in approved, (
                f"{text!r} shows {message.previous_id[0]!r} as the English last reviewed"
            )


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(paragraph, min_size=2, max_size=5, unique=True),
    st.lists(operation, min_size=1, max_size=8),
)
def test_random_edit_update_approve_restore_sequences(initial: list[str], ops: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        model = Model()
        model.handouts["one"] = initial[: len(initial) // 2 + 1]
        model.handouts["two"] = initial[len(initial) // 2 + 1 :]
        _setup(root, model)
        for op in ops:
            _english_step(model, op)
            _write(root, model)
            update_catalogs(root, ["es"])
            _people_step(root, model, op)
            update_catalogs(root, ["es"])
            _check(root, model)
        result = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(_po(root))], capture_output=True)
        assert result.returncode == 0, result.stderr
