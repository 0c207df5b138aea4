from __future__ import annotations

from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice

from ..forms_common import Form, PlaceFields, WrittenIn, body_field, skills_field, title_field
from ..ideas.forms import MARKDOWN_HINT
from ..models import HelpKind


class HelpRequestForm(WrittenIn, PlaceFields, Form):
    title = title_field(description="What do you need? For example: “A van for Saturday morning”.")
    details = body_field(
        "Details",
        "Describe what help you need.",
        description="When, where, how long it might take, and anything a helper should know. "
        + MARKDOWN_HINT,
    )
    skills = skills_field(
        "Skills or resources needed",
        description="Separate them with commas, for example: carpentry, van, Saturday mornings.",
        optional=False,
    )
    kind = RadioField(
        "What kind of help is it?",
        choices=[SelectChoice(kind, HelpKind.LABELS[kind]) for kind in HelpKind.ALL],
        default=HelpKind.SKILLS,
        invalid_choice_message="Choose what kind of help it is.",
        description="People can look for the kind of help they have to give.",
    )
    idea = SelectField(
        "Linked idea (optional)", coerce=int, default=0,
        invalid_value_message="Choose one of your ideas listed, or no linked idea.",
        invalid_choice_message="Choose one of your ideas listed, or no linked idea.",
    )

    def __init__(self, *args, ideas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.idea.choices = [SelectChoice(0, "No linked idea")] + [
            SelectChoice(i.id, i.title) for i in ideas
        ]
        self.offer_places()


class OfferForm(Form):
    message = body_field(
        "Message",
        "Write a short message to go with your offer.",
        setting="OFFER_MESSAGE_MAX_LENGTH",
        description="Say what you can do and when. Your email address is not shared.",
    )


class MessageForm(Form):
    body = body_field(
        "Message",
        "Write your message.",
        setting="MESSAGE_MAX_LENGTH",
        description="Only the two of you can read this (and the board's moderators, if a "
        "problem is reported). " + MARKDOWN_HINT,
    )
