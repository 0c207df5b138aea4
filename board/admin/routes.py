from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import NotAllowed, Role, User
from ..permissions import admins_only
from . import bp
from .forms import RoleForm


@bp.route("/people", methods=["GET", "POST"])
@admins_only
def people():
    """Who moderates and runs the board, and a form to change anyone's role."""
    form = RoleForm()
    if form.validate_on_submit():
        person = User.by_username(form.username.data)
        if person.id == current_user.id and form.role.data != Role.ADMIN:
            raise NotAllowed("You cannot take away your own admin role; ask another admin.")
        person.role = form.role.data
        person.is_official = form.is_official.data
        db.session.commit()
        flash(f"{person.name} is now {person.role_label.lower()}"
              f"{' with the Official badge' if person.is_official else ''}.", "success")
        return redirect(url_for("admin.people"))
    staff = db.session.scalars(
        select(User).where((User.role != Role.MEMBER) | User.is_official).order_by(User.role, User.username)
    ).all()
    return render_template("admin/people.html", form=form, staff=staff), 422 if form.errors else 200
