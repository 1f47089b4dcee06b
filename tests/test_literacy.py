"""Health-literacy checks: known scores, each rule passing and failing, config errors, shipped content."""

from __future__ import annotations

import dataclasses
import re
import textwrap
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from hypothesis import given, settings
from hypothesis import strategies as st

from handoutgen.checks.literacy import (
    check_handout,
    check_handouts,
    load_literacy_config,
    translations_from_catalog,
)
from handoutgen.checks.plain_language import (
    hard_numbers,
    is_action,
    jargon_uses,
    passive_phrases,
    sentence_findings,
)
from handoutgen.checks.report import LiteracyReport
from handoutgen.content.handout import Block, load_handouts, parse_handout
from handoutgen.content.settings import LITERACY_RULES
from handoutgen.errors import ContentError
from handoutgen.text.readability import fernandez_huerta, readability
from handoutgen.text.syllables import count_syllables, count_syllables_es

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDERS = {"clinic_name", "clinic_phone", "clinic_address", "clinic_website", "emergency_number"}


@pytest.fixture(scope="module")
def config():
    return load_literacy_config(ROOT / "literacy.yaml")


def rules_of(sentence: str, config) -> set[str]:
    return {rule for rule, _ in sentence_findings(sentence, config)}


# -- syllables ------------------------------------------------------------------------------------

# Counts from the CMU Pronouncing Dictionary (or, for words it lacks, a printed dictionary's
# syllable breaks).  Mostly words patient handouts use, plus the tricky kinds: silent e, -ed,
# -es, hiatus (di-et, i-de-a), y as a vowel, compounds (some-thing) and long medical words.
KNOWN_SYLLABLES = {
    "acupuncture": 4,
    "needle": 2,
    "needles": 2,
    "bruise": 1,
    "bruises": 2,
    "soreness": 2,
    "heaviness": 3,
    "dizziness": 3,
    "appointment": 3,
    "medicine": 3,
    "vitamins": 3,
    "supplements": 3,
    "pregnant": 2,
    "emergency": 4,
    "breathing": 2,
    "pressure": 2,
    "fainting": 2,
    "swollen": 2,
    "infection": 3,
    "numbness": 2,
    "walked": 1,
    "wanted": 2,
    "created": 3,
    "hoped": 1,
    "rested": 2,
    "makes": 1,
    "boxes": 2,
    "uses": 2,
    "table": 2,
    "little": 2,
    "people": 2,
    "area": 3,
    "idea": 3,
    "quiet": 2,
    "science": 2,
    "diet": 2,
    "patient": 2,
    "experience": 4,
    "period": 3,
    "radio": 3,
    "serious": 3,
    "going": 2,
    "seeing": 2,
    "saying": 2,
    "lying": 2,
    "careful": 2,
    "useful": 2,
    "safely": 2,
    "something": 2,
    "sometimes": 2,
    "beyond": 2,
    "yes": 1,
    "year": 1,
    "the": 1,
    "inflammation": 4,
    "contraindication": 6,
    "musculoskeletal": 6,
    "anticoagulant": 6,
    "analgesic": 4,
    "sterile": 2,
    "meridian": 4,
    "lumbar": 2,
    "ibuprofen": 4,
    "stretch": 1,
    "gentle": 2,
    "clothes": 1,
    "alcohol": 3,
    "exercise": 3,
    "traditional": 4,
    "urine": 2,
    "injury": 3,
    "muscle": 2,
    "shoulder": 2,
    "stomach": 2,
    "headache": 2,
    "breathe": 1,
    "education": 4,
    "comfortable": 4,
    "activity": 4,
    "position": 3,
    "flexible": 3,
    "convenience": 3,
    "everyone": 3,
}


def test_syllable_counter_matches_known_counts():
    wrong = {w: (count_syllables(w), n) for w, n in KNOWN_SYLLABLES.items() if count_syllables(w) != n}
    assert len(KNOWN_SYLLABLES) >= 80
    assert len(wrong) / len(KNOWN_SYLLABLES) <= 0.05, wrong


@pytest.mark.parametrize(
    "token, expected",
    [
        ("{clinic_phone}", 1),  # a placeholder is one short word
        ("15", 2),
        ("20", 2),
        ("7", 2),
        ("100", 3),
        ("1.5", 3),
        ("30%", 4),  # numbers as read aloud
        ("light-headed", 3),
        ("don't", 1),
        ("didn't", 2),
        ("e.g.", 2),
        ("TCM", 3),
        ("Acupuncture", 4),
        ("ACUPUNCTURE", 4),
    ],
)
def test_syllables_of_special_tokens(token, expected):
    assert count_syllables(token) == expected


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20))
@settings(max_examples=200, deadline=None)
def test_every_word_has_at_least_one_syllable(word):
    assert count_syllables(word) >= 1


@pytest.mark.parametrize(
    "word, expected",
    [
        ("acupuntura", 5),
        ("día", 2),
        ("ciudad", 2),
        ("aeropuerto", 5),
        ("leer", 2),
        ("muy", 1),
        ("hay", 1),
        ("agua", 2),
        ("después", 2),
        ("oír", 2),
        ("país", 2),
        ("ahora", 3),
        ("y", 1),
        ("guerra", 2),
        ("pingüino", 3),
        ("cuidado", 3),
        ("buey", 1),
        ("Uruguay", 3),
        ("poeta", 3),
        ("héroe", 3),
        ("océano", 4),
        ("teatro", 3),
        ("sabía", 3),
        ("medicina", 4),
        ("aguja", 3),
    ],
)
def test_spanish_syllables(word, expected):
    assert count_syllables_es(word) == expected


# -- readability: hand-computed scores ------------------------------------------------------------


def test_flesch_kincaid_one_short_sentence():
    r = readability(["The cat sat on the mat."])
    assert (r.words, r.sentences, r.syllables) == (6, 1, 6)
    assert r.grade == pytest.approx(0.39 * 6 + 11.8 * 1 - 15.59)  # −1.45
    assert r.ease == pytest.approx(206.835 - 1.015 * 6 - 84.6 * 1)  # 116.1


def test_flesch_kincaid_pangram():
    r = readability(["The quick brown fox jumps over the lazy dog."])
    assert (r.words, r.sentences, r.syllables) == (9, 1, 11)
    assert r.grade == pytest.approx(2.34, abs=0.01)
    assert r.ease == pytest.approx(94.30, abs=0.01)


def test_flesch_kincaid_two_sentences_in_one_paragraph():
    # Acupuncture(4) uses(2) very(2) thin(1) needles(2) | They are sterile(2) which means free of germs: 9
    r = readability(["Acupuncture uses very thin needles. They are sterile, which means free of germs."])
    assert (r.words, r.sentences, r.syllables, r.longest_sentence) == (13, 2, 20, 8)
    assert r.grade == pytest.approx(5.10, abs=0.01)
    assert r.ease == pytest.approx(70.08, abs=0.01)


def test_list_items_without_full_stop_placeholders_numbers_and_markup():
    # "Call {clinic_phone} today" is its own unit: Call(1) {clinic_phone}(1) today(2);
    # "**Rest** for 15–20 minutes.": Rest(1) for(1) 15(2) 20(2) minutes(2)
    r = readability(["Call {clinic_phone} today", "**Rest** for 15–20 minutes."])
    assert (r.words, r.sentences, r.syllables) == (8, 2, 12)
    assert r.grade == pytest.approx(3.67, abs=0.01)
    assert r.ease == pytest.approx(75.88, abs=0.01)


def test_abbreviations_do_not_end_sentences():
    assert readability(["Ask Dr. Lee, e.g. at 9 a.m. on Monday."]).sentences == 1


def test_hard_text_scores_high_grade_and_low_ease():
    r = readability(["Contraindications include anticoagulant medication and immunocompromised conditions."])
    assert r.grade > 14 and r.ease < 10


@given(
    st.lists(
        st.sampled_from(
            [
                "Rest today.",
                "Drink water after your visit.",
                "Call {clinic_phone} if it hurts",
                "Acupuncture uses very thin needles. They are sterile.",
                "Use heat for 15–20 minutes.",
            ]
        ),
        min_size=1,
        max_size=6,
    ),
    st.integers(min_value=0, max_value=6),
)
@settings(max_examples=60, deadline=None)
def test_scores_add_up_so_a_handout_is_not_an_average_of_sections(texts, cut):
    whole = readability(texts)
    assert whole == readability(texts[:cut]) + readability(texts[cut:])


def test_fernandez_huerta_known_values():
    # El(1) ga-to(2) co-me(2) pes-ca-do(3): 4 words, 8 syllables, 1 sentence
    assert fernandez_huerta(["El gato come pescado."]) == pytest.approx(206.84 - 60 * 8 / 4 - 1.02 * 4)
    # La a-gu-ja es muy fi-na (5 words, 8) | No due-le mu-cho (3 words, 5)
    assert fernandez_huerta(["La aguja es muy fina. No duele mucho."]) == pytest.approx(105.26, abs=0.01)
    assert fernandez_huerta([]) is None


def test_fernandez_huerta_longer_sentences_read_harder():
    # The often-quoted form (F = sentences per 100 words) gets this backwards.
    short = fernandez_huerta(["La aguja es muy fina. No duele mucho. Usted descansa."])
    joined = fernandez_huerta(["La aguja es muy fina y no duele mucho y usted descansa."])
    assert short > joined


# -- sentence rules: each with failing and passing sentences --------------------------------------


@pytest.mark.parametrize(
    "sentence, rule",
    [
        (
            "Your first visit takes longer than later visits because we ask about your health, "
            "your pain, your medicines and how you move.",
            "long-sentence",
        ),
        ("Each needle is used only once.", "passive-voice"),
        ("The needles will be removed after 20 minutes.", "passive-voice"),
        ("It is usually used along with other care.", "passive-voice"),
        ("Patients should avoid alcohol on the day of treatment.", "not-addressed-to-reader"),
        ("Alcohol should be avoided.", "not-addressed-to-reader"),
        ("It is recommended to rest after treatment.", "not-addressed-to-reader"),
        ("Drink 1/2 cup of water.", "hard-number"),
        ("Drink ½ cup of water.", "hard-number"),
        ("Rest for 1.5 hours.", "hard-number"),
        ("Take 2-3 every day.", "hard-number"),
        ("Come between 9 and 5.", "hard-number"),
        ("Acupuncture will cure your back pain.", "claim-cure"),
        ("It does not cure everything, but it cures back pain.", "claim-cure"),
        ("It heals the body completely.", "claim-cure"),
        ("90% of our patients feel better.", "claim-percentage"),
        ("Treatment is successful for 8 out of 10 patients.", "claim-percentage"),
        ("Acupuncture has no side effects.", "claim-no-side-effects"),
        ("Most people have no serious side effects.", "claim-no-side-effects"),
        ("It is a side-effect-free and completely safe treatment.", "claim-no-side-effects"),
        ("Many call it a miracle.", "claim-miracle"),
        ("Our magic needles melt pain away.", "claim-miracle"),
        ("Results are guaranteed.", "claim-guarantee"),
        ("It is clinically proven to relieve pain.", "claim-guarantee"),
        ("Acupuncture always works.", "claim-guarantee"),
        ("Take Tylenol for pain.", "brand-or-name"),
        ("Ask Dr. Lee before your visit.", "brand-or-name"),
        ("Use Tiger Balm® on sore muscles.", "brand-or-name"),
    ],
)
def test_rule_fires(sentence, rule, config):
    assert rule in rules_of(sentence, config)


@pytest.mark.parametrize(
    "sentence, rule",
    [
        ("Your first visit takes longer than later visits. We ask about your health.", "long-sentence"),
        ("You may feel sore.", "passive-voice"),
        ("You are tired or light-headed.", "passive-voice"),
        ("If the spot gets infected, call us.", "passive-voice"),
        ("Soreness gets better in 1 or 2 days.", "passive-voice"),
        ("We use each needle only once.", "passive-voice"),
        ("The needles are much thinner than those used for shots.", "passive-voice"),
        ("Call us.", "not-addressed-to-reader"),
        ("Most people feel fine after acupuncture.", "not-addressed-to-reader"),
        ("It is important that you rest.", "not-addressed-to-reader"),
        ("The heat should feel warm, not hot.", "not-addressed-to-reader"),
        ("You should be seen by a doctor.", "not-addressed-to-reader"),
        ("Use gentle heat for 15–20 minutes.", "hard-number"),
        ("Come 1–2 hours after a meal, or between 9 and 11 a.m.", "hard-number"),
        ("Call us at 555-1234.", "hard-number"),
        ("Walk for 2 or 3 minutes.", "hard-number"),
        ("Acupuncture is not a cure.", "claim-cure"),
        ("There is no cure for arthritis, but acupuncture may ease the pain.", "claim-cure"),
        ("No treatment can promise a cure.", "claim-cure"),
        ("Can acupuncture cure my back pain?", "claim-cure"),
        ("Keep the area secure and clean.", "claim-cure"),
        ("About 1 in 10 people get a small bruise.", "claim-percentage"),
        ("Side effects are rare and mild.", "claim-no-side-effects"),
        ("Acupuncture is not free of side effects.", "claim-no-side-effects"),
        ("Acupuncture is not without risk.", "claim-no-side-effects"),
        ("Tell us about any side effects.", "claim-no-side-effects"),
        ("Acupuncture is not magic.", "claim-miracle"),
        ("There is no guarantee that it will help.", "claim-guarantee"),
        ("We cannot guarantee results.", "claim-guarantee"),
        ("It has not been proven to cure back pain.", "claim-guarantee"),
        ("Ask your doctor before you take a pain reliever such as acetaminophen.", "brand-or-name"),
        ("Call {clinic_name} at {clinic_phone}.", "brand-or-name"),
        ("Ask your doctor.", "brand-or-name"),
    ],
)
def test_rule_does_not_fire(sentence, rule, config):
    assert rule not in rules_of(sentence, config)


def test_long_sentence_message_counts_words_and_quotes_the_start(config):
    sentence = " ".join(["word"] * 24) + "."
    (message,) = [m for r, m in sentence_findings(sentence, config) if r == "long-sentence"]
    assert message.startswith("24 words (limit 20) in 'word word word word word word …'")


def test_passive_phrase_is_quoted(config):
    assert passive_phrases("Each needle is only used once and then thrown away.", config) == ["is only used"]


def test_range_with_unit_before_it_is_clear(config):
    assert hard_numbers("Pages 3–4 show the steps.", config) == []
    assert hard_numbers("Adults aged 18–65 can take part.", config) == []


@pytest.mark.parametrize(
    "sentence, explained",
    [
        ("You may have inflammation.", False),
        ("We use acupoints on your back.", False),
        ("Inflammation is common after treatment.", False),
        ("You may have inflammation (swelling and redness).", True),
        ("Swelling (inflammation) is normal.", True),
        ("The needles are sterile, which means free of germs.", True),
        ("Pain in the lumbar area, or lower back, is common.", True),
        ("The needles are sterile — free of germs.", True),
        ("The medical word for swelling is inflammation.", True),
        ("Acupoints are the spots where needles go.", True),
        ('"Sterile" means free of germs.', True),
    ],
)
def test_jargon_explained_nearby(sentence, explained, config):
    assert [e for _, e in jargon_uses(sentence, "", config)] == [explained]


def test_jargon_explained_in_the_next_sentence(config):
    assert jargon_uses("You take an anticoagulant.", "This is a medicine that thins your blood.", config) == [
        ("anticoagulant", True)
    ]
    assert jargon_uses("We use acupoints.", "They are on your back.", config) == [("acupoint", False)]


@pytest.mark.parametrize(
    "sentence, action",
    [
        ("Drink water after your visit.", True),
        ("If you feel faint, tell us.", True),
        ("**Do not** drive.", True),
        ("You can say no at any time.", True),
        ("Most people feel fine.", False),
        ("Acupuncture uses thin needles.", False),
    ],
)
def test_action_detection(sentence, action, config):
    assert is_action(sentence, config) is action


# -- structure rules and whole handouts -----------------------------------------------------------

GOOD = """\
id: sample
title: After your visit
summary: This handout tells you how to care for yourself after acupuncture.
audience: Adults who have just had acupuncture.
version: "1.0"
reviewed: 2026-11-01
sections:
  - kind: aftercare
    body:
      - Drink water after your visit.
      - Rest for the rest of the day if you can.
  - kind: when_to_get_help
    urgent:
      - Call us at {clinic_phone} if a bruise gets bigger.
    emergency:
      - Call {emergency_number} right away if you have trouble breathing.
"""


def handout_from(text: str):
    handout, problems = parse_handout(textwrap.dedent(text), Path("handouts/sample.yaml"), PLACEHOLDERS)
    assert handout is not None, problems
    return handout


def findings_of(text: str, config) -> list:
    return check_handout(handout_from(text), config).findings


def test_a_good_handout_has_no_findings(config):
    result = check_handout(handout_from(GOOD), config)
    assert result.findings == []
    assert result.readability.grade <= 6
    assert [s.heading for s in result.sections] == ["summary", "aftercare", "when to get help"]


def test_finding_prints_file_line_path_severity_and_rule(config):
    text = GOOD.replace("- Drink water after your visit.", "- " + " ".join(["Drink"] * 23) + " water.")
    (finding,) = findings_of(text, config)
    assert str(finding) == (
        "handouts/sample.yaml:10: sections[0].body[0]: warning[long-sentence]: 24 words "
        "(limit 20) in 'Drink Drink Drink Drink Drink Drink …'; split it into shorter sentences"
    )


def test_claim_is_an_error_at_its_line(config):
    text = GOOD.replace("- Rest for the rest of the day if you can.", "- Acupuncture is a miracle cure.")
    found = {(f.rule, f.severity, f.line, f.path) for f in findings_of(text, config)}
    assert ("claim-miracle", "error", 11, "sections[0].body[1]") in found
    assert ("claim-cure", "error", 11, "sections[0].body[1]") in found


def test_no_purpose(config):
    text = GOOD.replace(
        "summary: This handout tells you how to care for yourself after acupuncture.",
        "summary: Acupuncture and you.",
    )
    assert [(f.rule, f.line, f.path) for f in findings_of(text, config)] == [("no-purpose", 3, "summary")]


def test_uninformative_heading(config):
    text = GOOD.replace("  - kind: aftercare\n", "  - kind: aftercare\n    title: Other information\n")
    assert [(f.rule, f.line) for f in findings_of(text, config)] == [("uninformative-heading", 9)]
    text = GOOD.replace("  - kind: aftercare\n", "  - kind: aftercare\n    title: Part 2\n")
    assert [f.rule for f in findings_of(text, config)] == ["uninformative-heading"]


def test_no_action_outside_the_warning_signs(config):
    text = GOOD.replace(
        "      - Drink water after your visit.\n      - Rest for the rest of the day if you can.\n",
        "      - Most people feel fine after acupuncture.\n",
    )
    assert [f.rule for f in findings_of(text, config)] == ["no-action"]


def test_numbered_steps_count_as_action(config):
    text = GOOD.replace(
        "      - Drink water after your visit.\n      - Rest for the rest of the day if you can.\n",
        "      - steps:\n          - A warm towel on the sore spot.\n",
    )
    assert "no-action" not in {f.rule for f in findings_of(text, config)}


def test_no_help_section_and_no_emergency_number(config):
    handout = handout_from(GOOD)
    without = dataclasses.replace(handout, sections=handout.sections[:1])
    assert [f.rule for f in check_handout(without, config).findings] == ["no-help-section"]
    help_section = handout.sections[1]
    silent = dataclasses.replace(help_section, emergency=(Block("paragraph", help_section.urgent[0].items),))
    no_number = dataclasses.replace(handout, sections=(handout.sections[0], silent))
    (finding,) = check_handout(no_number, config).findings
    assert (finding.rule, finding.severity, finding.path) == ("no-emergency-number", "error", "sections[1]")


def test_no_summary_unless_key_points(config):
    long_summary = "summary: " + "This handout tells you how to care for yourself after acupuncture. " * 4
    text = GOOD.replace(
        "summary: This handout tells you how to care for yourself after acupuncture.", long_summary
    )
    assert [f.rule for f in findings_of(text, config)] == ["no-summary"]
    with_points = text.replace("  - kind: aftercare\n", "  - kind: aftercare\n    title: The main points\n")
    assert findings_of(with_points, config) == []


def test_jargon_in_a_handout_is_fine_once_explained_and_in_a_heading_above_it(config):
    text = GOOD.replace(
        "  - kind: aftercare\n    body:\n",
        "  - kind: aftercare\n    title: Inflammation after treatment\n    body:\n"
        "      - Some inflammation (swelling and redness) is normal. The inflammation goes away.\n",
    )
    assert findings_of(text, config) == []
    unexplained = GOOD.replace("- Rest for the rest of the day if you can.", "- Some inflammation is normal.")
    (finding,) = findings_of(unexplained, config)
    assert (finding.rule, finding.line) == ("jargon", 11)
    assert "swelling, redness and warmth" in finding.message


HARD = (
    "      - Contraindications include anticoagulant medication, immunocompromised conditions and "
    "cardiovascular implantable electronic devices.\n"
    "      - Practitioners evaluate musculoskeletal dysfunction and individualize therapeutic "
    "interventions accordingly.\n"
    "      - Postprocedural complications, particularly hematoma formation, necessitate appropriate "
    "communication with clinicians.\n"
)


def test_grade_over_the_limit_is_an_error_and_a_hard_section_is_named(config):
    text = GOOD.replace("      - Drink water after your visit.\n", HARD)
    result = check_handout(handout_from(text), config)
    grades = [f for f in result.findings if f.rule == "grade-too-high"]
    assert result.readability.grade > config.max_grade
    assert [(f.severity, f.line, f.path) for f in grades] == [("error", 1, ""), ("warning", 8, "sections[0]")]


def test_grade_over_the_target_only_is_a_warning(config):
    relaxed = dataclasses.replace(config, target_grade=0.0, max_grade=20.0)
    grades = [f for f in check_handout(handout_from(GOOD), relaxed).findings if f.rule == "grade-too-high"]
    assert [(f.severity, f.line) for f in grades] == [("warning", 1)]


def test_report_fails_on_errors_and_on_warnings_only_when_strict(config):
    warning = GOOD.replace("- Drink water after your visit.", "- Each needle is used once.")
    error = GOOD.replace("- Drink water after your visit.", "- Acupuncture has no side effects.")
    clean = check_handouts([handout_from(GOOD)], config)
    warned = check_handouts([handout_from(warning)], config)
    failed = check_handouts([handout_from(error)], config)
    assert (clean.failed(), clean.failed(strict=True)) == (False, False)
    assert (warned.failed(), warned.failed(strict=True)) == (False, True)
    assert failed.failed() is True
    assert failed.format_findings().endswith("1 error(s), 0 warning(s), 0 note(s)")


def test_table_has_one_row_per_handout_with_counts_by_rule(config):
    text = GOOD.replace(
        "- Drink water after your visit.", "- Each needle is used once. Patients should rest."
    )
    report = LiteracyReport([check_handout(handout_from(text), config)])
    header, rule, row = report.format_table().splitlines()
    assert header.startswith("| handout | grade | reading ease | longest sentence")
    assert re.fullmatch(
        r"\| sample \| -?\d+\.\d \| \d+\.\d \| \d+ \| not-addressed-to-reader 1, passive-voice 1 \|", row
    )


def test_spanish_translation_gets_fernandez_huerta(config):
    handout = handout_from(GOOD)
    es = {(t.context, t.text): "Beba agua después de su visita." for t in handout.texts()}
    result = check_handout(handout, config, translations={"es": es, "de": {}})
    (score,) = result.locales
    assert (score.lang, score.formula, score.translated) == ("es", "Fernández-Huerta", score.total)
    assert score.score == pytest.approx(fernandez_huerta(["Beba agua después de su visita."] * score.total))


def test_translations_from_catalog_skip_fuzzy_and_empty():
    catalog = Catalog(locale="es")
    catalog.add("Rest today.", "Descanse hoy.")
    catalog.add("Drink water.", "Beba agua.", flags=["fuzzy"])
    catalog.add("Call us.", "")
    catalog.add("Open", "Abierto", context="sign")
    assert translations_from_catalog(catalog) == {
        (None, "Rest today."): "Descanse hoy.",
        ("sign", "Open"): "Abierto",
    }


# -- configuration --------------------------------------------------------------------------------


def test_project_config_covers_every_rule(config):
    assert set(config.severity) == set(LITERACY_RULES)
    assert config.severity["claim-cure"] == "error" and config.severity["passive-voice"] == "warning"
    assert set(config.claims) == {"claim-cure", "claim-no-side-effects", "claim-miracle", "claim-guarantee"}
    assert {"acupoint", "meridian", "inflammation", "contraindication", "sterile"} <= set(config.jargon)


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "literacy.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "claims:\n  claim-cure:\n    - '(cure'\n",
            "literacy.yaml:3: claims.claim-cure[0]: bad regular expression",
        ),
        (
            "severity:\n  long-sentence: loud\n",
            "literacy.yaml:2: severity.long-sentence: unknown severity 'loud'",
        ),
        (
            "severity:\n  long-sentences: error\n",
            "literacy.yaml:2: severity.long-sentences: unknown field 'long-sentences'",
        ),
        (
            "readability:\n  max_sentence_words: many\n",
            "literacy.yaml:2: readability.max_sentence_words: expected a whole number",
        ),
        (
            "readability:\n  target_grade: 9\n  max_grade: 7\n",
            "literacy.yaml:2: readability: target_grade must not be above max_grade",
        ),
        (
            "readability:\n  max_grade: 5\n",
            "literacy.yaml:2: readability: target_grade must not be above max_grade",
        ),
        (
            "readability:\n  max_grade: -1\n",
            "literacy.yaml:2: readability.max_grade: expected a number of 0 or more",
        ),
        ("jargons: {}\n", "literacy.yaml:1: jargons: unknown field 'jargons'"),
        ("readability: [\n", "literacy.yaml:2: YAML syntax"),
        ("", "literacy.yaml: file is empty"),
    ],
)
def test_config_errors_name_file_and_line(tmp_path, text, expected):
    with pytest.raises(ContentError) as caught:
        load_literacy_config(write_config(tmp_path, text))
    assert expected in str(caught.value)
    assert caught.value.exit_code == 2


def test_missing_config_file_is_a_content_error(tmp_path):
    with pytest.raises(ContentError, match=r"nowhere\.yaml: cannot read"):
        load_literacy_config(tmp_path / "nowhere.yaml")


def test_config_thresholds_severities_and_names_change_the_result(tmp_path, config):
    path = write_config(
        tmp_path,
        """\
        readability:
          max_sentence_words: 3
        severity:
          passive-voice: off
          long-sentence: error
        names: [Jane Doe]
    """,
    )
    custom = load_literacy_config(path)
    sentence = "Jane Doe says each needle is used once."
    assert {r for r, _ in sentence_findings(sentence, custom)} == {
        "long-sentence",
        "brand-or-name",
        "passive-voice",
    }
    text = GOOD.replace("- Drink water after your visit.", "- " + sentence)
    severities = {f.rule: f.severity for f in check_handout(handout_from(text), custom).findings}
    assert severities["long-sentence"] == "error" and "passive-voice" not in severities
    assert "brand-or-name" not in rules_of(sentence, config)  # the shipped list names nobody


# -- the shipped handouts -------------------------------------------------------------------------


def test_shipped_handouts_read_at_grade_7_or_lower_with_no_errors(config):
    handouts = load_handouts(ROOT / "handouts", PLACEHOLDERS, ROOT)
    assert handouts, "handouts/ has no handouts"
    report = check_handouts(handouts, config, root=ROOT)
    for result in report.handouts:
        assert result.readability.grade <= 7, (result.handout_id, result.readability)
        assert result.readability.words > 100
    errors = [str(f) for f in report.findings if f.severity == "error"]
    assert errors == []
    assert not report.failed()
    assert all(f.file.startswith("handouts/") for f in report.findings)
