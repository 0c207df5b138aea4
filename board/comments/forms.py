from flask_wtf import FlaskForm

from ..forms_common import body_field
from ..ideas.forms import MARKDOWN_HINT


class EditCommentForm(FlaskForm):
    comment = body_field(
        "Comment", "Write a comment.", setting="COMMENT_MAX_LENGTH", description=MARKDOWN_HINT
    )
