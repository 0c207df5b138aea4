"""The French and Welsh catalogues, as the board loads them: compiled, complete, really
translated, and keeping every placeholder the English has."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "board" / "translations"
LANGUAGES = ("fr", "cy")
# Words that are the same in English, French and Welsh: names, and the names of formats.
# Names, and a unit written the same way in each language ("12 MB").
SAME_IN_EVERY_LANGUAGE = {"Simpl", "API", "RSS", "Atom", "JSON", "CSV", "ZIP", "Markdown", "OK", "%(number)s MB"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}")


def compiled(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo", "rb") as f:
        return read_mo(f)


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def forms(message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def key(message) -> str | tuple[str, ...]:
    """A message's id, the same whether read from a .po (a tuple for plurals) or a .mo (a list)."""
    return message.id if isinstance(message.id, str) else tuple(message.id)


def only_placeholders_and_punctuation(text: str) -> bool:
    return not re.sub(r"[\W_]", "", PLACEHOLDER.sub("", text))


def test_the_template_holds_every_text_the_board_marks_for_translation(tmp_path):
    """Run after changing text: pybabel extract (README, Languages) keeps it in step."""
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
        "-k", "plural:2,3", "--no-location", "-o", str(fresh), str(ROOT),
    ])
    with open(fresh, "rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        kept = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert wanted - kept == set(), "texts to extract into messages.pot"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_translated_in_the_compiled_catalogue(language):
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        template = {key(m) for m in read_po(f) if m.id}
    catalogue = compiled(language)
    translated = {key(m) for m in catalogue if m.id and all(forms(m))}
    assert template - translated == set(), f"texts without a {language} translation in the .mo"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_the_written_one(language):
    """The .mo is compiled from the .po as it now stands (pybabel compile)."""
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        written = {key(m): tuple(forms(m)) for m in read_po(f) if m.id and not m.fuzzy}
    assert {key(m): tuple(forms(m)) for m in compiled(language) if m.id} == written


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_the_english_copied_over(language):
    copied = [
        m.id for m in compiled(language) if m.id
        for english, translation in [(m.id[-1] if m.pluralizable else m.id, forms(m)[-1])]
        if translation == english and english not in SAME_IN_EVERY_LANGUAGE
        and not only_placeholders_and_punctuation(english)
    ]
    assert copied == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    lost = []
    for m in compiled(language):
        if not m.id:
            continue
        english = placeholders(m.id[-1] if m.pluralizable else m.id)
        every_form = forms(m)
        # A plural form for one thing may say "one" instead of the number; the others keep all.
        if any(placeholders(text) - english for text in every_form) or placeholders(every_form[-1]) != english:
            lost.append(m.id)
    assert lost == []


def test_welsh_has_its_six_plural_forms():
    catalogue = compiled("cy")
    assert catalogue.num_plurals == 6
    with open(TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.mo", "rb") as f:
        choose = gettext.GNUTranslations(f).plural
    assert [choose(n) for n in (0, 1, 2, 3, 4, 6, 7, 100)] == [0, 1, 2, 3, 5, 4, 5, 5]
    for m in catalogue:
        if m.id and m.pluralizable:
            assert len(m.string) == 6, m.id
