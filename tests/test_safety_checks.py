"""Checks that understand meaning: units, number words, negation, bidi, control, placeholders, links.

Each case is a real sentence a clinic would write; ``ok`` translations are correct (a false alarm
there is a defect), the others change what a patient would do.
"""

from __future__ import annotations

import pytest

from pipeline.checks import Context, Glossary, Severity, blocking_problems, reference_table, run_checks
from pipeline.checks.negation import markers, supported_languages
from pipeline.checks.units import quantities, unit_forms

SAFETY = {"units", "number-words", "negation", "bidi", "control", "placeholders", "links", "not-checked"}


def findings(source: str, translation: str, lang: str, *, critical: bool = True, **kw: object) -> list[str]:
    ctx = Context(source, translation, lang, critical=critical, **kw)  # type: ignore[arg-type]
    return [p.check for p in run_checks(ctx) if p.check in SAFETY]


UNITS = [
    # (language, source, correct translation, wrong translation)
    ("es", "Take 4 mg at bedtime.", "Tome 4 mg al acostarse.", "Tome 4 g al acostarse."),
    ("es", "Drink 10 mL of the syrup.", "Beba 10 ml del jarabe.", "Beba 10 L del jarabe."),
    ("es", "Take it every 8 hours.", "Tómelo cada 8 horas.", "Tómelo cada 8 minutos."),
    ("es", "Do not eat for 6 hours before.", "No coma durante 6 h antes.", "No coma durante 6 días antes."),
    ("ar", "Wait 24 hours before driving.", "انتظر ٢٤ ساعة قبل القيادة.", "انتظر ٢٤ دقيقة قبل القيادة."),
    ("ar", "Take 5 mg once a day.", "تناول 5 ملغ مرة واحدة يوميًا.", "تناول 5 غرام مرة واحدة يوميًا."),
    ("zh_CN", "Wait 24 hours before driving.", "开车前请等待24小时。", "开车前请等待24分钟。"),
    ("zh_CN", "Take 0.5 mg.", "服用0.5毫克。", "服用0.5克。"),
    ("vi", "Rest for 2 hours.", "Nghỉ ngơi trong 2 giờ.", "Nghỉ ngơi trong 2 phút."),
    ("vi", "Take 250 mg.", "Uống 250 mg.", "Uống 250 g."),
    ("fa", "Wait 8 hours.", "۸ ساعت صبر کنید.", "۸ دقیقه صبر کنید."),
    ("fa", "Take 10 mL.", "۱۰ میلی‌لیتر مصرف کنید.", "۱۰ لیتر مصرف کنید."),
    ("ru", "Take 5 mg twice a day.", "Принимайте 5 мг дважды в день.", "Принимайте 5 г дважды в день."),
    ("ru", "Sessions last 40 minutes.", "Сеанс длится 40 минут.", "Сеанс длится 40 часов."),
    ("fr", "Take 1.5 mg.", "Prenez 1,5 mg.", "Prenez 1,5 g."),
    ("fr", "Wait 2 weeks.", "Attendez 2 semaines.", "Attendez 2 mois."),
]


@pytest.mark.parametrize(("lang", "source", "ok", "wrong"), UNITS)
def test_units_keep_value_and_unit(lang: str, source: str, ok: str, wrong: str) -> None:
    assert "units" not in findings(source, ok, lang)
    assert "units" in findings(source, wrong, lang)
    wrong_problem = next(p for p in run_checks(Context(source, wrong, lang)) if p.check == "units")
    assert wrong_problem.severity is Severity.BLOCKING


def test_unit_words_come_from_cldr() -> None:
    assert unit_forms("es")["horas"] == "hour" and unit_forms("ar")["ساعة"] == "hour"
    assert unit_forms("ru")["мг"] == "milligram" and unit_forms("fr")["heures"] == "hour"
    assert quantities("Take 1–2 hours and 5 mg", "en") == {(("2",), "hour"): 1, (("5",), "milligram"): 1}


NUMBER_WORDS = [
    ("es", "Take it twice a day.", "Tómelo dos veces al día.", "Tómelo tres veces al día."),
    ("es", "Take one tablet.", "Tome una tableta.", "Tome dos tabletas."),
    ("es", "Wait half an hour.", "Espere media hora.", "Espere una hora."),
    ("ar", "Take it twice a day.", "تناوله مرتين في اليوم.", "تناوله ثلاث مرات في اليوم."),
    ("zh_CN", "Take one tablet twice a day.", "每天两次，每次一片。", "每天三次，每次一片。"),
    ("vi", "Take two tablets.", "Uống hai viên.", "Uống ba viên."),
    ("fa", "Take one tablet.", "یک قرص مصرف کنید.", "دو قرص مصرف کنید."),
    ("ru", "Take it twice a day.", "Принимайте дважды в день.", "Принимайте трижды в день."),
    ("fr", "Take one tablet.", "Prenez un comprimé.", "Prenez deux comprimés."),
    ("fr", "Take it twice a day.", "Prenez-le 2 fois par jour.", "Prenez-le 3 fois par jour."),
]


@pytest.mark.parametrize(("lang", "source", "ok", "wrong"), NUMBER_WORDS)
def test_number_words_keep_their_value(lang: str, source: str, ok: str, wrong: str) -> None:
    assert "number-words" not in findings(source, ok, lang)
    assert "number-words" in findings(source, wrong, lang)


@pytest.mark.parametrize(
    "source",
    [
        "Once you feel steady, you can stand up.",  # "once" as "when"
        "No one should drive you home but a friend.",  # "no one" is not a count
        "Call us at once if you feel faint.",  # "at once" is "immediately"
    ],
)
def test_number_words_ignore_words_that_are_not_counts(source: str) -> None:
    assert "number-words" not in findings(source, "Llámenos si se siente mal.", "es")


def test_a_name_kept_as_written_is_not_a_number_word() -> None:
    source = "At One Mind Wellness & Ketamine, your vitals are watched."
    assert findings(source, "في One Mind Wellness & Ketamine، تتم مراقبة علاماتك.", "ar") == []
    glossary = Glossary(do_not_translate=("One Mind Wellness & Ketamine",))
    assert findings(source, "En One Mind Wellness & Ketamine vigilamos.", "es", glossary=glossary) == []


NEGATION = [
    ("es", "Do not take more than 3 doses.", "No tome más de 3 dosis.", "Tome más de 3 dosis."),
    ("es", "Never drive after a session.", "Nunca conduzca tras una sesión.", "Conduzca tras una sesión."),
    ("ar", "Do not drive for 24 hours.", "لا تقد السيارة لمدة 24 ساعة.", "قد السيارة لمدة 24 ساعة."),
    ("zh_CN", "Do not drive for 24 hours.", "24小时内请勿驾驶。", "24小时内请驾驶。"),
    ("vi", "Do not eat before the session.", "Không ăn trước buổi điều trị.", "Ăn trước buổi điều trị."),
    ("fa", "Do not drive afterward.", "پس از آن رانندگی نکنید.", "پس از آن رانندگی کنید."),
    ("fa", "This has not been reviewed.", "این بازبینی نشده است.", "این بازبینی شده است."),
    ("ru", "Do not drink alcohol.", "Не пейте алкоголь.", "Пейте алкоголь."),
    ("fr", "Do not drive for 24 hours.", "Ne conduisez pas pendant 24 h.", "Conduisez pendant 24 h."),
    ("fr", "Don't eat anything.", "N'avalez rien.", "Mangez quelque chose."),
    ("pt", "Never drive after treatment.", "Nunca dirija após o tratamento.", "Dirija após o tratamento."),
    ("ko", "Do not drive.", "운전하지 마세요.", "운전하세요."),
    ("hi", "Do not drive.", "गाड़ी मत चलाइए।", "गाड़ी चलाइए।"),
    ("ht", "Do not drive.", "Pa kondui.", "Kondui."),
    ("tl", "Do not drive.", "Huwag magmaneho.", "Magmaneho."),
]


@pytest.mark.parametrize(("lang", "source", "ok", "wrong"), NEGATION)
def test_negation_must_survive(lang: str, source: str, ok: str, wrong: str) -> None:
    assert "negation" not in findings(source, ok, lang)
    assert "negation" in findings(source, wrong, lang)


def test_negation_blocks_on_critical_entries_and_warns_elsewhere() -> None:
    source, wrong = "Do not skip meals.", "Sáltese las comidas."
    on_critical = run_checks(Context(source, wrong, "es", critical=True))
    (critical,) = [p for p in on_critical if p.check == "negation"]
    (other,) = [p for p in run_checks(Context(source, wrong, "es")) if p.check == "negation"]
    assert critical.severity is Severity.BLOCKING and other.severity is Severity.WARNING


def test_negation_markers_cover_the_languages_the_clinic_needs() -> None:
    needed = {"es", "ar", "zh", "vi", "fa", "ru", "fr", "pt", "ko", "hi", "ht", "tl"}
    assert needed <= set(supported_languages())
    assert markers("zh_CN") is not None and markers("sw") is None


def test_a_language_without_markers_is_reported_not_passed() -> None:
    problems = run_checks(Context("Do not drive.", "Usiendeshe gari.", "sw", critical=True))
    assert [(p.check, p.severity) for p in problems if p.check == "not-checked"] == [
        ("not-checked", Severity.WARNING)
    ]


def test_a_right_to_left_override_cannot_reverse_a_dose() -> None:
    problems = blocking_problems(Context("Take 12 mg.", "تناول \u202e12\u202c ملغ", "ar"))
    assert "bidi" in {p.check for p in problems}
    assert "bidi" in findings("Take 12 mg.", "تناول \u200f12 ملغ", "ar")  # a mark the source lacks
    assert "bidi" not in findings("Call \u200e555-0100\u200e.", "اتصل \u200e555-0100\u200e.", "ar")
    assert "bidi" not in findings("Take 12 mg.", "تناول 12 ملغ.", "ar")


def test_control_characters_are_refused() -> None:
    assert "control" in findings("Rest today.", "Descanse\x07 hoy.", "es")
    assert "control" not in findings("Rest\\\ntoday.", "Descanse\\\nhoy.", "es")  # a hard break


@pytest.mark.parametrize(
    ("source", "ok", "wrong"),
    [
        ("Version %(version)s", "Versión %(version)s", "Versión %(versio)s"),
        ("Page %(page)s of %(pages)s", "Página %(page)s de %(pages)s", "Página %(page)s"),
        ("Hello {name}", "Hola {name}", "Hola {nombre}"),
        ("%s left", "quedan %s", "quedan %d"),
    ],
)
def test_placeholders_must_match(source: str, ok: str, wrong: str) -> None:
    assert "placeholders" not in findings(source, ok, "es")
    assert "placeholders" in findings(source, wrong, "es")


def test_reference_links_are_compared_by_the_target_they_resolve_to() -> None:
    refs = reference_table({"CLINIC": "https://example.org/contact", "PORTAL": "https://evil.example/"})
    source = "See our [contact page][clinic]."
    assert "links" not in findings(source, "Vea nuestra [página de contacto][clinic].", "es", references=refs)
    assert "links" in findings(source, "Vea nuestra [página de contacto][portal].", "es", references=refs)
    # Translating a shortcut reference's text loses the link: reported, never silent.
    leaflet = reference_table({"LEAFLET": "https://example.org/leaflet.pdf"})
    assert "links" in findings("Read the [leaflet].", "Lea el [folleto].", "es", references=leaflet)
    kept = findings("Read the [leaflet].", "Lea el [folleto][leaflet].", "es", references=leaflet)
    assert "links" not in kept
