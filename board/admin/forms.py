from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ..forms_common import required, strip
from ..models import Role, User


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
