"""Following, notifications and the emails about them: how people hear about what
they care about without checking the board every day."""

from flask import Blueprint, Flask

from ..signals import event_recorded, idea_supported

bp = Blueprint("notifications", __name__)

from . import routes  # noqa: E402,F401
from .following import follow  # noqa: E402
from .rules import tell_about  # noqa: E402


def init_app(app: Flask) -> None:
    """Listen to what the models announce on this app. The signals are synchronous, so
    notifications, follows and emails due at once join the transaction of the change."""
    event_recorded.connect(_tell_about, sender=app)
    idea_supported.connect(_follow_what_they_support, sender=app)


def _tell_about(app: Flask, event) -> None:
    tell_about(event)


def _follow_what_they_support(app: Flask, idea, user) -> None:
    follow(user, idea)
