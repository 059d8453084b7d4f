"""SMTP fixtures: a running server, or one that is down until the test starts it."""

import pytest

from tests.notifications.mail import SMTPServer, free_port


@pytest.fixture
def smtp_server(app, monkeypatch):
    """Started, and SMTP_URL points at it."""
    server = SMTPServer(free_port()).start()
    monkeypatch.setitem(app.config, "SMTP_URL", server.url)
    yield server
    server.stop()


@pytest.fixture
def smtp_down(app, monkeypatch):
    """SMTP_URL points at a port where nothing listens yet; ``.start()`` brings it
    up."""
    server = SMTPServer(free_port())
    monkeypatch.setitem(app.config, "SMTP_URL", server.url)
    yield server
    server.stop()
