from flask_wtf import FlaskForm
from wtforms import StringField

from ..forms_common import body_field, skills_field, strip
from wtforms.validators import Length


class AccountForm(FlaskForm):
    display_name = StringField(
        "Display name",
        description="How your name appears to others, for example “Sam from Elm Road”. "
        "Leave it empty to show your username.",
        filters=[strip],
        validators=[Length(max=80, message="A display name must be 80 characters or fewer.")],
    )
    bio = body_field(
        "About you",
        "",
        setting="BIO_MAX_LENGTH",
        description="A few words about you and your part of town. Markdown works here.",
        optional=True,
    )
    skills = skills_field(
        "Skills and resources you can offer",
        description="Separate them with commas, for example: carpentry, first aid, a van, a garden.",
    )


