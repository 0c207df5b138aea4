"""Atom feeds (RFC 4287) of ideas, help requests and one idea's activity, for feed readers."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)

from . import routes  # noqa: E402,F401
