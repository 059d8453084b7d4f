"""Browser fixtures: the real app in its own process, Debian's Chromium, fresh contexts.

The app runs in a subprocess (tests/e2e/server.py) against a SQLite database of its
own, built by the Alembic migrations and filled with the demo data, so it never shares
a database, an app object or Alembic's logging setup with the unit tests' app.
Chromium is the one Debian installs; Playwright never downloads a browser here.
A real OpenID provider (tests/oidc) starts first, where Node.js is here, and the app
trusts it as "Agency ID" (see test_sso.py).
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.oidc.server import HERE as OIDC_HERE
from tests.oidc.server import Provider, free_port

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
SSO_PROVIDER = {
    "name": "agency",
    "title": "Agency ID",
    "client_id": "collab-e2e",
    "client_secret": "collab-e2e-secret-for-tests-only",
}
# The people the provider knows: their login at its development login page → claims.
SSO_ACCOUNTS = {
    "ingrid": {
        "email": "ingrid.larsen@example.org",
        "email_verified": True,
        "name": "Ingrid Larsen",
    },
    "pat": {
        "email": "pat.nobody@agency.example",
        "email_verified": True,
        "name": "Pat Nobody",
    },
}


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
def live_port():
    """The app's port, chosen before the provider is told the app's callback."""
    return free_port()


@pytest.fixture(scope="session")
def oidc_provider(live_port):
    """The OpenID provider the app trusts as "Agency ID", or None where Node.js or
    tests/oidc/node_modules is missing (test_sso.py then skips, or fails on CI)."""
    if (
        shutil.which("node") is None
        or not (OIDC_HERE / "node_modules" / "oidc-provider").exists()
    ):
        yield None
        return
    callback = f"http://127.0.0.1:{live_port}/auth/sso/{SSO_PROVIDER['name']}/callback"
    client = {
        "client_id": SSO_PROVIDER["client_id"],
        "client_secret": SSO_PROVIDER["client_secret"],
        "redirect_uris": [callback],
    }
    with Provider([client], SSO_ACCOUNTS) as op:
        yield op


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, live_port, oidc_provider):
    """The base URL of the real app, served by werkzeug on ``live_port``."""
    folder = tmp_path_factory.mktemp("e2e")
    port_file = folder / "port"
    log_path = folder / "server.log"
    env = dict(os.environ, COLLAB_CONFIG="testing", COLLAB_INSTANCE_PATH=str(folder))
    env.pop("DATABASE_URL", None)
    env["BASE_URL"] = f"http://127.0.0.1:{live_port}"
    if oidc_provider is not None:
        sso = dict(SSO_PROVIDER, issuer=oidc_provider.issuer)
        env["COLLAB_OIDC_PROVIDERS"] = json.dumps([sso])
    database_url = "sqlite:///" + str(folder / "e2e.sqlite3")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.e2e.server",
                database_url,
                str(port_file),
                str(live_port),
            ],
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
