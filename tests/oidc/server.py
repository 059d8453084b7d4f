"""A real OpenID provider (npm's oidc-provider, tests/oidc/provider.mjs) on 127.0.0.1,
and a person signing in at it (its development login and consent pages)."""

import json
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

HERE = Path(__file__).resolve().parent
READY_TIMEOUT = 30


def unavailable(reason: str):
    """Skip where Node.js is missing; on CI (CI=true) that is a failure."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the SSO tests must run)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Provider:
    """``with Provider(clients, accounts) as op:`` — ``op.issuer`` is its address."""

    def __init__(self, clients: list[dict], accounts: dict, id_token_ttl: int = 3600):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.clients, self.accounts, self.ttl = clients, accounts, id_token_ttl
        self.process = None

    def __enter__(self):
        node = shutil.which("node")
        if node is None:
            unavailable("Node.js is missing: the SSO tests need it")
        if not (HERE / "node_modules" / "oidc-provider").exists():
            unavailable("tests/oidc has no node_modules: run `make test` (npm ci)")
        env = dict(
            os.environ,
            PORT=str(self.port),
            CLIENTS=json.dumps(self.clients),
            ACCOUNTS=json.dumps(self.accounts),
            ID_TOKEN_TTL=str(self.ttl),
        )
        self.process = subprocess.Popen(
            [node, str(HERE / "provider.mjs")],
            cwd=HERE,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline()  # blocks until "ready" or exit
        if not line.startswith("ready"):
            self.stop()
            pytest.fail("the OpenID provider did not start", pytrace=False)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def __exit__(self, *exc):
        self.stop()


FORM = re.compile(r"<form[^>]*action=\"([^\"]+)\"", re.I)
INPUT = re.compile(r"<input[^>]*name=\"([^\"]+)\"[^>]*value=\"([^\"]*)\"", re.I)


def sign_in_at_provider(authorize_url: str, login: str, stop_at: str) -> str:
    """Follow the provider's login and consent pages as ``login``; returns the URL it
    sends the browser back to (starting with ``stop_at``), without opening it."""
    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=False, timeout=10)
    for _ in range(12):
        if response.status_code in (302, 303):
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(stop_at):
                return location
            response = browser.get(location, allow_redirects=False, timeout=10)
            continue
        form = FORM.search(response.text)
        if form is None:
            raise AssertionError(f"no form at the provider: {response.text[:300]}")
        fields = dict(INPUT.findall(response.text))
        fields.update({"login": login, "password": "any"})
        response = browser.post(
            urljoin(response.url, form.group(1)),
            data=fields,
            allow_redirects=False,
            timeout=10,
        )
    raise AssertionError("the provider never sent the browser back")
