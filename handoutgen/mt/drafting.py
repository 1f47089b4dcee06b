"""``translate <lang>``: fill missing catalogue entries with argostranslate machine drafts.

Every draft is stored fuzzy with a ``machine-draft: argostranslate translate-en_es 1.0``
comment (see :mod:`handoutgen.catalogs.states`), so it is never printed as final before a person
reviews it.

How the text is respected: placeholders (``{clinic_phone}``, ``%(date)s``), inline markup
(``**``, ``*``), numbers (``15–20``, ``1.5``, ``½``) and web/mail addresses are swapped for
short tokens before translation and put back after, because argostranslate's SentencePiece
decoding turns ``_`` into spaces and its normalisation rewrites characters (``½`` → ``1⁄2``).
The draft is then checked against the English; a draft that lost or gained a placeholder,
number or marker is kept as it is and reported, never silently repaired.

How it stays fast:

* real batching — argostranslate's ``translate()`` sends one text at a time; here the
  sentences of many entries go to one CTranslate2 ``translate_batch`` call, with
  argostranslate's own package (tokenizer, target prefix) and decoding options;
* threads suited to a small machine (``intra_threads=1`` by default; see the benchmark);
* a translation memory keyed by (English text, language pair, package version), kept in
  ``.cache/translation-memory.json``, so unchanged text is never sent again.

argostranslate, CTranslate2 and SentencePiece are imported inside functions only: importing
this module costs nothing, and building PDFs never needs them.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from babel.messages.catalog import Catalog, Message

from handoutgen.catalogs import states
from handoutgen.catalogs.store import (
    catalog_locks,
    load_catalog,
    po_path,
    read_for_update,
    write_changes,
)
from handoutgen.errors import Problem, TranslationError
from handoutgen.fsutil import write_text_atomic
from handoutgen.mt import packages as models
from handoutgen.text import sentences

SOURCE_LANG = "en"
DEFAULT_CHUNK = 32  # entries per translate_batch call
# Thread settings, measured on 2 cores (benchmarks/translate_bench.py --threads): one thread per
# computation (intra) is 1.5x faster batched, and ~8x faster one string at a time, than
# CTranslate2's default; two workers (inter) on sub-batches of ~256 tokens add another ~2x.
DEFAULT_INTRA_THREADS = 1
DEFAULT_INTER_THREADS = max(1, min(2, os.cpu_count() or 1))
DEFAULT_BATCH_TOKENS = 256  # per sub-batch: one chunk splits into several for the workers
MEMORY_FILE = "translation-memory.json"
_JOIN_WITHOUT_SPACE = {"zh", "zt", "ja"}

# --- protecting what must not be translated -----------------------------------------------

_PROTECTED = re.compile(
    r"(?P<placeholder>\{[^{}\n]{0,60}\}|%\([A-Za-z_][A-Za-z0-9_]*\)[sd]|%[sd%])"
    r"|(?P<url>\b(?:https?://|www\.)[^\s<>()]+[^\s<>().,;:!?'\"]"
    r"|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<number>(?:\d+(?:[.,:]\d+)*)?[½¼¾⅓⅔⅛](?:\s*[–—-]\s*\d+(?:[.,:]\d+)*)?"
    r"|\d+(?:[.,:]\d+)*(?:\s*[–—-]\s*\d+(?:[.,:]\d+)*)?[½¼¾⅓⅔⅛]?)"
    r"|(?P<markup>\*{1,3})"
)
_TOKEN = re.compile(r"\s*Z\s?X\s?(\d+)\s?Q\s*", re.IGNORECASE)
_LEFTOVER = re.compile(r"Z\s?X\s?\d+\s?Q", re.IGNORECASE)


@dataclass(frozen=True)
class Protected:
    """A span swapped for a token: its text and how to glue it back."""

    text: str
    kind: str  # placeholder | url | number | markup
    glue: str = ""  # markup only: "open" eats spaces after it, "close" eats spaces before


def _token(index: int) -> str:
    return f"ZX{index}Q"


def _markup_glue(text: str, start: int, end: int) -> str:
    """``open`` for a marker that starts emphasis (``**bold``), ``close`` for one that ends it.

    The token is spaced away from the emphasised word so the model sees the word itself; the
    side that touched the word is glued back on restore.
    """
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    opens = not after.isspace() and (before.isspace() or not before.isalnum()) and before not in ".,;:!?"
    return "open" if opens else "close"


def protect(text: str, table: list[Protected]) -> str:
    """Swap protected spans for ``ZX<n>Q`` tokens, appending them to ``table`` (shared per entry)."""

    def swap(match: re.Match[str]) -> str:
        kind = match.lastgroup or "number"
        value = match.group(0)
        glue = _markup_glue(text, match.start(), match.end()) if kind == "markup" else ""
        table.append(Protected(value, kind, glue))
        token = _token(len(table) - 1)
        if glue == "open":
            return token + " "
        if glue == "close":
            return " " + token
        return token

    return _PROTECTED.sub(swap, text)


def restore(text: str, table: list[Protected]) -> str:
    """Put protected spans back; tokens the model mangled beyond recognition stay visible."""

    def swap(match: re.Match[str]) -> str:
        index = int(match.group(1))
        whole = match.group(0)
        if index >= len(table):
            return whole
        item = table[index]
        lead = whole[: len(whole) - len(whole.lstrip())]
        trail = whole[len(whole.rstrip()) :]
        if item.glue == "open":
            return lead + item.text
        if item.glue == "close":
            return item.text + trail
        return lead + item.text + trail

    return _TOKEN.sub(swap, text)


def check_draft(source: str, draft: str) -> list[str]:
    """What a reviewer must look at: protected spans lost, added or left as raw tokens."""
    problems = []
    leftovers = _LEFTOVER.findall(draft)
    expected, got = _spans(source), _spans(_LEFTOVER.sub(" ", draft))
    for kind, label in _LABELS.items():
        for value in sorted(set(expected[kind]) | set(got[kind])):
            want, have = expected[kind][value], got[kind][value]
            shown = repr(_short(value, 24))
            if have == 0:
                problems.append(f"{label} {shown} from the English is missing from the draft")
            elif want == 0:
                problems.append(f"{label} {shown} is in the draft but not in the English")
            elif want != have:
                problems.append(f"{label} {shown} appears {have}× in the draft but {want}× in the English")
    if leftovers:
        problems.append(f"protection token(s) {', '.join(leftovers)} were not restored")
    if source.strip() and not draft.strip():
        problems.append("the draft is empty")
    return problems


_LABELS = {"placeholder": "placeholder", "number": "number", "url": "address", "markup": "markup"}


def _spans(text: str) -> dict[str, Counter[str]]:
    found: dict[str, Counter[str]] = {k: Counter() for k in _LABELS}
    for match in _PROTECTED.finditer(text):
        found[match.lastgroup or "number"][match.group(0)] += 1
    return found


# --- the engine: one package, loaded once ---------------------------------------------------


@dataclass
class Segment:
    """One sentence to send, and where its translation goes back."""

    entry: int
    paragraph: int
    text: str


class Engine:
    """An installed package loaded for batched translation.

    Uses argostranslate's ``Package`` for the tokenizer and target prefix, and drives the
    package's CTranslate2 model directly so many sentences share one ``translate_batch`` call.
    ``calls`` and ``strings_sent`` count the work actually done, for reports and benchmarks.
    """

    def __init__(
        self,
        package: models.PackageInfo,
        *,
        device: str | None = None,
        intra_threads: int = DEFAULT_INTRA_THREADS,
        inter_threads: int = DEFAULT_INTER_THREADS,
        beam_size: int = 4,
        max_batch_tokens: int = DEFAULT_BATCH_TOKENS,
    ) -> None:
        import ctranslate2

        device = _check_device(device)
        self.package = package
        self.splitter = sentences.splitter_for(package.from_code, package.path)
        argos_package = models.load_argos_package(package)
        self.tokenizer = argos_package.tokenizer
        self.target_prefix = getattr(argos_package, "target_prefix", "") or ""
        self.translator = ctranslate2.Translator(
            str(package.path / "model"),
            device=device,
            compute_type="auto",
            inter_threads=inter_threads,
            intra_threads=intra_threads,
        )
        self.beam_size = beam_size
        self.max_batch_tokens = max_batch_tokens
        self.joiner = "" if package.to_code in _JOIN_WITHOUT_SPACE else " "
        self.calls = 0
        self.strings_sent = 0
        self.seconds = 0.0

    def translate(self, texts: list[str]) -> list[tuple[str, list[str]]]:
        """Translate whole entries in ONE ``translate_batch`` call: (draft, problems) per text."""
        tables: list[list[Protected]] = [[] for _ in texts]
        segments: list[Segment] = []
        shapes: list[list[int]] = []
        for index, text in enumerate(texts):
            counts = []
            for p, paragraph in enumerate(text.split("\n")):
                parts = self.splitter(paragraph)
                counts.append(len(parts))
                segments += [Segment(index, p, protect(s, tables[index])) for s in parts]
            shapes.append(counts)
        wordy = [i for i, s in enumerate(segments) if _has_words(s.text)]
        outputs = [s.text for s in segments]  # a lone placeholder or number needs no model
        if wordy:
            for i, out in zip(wordy, self._run([segments[i].text for i in wordy])):
                outputs[i] = out
        self.strings_sent += len(texts)
        return self._assemble(texts, segments, outputs, shapes, tables)

    def _run(self, protected: list[str]) -> list[str]:
        started = time.perf_counter()
        tokens = [self.tokenizer.encode(s) for s in protected]
        prefix = [[self.target_prefix]] * len(tokens) if self.target_prefix else None
        results = self.translator.translate_batch(
            tokens,
            target_prefix=prefix,
            replace_unknowns=True,
            max_batch_size=self.max_batch_tokens,
            batch_type="tokens",
            beam_size=self.beam_size,
            num_hypotheses=1,
            length_penalty=0.2,
            max_decoding_length=_decoding_limit(tokens),
        )
        self.calls += 1
        outputs = [self._decode(r.hypotheses[0]) for r in results]
        self.seconds += time.perf_counter() - started
        return outputs

    def _decode(self, tokens: list[str]) -> str:
        value = self.tokenizer.decode(tokens)
        if self.target_prefix and value.startswith(self.target_prefix):
            value = value[len(self.target_prefix) :]
        return value.strip()

    def _assemble(
        self,
        texts: list[str],
        segments: list[Segment],
        outputs: list[str],
        shapes: list[list[int]],
        tables: list[list[Protected]],
    ) -> list[tuple[str, list[str]]]:
        by_entry: dict[int, list[list[str]]] = {i: [[] for _ in shape] for i, shape in enumerate(shapes)}
        for segment, output in zip(segments, outputs):
            by_entry[segment.entry][segment.paragraph].append(output)
        results = []
        for index, text in enumerate(texts):
            joined = "\n".join(self.joiner.join(p) for p in by_entry[index])
            draft = restore(joined, tables[index])
            results.append((draft, check_draft(text, draft)))
        return results


def _has_words(protected: str) -> bool:
    return any(ch.isalpha() for ch in _TOKEN.sub(" ", protected))


def _decoding_limit(tokens: list[list[str]]) -> int:
    """Room for any real translation (3× the longest input), but a broken model that never
    emits the end token stops early instead of producing 512 tokens of garbage per sentence."""
    longest = max((len(t) for t in tokens), default=0)
    return min(512, 3 * longest + 16)


def _check_device(device: str | None) -> str:
    """``cpu`` unless asked otherwise; ``cuda`` without a visible GPU is a clear error."""
    device = (device or os.environ.get("ARGOS_DEVICE_TYPE") or "cpu").lower()
    if device not in ("cpu", "cuda"):
        raise TranslationError(
            problems=[Problem("--device", None, f"unknown device {device!r}; use cpu or cuda")]
        )
    if device == "cuda":
        import ctranslate2

        if ctranslate2.get_cuda_device_count() == 0:
            raise TranslationError(
                problems=[
                    Problem(
                        "--device",
                        None,
                        (
                            "CUDA was asked for (--device cuda or ARGOS_DEVICE_TYPE=cuda) but no CUDA GPU "
                            "is visible to CTranslate2; translate with --device cpu"
                        ),
                    )
                ]
            )
    return device


#: Loaded engines by (package folder, version, device, options).
_ENGINES: dict[tuple[str, str, str, tuple[tuple[str, Any], ...]], Engine] = {}


def load_engine(
    from_code: str, to_code: str, *, folder: Path | None = None, device: str | None = None, **options: Any
) -> Engine:
    """The engine for a pair, loaded once per process (the review sheet asks repeatedly)."""
    package = models.require_package(from_code, to_code, folder)
    key = (str(package.path), package.version, _check_device(device), tuple(sorted(options.items())))
    if key not in _ENGINES:
        _ENGINES[key] = Engine(package, device=device, **options)
    return _ENGINES[key]


# --- translation memory ---------------------------------------------------------------------


class TranslationMemory:
    """Drafts already produced, keyed by (English text, language pair, package version).

    A JSON file written atomically; a damaged file is an error naming it, never silently
    discarded (deleting it only costs time).
    """

    FORMAT = 1

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._data: dict[str, dict[str, str]] = {}
        self.dirty = False
        if self.path.exists():
            self._data = self._read()

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if raw.get("format") != self.FORMAT or not isinstance(raw.get("pairs"), dict):
                raise ValueError("unknown format")
            return {k: dict(v) for k, v in raw["pairs"].items()}
        except (ValueError, AttributeError, TypeError, UnicodeDecodeError) as exc:
            raise TranslationError(
                problems=[
                    Problem(
                        str(self.path),
                        None,
                        (
                            f"translation memory is unreadable ({exc}); delete the file (drafts are "
                            "simply produced again)"
                        ),
                    )
                ]
            ) from None

    @staticmethod
    def key(package: models.PackageInfo) -> str:
        return f"{package.from_code}>{package.to_code} {package.version}"

    def get(self, package: models.PackageInfo, source: str) -> str | None:
        return self._data.get(self.key(package), {}).get(source)

    def put(self, package: models.PackageInfo, source: str, draft: str) -> None:
        self._data.setdefault(self.key(package), {})[source] = draft
        self.dirty = True

    def __len__(self) -> int:
        return sum(len(v) for v in self._data.values())

    def save(self) -> None:
        if not self.dirty:
            return
        payload = {"format": self.FORMAT, "pairs": self._data}
        write_text_atomic(self.path, json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        self.dirty = False


# --- filling a catalogue --------------------------------------------------------------------


@dataclass
class TranslateResult:
    """What a run did; ``warnings`` point at the entries a reviewer must look at first."""

    lang: str
    provider: str
    filled: int = 0
    from_memory: int = 0
    strings_sent: int = 0
    batch_calls: int = 0
    model_seconds: float = 0.0
    interrupted: bool = False
    warnings: list[Problem] = field(default_factory=list)
    warning_ids: list[Any] = field(default_factory=list, repr=False)  # msgid of each warning

    def relocate(self, path: Path) -> None:
        """Point warnings at the lines of the catalogue as written (comments shift entries)."""
        lines = {m.id if isinstance(m.id, str) else tuple(m.id): m.lineno for m in load_catalog(path)}
        self.warnings = [
            Problem(str(path), lines.get(key if isinstance(key, str) else tuple(key), w.line), w.message)
            for w, key in zip(self.warnings, self.warning_ids)
        ]

    @property
    def strings_per_second(self) -> float:
        return self.strings_sent / self.model_seconds if self.model_seconds else 0.0

    def summary(self) -> str:
        head = "interrupted; kept" if self.interrupted else "filled"
        text = (
            f"translate {self.lang}: {head} {self.filled} entries with machine drafts "
            f"({self.from_memory} from memory, {self.strings_sent} sent to the model in "
            f"{self.batch_calls} batch calls, {self.strings_per_second:.1f} strings/s)"
        )
        if self.warnings:
            text += f"; {len(self.warnings)} drafts need attention"
        return text


def _needs_draft(message: Message) -> bool:
    """Missing entries, and stale entries whose text is only an earlier machine draft."""
    if not message.id:
        return False
    state = states.entry_state(message)
    if state is states.State.MISSING:
        return True
    return state is states.State.STALE and states.is_machine_text(message)


def _sources(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, (tuple, list)) else [message.id]


class Progress:
    """A one-line progress report on stderr, redrawn in place on a terminal, silent otherwise."""

    def __init__(self, lang: str, total: int, stream: TextIO | None = None) -> None:
        self.lang, self.total = lang, total
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())

    def update(self, done: int, sent: int, seconds: float) -> None:
        if self.live:
            rate = sent / seconds if seconds else 0.0
            self.stream.write(
                f"\rtranslate {self.lang}: {done}/{self.total} strings, {rate:.1f} strings/s, "
                f"{time_left(self.total - done, rate)}\x1b[K"
            )
            self.stream.flush()

    def finish(self, result: TranslateResult) -> None:
        prefix = "\r\x1b[K" if self.live else ""
        self.stream.write(prefix + result.summary() + "\n")
        self.stream.flush()


def time_left(remaining: int, rate: float) -> str:
    """An estimate for people: "about 3 min left"."""
    if remaining <= 0:
        return "finishing"
    if rate <= 0:
        return "estimating time left"
    seconds = remaining / rate
    if seconds < 90:
        return f"about {max(1, round(seconds))} s left"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60)} min left"
    return f"about {seconds / 3600:.1f} h left"


def fill_catalog(
    catalog: Catalog,
    engine: Engine,
    memory: TranslationMemory,
    *,
    lang: str,
    po_file: str = "",
    chunk: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
    on_batch: Callable[[TranslateResult], None] | None = None,
) -> TranslateResult:
    """Draft every entry that needs one; entries are updated in place, chunk by chunk.

    If interrupted (KeyboardInterrupt), the entries finished so far stay in ``catalog`` and the
    result says ``interrupted``; the caller saves and re-raises.
    """
    result = TranslateResult(lang=lang, provider=engine.package.provider)
    todo = [m for m in catalog if _needs_draft(m)]
    pending = []
    for message in todo:
        drafts = _remembered(memory, engine.package, _sources(message))
        if drafts is not None:
            _apply(message, drafts, catalog, result, po_file)
            result.from_memory += 1
        else:
            pending.append(message)
    before = (engine.calls, engine.strings_sent, engine.seconds)
    try:
        for start in range(0, len(pending), chunk):
            _translate_chunk(pending[start : start + chunk], engine, memory, catalog, result, po_file)
            _count_work(result, engine, before)
            if progress:
                progress.update(result.filled, result.strings_sent, result.model_seconds)
            if on_batch:
                on_batch(result)
    except KeyboardInterrupt:
        result.interrupted = True
    _count_work(result, engine, before)
    return result


def _count_work(result: TranslateResult, engine: Engine, before: tuple[int, int, float]) -> None:
    """What the engine did for this run: batch calls, strings sent and model time since ``before``."""
    result.batch_calls = engine.calls - before[0]
    result.strings_sent = engine.strings_sent - before[1]
    result.model_seconds = engine.seconds - before[2]


def _remembered(
    memory: TranslationMemory, package: models.PackageInfo, sources: list[str]
) -> list[str] | None:
    """The drafts the memory holds for every source text, or None when one is missing."""
    drafts = [memory.get(package, source) for source in sources]
    found = [d for d in drafts if d is not None]
    return found if len(found) == len(drafts) else None


def _translate_chunk(
    messages: list[Message],
    engine: Engine,
    memory: TranslationMemory,
    catalog: Catalog,
    result: TranslateResult,
    po_file: str,
) -> None:
    sources = sorted({s for m in messages for s in _sources(m) if memory.get(engine.package, s) is None})
    for source, (draft, _problems) in zip(sources, engine.translate(sources)):
        memory.put(engine.package, source, draft)
    for message in messages:
        drafts = _remembered(memory, engine.package, _sources(message))
        if drafts is not None:  # every source was just translated
            _apply(message, drafts, catalog, result, po_file)


def _apply(
    message: Message, drafts: list[str], catalog: Catalog, result: TranslateResult, po_file: str
) -> None:
    """Store the draft as a machine draft, and report whatever did not survive translation."""
    if isinstance(message.id, (tuple, list)):
        singular, plural = drafts[0], drafts[-1]
        value: str | tuple[str, ...] = tuple([singular] + [plural] * (max(catalog.num_plurals, 1) - 1))
    else:
        value = drafts[0]
    message.flags.add("fuzzy")
    message.string = value
    states.mark_machine_draft(message, result.provider)  # names the package and hashes this text
    result.filled += 1
    for source, draft in zip(_sources(message), drafts):
        problems = check_draft(source, draft)
        if problems:
            more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
            result.warnings.append(
                Problem(
                    po_file,
                    message.lineno,
                    (
                        f"machine draft for {_short(source)!r}: "
                        + "; ".join(problems[:3])
                        + more
                        + " — check the draft against the English when reviewing"
                    ),
                )
            )
            result.warning_ids.append(message.id)


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def translate_locale(
    lang: str,
    *,
    locales_dir: Path,
    project_dir: Path | None = None,
    packages: Path | None = None,
    device: str | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress: TextIO | None = None,
    engine: Engine | None = None,
) -> TranslateResult:
    """``generate.py translate <lang>``: fill the locale's missing entries, save atomically.

    The catalogue and the memory are saved after the run, and also when it is interrupted
    (then KeyboardInterrupt is re-raised): the drafts made so far are kept, and the
    catalogue on disk is always either the old file or a complete new one.
    """
    locales_dir = Path(locales_dir)
    project_dir = Path(project_dir) if project_dir else locales_dir.parent
    path = po_path(locales_dir, lang)
    with catalog_locks(project_dir, [lang]):
        before = path.read_bytes() if path.exists() else b""
        catalog = load_catalog(path)
    folder = models.packages_dir(packages, project_dir)
    engine = engine or load_engine(SOURCE_LANG, models.argos_code(lang), folder=folder, device=device)
    memory = TranslationMemory(models.cache_dir(project_dir) / MEMORY_FILE)
    reporter = Progress(lang, sum(1 for m in catalog if _needs_draft(m)), progress)
    result = fill_catalog(
        catalog, engine, memory, lang=lang, po_file=str(path), chunk=chunk, progress=reporter
    )
    if result.filled:
        _save_drafts(project_dir, path, before, catalog)
        result.relocate(path)
    memory.save()
    reporter.finish(result)
    if result.interrupted:
        raise KeyboardInterrupt
    return result


def _save_drafts(project_dir: Path, path: Path, before: bytes, drafted: Catalog) -> None:
    """Write the drafts under the catalogue's lock. If someone saved the catalogue while the model
    ran (an update, an approval, a translator), their file is kept and the drafts go only into
    entries that still need one with the same English: nobody's edit is lost."""
    with catalog_locks(project_dir, [path.parent.parent.name]):
        old, source = read_for_update(path)
        fresh, _ = read_for_update(path)
        target = fresh
        if path.read_bytes() == before:
            target = drafted
        else:
            for message in drafted:
                current = fresh.get(message.id, context=message.context) if message.id else None
                if (
                    current is not None
                    and _needs_draft(current)
                    and states.machine_provider(message)
                    and states.entry_state(message) is states.State.MACHINE_DRAFT
                ):
                    current.string = message.string
                    current.flags = set(message.flags)
                    current.user_comments = list(message.user_comments)
                    current.previous_id = message.previous_id
        write_changes(path, target, old, source)


def back_translate(
    texts: Iterable[str],
    from_lang: str,
    to_lang: str = SOURCE_LANG,
    *,
    project_dir: Path | None = None,
    packages: Path | None = None,
    device: str | None = None,
) -> list[str] | None:
    """English back-translations for a reviewer's sheet, or None when no reverse package is installed.

    ``from_lang``/``to_lang`` are project locale codes (``zh_Hans``) or Argos codes (``zh``).
    Packages are looked up in ``packages``, else the project's folder (see
    :func:`handoutgen.mt.packages.packages_dir`).  Back-translations are not stored anywhere.
    """
    texts = list(texts)
    folder = models.packages_dir(packages, project_dir)
    pair = (models.argos_code(from_lang), models.argos_code(to_lang))
    if models.find_package(*pair, folder) is None:
        return None
    if not texts:
        return []
    engine = load_engine(*pair, folder=folder, device=device)
    return [draft for draft, _problems in engine.translate(texts)]
