"""Translate a whole locale with the test-fixture package and print the figures that matter.

    .venv/bin/python benchmarks/translate_bench.py [--strings 200] [--threads]

Prints: strings/second batched vs. one ``translate_batch`` call per string (same run, same
model), the strings sent on a second run after one paragraph is edited, and peak memory.
With ``--threads`` it also compares CTranslate2 thread settings.  The copy model is tiny, so
absolute speeds say little about a real package; the ratios are the point.  It reads
``locales/handouts.pot`` when that exists, else builds ~200 realistic handout sentences.
Nothing here touches the network.
"""

from __future__ import annotations

import argparse
import io
import itertools
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import argos_fixture
from babel.messages.catalog import Catalog

from handoutgen.catalogs.store import load_catalog, po_path, pot_path, save_catalog
from handoutgen.mt import drafting as translate
from handoutgen.mt import packages as models

MEDICINES = [
    "ibuprofen",
    "amoxicillin",
    "metformin",
    "your inhaler",
    "the eye drops",
    "insulin",
    "the blood thinner",
    "paracetamol",
]
INSTRUCTIONS = [
    "Take {m} **exactly** as your doctor told you, {n} times a day.",
    "Do not stop taking {m} without talking to your care team; call {{clinic_phone}} first.",
    "If you miss a dose of {m}, take it as soon as you remember. Do not take 2 doses at once.",
    "Keep {m} at room temperature, below {n}5 °C, and away from children.",
    "Call {{emergency_number}} right away if you have trouble breathing after taking {m}.",
    "Tell us about *all* other medicines you take with {m}, including vitamins.",
    "Most side effects of {m} go away within {n}–{n}0 days.",
    "Bring {m} to your next visit so we can check the dose ({n}.5 mg).",
]


def handout_sentences(count: int) -> list[str]:
    """The project's own template when it exists, else realistic generated paragraphs."""
    pot = pot_path(ROOT / "locales")
    if pot.exists():
        ids = [m.id for m in load_catalog(pot) if m.id and isinstance(m.id, str)]
        if len(ids) >= 20:
            return ids[:count]
    combos = itertools.product(range(2, 9), MEDICINES, INSTRUCTIONS)
    made = [t.format(m=m, n=n) for n, m, t in combos]
    return list(dict.fromkeys(argos_fixture.TRAINING_SENTENCES + made))[:count]


def build_package(dest: Path) -> Path:
    """Build the fixture package in a child process, so peak memory below is translation only."""
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[2]); "
        "import argos_fixture; print(argos_fixture.build_argosmodel(Path(sys.argv[1])))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(dest), str(ROOT / "tests")],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(out.stdout.strip().splitlines()[-1])


def make_locale(project: Path, texts: list[str]) -> Path:
    catalog = Catalog(locale="es", domain="handouts")
    for text in texts:
        catalog.add(text)
    path = po_path(project / "locales", "es")
    save_catalog(catalog, path)
    return path


def rate(engine: translate.Engine, texts: list[str], per_call: int) -> float:
    """Strings per second, sending ``per_call`` strings per translate_batch call."""
    started = time.perf_counter()
    for i in range(0, len(texts), per_call):
        engine.translate(texts[i : i + per_call])
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strings", type=int, default=200)
    parser.add_argument("--threads", action="store_true", help="also compare thread settings")
    args = parser.parse_args()
    tracemalloc.start()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        built = time.perf_counter()
        archive = build_package(work / "build")
        print(f"fixture package built in {time.perf_counter() - built:.1f} s: {archive.name}")
        packages = work / "project" / ".cache" / "argos-packages"
        models.install_file(archive, packages)
        texts = handout_sentences(args.strings)
        path = make_locale(work / "project", texts)
        engine = translate.load_engine("en", "es", folder=packages)
        engine.translate(texts[:4])  # warm-up: model load, first allocations

        batched = rate(engine, texts, translate.DEFAULT_CHUNK)
        single = rate(engine, texts, 1)
        print(
            f"{len(texts)} strings: batched ({translate.DEFAULT_CHUNK}/call) {batched:.1f} strings/s, "
            f"one call per string {single:.1f} strings/s, ratio {batched / single:.1f}×"
        )

        if args.threads:
            compare_threads(engine.package, texts)

        quiet = io.StringIO()
        first = translate.translate_locale(
            "es", locales_dir=work / "project" / "locales", packages=packages, engine=engine, progress=quiet
        )
        print(
            f"first run: {first.strings_sent} strings sent in {first.batch_calls} calls, "
            f"{first.strings_per_second:.1f} strings/s"
        )
        edited = texts[len(texts) // 2]
        make_locale(work / "project", [t + " Ask us if unsure." if t == edited else t for t in texts])
        second = translate.translate_locale(
            "es", locales_dir=work / "project" / "locales", packages=packages, engine=engine, progress=quiet
        )
        print(
            f"second run after editing one paragraph: {second.strings_sent} string(s) sent, "
            f"{second.from_memory} from memory"
        )
        assert path.exists()
    _, peak_py = tracemalloc.get_traced_memory()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak memory: {peak_rss:.0f} MiB resident (ru_maxrss), "
        f"{peak_py / 2**20:.1f} MiB Python heap (tracemalloc)"
    )


def compare_threads(package: models.PackageInfo, texts: list[str]) -> None:
    """CTranslate2's defaults against settings for a 2-core machine, batched, same texts."""
    print("thread settings (batched; one call per string):")
    for intra, inter, tokens in [(0, 1, 2048), (2, 1, 2048), (1, 1, 2048), (1, 2, 512), (1, 2, 256)]:
        engine = translate.Engine(package, intra_threads=intra, inter_threads=inter, max_batch_tokens=tokens)
        engine.translate(texts[:4])
        label = "intra_threads=default" if intra == 0 else f"intra_threads={intra}"
        print(
            f"  {label}, inter_threads={inter}, max_batch_tokens={tokens}: "
            f"{rate(engine, texts, translate.DEFAULT_CHUNK):.1f}; {rate(engine, texts, 1):.1f} strings/s"
        )


if __name__ == "__main__":
    main()
