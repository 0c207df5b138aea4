"""Cursors for paging through a list in the API: the sort key of the last item seen.

A cursor carries the last item's position (its sort values and id), not an offset,
so pages stay stable while new items arrive at the top.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from flask import abort
from sqlalchemy import and_, or_

# A cursor value that is a moment or null (an idea nobody supported lately).
DATETIME_OR_NONE = "datetime or none"


def encode(values: list) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str | None, kinds: tuple[type, ...]) -> list | None:
    """The cursor's values, each of the given type (int, str, datetime or DATETIME_OR_NONE);
    400 if it is not one of ours."""
    if not cursor:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(kinds):
            raise ValueError
        values = []
        for value, kind in zip(raw, kinds, strict=True):
            if kind is datetime or (kind == DATETIME_OR_NONE and value is not None):
                moment = datetime.fromisoformat(value)
                # Stored times are naive UTC; a cursor written with an offset means the same moment.
                if moment.tzinfo is not None:
                    moment = moment.astimezone(UTC).replace(tzinfo=None)
                values.append(moment)
            elif kind == DATETIME_OR_NONE:
                values.append(None)
            elif kind is int and isinstance(value, int) and not isinstance(value, bool):
                values.append(value)
            elif kind is str and isinstance(value, str):
                values.append(value)
            else:
                raise ValueError
        return values
    except (ValueError, TypeError, UnicodeDecodeError, json.JSONDecodeError):
        abort(400, "That cursor is not valid: use the 'next' link of a previous page.")


def after(columns: list, values: list):
    """Rows after the cursor, for a list ordered by `columns` descending (ties by the last)."""
    condition = columns[-1] < values[-1]
    for column, value in zip(reversed(columns[:-1]), reversed(values[:-1]), strict=True):
        condition = or_(column < value, and_(column == value, condition))
    return condition
