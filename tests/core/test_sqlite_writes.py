"""SQLite under concurrent writers: BEGIN IMMEDIATE + busy timeout, no lost updates."""

import threading

import pytest
from sqlalchemy import text

from collab.extensions import db


@pytest.fixture
def counter(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite-specific locking behaviour")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS test_counter "
                "(id INTEGER PRIMARY KEY, n INTEGER)"
            )
        )
        conn.execute(text("DELETE FROM test_counter"))
        conn.execute(text("INSERT INTO test_counter (id, n) VALUES (1, 0)"))
    yield
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE test_counter"))


def test_concurrent_read_modify_write_loses_nothing(app, counter):
    """Each writer reads the counter then writes n+1 in Python: only a transaction that
    takes the write lock up front makes that safe."""
    writers, rounds, errors = 20, 15, []

    def work():
        with app.app_context():
            for _ in range(rounds):
                try:
                    n = db.session.execute(
                        text("SELECT n FROM test_counter WHERE id = 1")
                    ).scalar()
                    db.session.execute(
                        text("UPDATE test_counter SET n = :n WHERE id = 1"),
                        {"n": n + 1},
                    )
                    db.session.commit()
                except Exception as exc:  # noqa: BLE001 - collected and asserted below
                    errors.append(repr(exc))
                    db.session.rollback()

    threads = [threading.Thread(target=work) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    total = db.session.execute(text("SELECT n FROM test_counter WHERE id = 1")).scalar()
    assert total == writers * rounds


def test_pragmas_are_set_on_every_connection(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 15000
