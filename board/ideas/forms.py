from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..forms_common import (
    Form,
    PlaceFields,
    WrittenIn,
    body_field,
    max_length,
    one_line,
    sentences,
    strip,
    title_field,
)
from ..models import IdeaStatus
from ..words import lazy_gettext as _l

MARKDOWN_HINT = _l("You can use Markdown: **bold**, _italic_, lists with - and links like [text](https://…).")


class IdeaForm(WrittenIn, PlaceFields, Form):
    title = title_field(description=_l("A short name for your idea, up to 150 characters."))
    description = body_field(
        _l("Description"),
        _l("Describe your idea."),
        description=sentences(_l("What is the idea, who would it help, and what would it take?"), MARKDOWN_HINT),
    )

    # Set once the person has been shown ideas like theirs: posting then goes ahead.
    similar_seen = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_places()


class CommentForm(WrittenIn, Form):
    comment = body_field(
        _l("Comment"), _l("Write a comment."), setting="COMMENT_MAX_LENGTH", description=MARKDOWN_HINT
    )


class DuplicateForm(Form):
    """The idea's author, or staff, say it duplicates another idea on the board."""

    target = StringField(
        _l("The other idea"),
        filters=[strip, one_line],
        validators=[InputRequired(_l("Enter the other idea's number or address.")),
                    max_length("IDEA_ADDRESS_MAX_LENGTH")],
        description=_l("Its number (such as 12) or its address (such as https://…/ideas/12)."),
    )


class AnswerForm(Form):
    """Staff answer an idea officially: where it stands, and why."""

    status = SelectField(
        _l("Status"), choices=[SelectChoice(key, IdeaStatus.LABELS[key]) for key in IdeaStatus.OFFICIAL],
        invalid_choice_message=_l("Choose one of the statuses listed."),
    )
    response = body_field(
        _l("Official response"),
        _l("Write the official response: say why, and what happens next."),
        description=sentences(_l("Shown on the idea, marked as official, with your name and the date."),
                              MARKDOWN_HINT),
    )
