"""What ``status`` and ``check`` learnt last time, kept by content hash in ``.cache/status/``.

At a health system's scale (thousands of handouts × tens of languages) rendering every sheet to learn
which catalogue entries it uses, and checking every catalogue entry, takes minutes. Both answers
depend only on their inputs' bytes, so they are kept here and used again while those bytes are the
same:

* **parsed handouts**, by file name, bytes and the clinic's placeholder names;
* **a catalogue summary per locale** (:class:`Summary`): each entry's state, its check findings
  (overrides applied), the date of the approval that makes it reviewed, and what rendering reads
  from it; keyed by the ``.po`` bytes, the locale's ``approvals.jsonl``, ``reviewers.yaml``, the
  check references (``glossary.yaml``, ``handouts.pot``, ``literacy.yaml``), the handoutgen and
  Babel versions and :data:`FORMAT`;
* **the entries each sheet uses** (and the problem its render ran into, word for word), by the
  handout's parsed content, the shared parts (templates, clinic settings, assets, renderer) and the
  locale. Rendering reads a translation's text and line, so a record also keeps a fingerprint of
  those for the entries it used, and counts only while they are the same;
* **what each built sheet was made from** (build/known.py), so a build after an edit prepares only
  the sheets the edit can change;
* **catalogues that need no merge** (:func:`merge_keys`): the English (every file the extraction
  reads), the template, ``reviewers.yaml`` and each catalogue with its records as they were after the
  last update, so the build and ``check`` skip re-extracting and merging when nothing changed.

Nothing here decides a state or a finding: the summary is made by the same code as the build
(``Inputs.translations``, ``Inputs.findings``, ``entry_state``), once per changed input. Entry states
do not depend on the day: a reviewer's ``until:`` is compared with the record's own date
(``Approvals.counts``), so the date is not part of any key.

Every file carries :data:`FORMAT` and the project's root; one from another project, another version
or damaged is ignored (and rewritten), never an error. Files are written atomically. They are
pickles of the project's own data, read only from the project's own ``.cache/``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import os
import pickle
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handoutgen import __version__
from handoutgen.build.hashes import hashes_of
from handoutgen.build.run import Inputs
from handoutgen.catalogs.approvals import approvals_path, record_date
from handoutgen.catalogs.lookup import Key
from handoutgen.catalogs.states import State, entry_state
from handoutgen.catalogs.store import po_path, pot_path
from handoutgen.checks.findings import Finding
from handoutgen.errors import Problem, display
from handoutgen.fsutil import exclusive_lock, write_bytes_atomic
from handoutgen.text.locales import locale_info

#: Bumped whenever what is stored (or how a key is made) changes: older files are then ignored.
FORMAT = 3
FOLDER = Path(".cache") / "status"
#: States by number, as stored.
STATES = tuple(State)
#: Seconds between two progress lines on a long run.
PROGRESS_EVERY = 3.0


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def file_sha(path: Path) -> str:
    """A file's bytes hashed; "absent" when there is no such file."""
    try:
        return sha(Path(path).read_bytes())
    except FileNotFoundError:
        return "absent"


def kept_sha(root: Path, path: Path) -> str:
    """:func:`file_sha`, from the project's kept hashes (build/hashes.py) while the file's stat is
    the one it was hashed with."""
    found = hashes_of(root).sha(path)
    return "absent" if found is None else found[:32]


def key_of(*parts: Any) -> str:
    """One digest of plain values (strings, numbers, lists of them)."""
    return sha(repr(parts).encode("utf-8"))


@functools.cache
def _versions() -> tuple[str, ...]:
    from importlib.metadata import version

    return (str(FORMAT), __version__, version("babel"), version("jinja2"))


class Cache:
    """The files of ``.cache/status/`` of one project: read once, written back when changed."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.folder = self.root / FOLDER
        self.stamp = (*_versions(), str(self.root))

    def read(self, name: str) -> Any:
        """The value stored under ``name``, or None (no file, another project or version, damaged)."""
        try:
            with open(self.folder / f"{name}.pickle", "rb") as handle:
                stored = pickle.load(handle)
        except Exception:  # a damaged cache is only a slower run
            return None
        if not isinstance(stored, dict) or stored.get("stamp") != self.stamp:
            return None
        return stored.get("value")

    def write(self, name: str, value: Any, *, durable: bool = True) -> bool:
        """Stored atomically (True); a cache that cannot be written is only a slower next run (False).
        ``durable`` False skips the flush to disk (many small files: a file lost to a crash is only
        parsed again)."""
        data = pickle.dumps({"stamp": self.stamp, "value": value}, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            write_bytes_atomic(self.folder / f"{name}.pickle", data, durable=durable)
        except OSError:
            return False
        return True

    def forget(self, name: str) -> None:
        with contextlib.suppress(OSError):
            (self.folder / f"{name}.pickle").unlink()

    def prune(self, folder: str, keep: set[str]) -> None:
        """Remove the files of ``folder`` not named in ``keep`` (their inputs are gone)."""
        try:
            with os.scandir(self.folder / folder) as entries:
                stale = [e.path for e in entries if e.name.removesuffix(".pickle") not in keep]
        except OSError:
            return
        for path in stale:
            with contextlib.suppress(OSError):
                os.unlink(path)


class Progress:
    """A line on stderr every few seconds while a long loop runs ("status: 12,000 of 100,000 sheets…")."""

    def __init__(self, label: str, total: int, report: Callable[[str], None] | None = None) -> None:
        self.label, self.total, self.done = label, total, 0
        self.report = report or (lambda line: print(line, file=sys.stderr, flush=True))
        self.last = time.monotonic()

    def step(self) -> None:
        self.done += 1
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY and self.done < self.total:
            self.last = now
            self.report(f"{self.label}: {self.done:,} of {self.total:,} sheets…")


# -- inputs ----------------------------------------------------------------------------------------


@dataclass
class CachedInputs(Inputs):
    """:class:`Inputs` whose handouts came from the cache when their bytes were unchanged, with each
    handout's content digest and file key; it also keeps the translations objects it hands out, so
    the entries a prepared sheet used can be read afterwards."""

    file_keys: dict[str, str] = field(default_factory=dict)  # handout id -> name, bytes, placeholders
    handed_out: list[Any] | None = None  # when a list, every translations object handed out since
    cache: Cache | None = None
    placeholders: set[str] = field(default_factory=set)  # the clinic's, as the handouts were parsed with
    parsed: dict[str, Any] = field(default_factory=dict)  # handout id -> Handout, once one was needed
    _hashes: dict[Path, str] = field(default_factory=dict)

    def handout(self, handout_id: str) -> Any:
        """The parsed handout: from the cache (by its file key), else parsed from its file again."""
        if handout_id not in self.parsed:
            key = self.file_keys[handout_id]
            stored = self.cache.read(f"{HANDOUTS}/{key}") if self.cache else None
            if getattr(stored, "id", None) != handout_id:
                stored = self._parse_again(handout_id)
            self.keep_parsed(stored)
        return self.parsed[handout_id]

    def keep_parsed(self, handout: Any) -> None:
        """Keep a parsed handout for the sheets still to come, letting go of the longest kept beyond
        :data:`PARSED_KEPT` (read again from its cache file should it be wanted again)."""
        _keep_newest(self.parsed, handout.id, handout)

    def _parse_again(self, handout_id: str) -> Any:
        """A handout whose parsed copy is not in the cache (removed, damaged), parsed as the index did;
        a file that changed since it was indexed is an error to run the command again."""
        from handoutgen.content.handout import parse_handout
        from handoutgen.content.yamldoc import display_path
        from handoutgen.errors import ContentError

        source = next(h.source for h in self.handouts if h.id == handout_id)
        name = display_path(source, self.project.root)
        try:
            text = source.read_text(encoding="utf-8")
            handout, problems = parse_handout(text, source, self.placeholders, name)
        except (OSError, UnicodeDecodeError):
            handout, problems = None, []
        if handout is None or _content_digest(handout) != self.content[handout_id]:
            raise ContentError(
                problems=problems or [Problem(name, None, "changed while this command ran; run it again")]
            )
        if self.cache is not None:
            self.cache.write(f"{HANDOUTS}/{self.file_keys[handout_id]}", handout, durable=False)
        return handout

    def translations(self, locale):
        made = super().translations(locale)
        if self.handed_out is not None:
            self.handed_out.append(made)
        return made

    def file_sha(self, path: Path) -> str:
        """:func:`kept_sha`, once per file and run (a catalogue is hashed once, whoever asks)."""
        if path not in self._hashes:
            self._hashes[path] = kept_sha(self.project.root, path)
        return self._hashes[path]


def load_inputs_cached(root: Path, cache: Cache) -> CachedInputs:
    """The clinic settings and every handout file, as :func:`~handoutgen.build.run.load_inputs` loads
    them, known by an index (:data:`INDEX`: file key -> id and content digest): a handout file whose
    name and bytes are unchanged is neither parsed nor read from the cache until one of its sheets
    needs it (:meth:`CachedInputs.handout`). Any problem (a handout that does not parse, a duplicate
    id, no handouts) is raised by ``load_inputs`` itself, so it is reported exactly as the build
    reports it."""
    from handoutgen.build.run import load_inputs
    from handoutgen.content.clinic import load_clinic
    from handoutgen.project import Project

    project = Project(cache.root)
    clinic = load_clinic(project.clinic_file, project.root)
    placeholders = set(clinic.placeholders())
    stored = cache.read(INDEX)
    stored = stored if isinstance(stored, dict) else {}
    parsed: dict[str, Any] = {}
    index = _index_handouts(project.handouts, project.root, placeholders, stored, parsed, cache)
    if index is None or len({i for i, _, _ in index.values()}) != len(index) or not index:
        plain = load_inputs(project.root)  # raises the problems, worded as the build words them
        parsed = {key_of(str(h.source), _content_digest(h)): h for h in plain.handouts}
        index = {k: (h.id, _content_digest(h), h.source) for k, h in parsed.items()}
        for key, handout in parsed.items():
            cache.write(f"{HANDOUTS}/{key}", handout, durable=False)
    inputs = CachedInputs(project, clinic, [Listed(i, source) for i, _, source in index.values()])
    inputs.cache, inputs.placeholders = cache, placeholders
    for key, (handout_id, digest, _) in index.items():
        inputs.content[handout_id], inputs.file_keys[handout_id] = digest, key
    for handout in parsed.values():
        inputs.keep_parsed(handout)
    if index.keys() != stored.keys():
        cache.write(INDEX, {k: (i, d, s.name) for k, (i, d, s) in index.items()})
        cache.prune(HANDOUTS, set(index))
        cache.forget("handouts")  # every parsed handout in one file, as an earlier release kept them
    return inputs


#: The handout index's name in the cache, and the folder of parsed handouts (one file per file key).
INDEX, HANDOUTS = "handout-index", "handouts"

#: Parsed handouts kept in memory at once. A command goes through every handout once per language,
#: and a library's thousands, parsed, are hundreds of MB (about 50 KB each): kept all at once they
#: made the build's memory grow with the library. Beyond this many, a handout is read again from its
#: cache file (about 2 ms, against some 20 ms of preparing one sheet) when its next sheet comes.
PARSED_KEPT = 200


def _keep_newest(table: dict[str, Any], key: str, handout: Any) -> None:
    """``table[key] = handout``, letting go of the longest kept beyond :data:`PARSED_KEPT`."""
    table[key] = handout
    while len(table) > PARSED_KEPT:
        del table[next(iter(table))]


@dataclass(frozen=True)
class Listed:
    """A handout as the index knows it: its id and file. The rest is parsed only when needed."""

    id: str
    source: Path


def _index_handouts(
    folder: Path, root: Path, placeholders: set[str], stored: dict, parsed: dict, cache: Cache
) -> dict[str, tuple[str, str, Path]] | None:
    """{file key: (id, content digest, file)} in file order; None when one does not parse. A file not
    in the index is parsed here and written to the cache; the last :data:`PARSED_KEPT` of them stay
    in ``parsed`` (by key), so that a first run over a library does not hold every one."""
    from handoutgen.content.handout import parse_handout
    from handoutgen.content.yamldoc import display_path

    found: dict[str, tuple[str, str, Path]] = {}
    linked = folder.is_symlink()
    for path in sorted(folder.glob("*.yaml")):
        # a file that is no link, in a folder that is none, is shown as handouts/<name>
        name = display_path(path, root) if linked or path.is_symlink() else f"{folder.name}/{path.name}"
        key = key_of(name, kept_sha(root, path), sorted(placeholders))
        known = stored.get(key)
        if isinstance(known, tuple) and len(known) == 3 and known[2] == path.name:
            found[key] = (known[0], known[1], path)
            continue
        try:
            handout, _ = parse_handout(path.read_text(encoding="utf-8"), path, placeholders, name)
        except UnicodeDecodeError:
            return None
        if handout is None:
            return None
        found[key] = (handout.id, _content_digest(handout), path)
        cache.write(f"{HANDOUTS}/{key}", handout, durable=False)
        _keep_newest(parsed, key, handout)
    return found


def _content_digest(handout) -> str:
    from handoutgen.build.manifest import handout_digest

    return handout_digest(handout)


def whole_key(inputs: CachedInputs, cache: Cache, codes: tuple[str, ...]) -> str:
    """Everything a sheet's status row or check outcome depends on, for every sheet: the shared parts
    (templates, clinic settings, assets, renderer, versions), each locale's summary key (its
    catalogue, records, reviewers and check references) and each handout's content, in file order.
    The same key, the same answers: a library with nothing changed is answered without a look at
    its hundred thousand sheets."""
    summaries = [(code, LazySummary(inputs, cache, code).key) for code in codes]
    handouts = [(h.id, inputs.content[h.id]) for h in inputs.handouts]
    return key_of(shared_key(inputs), summaries, handouts)


def shared_key(inputs: Inputs) -> str:
    """What every sheet shares: templates, clinic settings, assets, renderer, and the versions."""
    return key_of(sorted(inputs.shared_parts().items()), _versions())


# -- one catalogue, summarised ------------------------------------------------------------------------


@dataclass
class Summary:
    """What ``status`` and ``check`` need of one locale's catalogue, per entry key.

    ``kind`` is "source" (English: nothing is looked up), "pseudo" (every entry a draft) or
    "catalog". ``render`` holds, per entry, a hash of what rendering reads from it (its
    translation and line); an entry not in the catalogue is missing and renders as its English."""

    code: str
    kind: str
    key: str = ""
    states: dict[Key, int] = field(default_factory=dict)  # index into STATES
    findings: dict[Key, list[Finding]] = field(default_factory=dict)  # in the checks' order
    approved: dict[Key, dt.date] = field(default_factory=dict)
    render: dict[Key, str] = field(default_factory=dict)
    text: dict[Key, str] = field(default_factory=dict)  # a hash of the translation alone
    plural: str = ""  # the catalogue's plural rule, which rendering reads too
    note: str | None = None  # plural_note: a Plural-Forms header unlike Babel's rule
    problems: list[Problem] = field(default_factory=list)  # broken approval records

    def state(self, key: Key) -> State:
        if self.kind == "pseudo":
            return State.DRAFT
        index = self.states.get(key)
        return State.MISSING if index is None else STATES[index]

    def used(self, keys: Iterable[Key]) -> dict[Key, State]:
        """The entries a sheet used with their states, as its lookup records them."""
        return {} if self.kind == "source" else {k: self.state(k) for k in keys}

    def render_print(self, keys: Iterable[Key]) -> str:
        """What rendering read from these entries; the same print, the same render."""
        if self.kind != "catalog":
            return self.kind
        return key_of(self.plural, [self.render.get(k, "-") for k in keys])

    def check_print(self, keys: Iterable[Key]) -> str:
        """As :meth:`render_print`, with each entry's state and error findings (which decide whether
        the build prepares a sheet as final or DRAFT)."""
        return self._print(keys, self.render)

    def build_print(self, keys: Iterable[Key]) -> str:
        """As :meth:`check_print`, without the entries' lines: a prepared sheet's HTML does not
        depend on them (a line is only ever named in the error of a sheet that cannot be prepared,
        and that depends on the translation alone), and a catalogue update moves every line below
        an edited entry."""
        return self._print(keys, self.text)

    def _print(self, keys: Iterable[Key], read: dict[Key, str]) -> str:
        if self.kind != "catalog":
            return self.kind
        rows = [
            (
                read.get(k, "-"),
                self.states.get(k),
                [f.check for f in self.findings.get(k, ()) if f.severity == "error"],
            )
            for k in keys
        ]
        return key_of(self.plural, rows)


def summary_key(inputs: CachedInputs, code: str) -> str:
    """Everything that decides a locale's summary: the catalogue, its approval records, the
    reviewers, the check references, and how an approval record's file is shown."""
    root, locales = inputs.project.root, inputs.project.locales
    records = approvals_path(locales, code)
    return key_of(
        code,
        inputs.file_sha(po_path(locales, code)),
        inputs.file_sha(records),
        inputs.file_sha(root / "reviewers.yaml"),
        inputs.file_sha(root / "glossary.yaml"),
        inputs.file_sha(root / "literacy.yaml"),
        inputs.file_sha(pot_path(locales)),
        display(records),
    )


def make_summary(inputs: Inputs, code: str, key: str = "") -> Summary:
    """A locale's summary, made by the build's own code (raises what it raises: a catalogue that does
    not read or validate, a broken glossary)."""
    from handoutgen.catalogs.store import plural_note

    locale = locale_info(code)
    if locale.is_source or locale.pseudo:
        return Summary(code, "source" if locale.is_source else "pseudo", key)
    inputs.translations(locale)
    findings = inputs.findings(locale)
    catalog, approvals = inputs.catalogs[code], inputs.approvals[code]
    summary = Summary(code, "catalog", key, findings=findings, plural=str(catalog.plural_expr))
    numbers = {state: n for n, state in enumerate(STATES)}
    for message in catalog:
        if not message.id:
            continue
        entry = (message.id if isinstance(message.id, str) else message.id[0], message.context)
        summary.states[entry] = numbers[entry_state(message, approvals)]
        summary.render[entry] = key_of(message.string, message.lineno)
        summary.text[entry] = key_of(message.string)
        record = approvals.approval(message)
        if record is not None:
            summary.approved[entry] = record_date(record)
    summary.note = plural_note(catalog, code)
    summary.problems = list(approvals.log.problems)
    return summary


def load_summary(inputs: CachedInputs, cache: Cache, code: str) -> tuple[Summary, bool]:
    """The locale's summary, and whether it came from the cache; made and stored when not there.
    Raises what :func:`make_summary` raises (nothing is stored then)."""
    locale = locale_info(code)
    if locale.is_source or locale.pseudo:
        return make_summary(inputs, code), True
    key = summary_key(inputs, code)
    stored = cache.read(f"catalog-{code}")
    if isinstance(stored, Summary) and stored.key == key:
        return stored, True
    summary = make_summary(inputs, code, key)
    cache.write(f"catalog-{code}", summary)
    keep_report(cache, code, report_of(summary))
    return summary, False


@dataclass(frozen=True)
class LocaleReport:
    """What ``check`` says of one locale's translation checks: every finding as printed (one a line,
    in the checks' order), the counts by severity, the plural note and the broken approval records.
    Kept as text, so a run with nothing changed reads a few bytes per finding, no finding objects."""

    key: str
    lines: str  # "" when ``apart``
    errors: int
    warnings: int
    note: str | None = None
    problems: tuple[Problem, ...] = ()
    apart: bool = False  # the lines are in their own cache file, read when printed (see lines_of)

    @classmethod
    def of(cls, findings: dict, key: str = "", note: str | None = None, problems=()) -> LocaleReport:
        flat = [f for group in findings.values() for f in group]
        errors = sum(f.severity == "error" for f in flat)
        warnings = sum(f.severity == "warning" for f in flat)
        return cls(key, "\n".join(map(str, flat)), errors, warnings, note, tuple(problems))


def keep_report(cache: Cache, code: str, report: LocaleReport) -> LocaleReport:
    """Store the locale's report with its lines in a file of their own, and return it without them:
    a library's reports are tens of MB of text per locale, and ``check`` printed them only after
    holding every locale's at once (1.3 GB over 20 locales). :func:`lines_of` reads them back."""
    if report.apart or not report.key:
        return report
    if not cache.write(f"report-lines-{code}", (report.key, report.lines)):  # the lines stay in memory
        return report
    apart = dataclasses.replace(report, lines="", apart=True)
    cache.write(f"report-{code}", apart)
    return apart


def lines_of(inputs: CachedInputs, cache: Cache, code: str, report: LocaleReport) -> str:
    """The report's lines, read from their own file when kept apart (made again from the locale's
    summary if that file is gone or from another key)."""
    if not report.apart:
        return report.lines
    stored = cache.read(f"report-lines-{code}")
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == report.key:
        return str(stored[1])
    summary, _ = load_summary(inputs, cache, code)
    return report_of(summary).lines


def load_report(inputs: CachedInputs, cache: Cache, code: str) -> LocaleReport:
    """The locale's :class:`LocaleReport` (its lines kept apart), from the cache while the summary key
    is the same (the large per-entry tables are not read then), else from the summary."""
    key = summary_key(inputs, code)
    stored = cache.read(f"report-{code}")
    if isinstance(stored, LocaleReport) and stored.key == key:
        return stored
    summary, _ = load_summary(inputs, cache, code)
    report = report_of(summary)
    if summary.kind == "catalog":
        return keep_report(cache, code, report)
    return report


def report_of(summary: Summary) -> LocaleReport:
    return LocaleReport.of(summary.findings, summary.key, summary.note, summary.problems)


class LazySummary:
    """A locale's summary key at once, and the summary itself only when a sheet needs it."""

    def __init__(self, inputs: CachedInputs, cache: Cache, code: str) -> None:
        self.inputs, self.cache, self.code = inputs, cache, code
        locale = locale_info(code)
        self.key = "" if locale.is_source or locale.pseudo else summary_key(inputs, code)
        self._summary: Summary | None = None
        self._error: Exception | None = None

    def get(self) -> Summary:
        """Raises what :func:`make_summary` raises (the same error again, without reading again)."""
        if self._error is not None:
            raise self._error
        if self._summary is None:
            try:
                self._summary, _ = load_summary(self.inputs, self.cache, self.code)
            except Exception as exc:
                self._error = exc
                raise
        return self._summary


# -- what each sheet used ---------------------------------------------------------------------------


class SheetStore:
    """Per purpose ("status", "check", "build": see build/known.py) and locale, a record per sheet
    key, each naming the entries the sheet used by their place in one list of distinct tuples (a
    handout's tuple is shared by its sheets in every language), each tuple of numbers into one list
    of entry keys (an entry's English is stored once). Records of a locale not seen in a run are
    dropped at save."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.read_as = _signature(cache.folder / "sheets.pickle")
        stored = cache.read("sheets")
        if not _consistent(stored):
            stored = {"entries": [], "tuples": [], "records": {}}
        self.entries: list[Key] = stored["entries"]
        self.tuples: list[tuple[int, ...]] = stored["tuples"]
        self.records: dict[tuple[str, str], dict[str, tuple]] = stored["records"]
        self._index: dict[tuple[int, ...], int] | None = None
        self._entry_index: dict[Key, int] | None = None
        self.seen: dict[tuple[str, str], dict[str, tuple]] = {}
        self.changed = False

    def get(self, purpose: str, code: str, sheet: str) -> tuple | None:
        return self.records.get((purpose, code), {}).get(sheet)

    def keys(self, record: tuple) -> tuple[Key, ...]:
        return tuple(self.entries[n] for n in self.tuples[record[0]])

    def keep(self, purpose: str, code: str, sheet: str, record: tuple) -> None:
        if self.get(purpose, code, sheet) != record:
            self.changed = True
        self.seen.setdefault((purpose, code), {})[sheet] = record

    def put(self, purpose: str, code: str, sheet: str, keys: tuple[Key, ...], *rest: Any) -> tuple:
        if self._index is None or self._entry_index is None:
            self._index = {t: n for n, t in enumerate(self.tuples)}
            self._entry_index = {k: n for n, k in enumerate(self.entries)}
        for key in keys:
            if key not in self._entry_index:
                self._entry_index[key] = len(self.entries)
                self.entries.append(key)
        numbers = tuple(self._entry_index[k] for k in keys)
        if numbers not in self._index:
            self._index[numbers] = len(self.tuples)
            self.tuples.append(numbers)
        record = (self._index[numbers], *rest)
        self.keep(purpose, code, sheet, record)
        return record

    def save(self) -> None:
        """Written when a record changed or one went unused; only the tuples and entries still named
        are kept. Another command may have saved meanwhile (``status -l es`` beside ``status -l vi``,
        the server beside the command line): under a lock, the file is read again and its records of
        every locale this run did not see are kept."""
        unused = any(len(self.records.get(k, {})) != len(v) for k, v in self.seen.items())
        if not (self.changed or unused):
            return
        try:
            with exclusive_lock(self.cache.folder / "sheets.lock", lambda: None):
                if _signature(self.cache.folder / "sheets.pickle") != self.read_as:
                    self._adopt(self.cache.read("sheets"))
                self._write()
        except OSError:  # like any cache file: one that cannot be written is only a slower next run
            return

    def _adopt(self, latest: Any) -> None:
        """The records of a file saved since this store read it, for every (purpose, locale) not seen
        in this run, in this store's numbering."""
        if not _consistent(latest):
            return
        self.records = {}
        for group, records in latest["records"].items():
            if group in self.seen:
                continue
            self.records[group] = {}
            for sheet, record in records.items():
                keys = tuple(latest["entries"][n] for n in latest["tuples"][record[0]])
                adopted = self.put(group[0], group[1], sheet, keys, *record[1:])
                self.records[group][sheet] = adopted
            self.seen.pop(group, None)  # put() noted it as seen; it was only carried over

    def _write(self) -> None:
        records = {**self.records, **self.seen}
        named = sorted({r[0] for group in records.values() for r in group.values()})
        renumber = {old: new for new, old in enumerate(named)}
        entries = sorted({n for t in named for n in self.tuples[t]})
        again = {old: new for new, old in enumerate(entries)}
        self.cache.write(
            "sheets",
            {
                "entries": [self.entries[n] for n in entries],
                "tuples": [tuple(again[n] for n in self.tuples[t]) for t in named],
                "records": {
                    k: {s: (renumber[r[0]], *r[1:]) for s, r in group.items()} for k, group in records.items()
                },
            },
        )


def _signature(path: Path) -> tuple[int, int, int] | None:
    """A file's identity and time, to know whether someone wrote it since (None: no such file)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _consistent(stored: Any) -> bool:
    """Whether a stored sheets file holds what :class:`SheetStore` wrote: every number in range."""
    try:
        entries, tuples, records = stored["entries"], stored["tuples"], stored["records"]
        top = max((n for t in tuples for n in t), default=-1)
        named = max((r[0] for group in records.values() for r in group.values()), default=-1)
        return isinstance(entries, list) and top < len(entries) and named < len(tuples)
    except Exception:  # not the shape written: ignored, and rewritten
        return False


def extraction_key(root: Path) -> str:
    """The bytes of ``babel.cfg`` and of every file it maps to an extractor (walked as Babel walks:
    folders starting with ``.`` or ``_`` skipped), by name."""
    import os

    from babel.messages.frontend import parse_mapping_cfg
    from babel.util import pathmatch

    data = (root / "babel.cfg").read_bytes()
    with open(root / "babel.cfg", encoding="utf-8") as handle:
        patterns = [pattern for pattern, _ in parse_mapping_cfg(handle)[0]]
    files = []
    for top in sorted({_fixed_prefix(p) for p in patterns}):
        for folder, dirs, names in os.walk(root / top):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
            for name in sorted(names):
                relative = (Path(folder) / name).relative_to(root).as_posix()
                if any(pathmatch(p, relative) for p in patterns):
                    files.append((relative, kept_sha(root, Path(folder) / name)))
    return key_of(sha(data), sorted(set(files)))


def _fixed_prefix(pattern: str) -> str:
    """The folders a Babel pattern names before its first wildcard ("" for the whole project)."""
    parts = []
    for part in pattern.split("/")[:-1]:
        if any(c in part for c in "*?["):
            break
        parts.append(part)
    return "/".join(parts)


def merge_keys(root: Path, sha_of: Callable[[Path], str] | None = None) -> dict[str, str]:
    """Per locale, a key of everything the catalogue update reads for it: the English (the files the
    extraction reads), the template, reviewers.yaml, the catalogue and its approval records. A key
    once found to need no merge needs none while it is the same; empty without catalogues."""
    from handoutgen.catalogs.store import locales_on_disk, po_path, pot_path

    locales = Path(root) / "locales"
    codes = locales_on_disk(locales)
    if not (Path(root) / "babel.cfg").exists() or not codes:
        return {}
    sha_of = sha_of or (lambda path: kept_sha(root, path))
    english = key_of(extraction_key(root), sha_of(pot_path(locales)), sha_of(Path(root) / "reviewers.yaml"))
    return {
        code: key_of(english, code, sha_of(po_path(locales, code)), sha_of(approvals_path(locales, code)))
        for code in codes
    }
