"""Templates compiled once per language, with their fixed words already translated.

A page asks for dozens of translations (`_('Ideas')`, `{% trans %}By {{ name }}{% endtrans %}`),
and Jinja passes each through several calls as the page renders. The words do not change
while the board runs, so each language gets its own compiled copy of every template, with
each fixed text put in as a constant; only the people's names, dates and counts are still
filled in as the page renders. Counted texts ({% pluralize %}) are still looked up then.

Outside a request (commands, emails from the queue) templates render as usual, looking
each word up in the language in force.
"""

from __future__ import annotations

from flask import Flask, has_request_context
from flask.templating import Environment
from jinja2 import nodes
from jinja2.visitor import NodeTransformer
from werkzeug.routing import BuildError

from . import in_force

# The template names a fixed text is given to: `_()` and the `{% trans %}` blocks' gettext.
_TRANSLATING = frozenset({"_", "gettext"})


class TranslatingEnvironment(Environment):
    """Flask's environment, with one copy per language whose templates are compiled translated."""

    translations = None  # set on each language's copy; None looks words up as pages render

    def in_language(self, translations, code: str) -> TranslatingEnvironment:
        copies = self.__dict__.setdefault("_copies", {})
        copy = copies.get(code)
        if copy is None or copy.translations is not translations:
            copy = self.overlay(cache_size=400)  # a cache of its own: each language compiles its own
            copy.translations = translations
            copies[code] = copy
        return copy

    def make_globals(self, d) -> dict:
        """A template's globals over the environment's, as one dict rather than Jinja's
        ChainMap: each page copies them into its context, and every `{% from ... import %}`
        compares their names with the page's, both a Python call per name through the
        chain (14 and 20 µs). The environment's globals are all set as the app is made,
        before any template is loaded, as Jinja asks of them."""
        return {**self.globals, **(d or {})}

    def _parse(self, source, name, filename):
        template = super()._parse(source, name, filename)
        if self.translations is not None:
            _FixedWords(self, self.translations).visit(template)
        _FixedAddresses(self).visit(template)
        return template


class _FixedWords(NodeTransformer):
    """Replaces each gettext of a fixed text with its translation, formatted as Jinja's
    own newstyle gettext would: trusted as markup, the variables escaped into it."""

    def __init__(self, environment, translations):
        self.environment = environment
        self.translations = translations

    def visit_Call(self, node: nodes.Call):
        node = self.generic_visit(node)
        if not (isinstance(node.node, nodes.Name) and node.node.name in _TRANSLATING
                and len(node.args) == 1 and isinstance(node.args[0], nodes.Const)
                and isinstance(node.args[0].value, str) and node.dyn_args is None
                and node.dyn_kwargs is None):
            return node
        words = self.translations.ugettext(node.args[0].value)
        if node.kwargs:
            variables = nodes.Dict([nodes.Pair(nodes.Const(kw.key), kw.value) for kw in node.kwargs])
            fixed = nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(words)), variables)
        else:
            try:
                words = words % {}  # what newstyle gettext does even without variables ("%%")
            except (TypeError, ValueError, KeyError):
                return node  # a text that needs its variables: left to render as before
            fixed = nodes.MarkSafeIfAutoescape(nodes.Const(words))
        fixed.set_lineno(node.lineno)
        fixed.set_environment(self.environment)
        return fixed


class _FixedAddresses(NodeTransformer):
    """Replaces each `url_for` whose endpoint and values are all written in the template
    (`url_for('ideas.index')`, `url_for('static', filename='css/board.css')`) with its
    address, built once as the page is compiled: only the root the board is served under
    (`request.script_root`, as url_for puts it in front) is read as the page renders.

    The base layout alone has fifteen such addresses on every page, each a call through
    Jinja and the URL map's shapes (3.5 µs). An address that cannot be built here (a
    blueprint-relative endpoint, `_external` and the other options, an endpoint not
    registered yet) is left to `url_for` as the page renders, and fails there as before.
    """

    def __init__(self, environment):
        self.environment = environment
        app = environment.app
        # Bound as a request at the root binds it: url_for gives the path after the root.
        self.urls = None if app.url_default_functions else app.url_map.bind("localhost", script_name="/")

    def visit_Call(self, node: nodes.Call):
        node = self.generic_visit(node)
        if not (self.urls is not None and isinstance(node.node, nodes.Name) and node.node.name == "url_for"
                and len(node.args) == 1 and isinstance(node.args[0], nodes.Const)
                and isinstance(node.args[0].value, str) and not node.args[0].value.startswith(".")
                and node.dyn_args is None and node.dyn_kwargs is None
                and all(isinstance(kw.value, nodes.Const) and type(kw.value.value) in (str, int)
                        and not kw.key.startswith("_") for kw in node.kwargs)):
            return node
        try:
            path = self.urls.build(node.args[0].value, {kw.key: kw.value.value for kw in node.kwargs})
        except (BuildError, ValueError):
            return node
        if not path.startswith("/"):  # a rule of another host or subdomain: a full address
            return node
        root = nodes.Getattr(nodes.ImportedName("flask.request"), "script_root", "load")
        fixed = nodes.Add(root, nodes.Const(path))
        fixed.set_lineno(node.lineno)
        fixed.set_environment(self.environment)
        return fixed


class Board(Flask):
    """Flask, rendering each request's templates from the copy for its language."""

    jinja_environment = TranslatingEnvironment

    @property
    def jinja_env(self) -> TranslatingEnvironment:
        base = self.__dict__.get("_jinja_base")
        if base is None:
            base = self.__dict__["_jinja_base"] = self.create_jinja_environment()
        if not has_request_context():
            return base
        translations, code = in_force()
        return base.in_language(translations, code)
