from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from ..forms_common import required, strip
from ..models import Role, User, slugify


class RoleForm(FlaskForm):
    username = StringField(
        "Username", filters=[strip], validators=[required("Enter the username of the person.")],
        description="The person whose role changes.",
    )
    role = SelectField("Role", choices=[SelectChoice(role, Role.LABELS[role]) for role in Role.ALL])
    is_official = BooleanField("Show the Official badge (council or group staff)")

    def validate_username(self, field):
        if field.data and User.by_username(field.data) is None:
            raise ValidationError("There is nobody with that username on this board.")


class LabelForm(FlaskForm):
    """A topic's or an area's name."""

    name = StringField(
        "Name", filters=[strip],
        validators=[required("Enter a name."), Length(max=60, message="A name must be 60 characters or fewer.")],
    )

    def __init__(self, *args, model=None, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.model, self.current = model, current

    def validate_name(self, field):
        same = self.model.by_slug(slugify(field.data or ""))
        if same is not None and same is not self.current:
            raise ValidationError(f"There is already one called “{same.name}”.")
