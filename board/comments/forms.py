
from ..forms_common import Form, body_field
from ..ideas.forms import MARKDOWN_HINT


class EditCommentForm(Form):
    comment = body_field(
        "Comment", "Write a comment.", setting="COMMENT_MAX_LENGTH", description=MARKDOWN_HINT
    )
