"""The models stand on their own: they announce what happens, and the parts above listen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Posting and supporting an idea with nothing but the models loaded, then listing the
# board's modules that came with them.
ONLY_THE_MODELS = """
import sys
from flask import Flask
from board.extensions import db
from board.models import Idea, User

app = Flask("models-alone")
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
db.init_app(app)
with app.app_context():
    db.create_all()
    author = User(username="ada", email="ada@example.org", password_hash="x")
    supporter = User(username="bo", email="bo@example.org", password_hash="x")
    db.session.add_all([author, supporter])
    db.session.flush()
    idea = Idea.post(author, "A community fridge", "Share food, waste less.")
    assert idea.toggle_support(supporter)
    db.session.commit()
print(" ".join(sorted(name for name in sys.modules if name.startswith("board"))))
"""


def test_the_models_work_without_the_parts_above_them():
    # A fresh interpreter: this test session has long since imported everything.
    run = subprocess.run([sys.executable, "-c", ONLY_THE_MODELS], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    loaded = set(run.stdout.split())
    assert "board.models" in loaded
    assert not {name for name in loaded if name.startswith("board.notifications")}
    # Leaves only: each imports nothing of the board's own when loaded (board.words asks
    # for the language in force only when a word is read).
    assert loaded <= {"board", "board.config", "board.extensions", "board.models",
                      "board.passwords", "board.signals", "board.text", "board.words"}
