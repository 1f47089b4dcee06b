#!/usr/bin/env python3
"""A health system's library, N handouts × M languages: what staff wait for when nothing is rendered
(prints figures; not a test).

    .venv/bin/python benchmarks/library_bench.py --handouts 1000 --languages 20 [--keep DIR]

The library: the shipped handouts repeated under new ids. In handout *i*, every sentence about the
treatment, pain or visits is its own ("... pain (i) ..."), so each catalogue grows by every such
sentence (the rest stays shared, as boilerplate is in a real library). Languages: the
five shipped catalogues (their real translations, each generated sentence keeping its number), then
more languages in every script the project prints (Latin, Cyrillic, Arabic, Devanagari, Thai,
Ethiopic, CJK): a catalogue of the nearest shipped language, its letters carried into the script.
Entries are "awaiting review" or machine drafts; nothing is approved, so every sheet is a draft.

Figures, each command in a fresh process as staff run it, CPU and memory summed over every process
it starts (see scale_bench.TreeSampler): ``status`` and ``check`` cold (no cache) and warm (nothing
changed since the last run), then after one catalogue entry is edited. These render no PDF:
rendering 100,000 full sheets is hours of WeasyPrint (see scale_bench.py for builds). With
``--measure noop`` every sheet is built for real with a one-page template (:data:`ONE_LINE_SHEET`),
then the no-op build is timed: it reads no PDF, only each one's size and time, so the sheets' length
does not change its cost.

    .venv/bin/python benchmarks/library_bench.py --handouts 5000 --languages 6 --measure noop
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale_bench import PARTS, compile_package, run_command

from handoutgen.catalogs.store import init_catalog, load_catalog, po_path, save_catalog

SHIPPED = ("es", "zh_Hans", "vi", "ar", "ko")
#: Further languages, each with the shipped catalogue it starts from and the script it is carried into.
MORE = (
    ("ru", "es", "cyrillic"),
    ("fr", "es", None),
    ("pt", "es", None),
    ("tl", "es", None),
    ("fa", "ar", None),
    ("pl", "es", None),
    ("hi", "es", "devanagari"),
    ("ja", "zh_Hans", None),
    ("de", "es", None),
    ("uk", "es", "cyrillic"),
    ("th", "es", "thai"),
    ("ht", "es", None),
    ("so", "es", None),
    ("am", "es", "ethiopic"),
    ("ur", "ar", None),
)
SCRIPTS = {"cyrillic": 0x0430, "devanagari": 0x0915, "thai": 0x0E01, "ethiopic": 0x1200}
#: The words that make a sentence a handout's own: each is numbered after the handout (pain (12)).
TREATMENT = re.compile(r"\b(acupuncture|pain|needles?|back|visit|doctor|acupuncturist)\b", re.I)


def carry(text: str, script: str | None) -> str:
    """Latin letters carried into ``script`` (placeholders of both kinds, markup and digits kept)."""
    if script is None:
        return text
    base = SCRIPTS[script]

    def letters(match: re.Match) -> str:
        word = match.group(0)
        if word.startswith(("{", "<", "%")):
            return word
        return "".join(chr(base + (ord(c.lower()) - 97) % 26) for c in word)

    return re.sub(r"\{[^}]*\}|<[^>]*>|%\([^)]*\)[a-z]|[A-Za-z]+", letters, text)


def generate(dest: Path, count: int, languages: int) -> Path:
    """The library: handouts, clinic settings and one catalogue per language, then one real
    `catalogs update` so every catalogue is exactly as the project writes it."""
    dest.mkdir(parents=True)
    for name in PARTS:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / name)
    extra = MORE[: max(0, languages - 1 - len(SHIPPED))]
    codes = ["en", *SHIPPED[: languages - 1], *(code for code, _, _ in extra)]
    clinic = dest / "clinic.yaml"
    listed = f"locales: [{', '.join(codes)}]"
    clinic.write_text(re.sub(r"^locales: .*$", listed, clinic.read_text(), count=1, flags=re.M))
    sources = sorted((dest / "handouts").glob("*.yaml"))
    for index in range(count - len(sources)):
        text = sources[index % len(sources)].read_text()
        number = index + 1
        text = re.sub(r"^id: .*$", f"id: gen-{index:05d}", text, count=1, flags=re.M)
        text = TREATMENT.sub(lambda m, n=number: f"{m.group(0)} ({n})", text)
        (dest / "handouts" / f"gen-{index:05d}.yaml").write_text(text)
    _catalogues(dest, [c for c in codes if c != "en"], {code: (src, script) for code, src, script in extra})
    return dest


def _catalogues(root: Path, codes: list[str], extra: dict[str, tuple[str, str | None]]) -> None:
    """Every entry of the new English in every language, each catalogue started afresh by the
    project (`catalogs init`): a generated sentence takes the shipped translation of the sentence it
    was made from, with the handout's number added as its English has."""
    shipped = {code: load_catalog(po_path(root / "locales", code), code) for code in SHIPPED}
    for code in SHIPPED:
        po_path(root / "locales", code).unlink()
    for code in codes:
        source, script = extra.get(code, (code, None))
        path = init_catalog(root, code)
        catalog = load_catalog(path, code)
        for message in catalog:
            if message.id:
                _fill(message, shipped[source], script)
        save_catalog(catalog, path)


NUMBERED = re.compile(TREATMENT.pattern + r" \((\d+)\)", re.I)


def _fill(message, base, script: str | None) -> None:
    """The shipped translation of the sentence this one was made from, with its handout's number."""
    singular = message.id[0] if isinstance(message.id, tuple) else message.id
    numbers = [m.group(2) for m in NUMBERED.finditer(singular)]
    found = base.get(NUMBERED.sub(r"\1", singular), context=message.context)
    if found is None or not found.string:
        return
    suffix = "".join(f" ({n})" for n in numbers)
    if isinstance(found.string, tuple):
        forms = len(message.string) if isinstance(message.string, tuple) else len(found.string)
        strings = [found.string[min(i, len(found.string) - 1)] for i in range(forms)]
        message.string = tuple(carry(text, script) + suffix for text in strings)
    else:
        message.string = carry(found.string, script) + suffix
    message.flags = set(found.flags)
    message.previous_id = []


def measure(root: Path, label: str, *args: str) -> None:
    wall, cpu, rss = run_command(root, *args)
    print(f"  {label}: {wall:.2f} s (CPU {cpu:.1f} s), peak memory {rss / 1024:.0f} MiB", flush=True)


#: The sheet template for ``--noop``: the title and summary, one short page. A no-op build reads no
#: PDF (only its size and time), so what the sheets say does not change its cost; this one lets a real
#: build make every PDF of a large library in minutes instead of hours.
ONE_LINE_SHEET = """<!DOCTYPE html>
<html lang="{{ locale.html_lang }}" dir="{{ locale.dir }}">
<head><meta charset="utf-8"><title>{{ plain(handout.title) }}</title>
<link rel="stylesheet" href="handout.css"></head>
<body><main><h1>{{ tr(handout.title) }}</h1><p>{{ tr(handout.summary) }}</p></main></body>
</html>
"""


def noop(root: Path, jobs: int) -> None:
    """Every sheet built for real (with :data:`ONE_LINE_SHEET`), then the build again: twice, each in
    a fresh process as staff run it."""
    (root / "templates" / "handout.html.j2").write_text(ONE_LINE_SHEET)
    wall, cpu, rss = run_command(root, "build", "-j", str(jobs))
    pdfs = len(list((root / "build").glob("*/*.pdf")))
    print(
        f"build of every sheet (one-line template): {pdfs} PDFs in {wall:.0f} s "
        f"(CPU {cpu:.0f} s), peak memory {rss / 1024:.0f} MiB (every process)",
        flush=True,
    )
    for label in ("no-op build", "no-op build again"):
        measure(root, label, "build")


def edit_one_entry(root: Path, code: str) -> None:
    path = po_path(root / "locales", code)
    text = path.read_text(encoding="utf-8")
    at = text.index('msgstr "', text.index("msgid", text.index("\n\n")))
    path.write_text(text[: at + 8] + "¡" + text[at + 8 :], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--handouts", type=int, default=1000)
    parser.add_argument("--languages", type=int, default=20, help="including English (at most 21)")
    parser.add_argument("--keep", type=Path, help="make the library here and keep it")
    parser.add_argument(
        "--measure",
        default="status,check",
        help="what to measure, of status, check and noop (builds every sheet first; see ONE_LINE_SHEET)",
    )
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    compile_package()
    wanted = set(args.measure.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        root = (args.keep or Path(tmp)) / "library"
        started = time.perf_counter()
        if not root.exists():
            generate(root, args.handouts, args.languages)
        entries = sum(1 for m in load_catalog(po_path(root / "locales", "es"), "es") if m.id)
        languages = len(list((root / "locales").glob("*/LC_MESSAGES/*.po"))) + 1
        sheets = args.handouts * languages
        print(
            f"machine: {os.cpu_count()} cores; {args.handouts} handouts × {languages} languages = "
            f"{sheets} sheets; {entries} entries a catalogue (made in {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        from handoutgen.build.manifest import inputs_digest

        started = time.perf_counter()
        inputs_digest(root)
        print(
            f"a no-op build's first step, hashing every input once: {time.perf_counter() - started:.2f} s "
            "(then one stat per PDF; no PDF is rendered here to measure the rest)",
            flush=True,
        )
        for command in [c for c in ("status", "check") if c in wanted]:
            shutil.rmtree(root / ".cache", ignore_errors=True)
            print(f"{command}:", flush=True)
            measure(root, "cold, nothing cached", command)
            measure(root, "warm, nothing changed", command)
            edit_one_entry(root, "es")
            measure(root, "one Spanish entry edited", command)
        if "noop" in wanted:
            noop(root, args.jobs)


if __name__ == "__main__":
    main()
