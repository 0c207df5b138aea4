"""The entry point: `flask --app app ...` and `gunicorn app:app` both find the board here."""

import sys

from board import ConfigurationError, create_app

try:
    app = create_app()
except ConfigurationError as problem:
    sys.exit(f"Simpl cannot start: {problem}")
