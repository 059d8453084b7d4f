"""The app factory, the health check and the embedded defaults."""

from collab import create_app


def test_healthz_is_public_and_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_postgres_urls_use_psycopg3(monkeypatch, tmp_path):
    monkeypatch.setenv("COLLAB_INSTANCE_PATH", str(tmp_path))
    app = create_app({"DATABASE_URL": "postgres://u:p@db.internal/collab"})
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://u:p@db.internal/collab"
    )
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_embedded_default_is_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("COLLAB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/collab.sqlite3"
    )


def test_prefixed_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("COLLAB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("COLLAB_LOGIN_FAILURES_PER_ACCOUNT", "9")
    assert create_app().config["LOGIN_FAILURES_PER_ACCOUNT"] == 9
