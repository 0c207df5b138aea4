"""Answering conditional requests (ETag / If-None-Match, Last-Modified / If-Modified-Since)
with 304 Not Modified, for feeds and the API, which clients poll."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, request


def newest(*moments: datetime | None) -> datetime | None:
    found = [m for m in moments if m is not None]
    return max(found) if found else None


def conditional(response: Response, last_modified: datetime | None) -> Response:
    """Tag the response with an ETag of its body and its last change, and turn it into a
    304 when the client already has it."""
    response.add_etag()
    if last_modified is not None:
        # HTTP dates have whole seconds; stored times are naive UTC.
        response.last_modified = last_modified.replace(microsecond=0, tzinfo=UTC)
    response.headers["Cache-Control"] = "no-cache"  # may keep it, but must ask again
    return response.make_conditional(request)
