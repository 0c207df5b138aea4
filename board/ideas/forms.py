from flask_wtf import FlaskForm

from ..forms_common import body_field, title_field

MARKDOWN_HINT = "You can use Markdown: **bold**, _italic_, lists with - and links like [text](https://…)."


class IdeaForm(FlaskForm):
    title = title_field(description="A short name for your idea, up to 150 characters.")
    description = body_field(
        "Description",
        "Describe your idea.",
        description="What is the idea, who would it help, and what would it take? " + MARKDOWN_HINT,
    )


class CommentForm(FlaskForm):
    comment = body_field(
        "Comment", "Write a comment.", setting="COMMENT_MAX_LENGTH", description=MARKDOWN_HINT
    )
