"""What a request carries, as the board reads it: never a NUL character.

No one types a NUL, and PostgreSQL refuses text that holds one, so a NUL in a query
string, a form field or an address would reach the database as an error rather than
as nothing at all. Query strings and forms are read without them, and no address
with one names a page.
"""

from __future__ import annotations

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import PathConverter, UnicodeConverter


def _without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class _ParametersWithoutNul(ImmutableMultiDict):
    def __init__(self, mapping=None):
        if mapping is not None and not isinstance(mapping, dict):  # the parsed (name, value) pairs
            mapping = [(_without_nul(name), _without_nul(value)) for name, value in mapping]
        super().__init__(mapping)


class BoardRequest(Request):
    parameter_storage_class = _ParametersWithoutNul


class WordConverter(UnicodeConverter):
    """A part of an address (a username, a skill): anything but "/" and NUL."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\x00]")


class PathWithoutNulConverter(PathConverter):
    """The rest of an address, slashes and all (a skill such as "first aid/CPR"), but no NUL."""

    regex = "[^/\x00][^\x00]*?"


def init_app(app) -> None:
    app.request_class = BoardRequest
    app.url_map.converters["default"] = app.url_map.converters["string"] = WordConverter
    app.url_map.converters["path"] = PathWithoutNulConverter
