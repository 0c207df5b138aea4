from __future__ import annotations

from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice

from ..forms_common import Form, PlaceFields, WrittenIn, body_field, sentences, skills_field, title_field
from ..ideas.forms import MARKDOWN_HINT
from ..models import HelpKind
from ..words import lazy_gettext as _l


class HelpRequestForm(WrittenIn, PlaceFields, Form):
    title = title_field(description=_l("What do you need? For example: “A van for Saturday morning”."))
    details = body_field(
        _l("Details"),
        _l("Describe what help you need."),
        description=sentences(_l("When, where, how long it might take, and anything a helper should know."),
                              MARKDOWN_HINT),
    )
    skills = skills_field(
        _l("Skills or resources needed"),
        description=_l("Separate them with commas, for example: carpentry, van, Saturday mornings."),
        optional=False,
    )
    kind = RadioField(
        _l("What kind of help is it?"),
        choices=[SelectChoice(kind, HelpKind.LABELS[kind]) for kind in HelpKind.ALL],
        default=HelpKind.SKILLS,
        invalid_choice_message=_l("Choose what kind of help it is."),
        description=_l("People can look for the kind of help they have to give."),
    )
    idea = SelectField(
        _l("Linked idea (optional)"), coerce=int, default=0,
        invalid_value_message=_l("Choose one of your ideas listed, or no linked idea."),
        invalid_choice_message=_l("Choose one of your ideas listed, or no linked idea."),
    )

    def __init__(self, *args, ideas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.idea.choices = [SelectChoice(0, _l("No linked idea"))] + [
            SelectChoice(i.id, i.title) for i in ideas
        ]
        self.offer_places()


class OfferForm(Form):
    message = body_field(
        _l("Message"),
        _l("Write a short message to go with your offer."),
        setting="OFFER_MESSAGE_MAX_LENGTH",
        description=_l("Say what you can do and when. Your email address is not shared."),
    )


class MessageForm(Form):
    body = body_field(
        _l("Message"),
        _l("Write your message."),
        setting="MESSAGE_MAX_LENGTH",
        description=sentences(_l("Only the two of you can read this (and the board's moderators, if a "
                                 "problem is reported)."), MARKDOWN_HINT),
    )
