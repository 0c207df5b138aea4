"""The API, running on gunicorn with the demo board, checked against its own OpenAPI
document by schemathesis: whatever the inputs, no server errors, and every response
(status, content type, headers, body) is one the document describes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import demo_board_served

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_the_api_keeps_to_its_openapi_document(tmp_path):
    # Addresses of any length reach the board, so that the board's own answer to a bad
    # parameter is checked, not gunicorn's 414 for a long request line.
    with demo_board_served(tmp_path / "instance", gunicorn_args=("--limit-request-line", "0")) as url:
        run = subprocess.run(
            [
                str(SCHEMATHESIS), "run", f"{url}/api/v1/openapi.json",
                "--checks", "all",
                # A cursor is opaque: a string the API did not hand out is rightly refused
                # with 400, which this one check would count as a valid request rejected.
                "--exclude-checks", "positive_data_acceptance",
                "--max-examples", "40",
                # Random by default, like any property-based test; SCHEMATHESIS_SEED repeats a run.
                *(["--seed", os.environ["SCHEMATHESIS_SEED"]] if os.environ.get("SCHEMATHESIS_SEED") else []),
                "--no-color",
            ],
            capture_output=True, text=True, timeout=600, cwd=tmp_path,
        )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "13/13" in run.stdout  # every operation in the document was tested
