"""Browser tests: the real server (gunicorn) driven by Playwright in Debian's headless Chromium.

Chromium comes from the system (`apt install chromium`; `.ci/run` installs it), and
Playwright and axe-core (inside axe-playwright-python) from the `test` extra. Without
them these tests are skipped with a message, unless SIMPL_REQUIRE_BROWSER=1 (set by
CI) makes that a failure.
"""

from __future__ import annotations

import os
import shutil

import pytest

from e2e_helpers import DESKTOP, PASSWORD, sign_in
from helpers import demo_board_served

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def _missing(needs_axe: bool) -> str | None:
    if not CHROMIUM:
        return "Chromium is not installed (apt install chromium, or set CHROMIUM_PATH)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if needs_axe:
        try:
            import axe_playwright_python  # noqa: F401
        except ImportError:
            return "axe-core is not installed (pip install -e '.[test]')"
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "e2e" not in item.nodeid:
            continue
        reason = _missing(needs_axe="test_accessibility" in item.nodeid)
        if reason is None:
            continue
        if os.environ.get("SIMPL_REQUIRE_BROWSER") == "1":
            raise pytest.UsageError(f"Browser tests cannot run: {reason}")
        item.add_marker(pytest.mark.skip(reason=f"browser test skipped: {reason}"))


@pytest.fixture(scope="session")
def base_url(request, tmp_path_factory):
    """The board, served by gunicorn on a fresh database with the demo content: a SQLite
    file, or PostgreSQL for tests parametrized with `base_url` "postgresql" (indirect)."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    if getattr(request, "param", "sqlite") == "sqlite":
        with demo_board_served(instance, password=PASSWORD) as url:
            yield url
        return
    server = request.getfixturevalue("postgres_server")
    database = server.empty_database()
    with demo_board_served(instance, password=PASSWORD, database_url=server.url_of(database)) as url:
        yield url
    server.drop(database)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def signed_in_states(browser, base_url):
    """Each demo person's cookies after signing in once, for tests that only need to be them."""
    states = {}

    def state_of(username: str) -> dict:
        if username not in states:
            context = browser.new_context(base_url=base_url)
            sign_in(context.new_page(), username)
            states[username] = context.storage_state()
            context.close()
        return states[username]

    return state_of


@pytest.fixture
def new_page(browser, base_url, signed_in_states):
    """Open a fresh browser (own cookies) on the board: `new_page()`, `new_page(javascript=False)`,
    `new_page(as_person="amina")` for one already signed in as a demo person."""
    contexts = []

    def open_page(javascript: bool = True, viewport: dict = DESKTOP, as_person: str | None = None):
        context = browser.new_context(
            base_url=base_url, java_script_enabled=javascript, viewport=viewport,
            storage_state=signed_in_states(as_person) if as_person else None,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
