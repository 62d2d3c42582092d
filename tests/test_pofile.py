"""PO text: read and written exactly as GNU gettext writes it; bad input named by line."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import polib
import pytest

from pipeline.catalogue import Catalogue, Message, dumps_po, load_catalogue, parse_po, save_catalogue
from pipeline.catalogue.pofile import _parse_lines
from pipeline.errors import CatalogueError

from .conftest import FIXTURES, ROOT, msgcat, msgfmt_check

SAMPLES = {
    "latin": "Ketamine therapy uses low, controlled doses (5 mg/kg) — “safe” use; "
    "see https://example.org/a-b. ",
    "cyrillic": "Терапия кетамином проводится под наблюдением врача, 1–2 часа; «важно». ",
    "arabic": "يتم العلاج بالكيتامين تحت إشراف طبي، لمدة ١–٢ ساعة؟ نعم. ",
    "farsi": "درمان با کتامین زیر نظر پزشک انجام می‌شود، ۱ تا ۲ ساعت. ",
    "hebrew": "הטיפול בקטמין נעשה תחת השגחה רפואית, 1–2 שעות. ",
    "devanagari": "केटामाइन थेरेपी चिकित्सकीय देखरेख में होती है। 1–2 घंटे। ",
    "ethiopic": "የኬታሚን ሕክምና በሕክምና ክትትል ስር ይደረጋል። ከ1–2 ሰዓት። ",
    "chinese": "氯胺酮治疗在医生监督下进行，通常持续一到两个小时。请注意安全！（重要）",
    "korean": "케타민 치료는 의료진의 감독하에 진행됩니다. 1–2시간 정도 걸립니다. ",
    "vietnamese": "Liệu pháp ketamine được thực hiện dưới sự giám sát y tế, khoảng 1–2 giờ. ",
    "markdown": 'Use **this** [link](https://example.org/x "title") and `code` \\\n<br> *now*. ',
}


def test_golden_file_round_trips_byte_for_byte() -> None:
    text = (FIXTURES / "catalogue.po").read_text(encoding="utf-8")
    catalogue = parse_po(text)
    assert dumps_po(catalogue) == text
    by_id = {m.msgid: m for m in catalogue.messages}
    assert by_id["Is it safe?"].translator_comments == ["Reviewed by Ana"]
    assert by_id['Line one\\\nline two with a "quote" and a\ttab'].references == ["source/a.md:9"]
    fuzzy = next(m for m in catalogue.messages if m.fuzzy and not m.obsolete)
    assert fuzzy.previous_msgid is not None and fuzzy.previous_msgid.startswith("Take 5 mg")
    assert len(fuzzy.references) == 4
    plural = next(m for m in catalogue.messages if m.msgctxt == "button")
    assert plural.msgstr_plural == ["Cerrar", "Cerrar todo"]
    assert [m.msgid for m in catalogue.obsolete] == ["Call us at 555-0100.", "Older text"]
    assert catalogue.language == "es"


def test_golden_file_is_what_msgcat_writes() -> None:
    path = FIXTURES / "catalogue.po"
    assert msgcat(path) == path.read_text(encoding="utf-8")


def test_committed_catalogues_are_gettext_clean() -> None:
    files = sorted((ROOT / "locales").rglob("*.po")) + sorted((ROOT / "locales").rglob("*.pot"))
    assert files
    for path in files:
        assert msgcat(path) == path.read_text(encoding="utf-8"), path
        result = msgfmt_check(path)
        assert result.returncode == 0, result.stderr


def _random_catalogue(seed: int, count: int) -> Catalogue:
    rng = random.Random(seed)
    messages: dict[str, Message] = {}
    names = list(SAMPLES)
    while len(messages) < count:
        script = rng.choice(names)
        words = SAMPLES[script]
        start = rng.randrange(len(words))
        length = rng.choice([10, 60, 72, 76, 78, 80, 90, 150, 400])
        text = (words * 12)[start : start + length].strip() or "x"
        if rng.random() < 0.2:
            text += "\n" + (words * 3)[: rng.randrange(1, 120)]
        if text in messages:
            continue
        refs = sorted(
            {f"source/doc-{rng.randint(1, 40)}.md:{rng.randint(1, 900)}" for _ in range(rng.randint(0, 5))}
        )
        msg = Message(msgid=text, msgstr=text[::-1] if rng.random() < 0.7 else "", references=refs)
        if rng.random() < 0.2:
            msg.fuzzy = True
            msg.previous_msgid = text[: len(text) // 2]
        msg.obsolete = rng.random() < 0.1 and bool(msg.msgstr)
        messages[text] = msg
    ordered = sorted(messages.values(), key=lambda m: m.obsolete)
    return Catalogue(
        header=[("Project-Id-Version", "t"), ("Content-Type", "text/plain; charset=UTF-8")],
        messages=ordered,
    )


@pytest.mark.parametrize("seed", range(4))
def test_wrapping_matches_msgcat_in_every_script(tmp_path: Path, seed: int) -> None:
    catalogue = _random_catalogue(seed, 400)
    path = tmp_path / "random.po"
    save_catalogue(path, catalogue)
    written = path.read_text(encoding="utf-8")
    assert msgcat(path) == written
    back = parse_po(written)
    assert [(m.msgid, m.msgstr, m.previous_msgid, m.obsolete) for m in back.messages] == [
        (m.msgid, m.msgstr, m.previous_msgid, m.obsolete) for m in catalogue.messages
    ]


def test_polib_reads_what_we_write(tmp_path: Path) -> None:
    catalogue = _random_catalogue(7, 200)
    path = tmp_path / "x.po"
    save_catalogue(path, catalogue)
    theirs = polib.pofile(str(path))
    assert [(e.msgid, e.msgstr, bool(e.obsolete)) for e in theirs] == [
        (m.msgid, m.msgstr, m.obsolete) for m in catalogue.messages
    ]


MALFORMED = [
    ('msgid "a"\nmsgstr "b\n', 2, "not enclosed in double quotes"),
    ('msgid "a"\n', 1, "not followed by msgstr"),
    ('msgstr "b"\n', 1, "without a msgid"),
    ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 4, "duplicate message definition"),
    ('msgid "a\\q"\nmsgstr ""\n', 1, "invalid escape"),
    ('msgid "a"\nmsgstr "b" "c"\n', 2, "unescaped double quote"),
    ('msgid "a"\nmsgstr "b"\nwhat is this\n', 3, "unexpected text"),
    ('msgid "a"\nmsgstr "b"\n"continued"\n\n"orphan"\n', 5, "continuation without a keyword"),
    ('msgid "a"\nmsgid_plural "as"\nmsgstr "b"\n', 1, "msgid_plural needs msgstr[0]"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), MALFORMED)
def test_malformed_po_names_file_and_line(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = tmp_path / "bad.po"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    assert info.value.line == line
    assert fragment in info.value.message
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_non_utf8_po_is_reported_with_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.po"
    path.write_bytes(b'msgid "a"\nmsgstr "caf\xe9"\n')
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    assert info.value.line == 2 and "UTF-8" in info.value.message


def test_unchanged_catalogue_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "x.po"
    catalogue = parse_po((FIXTURES / "catalogue.po").read_text(encoding="utf-8"))
    assert save_catalogue(path, catalogue) is True
    assert save_catalogue(path, catalogue) is False


_MANGLES = [
    "",
    " ",
    "\r",
    '"',
    "#",
    "# note",
    "#, fuzzy",
    "#~",
    '#~ msgid "old"',
    '#| msgid "previous"',
    'msgid "a"',
    'msgstr ""',
    'msgstr[0] "x"',
    'msgctxt "c"',
    '"\\101"',
    '"\\1"',
    '"23"',
    '"\\q"',
    '"a"b"',
]


def _outcome(parse: Callable[[str], Catalogue], text: str) -> object:
    try:
        c = parse(text)
    except CatalogueError as e:
        return ("error", e.message, e.line)
    return (c, [m.lineno for m in c.messages])


@pytest.mark.parametrize("seed", range(30))
def test_quick_reader_agrees_with_line_reader(seed: int) -> None:
    """Regular entries are read whole; whatever the text, the result (or error) is the line reader's."""
    rng = random.Random(seed)
    lines = dumps_po(_random_catalogue(seed, 40)).split("\n")
    fixture = (FIXTURES / "catalogue.po").read_text(encoding="utf-8")
    lines += fixture[fixture.index("\n\n") :].split("\n")  # its entries, not its header
    for _ in range(rng.randint(0, 3)):
        i = rng.randrange(len(lines))
        kind = rng.random()
        if kind < 0.4:
            lines.insert(i, rng.choice(_MANGLES))
        elif kind < 0.6:
            del lines[i]
        elif kind < 0.8:
            lines[i] += rng.choice(_MANGLES)
        else:
            lines[i] = lines[i].replace(" ", "  ", 1)
    text = "\n".join(lines)
    assert _outcome(parse_po, text) == _outcome(_parse_lines, text)
    unmangled = dumps_po(_random_catalogue(seed, 40))
    assert _outcome(parse_po, unmangled) == _outcome(_parse_lines, unmangled)
