"""What the browser tests share: signing up and in through the forms, axe-core, screenshots."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "a long enough password"
PHONE = {"width": 320, "height": 720}
DESKTOP = {"width": 1280, "height": 900}


def unique_name(prefix: str = "person") -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def register(page, username: str | None = None) -> str:
    """Register a new person through the form; they end up signed in."""
    username = username or unique_name()
    page.goto("/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email address").fill(f"{username}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/dashboard")
    return username


def sign_in(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username or email address").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")


WCAG_22_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_22_A_AA}, "resultTypes": ["violations"],
    # Each element is named by its path from <html> ("ancestry") rather than axe's
    # shortest selector: finding that one calls form.matches(), which a control named
    # "matches" (the email choices) hides, and axe-core 4.12 then fails.
    "selectors": False, "ancestry": True,
}


def axe_violations(page) -> list[dict]:
    """WCAG 2.2 A and AA problems axe-core finds on the page as it is now.

    axe-core comes inside the axe-playwright-python wheel, so pip installs it with
    the other test tools. It is put into a page once, and run as often as needed there
    (at desktop and at phone width): putting it in costs as much as a run."""
    # Imported here: without it the browser tests are skipped with a message, not broken.
    from axe_playwright_python.base import AXE_SCRIPT

    # A click that sends a form returns once the next page has begun, and its alert may
    # show before its stylesheet has come: axe would then judge the page unstyled (its
    # header's links too small to touch). The "load" event waits for the stylesheet.
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["ancestry"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, json.dumps(violations, indent=2)


def screenshot(page, name: str) -> Path:
    """Save the whole page as a PNG under test-artifacts/screenshots/ for people to look at."""
    width = page.viewport_size["width"]
    path = ARTIFACTS / "screenshots" / f"{name}-{width}px.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
