"""The ceiling the benchmark compares Simpl with: a bare Flask app that renders a page
of 20 rows from one SQLite query, served by the same gunicorn settings.

Nothing real can be faster than this on the same machine, so each Simpl page's
throughput is reported as a fraction of it.
"""

import os
import sqlite3

from flask import Flask, g, render_template_string

DATABASE = os.environ["BENCH_DATABASE"]
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ideas</title></head>
<body><main><h1>Ideas</h1><ul>
{% for id, title, supporters in rows %}<li><a href="/ideas/{{ id }}">{{ title }}</a> {{ supporters }} supporters</li>
{% endfor %}</ul></main></body></html>"""

app = Flask(__name__)


def connection() -> sqlite3.Connection:
    if "db" not in g:
        g.db = sqlite3.connect(DATABASE)
    return g.db


@app.teardown_appcontext
def close(_error):
    db = g.pop("db", None)
    if db is not None:
        db.close()


@app.get("/")
def ideas():
    rows = connection().execute(
        "SELECT id, title, supporters_count FROM ideas ORDER BY id DESC LIMIT 20"
    ).fetchall()
    return render_template_string(PAGE, rows=rows)
