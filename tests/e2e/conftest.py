"""Browser fixtures: the real app in its own process, Debian's Chromium, fresh contexts.

The app runs in a subprocess (tests/e2e/server.py) against a SQLite database of its
own, built by the Alembic migrations and filled with the demo data, so it never shares
a database, an app object or Alembic's logging setup with the unit tests' app.
Chromium is the one Debian installs; Playwright never downloads a browser here.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
ROOT = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT = 60  # seconds: migrations and demo data on a slow CI machine
TIMEOUT_MS = 15_000


def _unavailable(reason: str):
    """Skip on a developer's machine; on CI (CI=true) a missing browser is a failure."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _context_and_clean_tables():
    """Replaces tests/conftest.py's per-test cleanup of the unit tests' database: the
    browser tests talk to their own server and database, and must not create or wipe
    the unit tests' one (which may be a shared PostgreSQL database)."""
    yield


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} is missing: apt-get install -y chromium")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The base URL of the real app, served by werkzeug on a free port."""
    folder = tmp_path_factory.mktemp("e2e")
    port_file = folder / "port"
    log_path = folder / "server.log"
    env = dict(os.environ, COLLAB_CONFIG="testing", COLLAB_INSTANCE_PATH=str(folder))
    env.pop("DATABASE_URL", None)
    database_url = "sqlite:///" + str(folder / "e2e.sqlite3")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.server", database_url, str(port_file)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not port_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    "the e2e server did not start:\n" + log_path.read_text()[-5000:],
                    pytrace=False,
                )
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port_file.read_text()}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def new_context(browser, live_server):
    """``new_context(**options)`` → a fresh browser context (own cookies) on the app."""
    contexts = []

    def _new_context(**options):
        options.setdefault("locale", "en-GB")
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield _new_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()
