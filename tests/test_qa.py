"""Translation quality checks: each check passing and failing on real handout sentences in the
shipped languages, glossary.yaml loading and its errors, and the shipped catalogues."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from hypothesis import given, settings
from hypothesis import strategies as st

from handoutgen.catalogs.store import load_catalog, locales_on_disk, po_path, pot_path
from handoutgen.checks.findings import Finding
from handoutgen.checks.issues import CHECKS
from handoutgen.checks.translation import (
    Glossary,
    Term,
    check_catalog,
    check_entry,
    load_glossary,
)
from handoutgen.errors import CatalogError
from handoutgen.text.numbers import EN_RANGE_GAP, find_numbers, number_symbols, ranges
from handoutgen.text.sentences import count_sentences

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_LOCALES = ["es", "zh_Hans", "vi", "ar", "ko"]


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary(ROOT / "glossary.yaml")


def checks(source: str, target: str, locale: str, glossary: Glossary | None = None) -> dict[str, list[str]]:
    """check name -> messages (severities asserted where they matter)."""
    result: dict[str, list[str]] = {}
    for check, severity, message in check_entry(source, target, locale, glossary):
        assert check in CHECKS
        assert severity in ("error", "warning")
        result.setdefault(check, []).append(message)
    return result


def errors(source: str, target: str, locale: str, glossary: Glossary | None = None) -> list[tuple[str, str]]:
    return [(c, m) for c, s, m in check_entry(source, target, locale, glossary) if s == "error"]


# -- the finding and the check list -----------------------------------------------------------------


def test_finding_prints_file_line_severity_check_and_the_english():
    finding = Finding(
        "numbers",
        "error",
        '"24" is missing from the translation; keep every number of the English',
        "locales/es/LC_MESSAGES/handouts.po",
        123,
        "Do not do hard exercise for 24 hours. A gentle walk is fine.",
        None,
    )
    assert str(finding) == (
        'locales/es/LC_MESSAGES/handouts.po:123: error[numbers]: "24" is missing from the '
        'translation; keep every number of the English (English: "Do not do hard exercise '
        'for 24 hours. A…")'
    )
    no_line = Finding("emergency-number", "error", "missing", "x.po", None, "Call {emergency_number}.", None)
    assert str(no_line) == 'x.po: error[emergency-number]: missing (English: "Call {emergency_number}.")'


def test_check_names_are_stable_and_described():
    assert set(CHECKS) == {
        "numbers",
        "negation",
        "units",
        "placeholders",
        "format",
        "markup",
        "glossary-required",
        "glossary-keep",
        "untranslated",
        "empty",
        "length-ratio",
        "sentence-count",
        "ending-punctuation",
        "emergency-number",
        "markup-added",
        "url-added",
        "bidi-control",
    }
    for severity, description in CHECKS.values():
        assert severity in ("error", "warning") and description and "\n" not in description


# -- numbers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, target, locale",
    [
        ("Care for the next 24 hours", "Cuidados durante las próximas 24 horas", "es"),
        ("Take 1.5 tablets with food.", "Tome 1,5 tabletas con comida.", "es"),  # CLDR decimal comma
        ("Take 1.5 tablets with food.", "Tome 1.5 tabletas con comida.", "es"),  # the point is read too
        ("Take 1.5 tablets with food.", "Uống 1,5 viên thuốc cùng với thức ăn.", "vi"),
        ("Take 1.5 tablets with food.", "随餐服用1.5片。", "zh_Hans"),
        ("Drink 1,000 ml of water each day.", "Tome 1.000 ml de agua cada día.", "es"),  # group point
        ("Do not lift heavy things for 24 hours.", "لا ترفع أشياء ثقيلة لمدة ٢٤ ساعة.", "ar"),  # Arabic-Indic
        ("Do not lift heavy things for 24 hours.", "لا ترفع أشياء ثقيلة لمدة 24 ساعة.", "ar"),
        (
            "Do not lift heavy things for 24 hours.",
            "لا ترفع أشياء ثقيلة لمدة ۲۴ ساعة.",
            "ar",
        ),  # Eastern Arabic-Indic
        ("Take 1.5 tablets with food.", "تناول ١٫٥ قرص مع الطعام.", "ar"),  # ARABIC DECIMAL SEPARATOR
        ("Do not lift heavy things for 24 hours.", "２４小时内不要提重物。", "zh_Hans"),  # full-width digits
        ("Page %(page)s of %(pages)s", "%(pages)s쪽 중 %(page)s쪽", "ko"),
        (
            "Call us at {clinic_phone} the same day if you have:",
            "Llámenos al {clinic_phone} el mismo día si tiene:",
            "es",
        ),
    ],
)
def test_numbers_kept(source, target, locale):
    assert "numbers" not in checks(source, target, locale)


@pytest.mark.parametrize(
    "target, locale",
    [
        ("Úselo durante 15–20 minutos cada vez.", "es"),
        ("Úselo durante 15-20 minutos cada vez.", "es"),
        ("Úselo durante 15 a 20 minutos cada vez.", "es"),
        ("Úselo de 15 a 20 minutos cada vez.", "es"),
        ("Úselo entre 15 y 20 minutos cada vez.", "es"),
        ("Mỗi lần chườm 15 đến 20 phút.", "vi"),
        ("Mỗi lần chườm từ 15 đến 20 phút.", "vi"),
        ("每次热敷15〜20分钟。", "zh_Hans"),
        ("每次热敷15~20分钟。", "zh_Hans"),
        ("每次热敷15至20分钟。", "zh_Hans"),
        ("每次热敷15分钟到20分钟。", "zh_Hans"),
        ("استخدمها لمدة 15 إلى 20 دقيقة في كل مرة.", "ar"),
        ("استخدمها لمدة ١٥–٢٠ دقيقة في كل مرة.", "ar"),
        ("한 번에 15~20분씩 하세요.", "ko"),
        ("한 번에 15분에서 20분씩 하세요.", "ko"),
    ],
)
def test_a_range_may_be_written_the_locale_way(target, locale):
    assert "numbers" not in checks("Use it for 15–20 minutes at a time.", target, locale)


def test_a_dropped_number_is_an_error_naming_it():
    found = errors("Do not lift heavy things for 24 hours.", "No levante cosas pesadas durante un día.", "es")
    assert found == [
        (
            "numbers",
            '"24" is missing from the translation; keep every number of the English, written in digits',
        ),
        (
            "units",
            '"24 hours": the translation has days where the English has hours (hours → days); '
            "write the same unit as the English",
        ),
    ]


def test_a_spelled_out_number_does_not_count_as_the_digit():
    found = checks(
        "Walk for 2 or 3 minutes, or stretch gently.",
        "Camine dos o tres minutos, o estírese suavemente.",
        "es",
    )
    assert len(found["numbers"]) == 2 and '"2"' in found["numbers"][0] and '"3"' in found["numbers"][1]


def test_a_swapped_range_is_an_error():
    found = errors("Use it for 15–20 minutes at a time.", "Úselo durante 20–15 minutos cada vez.", "es")
    assert [c for c, _ in found] == ["numbers"]
    assert 'the range "15–20" is reversed ("20–15")' in found[0][1]


def test_a_range_that_is_no_longer_a_range_is_an_error():
    found = errors("Use it for 15–20 minutes at a time.", "Úselo durante 15 o 20 minutos cada vez.", "es")
    assert [c for c, _ in found] == ["numbers"] and "no longer the range" in found[0][1]


def test_a_date_or_code_is_no_range():
    assert "numbers" not in checks("Reviewed on 2026-11-01.", "Revisado el 01/11/2026.", "es")
    assert "numbers" not in checks(
        "Call 1-800-555-0100 for help.", "Llame al 1-800-555-0100 para pedir ayuda.", "es"
    )


def test_an_invented_number_is_an_error():
    found = errors(
        "Come a few minutes early to fill in a health form.",
        "Llegue 15 minutos antes para llenar un formulario de salud.",
        "es",
    )
    assert found == [
        (
            "numbers",
            '"15" is in the translation but not in the English; remove it or correct it '
            "to the English number",
        )
    ]


def test_a_changed_number_names_both():
    found = errors(
        "Bleeding that does not stop after 10 minutes of firm pressure.",
        "用力按压15分钟后仍然出血不止。",
        "zh_Hans",
    )
    assert found == [("numbers", '"10" became "15" in the translation; write 10 as in the English')]


def test_a_number_used_twice_must_be_there_twice():
    found = errors(
        "Rest 2 days, then walk for 2 minutes.", "Descanse 2 días y luego camine unos minutos.", "es"
    )
    assert len(found) == 1 and '"2" appears 2 times in the English but 1 in the translation' in found[0][1]


def test_a_decimal_comma_is_wrong_where_the_locale_uses_a_point():
    found = errors("Take 1.5 tablets with food.", "随餐服用1,5片。", "zh_Hans")
    assert [c for c, _ in found] == ["numbers"] * len(found) and found
    assert any('"1.5"' in m for _, m in found)


@pytest.mark.parametrize(
    "text, symbols, values",
    [
        ("Take 1.5 tablets.", (".", ","), [("1.5",)]),
        ("Tome 1,5 tabletas.", (",", "."), [("1.5",)]),
        ("1.500 personas", (",", "."), [("1.500", "1500")]),  # both readings kept, decimals as written
        ("خذ ٢٤ ساعة", ("٫", "٬"), [("24",)]),  # Arabic-Indic digits
        ("１５分", (".", ","), [("15",)]),  # full-width digits
        ("1 500 mg", (",", "\u00a0"), [("1500",)]),  # a space groups digits
        ("at 9:30", (".", ","), [("9",), ("30",)]),  # a time is its numbers
    ],
)
def test_numbers_are_read_as_values(text, symbols, values):
    assert [n.values for n in find_numbers(text, *symbols)] == values


def test_number_symbols_and_ranges():
    assert number_symbols("es") == (",", ".") and number_symbols("en") == (".", ",")
    text = "15 a 20 minutos"
    numbers = find_numbers(text, ",", ".")
    assert ranges(text, numbers) == [(0, 1)]
    date = "2026-11-01"
    assert ranges(date, find_numbers(date), EN_RANGE_GAP, chains=False) == []


def test_numbers_inside_placeholders_are_ignored():
    assert "numbers" not in checks("Page %(page)s of %(pages)s", "Página %(page)s de %(pages)s", "es")
    assert "numbers" not in checks("Call {line_2} today.", "Llame hoy al {line_2}.", "es")


# -- placeholders and format variables --------------------------------------------------------------


def test_placeholder_dropped():
    found = errors(
        "Call {emergency_number} if you have trouble breathing.",
        "Llame al número de emergencias si tiene dificultad para respirar.",
        "es",
    )
    assert found == [
        (
            "placeholders",
            "{emergency_number} is missing from the translation; copy placeholders "
            "exactly as in the English, untranslated",
        )
    ]


def test_placeholder_invented():
    found = errors("Call us the same day.", "Llámenos al {clinic_phone} el mismo día.", "es")
    assert [c for c, _ in found] == ["placeholders"] and "{clinic_phone} is not in the English" in found[0][1]


def test_placeholder_translated():
    found = errors(
        "Call us at {clinic_phone} the same day if you have:",
        "Llámenos al {telefono_clinica} el mismo día si tiene:",
        "es",
    )
    assert found == [
        (
            "placeholders",
            "{clinic_phone} was changed to {telefono_clinica}; copy placeholders "
            "exactly as in the English, untranslated",
        )
    ]


def test_placeholder_count_must_match():
    found = errors("Call {clinic_phone}.", "Llame al {clinic_phone} o al {clinic_phone}.", "es")
    assert [c for c, _ in found] == ["placeholders"] and "2 times in the translation" in found[0][1]


def test_format_variable_dropped_and_renamed():
    assert errors("Page %(page)s of %(pages)s", "Página %(page)s", "es") == [
        (
            "format",
            "%(pages)s is missing from the translation; copy %(name)s variables exactly as in the English",
        )
    ]
    renamed = errors("Page %(page)s of %(pages)s", "Página %(pagina)s de %(pages)s", "es")
    assert [c for c, _ in renamed] == ["format"] and "%(page)s was changed to %(pagina)s" in renamed[0][1]


# -- markup -----------------------------------------------------------------------------------------

SOURCE_BOLD = "**Do not** stop any medicine before your visit unless your doctor tells you to."


@pytest.mark.parametrize(
    "target, locale",
    [
        (
            "**No** deje de tomar ningún medicamento antes de su visita, "
            "a menos que su médico se lo indique.",
            "es",
        ),
        ("就诊前**不要**停用任何药物，除非您的医生让您这样做。", "zh_Hans"),
        ("담당 의사가 지시하지 않는 한, 진료 전에 어떤 약도 끊지 **마세요**.", "ko"),
    ],
)
def test_markup_kept(target, locale):
    assert "markup" not in checks(SOURCE_BOLD, target, locale)


def test_markup_unclosed_is_an_error():
    found = checks(SOURCE_BOLD, "**No deje de tomar ningún medicamento antes de su visita.", "es")
    assert any("bold" in m for m in found["markup"]) and any("not closed" in m for m in found["markup"])


def test_markup_dropped_is_an_error():
    found = errors(
        SOURCE_BOLD,
        "No deje de tomar ningún medicamento antes de su visita, a menos que su médico se lo indique.",
        "es",
    )
    assert found == [
        (
            "markup",
            "the English has 1 bold span(s) (**…**) but the translation has 0; put **…** "
            "around the matching words",
        )
    ]


def test_markup_empty_span_and_italic():
    assert any(
        "empty" in m for m in checks(SOURCE_BOLD, "**** No deje de tomar ningún medicamento.", "es")["markup"]
    )
    found = checks("Use *gentle* heat.", "Use calor suave.", "es")
    assert found["markup"] == [
        "the English has 1 italic span(s) (*…*) but the translation has 0; put *…* around the matching words"
    ]
    assert "markup" not in checks("Use *gentle* heat.", "Use calor *suave*.", "es")


# -- glossary ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, target, locale",
    [
        ("Both use thin needles.", "Las dos usan agujas delgadas.", "es"),  # English and Spanish plurals
        (
            "You have a bleeding disorder. This is a health problem that makes you bleed or bruise easily.",
            "Usted tiene un trastorno de sangrado. Es un problema de salud que hace que sangre o le "
            "salgan moretones con facilidad.",
            "es",
        ),
        (
            "Dry needling aims at trigger points.",
            "La punción seca se dirige a los puntos gatillo.",
            "es",
        ),  # not "aguja"
        ("A small bruise at a needle spot.", "كدمة صغيرة في مكان إحدى الإبر.", "ar"),
        (
            "Minor effects are common. You may have small bruises.",
            "الآثار البسيطة شائعة. قد تظهر لديك كدمات صغيرة.",
            "ar",
        ),
        ("You take a blood thinner.", "تتناول دواءً مميّعًا للدم.", "ar"),  # with harakat and tanween
        ("You take a blood thinner.", "تتناول دواء مميعا للدم.", "ar"),  # without
        (
            "Go to the nearest emergency room right away.",
            "اذهب إلى أقرب قسم طوارئ على الفور.",
            "ar",
        ),  # no article
        ("Adults who have just had acupuncture.", "البالغون الذين خضعوا للتوّ لجلسة وخز بالإبر.", "ar"),
        ("Acupuncture uses very thin needles.", "침치료에는 아주 가는 침을 사용합니다.", "ko"),  # spacing
        ("You are afraid of needles.", "바늘을 무서워합니다.", "ko"),
        ("You are afraid of needles.", "Bạn sợ kim.", "vi"),
        ("Go to the nearest emergency room.", "请前往最近的医院急诊科。", "zh_Hans"),
    ],
)
def test_glossary_term_used(glossary, source, target, locale):
    assert "glossary-required" not in checks(source, target, locale, glossary)


def test_glossary_term_missed_is_a_warning_naming_the_term_and_line(glossary):
    issues = check_entry(
        "A small bruise at a needle spot.", "Un pequeño hematoma donde estuvo una aguja.", "es", glossary
    )
    found = [(c, s, m) for c, s, m in issues if c == "glossary-required"]
    assert len(found) == 1
    check, severity, message = found[0]
    assert severity == "warning"
    line = next(t.line for t in glossary.required_terms("es") if t.english == "bruise")
    assert message == (
        f'the English has "bruise" but the translation has no "moretón"; '
        f"use the agreed term (glossary.yaml:{line})"
    )


def test_glossary_vietnamese_tones_matter(glossary):
    found = checks("You are afraid of needles.", "Bạn sợ kìm.", "vi", glossary)  # kìm is pliers
    assert "glossary-required" in found


def test_glossary_severity_per_term_and_keep_terms():
    glossary = Glossary(
        required={"es": (Term("blood thinner", ("anticoagulante",), "error", 3),)},
        keep={"*": (Term("MyChart", (), "error", 9),)},
    )
    found = errors(
        "Tell us if you take a blood thinner. Message us on MyChart.",
        "Díganos si toma un diluyente de la sangre. Escríbanos en Mi Gráfico.",
        "es",
        glossary,
    )
    assert [c for c, _ in found] == ["glossary-required", "glossary-keep"]
    assert '"MyChart" must appear unchanged' in found[1][1]
    assert errors("Message us on MyChart.", "Escríbanos en MyChart.", "es", glossary) == []


def test_shipped_glossary_has_every_locale_and_term(glossary):
    english = {
        "acupuncture",
        "needle",
        "dry needling",
        "bruise",
        "blood thinner",
        "pacemaker",
        "emergency room",
    }
    for locale in SHIPPED_LOCALES:
        terms = glossary.required_terms(locale)
        assert {t.english for t in terms} == english
        assert all(t.severity == "warning" and t.forms and t.line for t in terms)
    assert [t.english for t in glossary.required_terms("es")][0] in (
        "dry needling",
        "emergency room",
    )  # longest first
    assert glossary.required_terms("es_MX") == glossary.required_terms("es")
    keep = glossary.keep_terms("es")  # names that stay as they are in every language
    assert {t.english for t in keep} == {"NCCIH", "NCCAOM", "Medicare"}
    assert all(t.severity == "error" and t.line for t in keep)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "glossary.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_glossary(path)
    return [str(p) for p in info.value.problems]


def test_glossary_bad_yaml_names_file_and_line(tmp_path):
    path = write(
        tmp_path,
        """\
        locales:
          es:
            required:
              needle: [aguja
        """,
    )
    found = problems(path)
    assert len(found) == 1 and found[0].startswith(f"{path}:5: YAML syntax")


def test_glossary_unknown_fields_and_bad_values_name_their_lines(tmp_path):
    path = write(
        tmp_path,
        """\
        severity:
          glossary-required: loud
        locales:
          es:
            requried:
              needle: aguja
          xx_Nope:
            required: {}
          vi:
            required:
              needle: []
              bruise: {forms: [bầm], severity: error, colour: red}
        terms: {}
        """,
    )
    found = problems(path)
    assert (
        f"{path}:2: severity.glossary-required: unknown severity 'loud'; use one of: error, warning, off"
        in found
    )
    assert any(p.startswith(f"{path}:5: locales.es.requried: unknown field 'requried'") for p in found)
    assert any(p.startswith(f"{path}:7: locales.xx_Nope:") for p in found)  # the key's line: the key is wrong
    assert f"{path}:11: locales.vi.required.needle: no translations listed; give at least one" in found
    assert any(
        p.startswith(f"{path}:12: locales.vi.required.bruise.colour: unknown field 'colour'") for p in found
    )
    assert any(p.startswith(f"{path}:13: terms: unknown field 'terms'") for p in found)


def test_glossary_custom_severities(tmp_path):
    path = write(
        tmp_path,
        """\
        severity:
          glossary-keep: warning
        keep: [Tylenol]
        locales:
          es:
            severity: {glossary-required: error}
            required:
              needle: aguja
              bruise: {forms: [moretón, hematoma], severity: off}
        """,
    )
    glossary = load_glossary(path)
    assert glossary.keep_terms("ko") == (Term("Tylenol", (), "warning", 3),)
    assert {t.english: t.severity for t in glossary.required_terms("es")} == {
        "needle": "error",
        "bruise": "off",
    }
    assert checks("A bruise.", "Un cardenal.", "es", glossary).get("glossary-required") is None


# -- untranslated, empty ----------------------------------------------------------------------------


def test_untranslated_is_a_warning():
    assert checks("When to get help", "When to get help", "es")["untranslated"]
    assert checks("DRAFT", "DRAFT", "vi")["untranslated"]


@pytest.mark.parametrize(
    "text",
    [
        "{clinic_phone}",
        "%(handout_id)s · %(version)s",
        "15–20",
        "MRI",
        "English",
        "Español",
        "https://example.org/help",
    ],
)
def test_identical_is_fine_without_words_to_translate(text):
    assert "untranslated" not in checks(text, text, "es")


def test_identical_is_fine_for_kept_names_and_for_english_locales():
    glossary = Glossary(keep={"*": (Term("MyChart", (), "error"),)})
    assert "untranslated" not in checks("MyChart", "MyChart", "es", glossary)
    assert "untranslated" not in checks("When to get help", "When to get help", "en_GB")


def test_blank_translation_is_only_an_empty_warning():
    assert check_entry("Sleep well", "   ", "es") == [
        (
            "empty",
            "warning",
            "the translation is only spaces; write it, or leave msgstr empty so the entry counts as missing",
        )
    ]


# -- length -----------------------------------------------------------------------------------------


def test_length_ratio():
    source = "Keep your feet flat on the floor or on a footrest."
    assert "length-ratio" not in checks(
        source, "Mantenga los pies planos en el piso o sobre un reposapiés.", "es"
    )
    assert "length-ratio" not in checks(source, "双脚平放在地面上或脚凳上。", "zh_Hans")
    assert "length-ratio" not in checks(source, "발바닥이 바닥이나 발받침에 평평하게 닿도록 하세요.", "ko")
    assert "length-ratio" not in checks(source, "أبقِ قدميك مسطّحتين على الأرض أو على مسند للقدمين.", "ar")
    long = checks(source, "Mantenga los pies planos en el piso o sobre un reposapiés. " * 3, "es")[
        "length-ratio"
    ]
    assert long[0].startswith(
        "the translation is 3.52× the length of the English, much longer than usual for "
        "alphabetic scripts (0.4–2.5×)"
    )
    assert "length-ratio" in checks(source, "Pies.", "es")
    assert "length-ratio" in checks(
        source, "Keep your feet flat on the floor or on a footrest. 双脚平放。", "zh_Hans"
    )
    assert "length-ratio" not in checks(
        "Sleep well", "Duerma bien, con una almohada entre las rodillas", "es"
    )  # < 20


# -- sentences and final punctuation ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, count",
    [
        ("A small bruise at a needle spot. It may take a few days to fade.", 2),
        (
            "침 놓은 자리에 생긴 작은 멍. 없어지는 데 며칠 걸릴 수 있습니다.",
            2,
        ),  # a one-syllable word is no initial
        ("Take 1.5 tablets. Ask Dr. Lee, e.g. at 9 a.m. tomorrow.", 2),
        ("扎针处出现一小块瘀青。可能需要几天才会消退。", 2),
        ("هل هو مؤلم؟ يشعر معظم الناس بألم قليل جدًا.", 2),
        ("¿Duele? La mayoría de las personas siente muy poco dolor.", 2),
        ("Some health problems change how we treat you. Tell us if any of these are true for you:", 2),
        ('Both use thin needles. "Dry" means that no medicine goes in.', 2),
        ("Yes. Acupuncture does not replace your regular medical care. Tell your doctor.", 3),
        ("Page %(page)s of %(pages)s", 1),
        ("Call {clinic_phone}. Then rest.", 2),  # a placeholder is no initial
        ("Rest. {clinic_name} is open late.", 2),
        ("Bring water, snacks, etc. Then rest.", 1),
        ("आराम करें। पानी पिएं।", 2),  # Hindi danda
        ("እረፍት ያድርጉ። ውሃ ይጠጡ።", 2),  # Amharic full stop
        ("آرام کریں۔ پانی پئیں۔", 2),  # Urdu full stop
        ("พักผ่อน ดื่มน้ำ", 1),  # Thai marks no sentence end
        ("…", 0),
        ("", 0),
    ],
)
def test_count_sentences(text, count):
    assert count_sentences(text) == count


def test_sentences_are_not_compared_in_a_language_without_sentence_punctuation():
    source = "Rest today. Drink water. Call us if it hurts."
    assert "sentence-count" in checks(source, "Descanse hoy y beba agua.", "es")
    assert "sentence-count" not in checks(source, "พักผ่อนวันนี้ ดื่มน้ำ โทรหาเราถ้าเจ็บ", "th")


def test_sentence_count():
    source = "A little bleeding at a needle spot. This is not common. Press on it with a clean tissue."
    assert "sentence-count" not in checks(
        source, "침 놓은 자리에서 나는 약간의 피. 흔한 일은 아닙니다. 깨끗한 휴지로 눌러 주세요.", "ko"
    )
    found = checks(
        source, "Un poco de sangrado donde estuvo una aguja, pero no es común. Presione con un pañuelo.", "es"
    )
    assert found["sentence-count"] == [
        "the English has 3 sentence(s) but the translation has 2; check that nothing "
        "was dropped, merged or added"
    ]
    # one English sentence split in two is a translator's choice; into three is worth a look
    single = "Take a short walk every day and add a few minutes each week."
    assert "sentence-count" not in checks(
        single, "Dé una caminata corta todos los días. Agregue unos minutos cada semana.", "es"
    )
    assert "sentence-count" in checks(
        single, "Camine. Todos los días. Agregue unos minutos cada semana.", "es"
    )


@pytest.mark.parametrize(
    "source, target, locale",
    [
        ("Does it hurt?", "¿Duele?", "es"),
        ("Does it hurt?", "针灸疼吗？", "zh_Hans"),
        ("Does it hurt?", "هل هو مؤلم؟", "ar"),
        ("Who this is for:", "适用人群：", "zh_Hans"),
        ("New trouble passing urine (pee).", "新出现排尿（小便）困难。", "zh_Hans"),
        ("Sleep well", "잘 자기", "ko"),
        (
            'Both use thin needles. "Dry" means that no medicine goes in.',
            "Las dos usan agujas delgadas. “Seca” significa que no se inyecta ningún medicamento.",
            "es",
        ),
    ],
)
def test_ending_punctuation_kept(source, target, locale):
    assert "ending-punctuation" not in checks(source, target, locale)


def test_ending_punctuation_of_other_scripts():
    assert "ending-punctuation" not in checks("Drink water.", "पानी पिएं।", "hi")
    assert "ending-punctuation" not in checks("Drink water.", "ውሃ ይጠጡ።", "am")
    assert checks("Drink water.", "पानी पिएं", "hi")["ending-punctuation"] == [
        'the English ends with "." but the translation does not; end it with a full stop ("।")'
    ]


def test_ending_punctuation_changed_or_missing():
    assert checks("Does it hurt?", "针灸会疼。", "zh_Hans")["ending-punctuation"] == [
        'the English ends with "?" but the translation with "。"; end it with a question mark ("？")'
    ]
    assert checks("Does it hurt?", "هل هو مؤلم", "ar")["ending-punctuation"] == [
        'the English ends with "?" but the translation does not; end it with a question mark ("؟")'
    ]
    assert checks("Who this is for:", "Para quién es", "es")["ending-punctuation"] == [
        'the English ends with ":" but the translation does not; end it with a colon (":")'
    ]
    assert checks("Sleep well", "Duerma bien.", "es")["ending-punctuation"] == [
        'the translation ends with "." but the English has no final punctuation; remove it'
    ]


# -- catalogues -------------------------------------------------------------------------------------

TEMPLATE = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"

#: handouts/aftercare.yaml:40
msgid "Call {emergency_number} or go to the nearest emergency room **right away** if you have:"
msgstr ""

#: handouts/first-visit.yaml:50
msgid "Call {emergency_number} right away if you have chest pain."
msgstr ""

#: handouts/first-visit.yaml:51
msgid "Do not lift heavy things for 24 hours."
msgstr ""
"""

CATALOGUE = """\
msgid ""
msgstr ""
"Language: es\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

#: handouts/aftercare.yaml:40
#, fuzzy
msgid "Call {emergency_number} or go to the nearest emergency room **right away** if you have:"
msgstr "Llame o vaya a la sala de emergencias más cercana **de inmediato** si tiene:"

#: handouts/first-visit.yaml:51
#, fuzzy
msgid "Do not lift heavy things for 24 hours."
msgstr "No levante cosas pesadas durante un día."

#: handouts/first-visit.yaml:52
msgid "Sleep well"
msgstr ""
"""


def test_catalog_findings_with_file_line_and_emergency_number(tmp_path, glossary):
    (tmp_path / "handouts.pot").write_text(TEMPLATE, encoding="utf-8")
    path = tmp_path / "handouts.po"
    path.write_text(CATALOGUE, encoding="utf-8")
    template = load_catalog(tmp_path / "handouts.pot")
    found = check_catalog(load_catalog(path, "es"), path, "es", glossary, template)
    summary = [(f.line, f.check, f.severity) for f in found]
    assert summary == [
        (9, "placeholders", "error"),
        (9, "emergency-number", "error"),
        (14, "numbers", "error"),  # a fuzzy draft is checked too
        (14, "units", "error"),  # "24 hours" became "un día"
        (None, "emergency-number", "error"),
    ]
    assert all(f.file == str(path) and f.context is None for f in found)
    assert found[1].message.startswith("the translation drops {emergency_number}")
    assert found[4].msgid == "Call {emergency_number} right away if you have chest pain."
    assert found[4].message.startswith("this {emergency_number} sentence is missing from the catalogue")
    assert str(found[2]).startswith(f'{path}:14: error[numbers]: "24" is missing')


def test_emergency_sentence_left_untranslated():
    catalog = Catalog(locale="es")
    catalog.add("Call {emergency_number} right away if you have chest pain.", "")
    catalog.add("Sleep well", "Duerma bien")
    found = check_catalog(catalog, Path("es.po"), "es")
    assert [(f.check, f.severity) for f in found] == [("emergency-number", "error")]
    assert "not translated" in found[0].message


def test_plural_entries_are_checked_per_form():
    catalog = Catalog(locale="es")
    catalog.add(("%(count)s session", "%(count)s sessions"), ("%(count)s sesión", "%(cuenta)s sesiones"))
    found = check_catalog(catalog, Path("es.po"), "es")
    assert [f.check for f in found] == ["format"] and "%(count)s was changed to %(cuenta)s" in found[
        0
    ].message


def test_shipped_catalogues_are_all_checked():
    assert locales_on_disk(ROOT / "locales") == sorted(SHIPPED_LOCALES)


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_shipped_catalogue_has_no_errors(locale, glossary):
    template = load_catalog(pot_path(ROOT / "locales"))
    path = po_path(ROOT / "locales", locale)
    catalog = load_catalog(path, locale)
    found = check_catalog(catalog, path.relative_to(ROOT), locale, glossary, template)
    assert [str(f) for f in found if f.severity == "error"] == []
    # and the checks really looked: every entry is translated, and a broken copy fails
    assert sum(1 for m in catalog if m.id and m.string) == sum(1 for m in template if m.id)
    message = catalog.get("Do not lift heavy things for 24 hours.")
    message.string = message.string.replace("24", "42")
    assert any(f.check == "numbers" for f in check_catalog(catalog, path, locale, glossary, template))


# -- properties -------------------------------------------------------------------------------------

WORDS = st.sampled_from(
    [
        "Rest",
        "for",
        "the",
        "day",
        "needles",
        "bruise",
        "**gently**",
        "{clinic_phone}",
        "%(page)s",
        "15–20",
        "1.5",
        "24",
        "minutes.",
        "hours,",
        "Dr.",
        "(pee)",
        "?",
        ":",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=12))
def test_english_copied_as_is_has_no_errors(words):
    text = " ".join(words)
    assert errors(text, text, "es") == []


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=4),
    st.sampled_from(["ar", "fa", "ur"]),
)
def test_locale_digits_count_as_the_same_numbers(numbers, locale):
    source = "Take " + ", then ".join(f"{n} drops" for n in numbers) + "."
    target = "خذ " + " ثم ".join(f"{n} قطرة" for n in numbers).translate(ARABIC_INDIC) + "."
    assert "numbers" not in checks(source, target, locale)


# -- what a translation must not add: markup, addresses, bidi controls ---------------------------------


@pytest.mark.parametrize(
    "target, token",
    [
        ("Gọi cho chúng tôi <script>alert(1)</script>", "<script>"),
        ('Llámenos <a href="http://169.254.169.254/">hoy</a>', '<a href="http://169.254.169.254/">'),
        ("Llámenos <img src=x onerror=alert(1)", "<img src=x onerror=alert(1)"),  # unclosed tag
        ("Llámenos <b>hoy</b>", "<b>"),
        ("Llámenos <!-- hoy -->", "<!-- hoy -->"),
        ("Llámenos &lt;b&gt; hoy", "&lt;"),
        ("Llámenos&#32;hoy", "&#32;"),
        ("Llámenos <svg/onload=alert(1)>", "<svg/onload=alert(1)>"),
    ],
)
def test_markup_in_a_translation_is_an_error(target, token):
    found = [
        (c, s, m) for c, s, m in check_entry("Call us the same day", target, "es") if c == "markup-added"
    ]
    assert found and all(s == "error" for _, s, _ in found)
    assert any(f'"{token}"' in m for _, _, m in found), found


@pytest.mark.parametrize(
    "target, address",
    [
        ('Llámenos <a href="http://169.254.169.254/latest/">hoy</a>', "http://169.254.169.254/latest/"),
        ("Visite https://evil.example.com/login hoy.", "https://evil.example.com/login"),
        ("Abra javascript:alert(document.domain) hoy.", "javascript:alert(document.domain)"),
        ("Abra data:text/html;base64,PHNjcmlwdD4= hoy.", "data:text/html;base64,PHNjcmlwdD4="),
        ("Lea file:///etc/passwd hoy.", "file:///etc/passwd"),
        ("Visite www.evil-pharmacy.com.", "www.evil-pharmacy.com"),
        ("Visite //evil.example.net/x hoy.", "//evil.example.net/x"),
        ("Escriba a refunds@evil.example.com.", "refunds@evil.example.com"),
        ("Visite cheap-pills.ru hoy.", "cheap-pills.ru"),
        ("Visite 169.254.169.254.", "169.254.169.254"),
    ],
)
def test_an_address_in_a_translation_that_the_english_lacks_is_an_error(target, address):
    found = [(c, s, m) for c, s, m in check_entry("Call us the same day.", target, "es") if c == "url-added"]
    assert found and all(s == "error" for _, s, _ in found)
    assert any(f'"{address}"' in m for _, _, m in found), found


@pytest.mark.parametrize(
    "source, target",
    [
        ("See www.cdc.gov for more.", "Vea www.cdc.gov para más información."),  # the English's own address
        ("Write to help@example.org.", "Escriba a help@example.org."),
        ("Visit {clinic_website} today.", "Visite {clinic_website} hoy."),  # a placeholder is not an address
        ("Take 1.5 mg at 8 a.m., e.g. with food.", "Tome 1,5 mg a las 8 a.m., p. ej. con comida."),
        ("If x < 5, wait.", "Si x < 5, espere."),
        ("Data", "Data: 1 de novembro"),  # Portuguese "data" (date) with a colon is no data: URL
        ("Rest today. It helps.", "Descanse hoy.Es bueno."),  # a missing space is no domain
    ],
)
def test_no_added_markup_or_address_where_there_is_none(source, target):
    assert not [c for c, _, _ in check_entry(source, target, "es") if c in ("markup-added", "url-added")]


def test_bidi_controls_in_a_translation_are_an_error_naming_them():
    target = "اتصل بالرقم \u202e0010-555\u202c اليوم."
    found = [(s, m) for c, s, m in check_entry("Call 555-0100 today.", target, "ar") if c == "bidi-control"]
    assert len(found) == 1 and found[0][0] == "error"
    assert (
        "U+202E RIGHT-TO-LEFT OVERRIDE" in found[0][1] and "U+202C POP DIRECTIONAL FORMATTING" in found[0][1]
    )
    for control in "\u202a\u202b\u202d\u2066\u2067\u2068\u2069":
        assert [
            c
            for c, _, _ in check_entry("Call us.", f"Gọi {control}cho{control} chúng tôi.", "vi")
            if c == "bidi-control"
        ], hex(ord(control))


def test_marks_that_belong_in_right_to_left_text_are_not_bidi_controls():
    # LRM, RLM and ALM are ordinary in Arabic text (around numbers and Latin words)
    target = "اتصل بنا على \u200e{clinic_phone}\u200f اليوم\u061c."
    assert not [
        c for c, _, _ in check_entry("Call us at {clinic_phone} today.", target, "ar") if c == "bidi-control"
    ]


def test_catalogue_findings_name_the_entry_with_injected_markup_and_controls(tmp_path):
    catalog = Catalog(locale="es")
    catalog.add("Call us the same day", 'Llámenos <a href="http://169.254.169.254/">hoy</a>', lineno=7)
    catalog.add("Rest today.", "Descanse \u2067hoy\u2069.", lineno=11)
    findings = check_catalog(catalog, Path("locales/es/LC_MESSAGES/handouts.po"), "es")
    by_check = {f.check: f for f in findings}
    assert by_check["markup-added"].severity == by_check["url-added"].severity == "error"
    assert str(by_check["markup-added"]).startswith(
        "locales/es/LC_MESSAGES/handouts.po:7: error[markup-added]: "
    )
    assert by_check["bidi-control"].severity == "error" and by_check["bidi-control"].line == 11
    assert 'English: "Rest today."' in str(by_check["bidi-control"])


# -- cited titles and initials: no false alarms, the loopholes still caught ----------------------------


@pytest.mark.parametrize(
    "text, count",
    [
        ("The U.S. National Center (NCCIH) says the same.", 1),
        ("Centro Nacional de Salud de EE. UU. (NCCIH): «Acupuncture» (nccih.nih.gov)", 1),
        ("Call us. We can help.", 2),
        ("Say no. Then rest.", 2),
    ],
)
def test_dotted_initials_end_no_sentence(text: str, count: int) -> None:
    assert count_sentences(text) == count


def test_a_title_cited_in_english_in_quotes_is_no_glossary_or_length_finding(glossary) -> None:
    english = "NCCIH: Acupuncture: Effectiveness and Safety (nccih.nih.gov)"
    assert "glossary-required" not in checks(
        english, "NCCIH: «Acupuncture: Effectiveness and Safety» (nccih.nih.gov)", "es", glossary
    )
    assert "length-ratio" not in checks(
        english, "NCCIH：《Acupuncture: Effectiveness and Safety》（nccih.nih.gov）", "zh_Hans", glossary
    )
    # the same English, unquoted in a sentence, is still the wrong word
    found = checks(
        "Acupuncture may help some people.", "La acupuncture puede ayudar a algunas personas.", "es", glossary
    )
    assert "glossary-required" in found
