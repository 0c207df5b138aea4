
from ..forms_common import Form, WrittenIn, body_field
from ..ideas.forms import MARKDOWN_HINT
from ..words import lazy_gettext as _l


class EditCommentForm(WrittenIn, Form):
    comment = body_field(
        _l("Comment"), _l("Write a comment."), setting="COMMENT_MAX_LENGTH", description=MARKDOWN_HINT
    )
