"""Validators and fields shared by the board's forms."""

from __future__ import annotations

import re

from flask import current_app, request
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto  # what FlaskForm gets when no formdata is given
from markupsafe import Markup
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from .models import Area, Topic, parse_skills
from .words import FixedWords
from .words import lazy_gettext as _l

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Form(FlaskForm):
    """Every form on the board. Its fields read only the form fields of a POST.

    Flask-WTF would also read uploaded files and JSON bodies into the fields: the board takes
    neither, and a file or a JSON list where text belongs is not text. Whatever else a request
    carries is ignored, so a hostile body gets the form back, never a crash.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is not _Auto:
                return formdata
            return request.form if form.is_submitted() else None


def strip(value):
    """Trim what people type, so that whitespace alone counts as empty, and drop control
    characters, which no one means to type and which other parts (search snippets) use.

    Browsers send a line break as CR LF but count it as one character against `maxlength`:
    it is kept as one, so that a text box filled to its limit is not refused as too long."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def one_line(value):
    """For single-line fields: line breaks typed or pasted in become spaces."""
    return " ".join(value.split()) if isinstance(value, str) else value


class max_length:
    """A Length validator whose maximum is read from the board's settings, both when the
    form is checked and when it is drawn: the field's `maxlength` is the same number."""

    def __init__(self, setting: str):
        self.setting = setting

    @property
    def field_flags(self) -> dict:
        # Read as each form is made, inside a request, so a changed setting shows at once.
        return {"maxlength": current_app.config[self.setting]}

    def __call__(self, form, field):
        limit = current_app.config[self.setting]
        if field.data and len(field.data) > limit:
            raise ValidationError(_("%(field)s must be %(limit)s characters or fewer.",
                                    field=field.label.text, limit=format_decimal(limit)))


def required(message: str):
    return DataRequired(message=message)


def sentences(*parts) -> FixedWords:
    """Whole sentences, each translated on its own, shown one after the other in the page's
    language (adding lazy texts together would fix them in English when the form is defined)."""
    return FixedWords(lambda: " ".join(str(part) for part in parts))


TITLE = _l("Title")
TITLE_MISSING = _l("Enter a title.")
SKILLS = _l("Skills")


def title_field(label=TITLE, description=None, missing=TITLE_MISSING):
    return StringField(
        label,
        description=description,
        filters=[strip, one_line],
        validators=[required(missing), max_length("TITLE_MAX_LENGTH")],
    )


def body_field(label, message, setting="BODY_MAX_LENGTH", description=None, optional=False):
    validators = [max_length(setting)]
    if not optional:
        validators.insert(0, required(message))
    return TextAreaField(
        label, description=description, filters=[strip], validators=validators
    )


def validate_skills_text(form, field):
    skills = parse_skills(field.data or "")
    if field.flags.required and not skills:
        raise ValidationError(_("List at least one skill or resource you need."))
    cfg = current_app.config
    if len(skills) > cfg["SKILLS_MAX_COUNT"]:
        raise ValidationError(ngettext("List at most %(num)s skill.", "List at most %(num)s skills.",
                                       cfg["SKILLS_MAX_COUNT"]))
    too_long = [s for s in skills if len(s) > cfg["SKILL_MAX_LENGTH"]]
    if too_long:
        raise ValidationError(
            _("Each skill must be %(limit)s characters or fewer (\u201c%(skill)s\u2026\u201d is longer).",
              limit=cfg["SKILL_MAX_LENGTH"], skill=too_long[0][:20])
        )


def skills_field(label=SKILLS, description=None, optional=True):
    validators = [validate_skills_text]
    if not optional:
        validators.insert(0, required(_l("List at least one skill or resource you need.")))
    return StringField(label, description=description, filters=[strip], validators=validators)




class PlaceFields:
    """Area and topics on the idea and help request forms, offered only when the board has them."""

    area = SelectField(_l("Area"), coerce=int, default=0, validate_choice=False,
                       invalid_value_message=_l("Choose one of the areas listed."))
    topics = SelectMultipleField(_l("Topics"), coerce=int, default=[], validate_choice=False,
                                 invalid_value_message=_l("Choose topics from the list."))

    def offer_places(self) -> None:
        self._areas = {area.id: area for area in Area.all()}
        self._topics = {topic.id: topic for topic in Topic.all()}
        self.area.choices = [SelectChoice(0, _("No particular area"))] + [
            SelectChoice(a.id, a.name) for a in self._areas.values()
        ]
        self.topics.choices = [SelectChoice(t.id, t.name) for t in self._topics.values()]

    def validate_area(self, field):
        if field.data and field.data not in self._areas:
            raise ValidationError(_("Choose one of the areas listed."))

    def validate_topics(self, field):
        if any(topic_id not in self._topics for topic_id in field.data or []):
            raise ValidationError(_("Choose topics from the list."))

    def chosen_area(self) -> Area | None:
        return self._areas.get(self.area.data)

    def chosen_topics(self) -> list[Topic]:
        return [self._topics[topic_id] for topic_id in self.topics.data or []]


class WrittenIn:
    """"Language of this text" on the forms people write on, so that pages can mark what they
    wrote with its language. It starts as the page's language; a text whose language the board
    no longer offers keeps it."""

    language = SelectField(
        _l("Language of this text"),
        invalid_choice_message=_l("Choose one of the languages listed."),
        description=_l("So that screen readers read it in the right language."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .languages import LANGUAGES, offered, page_language

        codes = offered()
        if not self.language.data:
            self.language.data = page_language()
        kept = self.language.object_data  # what the text was marked with before this edit
        if kept in LANGUAGES and kept not in codes:
            codes = [*codes, kept]
        self.language.choices = [SelectChoice(code, LANGUAGES[code]) for code in codes]


# Stands in for a person's CSRF token in a kept form: letters no token holds.
_TOKEN_STAND_IN = "kept-form-token"


def kept_while_blank(form: FlaskForm, caller) -> Markup:
    """What a form's fields render as (the call block, `caller`), kept while the form is blank.

    A comment box or an offer form is the same for everyone signed in until they type in it:
    its labels in the page's language, its choices, nothing filled in, no errors. Only the
    CSRF token is the person's own, so it is put in afresh each time. A form with anything in
    it (sent back with errors) is drawn for the person as usual.
    """
    from . import fragments
    from .admin import settings_version
    from .languages import page_language

    if form.errors or form.is_submitted():
        return caller()
    token = form.csrf_token.current_token if "csrf_token" in form else None
    key = ("blank form", type(form).__name__, page_language(), settings_version(),
           *((field.name, repr(field.data), repr(getattr(field, "choices", None)))
             for field in form if field.name != "csrf_token"))

    def render() -> str:
        html = str(caller())
        return html.replace(token, _TOKEN_STAND_IN) if token else html

    html = fragments.cached(key, render)
    return Markup(html.replace(_TOKEN_STAND_IN, token) if token else html)
