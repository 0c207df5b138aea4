"""The entry point: `flask --app app ...` and `gunicorn app:app` both find the board here."""

import gc
import sys

from board import ConfigurationError, create_app

try:
    app = create_app()
except ConfigurationError as problem:
    sys.exit(f"Simpl cannot start: {problem}")

# What starting made (modules, the URL map, SQLAlchemy's mappers) lives as long as the
# process: the collector's full passes need not walk it again every few thousand requests,
# which on a worker took about 90 ms each, felt by whoever asked at that moment.
gc.freeze()
