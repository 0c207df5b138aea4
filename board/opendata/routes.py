from __future__ import annotations

from flask import Response, current_app, render_template, stream_with_context

from ..admin import board_settings
from ..extensions import limiter
from . import bp, export

MIMETYPES = {"csv": "text/csv", "json": "application/json"}


@bp.get("")
def index():
    return render_template("opendata/index.html", downloads=export.DOWNLOADS.values())


# A download reads the whole board and takes seconds on a big one: a few a minute per client.
@bp.get("/<any(ideas, 'help-requests', statistics, record, 'answer-times'):name>.<any(csv, json):extension>")
@limiter.limit(lambda: current_app.config["DOWNLOAD_RATE_LIMIT"])
def download(name: str, extension: str):
    """One download, streamed as it is read: open to everyone, under the board's licence."""
    what = export.DOWNLOADS[name]
    settings = board_settings()
    licence = {"name": settings.data_licence_name, "url": settings.data_licence_url}
    body = export.as_csv(what) if extension == "csv" else export.as_json(what, licence)
    response = Response(stream_with_context(body), mimetype=MIMETYPES[extension])
    response.headers["Content-Disposition"] = f"attachment; filename={what.filename(extension)}"
    response.headers["Link"] = f'<{licence["url"]}>; rel="license"'
    # Open data: any website's scripts may read it, as they may read the API.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
