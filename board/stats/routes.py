from __future__ import annotations

from flask import jsonify, render_template
from flask_babel import gettext as _

from ..filters import choices_of, read_filters
from ..models import Area, Topic
from ..pledge import the_pledge
from . import bp
from .figures import figures


def current_figures():
    """The figures for the topic and area asked for in the address."""
    filters = read_filters()
    pledge = the_pledge()
    return filters, figures(filters.topic, filters.area, pledge.pledge_days if pledge else None)


@bp.get("/stats")
def index():
    # pygal is loaded by the first page of figures: a worker that never draws a chart
    # does not carry it.
    from .charts import bars

    filters, numbers = current_figures()
    months = [m.month for m in numbers.ideas]
    charts = {
        "ideas": bars(_("Ideas by the month they were posted"), months, [
            (_("Posted"), [m.posted for m in numbers.ideas]),
            (_("Reached the pledge"), [m.reached_pledge for m in numbers.ideas]),
            (_("Answered within the pledge"), [m.answered_within_pledge for m in numbers.ideas]),
            (_("Answered late"), [m.answered_late for m in numbers.ideas]),
            (_("Still waiting"), [m.still_waiting for m in numbers.ideas]),
        ]),
        "topics": bars(_("Median days to an official answer, by topic"),
                       [name for name, _d, _n in numbers.median_days_by_topic],
                       [(_("Median days"), [days for _t, days, _n in numbers.median_days_by_topic])],
                       horizontal=True),
        "areas": bars(_("Median days to an official answer, by area"),
                      [name for name, _d, _n in numbers.median_days_by_area],
                      [(_("Median days"), [days for _a, days, _n in numbers.median_days_by_area])],
                      horizontal=True),
        "help": bars(_("Help requests by the month they were posted"),
                     [m.month for m in numbers.help_requests], [
                         (_("Posted"), [m.posted for m in numbers.help_requests]),
                         (_("Matched"), [m.matched for m in numbers.help_requests]),
                     ]),
    }
    return render_template("stats/index.html", numbers=numbers, charts=charts, filters=filters,
                           topics=choices_of(Topic), areas=choices_of(Area), pledge=the_pledge())


@bp.get("/stats.json")
def as_json():
    _filters, numbers = current_figures()
    return jsonify(numbers.as_json())
