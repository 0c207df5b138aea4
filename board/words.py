"""Words fixed in the code (labels, statuses, form fields and their messages), said in
the language of the page when it is drawn.

Flask-Babel's lazy strings look the words up again each time they are read, and a page
reads the same few dozen many times (every sort tab, status and field label), each a
trip through Flask-Babel's lookups. These remember what they said last and in which
language, and say it again while that language is in force.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel.speaklater import LazyString


class FixedWords(LazyString):
    _said: tuple | None = None  # (the translations in force, what they gave)

    def __str__(self) -> str:
        from .languages import in_force

        try:
            translations = in_force()[0]
        except RuntimeError:  # outside the app: nothing to remember them by
            return super().__str__()
        said = self._said  # read and written whole: a thread never sees half of one
        if said is not None and said[0] is translations:
            return said[1]
        words = super().__str__()
        self._said = (translations, words)
        return words


def lazy_gettext(string: str, **variables) -> FixedWords:
    """Flask-Babel's lazy_gettext (imported as _l, which pybabel extracts), remembered."""
    return FixedWords(gettext, string, **variables)
