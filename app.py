"""The entry point: `flask --app app ...` and `gunicorn app:app` both find the board here."""

from board import create_app

app = create_app()
