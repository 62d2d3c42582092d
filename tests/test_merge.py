"""Updating a PO from a new template: like msgmerge --previous, and never losing work."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.catalogue import Catalogue, Message, merge

SENTENCES = [
    "A typical ketamine infusion lasts about 40 minutes.",
    "Most people require several therapy sessions usually 4 to 6 to fully benefit.",
    "You will need someone to drive you home or use a ride service.",
    "Your provider should check your physical and mental health history before starting treatment.",
    "These usually pass within 1–2 hours.",
    "Is it safe?",
]


def cat(*messages: Message) -> Catalogue:
    return Catalogue(header=[("Language", "es")], messages=list(messages))


def test_exact_matches_keep_translation_and_take_new_references() -> None:
    old = cat(Message("Is it safe?", "¿Es seguro?", references=["a.md:1"], translator_comments=["ok"]))
    new = cat(Message("Is it safe?", references=["a.md:9"], extracted_comments=["heading 2"]))
    merged, stats = merge(old, new)
    (m,) = merged.messages
    assert (m.msgstr, m.references, m.extracted_comments, m.translator_comments) == (
        "¿Es seguro?",
        ["a.md:9"],
        ["heading 2"],
        ["ok"],
    )
    assert not m.fuzzy and stats.kept == 1


def test_changed_text_is_fuzzy_with_previous_msgid() -> None:
    old = cat(Message(SENTENCES[0], "Una infusión típica dura unos 40 minutos."))
    new = cat(Message("A typical ketamine infusion lasts about 45 minutes."))
    merged, stats = merge(old, new)
    (m,) = merged.messages
    assert m.fuzzy and m.previous_msgid == SENTENCES[0]
    assert m.msgstr == "Una infusión típica dura unos 40 minutos."
    assert stats.fuzzy == 1 and stats.obsolete == 0


def test_removed_text_becomes_obsolete_and_comes_back() -> None:
    old = cat(Message(SENTENCES[2], "Necesitará que alguien le lleve a casa."))
    merged, stats = merge(old, cat(Message("Completely different heading")))
    assert stats.obsolete == 1 and stats.new == 1
    gone = [m for m in merged.messages if m.obsolete]
    assert [m.msgstr for m in gone] == ["Necesitará que alguien le lleve a casa."]
    revived, stats = merge(merged, cat(Message(SENTENCES[2])))
    assert [(m.msgid, m.msgstr, m.obsolete, m.fuzzy) for m in revived.messages] == [
        (SENTENCES[2], "Necesitará que alguien le lleve a casa.", False, False)
    ]


def test_brand_new_text_is_not_paired_with_unrelated_old_text() -> None:
    old = cat(*(Message(s, f"ES {i}") for i, s in enumerate(SENTENCES)))
    new = cat(Message("Bring a list of every medicine you take, including vitamins."), Message("Is it safe?"))
    merged, stats = merge(old, new)
    assert not merged.messages[0].msgstr and not merged.messages[0].fuzzy
    assert stats.fuzzy == 0 and stats.new == 1 and stats.kept == 1


def test_untranslated_obsolete_entries_are_dropped_like_msgmerge() -> None:
    merged, stats = merge(cat(Message("Gone text with no translation")), cat(Message("Other")))
    assert [m.msgid for m in merged.messages] == ["Other"] and stats.obsolete == 0


def test_pot_creation_date_comes_from_template() -> None:
    old = Catalogue(header=[("POT-Creation-Date", "2020-01-01 00:00+0000"), ("Last-Translator", "Ana")])
    new = Catalogue(header=[("POT-Creation-Date", "2026-11-21 06:00+0000")])
    merged, _ = merge(old, new)
    assert merged.header == [("POT-Creation-Date", "2026-11-21 06:00+0000"), ("Last-Translator", "Ana")]


_text = st.text(alphabet="abcdefghij klmnop0123.,", min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    old_texts=st.lists(_text, min_size=0, max_size=25, unique=True),
    new_texts=st.lists(_text, min_size=0, max_size=25, unique=True),
    data=st.data(),
)
def test_no_translation_is_ever_lost(old_texts: list[str], new_texts: list[str], data: st.DataObject) -> None:
    old = cat(
        *(
            Message(t, data.draw(st.sampled_from(["", f"tr:{t}"])), obsolete=data.draw(st.booleans()))
            for t in old_texts
        )
    )
    merged, stats = merge(old, cat(*(Message(t) for t in new_texts)))
    assert [m.msgid for m in merged.messages if not m.obsolete] == new_texts
    for o in old.messages:
        if not o.msgstr:
            continue
        same = [m for m in merged.messages if m.msgid == o.msgid]
        carried = [m for m in merged.messages if m.previous_msgid == o.msgid and m.msgstr == o.msgstr]
        assert (same and same[0].msgstr == o.msgstr) or carried, o
    for m in merged.messages:
        if m.fuzzy and not m.obsolete and m.msgid not in {o.msgid for o in old.messages}:
            assert m.previous_msgid in {o.msgid for o in old.messages if o.msgstr}
    assert stats.kept + stats.fuzzy + stats.new == len(new_texts)
