"""Fixtures: one app and schema per run, a clean database per test, a CSRF-aware client.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is set.
"""

import contextvars
import os
from contextlib import contextmanager

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, make_url, text

os.environ["COLLAB_CONFIG"] = "testing"

from collab import create_app  # noqa: E402
from collab.extensions import db  # noqa: E402
from tests import factories  # noqa: E402


class Client(FlaskClient):
    """A test client that behaves like a separate browser talking to a separate server
    process: each request runs in fresh context variables (its own app context, ``g``
    and database session, as in production), after the test's own session has
    committed, so the test sees what the request did. It also sends a valid CSRF token
    with every form, like a browser that loaded the form first; ``csrf=False`` leaves
    it out."""

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)

    def session_transaction(self, *args, **kwargs):
        return _in_fresh_context(super().session_transaction(*args, **kwargs))

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)):
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)

    def csrf_token(self) -> str:
        app = self.application
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", os.urandom(20).hex())
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


@contextmanager
def _in_fresh_context(manager):
    context = contextvars.Context()
    session = context.run(manager.__enter__)
    try:
        yield session
    finally:
        context.run(manager.__exit__, None, None, None)


def database_url(tmp_path_factory) -> str:
    """SQLite in a temporary folder, or DATABASE_URL. Under pytest-xdist each worker
    gets a PostgreSQL database of its own next to the given one (test_gw0, ...)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url.replace("postgres://", "postgresql://", 1))
    name = f"{base.database}_{worker}"
    admin = create_engine(
        base.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def engine_options(url: str) -> dict:
    """The tests' own connection settings. PostgreSQL: a commit does not wait for
    its WAL record to reach the disk (a crash could lose the last commits of a
    database the tests throw away; they stay atomic and in order), and no ping
    before each checkout (the server is local and lives as long as the run)."""
    if url.startswith(("postgresql", "postgres:")):
        return {
            "pool_pre_ping": False,
            "connect_args": {"options": "-c synchronous_commit=off"},
        }
    return {}


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = database_url(tmp_path_factory)
    app = create_app(
        {
            "DATABASE_URL": url,
            "BASE_URL": "http://collab.test",
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url),
        }
    )
    app.test_client_class = Client
    with app.app_context():
        db.drop_all()
        _drop_alembic_version()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _drop_alembic_version():
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def _context_and_clean_tables(app):
    """Each test runs inside an app context and leaves every table empty."""
    with app.app_context():
        yield
        db.session.remove()
        with db.engine.begin() as conn:
            delete_rows(conn, filled_tables(conn))


def filled_tables(conn) -> list[str]:
    """The tables that hold rows, parents first: one query, however many tables."""
    names = [table.name for table in db.metadata.sorted_tables]
    quote = conn.dialect.identifier_preparer.quote
    probes = " UNION ALL ".join(
        f"SELECT {i} AS n WHERE EXISTS (SELECT 1 FROM {quote(name)})"
        for i, name in enumerate(names)
    )
    return [names[i] for i in sorted(conn.exec_driver_sql(probes).scalars())]


def delete_rows(conn, tables: list[str]) -> None:
    """Empty ``tables`` (parents first, as filled_tables lists them), children first.
    DELETE beats TRUNCATE on PostgreSQL for tables this small."""
    quote = conn.dialect.identifier_preparer.quote
    for name in reversed(tables):
        conn.exec_driver_sql(f"DELETE FROM {quote(name)}")


@pytest.fixture(autouse=True)
def storage_folder(app, tmp_path):
    """Files (photos, documents) go to the test's own folder, never instance/."""
    from collab.core.storage import LocalStorage

    saved = app.extensions["collab_storage"]
    app.extensions["collab_storage"] = LocalStorage(str(tmp_path / "files"))
    yield tmp_path / "files"
    app.extensions["collab_storage"] = saved


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def login(app):
    """``login(user)`` → a client signed in as ``user``."""

    def _login(user, password: str = factories.PASSWORD) -> Client:
        client = app.test_client()
        response = client.post(
            "/auth/sign-in", data={"email": user.email, "password": password}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login


@pytest.fixture
def outbox(app):
    """The e-mails queued so far, as OutboxEmail rows."""
    from collab.notifications.models import OutboxEmail

    def _outbox(to: str | None = None):
        db.session.expire_all()
        query = db.select(OutboxEmail).order_by(OutboxEmail.id)
        if to:
            query = query.where(OutboxEmail.to_addr == to)
        return list(db.session.scalars(query))

    return _outbox
