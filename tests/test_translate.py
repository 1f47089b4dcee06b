"""Machine drafts with a real (tiny, offline-built) argostranslate package.

The copy package reproduces its input exactly, so every difference between the English and
the draft is the project's doing: placeholders, numbers and markup must come back intact.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from handoutgen.catalogs import states
from handoutgen.catalogs.store import load_catalog, po_path, save_catalog
from handoutgen.errors import TranslationError
from handoutgen.mt import drafting as translate
from handoutgen.mt import packages as models
from handoutgen.text import sentences

try:
    from tests.argos_fixture import argos_packages, no_network
except ImportError:  # tests/ is on sys.path rather than the project root
    from argos_fixture import argos_packages, no_network  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_network")
ROOT = Path(__file__).resolve().parent.parent

TRICKY = [
    "Call {clinic_phone} if the pain gets worse.",
    "Rest for 15–20 minutes, then take ½ tablet (1.5 mg) with water.",
    "**Do not drive** for 24 hours. Take *one* tablet at 8:30.",
    "If you cannot breathe, call {emergency_number} now.\nDo not wait for the clinic to open.",
    "Read more at https://example.org/after_care or write to care@example.org.",
    "%(handout_id)s · version %(version)s · last reviewed %(date)s",
    "Dr. Smith will see you at 9 a.m. Bring your list of medicines.",
]


class CountingTranslator:
    """Wraps the real CTranslate2 translator to count what each translate_batch call carried."""

    def __init__(self, real, fail_on_call: int | None = None):
        self.real = real
        self.batches: list[int] = []
        self.fail_on_call = fail_on_call

    def translate_batch(self, source, *args, **kwargs):
        if self.fail_on_call is not None and len(self.batches) + 1 == self.fail_on_call:
            raise KeyboardInterrupt  # what Ctrl-C raises once CTranslate2 returns
        self.batches.append(len(source))
        return self.real.translate_batch(source, *args, **kwargs)


def make_project(root: Path, entries: list[str], lang: str = "es") -> Path:
    catalog = Catalog(locale=lang, domain="handouts")
    for text in entries:
        catalog.add(text)
    save_catalog(catalog, po_path(root / "locales", lang))
    return root


@pytest.fixture
def mt_project(tmp_path, argos_packages) -> Path:
    """A project with the copy package installed in its default folder, .cache/argos-packages."""
    root = tmp_path / "project"
    models.install_file(argos_packages.copy_en_es, models.packages_dir(project_dir=root))
    return root


def run(root: Path, lang: str = "es", **kwargs) -> translate.TranslateResult:
    kwargs.setdefault("progress", io.StringIO())
    return translate.translate_locale(lang, locales_dir=root / "locales", **kwargs)


def entries(root: Path, lang: str = "es") -> dict[str, object]:
    return {m.id: m for m in load_catalog(po_path(root / "locales", lang)) if m.id}


def counting_engine(root: Path, fail_on_call: int | None = None) -> translate.Engine:
    package = models.require_package("en", "es", models.packages_dir(project_dir=root))
    engine = translate.Engine(package)
    engine.translator = CountingTranslator(engine.translator, fail_on_call)
    return engine


def msgfmt_check(path: Path) -> None:
    subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], check=True, capture_output=True)


def test_importing_the_stage_does_not_import_argostranslate():
    code = (
        "import sys, handoutgen.mt.drafting, handoutgen.mt.packages, handoutgen.text.sentences; "
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('argostranslate', 'ctranslate2', 'sentencepiece', 'torch', 'stanza', 'spacy', 'minisbd')]; "
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"


def test_fills_only_missing_entries_as_marked_machine_drafts(mt_project):
    make_project(mt_project, ["Reviewed line.", "Human draft line.", "Missing one.", "Missing two."])
    path = po_path(mt_project / "locales", "es")
    catalog = load_catalog(path)
    catalog["Reviewed line."].string = "Línea revisada."
    catalog["Human draft line."].string = "Borrador humano."
    catalog["Human draft line."].flags.add("fuzzy")
    save_catalog(catalog, path)

    result = run(mt_project)

    assert (result.filled, result.strings_sent, result.warnings) == (2, 2, [])
    got = entries(mt_project)
    for text in ("Missing one.", "Missing two."):
        assert got[text].string == text  # the copy model
        assert states.entry_state(got[text]) is states.State.MACHINE_DRAFT
        assert got[text].fuzzy
        assert states.machine_provider(got[text]) == "argostranslate translate-en_es 1.0"
    assert got["Reviewed line."].string == "Línea revisada." and not got["Reviewed line."].fuzzy
    assert got["Human draft line."].string == "Borrador humano."
    assert states.entry_state(got["Human draft line."]) is states.State.DRAFT
    text = path.read_text(encoding="utf-8")
    assert re.search(
        r"# machine-draft: argostranslate translate-en_es 1\.0 \(text [0-9a-f]{12}\)\n#, fuzzy", text
    )
    msgfmt_check(path)


def test_stale_machine_draft_is_redrafted_but_stale_human_work_is_not(mt_project):
    make_project(mt_project, ["Edited English.", "Edited again."])
    path = po_path(mt_project / "locales", "es")
    catalog = load_catalog(path)
    machine, human = catalog["Edited English."], catalog["Edited again."]
    for message, old in ((machine, "Old English."), (human, "Old again.")):
        message.string = "Texto viejo."
        message.flags.add("fuzzy")
        message.previous_id = [old]
    machine.user_comments.append("machine-draft: argostranslate translate-en_es 0.9")
    save_catalog(catalog, path)

    result = run(mt_project)

    got = entries(mt_project)
    assert result.filled == 1
    assert got["Edited English."].string == "Edited English."
    assert states.entry_state(got["Edited English."]) is states.State.MACHINE_DRAFT
    assert got["Edited again."].string == "Texto viejo."
    assert states.entry_state(got["Edited again."]) is states.State.STALE


def test_placeholders_numbers_markup_survive_the_copy_model(mt_project):
    make_project(mt_project, TRICKY)
    result = run(mt_project)

    assert result.warnings == []
    got = entries(mt_project)
    for text in TRICKY:
        assert got[text].string == text
    msgfmt_check(po_path(mt_project / "locales", "es"))


def test_without_protection_the_package_would_damage_them(mt_project):
    """Why protection exists: this package's own tokenizer round trip rewrites these."""
    engine = translate.load_engine("en", "es", folder=models.packages_dir(project_dir=mt_project))
    raw = "Call {clinic_phone} and take ½ tablet."
    round_trip = engine.tokenizer.decode(engine.tokenizer.encode(raw)).strip()
    assert "{clinic phone}" in round_trip and "1⁄2" in round_trip
    assert translate.check_draft(raw, round_trip) != []
    assert engine.translate([raw]) == [(raw, [])]


def test_garbage_model_drafts_are_kept_but_reported(tmp_path, argos_packages):
    root = tmp_path / "project"
    models.install_file(argos_packages.random_en_es, models.packages_dir(project_dir=root))
    make_project(root, ["Call {clinic_phone} within 24 hours.", "Rest."])

    result = run(root)

    got = entries(root)
    draft = got["Call {clinic_phone} within 24 hours."]
    assert draft.string and draft.string != draft.id, "the garbage draft is stored as it came"
    assert "{clinic_phone}" not in draft.string, "and not silently repaired"
    assert states.entry_state(draft) is states.State.MACHINE_DRAFT
    messages = [str(w) for w in result.warnings]
    path = po_path(root / "locales", "es")
    assert any(m.startswith(f"{path}:{draft.lineno}: ") and "'{clinic_phone}'" in m for m in messages), (
        messages
    )
    assert any("'24'" in m and "missing" in m for m in messages), messages
    assert "drafts need attention" in result.summary()


def test_memory_sends_unchanged_text_never_again(mt_project):
    texts = [f"Take {n} tablets with water. Rest after that." for n in range(2, 12)]
    make_project(mt_project, texts)
    first = run(mt_project)
    assert (first.strings_sent, first.from_memory) == (10, 0)
    memory = json.loads((mt_project / ".cache" / "translation-memory.json").read_text(encoding="utf-8"))
    assert set(memory["pairs"]["en>es 1.0"]) == set(texts)

    make_project(mt_project, texts)  # a catalogue with every entry missing again
    second = run(mt_project)
    assert (second.filled, second.strings_sent, second.batch_calls, second.from_memory) == (10, 0, 0, 10)

    edited = [t.replace("Rest", "Sit down") if t.startswith("Take 5 ") else t for t in texts]
    make_project(mt_project, edited)
    third = run(mt_project)
    assert (third.strings_sent, third.from_memory) == (1, 9)
    assert (
        entries(mt_project)["Take 5 tablets with water. Sit down after that."].string
        == "Take 5 tablets with water. Sit down after that."
    )


def test_memory_is_per_package_version(mt_project, argos_packages, tmp_path):
    make_project(mt_project, ["Drink water."])
    run(mt_project)
    other = models.read_package(models.packages_dir(project_dir=mt_project) / "translate-en_es-1_0")
    newer = models.PackageInfo(other.path, "en", "es", "1.1")
    memory = translate.TranslationMemory(mt_project / ".cache" / "translation-memory.json")
    assert memory.get(other, "Drink water.") == "Drink water."
    assert memory.get(newer, "Drink water.") is None


def test_many_strings_go_in_each_ctranslate2_call(mt_project):
    texts = [f"Wait {n} minutes between puffs. Then rinse your mouth." for n in range(40)]
    make_project(mt_project, texts)
    engine = counting_engine(mt_project)

    result = run(mt_project, engine=engine, chunk=32)

    assert engine.translator.batches == [64, 16], "2 sentences per entry, 32 + 8 entries"
    assert (result.batch_calls, result.strings_sent, result.filled) == (2, 40, 40)
    assert result.strings_per_second > 0


def test_interrupted_run_keeps_what_was_translated(mt_project):
    texts = [f"Check your sugar {n} times a day." for n in range(12)]
    make_project(mt_project, texts)
    path = po_path(mt_project / "locales", "es")
    engine = counting_engine(mt_project, fail_on_call=2)

    with pytest.raises(KeyboardInterrupt):
        run(mt_project, engine=engine, chunk=5)

    msgfmt_check(path)
    kept = [m for m in entries(mt_project).values() if m.string]
    assert len(kept) == 5
    assert all(states.entry_state(m) is states.State.MACHINE_DRAFT for m in kept)
    assert not list(path.parent.glob(".*.tmp")), "no temp file left beside the catalogue"

    resumed = run(mt_project, engine=counting_engine(mt_project))
    assert (resumed.strings_sent, resumed.filled) == (7, 7)
    assert all(m.string == m.id for m in entries(mt_project).values())


def test_progress_is_quiet_off_a_terminal_except_the_summary(mt_project):
    make_project(mt_project, ["One line.", "Two lines."])
    stream = io.StringIO()
    run(mt_project, progress=stream)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("translate es: filled 2 entries") and "strings/s" in lines[0]


def test_no_package_for_the_locale_says_how_to_install(mt_project):
    make_project(mt_project, ["Hello."], lang="vi")
    with pytest.raises(TranslationError) as caught:
        run(mt_project, lang="vi")
    assert "generate.py models install en vi" in str(caught.value)


def test_cuda_without_a_gpu_is_a_clear_error(mt_project):
    import ctranslate2

    if ctranslate2.get_cuda_device_count() > 0:
        pytest.skip("this machine has a GPU")
    make_project(mt_project, ["Hello."])
    with pytest.raises(TranslationError) as caught:
        run(mt_project, device="cuda")
    assert "no CUDA GPU" in str(caught.value) and "--device cpu" in str(caught.value)


def test_back_translation_when_the_reverse_package_is_installed(tmp_path, argos_packages):
    root = tmp_path / "project"
    assert translate.back_translate(["Hola."], "es", "en", project_dir=root) is None
    models.install_file(argos_packages.copy_es_en, models.packages_dir(project_dir=root))
    texts = ["Llame al {clinic_phone}. Tome ½ tableta.", "**No** maneje durante 24 horas."]
    assert translate.back_translate(texts, "es", "en", project_dir=root) == texts
    assert translate.back_translate([], "es", project_dir=root) == []


def test_language_without_a_splitter_fails_before_translating(tmp_path, argos_packages):
    folder = tmp_path / "packages"
    models.install_file(argos_packages.copy_th_en, folder)
    with pytest.raises(TranslationError) as caught:
        translate.back_translate(["สวัสดี"], "th", packages=folder)  # an explicit folder works too
    message = str(caught.value)
    assert "no sentence splitter for 'th'" in message and "minisbd/*.onnx" in message
    assert "nothing will be downloaded" in message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Take 1.5 tablets. Then rest.", ["Take 1.5 tablets.", "Then rest."]),
        ("**Call now.** Then wait.", ["**Call now.**", "Then wait."]),
        ("See Dr. Smith at 9 a.m. tomorrow.", ["See Dr. Smith at 9 a.m. tomorrow."]),
        ('Call {clinic_phone}. "Quoted." Done!', ["Call {clinic_phone}.", '"Quoted."', "Done!"]),
        ("e.g. this stays whole", ["e.g. this stays whole"]),
        ("请休息。然后喝水。", ["请休息。", "然后喝水。"]),
        ("물을 마시세요. 쉬세요.", ["물을 마시세요.", "쉬세요."]),
        ("¿Tiene fiebre? Llame hoy.", ["¿Tiene fiebre?", "Llame hoy."]),
        ("Rest. {clinic_name} is open.", ["Rest.", "{clinic_name} is open."]),
        ("Bring snacks, etc. Then rest.", ["Bring snacks, etc. Then rest."]),
        ("Call us (or go to the clinic.) Then rest.", ["Call us (or go to the clinic.)", "Then rest."]),
        ("Wait (see below… ) then go.", ["Wait (see below… ) then go."]),  # ")" starts nothing
        ("आराम करें। पानी पिएं।", ["आराम करें।", "पानी पिएं।"]),
        ("እረፍት ያድርጉ። ውሃ ይጠጡ።", ["እረፍት ያድርጉ።", "ውሃ ይጠጡ።"]),
        ("هل هو مؤلم؟ يشعر معظم الناس بألم قليل.", ["هل هو مؤلم؟", "يشعر معظم الناس بألم قليل."]),
        ("请休息！「好的。」然后喝水。", ["请休息！", "「好的。」", "然后喝水。"]),
        ("", []),
    ],
)
def test_sentence_splitting(text, expected):
    assert sentences.split_sentences(text) == expected


def test_protect_and_restore_round_trip():
    text = "**Stop** taking it if {name} says so; 15–20 min, ½ dose, see www.example.org."
    table: list[translate.Protected] = []
    protected = translate.protect(text, table)
    assert "{" not in protected and "½" not in protected and "*" not in protected
    assert translate.restore(protected, table) == text
    # a model that drops a token: the restore does not invent it, the check reports it
    damaged = translate.restore(protected.replace("ZX1Q", ""), table)
    assert any("'{name}'" in p for p in translate.check_draft(text, damaged)) or any(
        "**" in p for p in translate.check_draft(text, damaged)
    )


def test_entries_without_words_skip_the_model(mt_project):
    make_project(mt_project, ["{clinic_phone}", "24 – 48", "Call {clinic_phone}."])
    engine = counting_engine(mt_project)
    result = run(mt_project, engine=engine)
    assert engine.translator.batches == [1], "only the sentence with words reaches CTranslate2"
    assert result.warnings == []
    assert {k: m.string for k, m in entries(mt_project).items()} == {
        "{clinic_phone}": "{clinic_phone}",
        "24 – 48": "24 – 48",
        "Call {clinic_phone}.": "Call {clinic_phone}.",
    }


def test_checks_name_what_changed():
    source = "Call {clinic_phone} within 24 hours. **Now.**"
    assert translate.check_draft(source, source) == []
    problems = translate.check_draft(source, "Llame {clinic_phone} {clinic_phone} dentro de 48 horas. Ahora.")
    assert problems == [
        "placeholder '{clinic_phone}' appears 2× in the draft but 1× in the English",
        "number '24' from the English is missing from the draft",
        "number '48' is in the draft but not in the English",
        "markup '**' from the English is missing from the draft",
    ]
    assert translate.check_draft("Rest.", "ZX3Q Descanse.") == ["protection token(s) ZX3Q were not restored"]


def test_progress_redraws_one_line_on_a_terminal(mt_project):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    make_project(mt_project, [f"Line {n} of the list." for n in range(40)])
    stream = Terminal()
    run(mt_project, progress=stream, chunk=16)
    shown = stream.getvalue()
    assert shown.count("\r") >= 3 and shown.count("\n") == 1
    assert "translate es: 16/40 strings" in shown and "strings/s" in shown


def test_after_staff_edit_one_paragraph_only_that_paragraph_is_sent(mt_project):
    """The whole loop: drafts, an edit to the English, `catalogs update`, translate again."""
    from handoutgen.catalogs.store import merge_catalog

    texts = [f"Use the cream {n} times a day on clean, dry skin." for n in range(1, 9)]
    make_project(mt_project, texts)
    assert run(mt_project).strings_sent == 8

    edited = "Use the cream 3 times a day on clean, dry skin, then wash your hands."
    template = Catalog(domain="handouts")
    for text in texts:
        template.add(edited if text.startswith("Use the cream 3 ") else text)
    path = po_path(mt_project / "locales", "es")
    merged, _report = merge_catalog(load_catalog(path), template)
    save_catalog(merged, path)
    assert states.entry_state(entries(mt_project)[edited]) is states.State.STALE

    engine = counting_engine(mt_project)
    again = run(mt_project, engine=engine)

    assert (again.strings_sent, again.filled) == (1, 1)
    assert engine.translator.batches == [1]
    entry = entries(mt_project)[edited]
    assert entry.string == edited and states.entry_state(entry) is states.State.MACHINE_DRAFT


def test_progress_says_how_long_is_left() -> None:
    import io

    from handoutgen.mt.drafting import Progress, time_left

    assert time_left(0, 5.0) == "finishing" and time_left(10, 0.0) == "estimating time left"
    assert time_left(100, 10.0) == "about 10 s left"
    assert time_left(6000, 10.0) == "about 10 min left" and time_left(72000, 10.0) == "about 2.0 h left"
    stream = io.StringIO()
    stream.isatty = lambda: True  # type: ignore[method-assign]
    Progress("es", 1000, stream).update(250, 250, 25.0)
    assert "250/1000 strings, 10.0 strings/s, about 75 s left" in stream.getvalue()
