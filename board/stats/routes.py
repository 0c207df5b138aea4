from __future__ import annotations

from flask import render_template

from . import bp


@bp.get("/stats")
def index():
    return render_template("stats/index.html")
