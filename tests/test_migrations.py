"""Migrations build the schema the models describe, and go down and up again."""

import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from collab import create_app
from collab.extensions import db


@pytest.fixture
def empty_app(tmp_path):
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/migrations.sqlite3"})


def test_upgrade_on_an_empty_database_matches_the_models(empty_app):
    with empty_app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        result = empty_app.test_cli_runner().invoke(args=["db", "check"])
        assert result.exit_code == 0, result.output
        db.engine.dispose()


def test_downgrade_to_base_and_upgrade_again(empty_app):
    with empty_app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "users" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_migrations_import_no_application_code():
    folder = os.path.join(os.path.dirname(__file__), "..", "migrations", "versions")
    for name in os.listdir(folder):
        if name.endswith(".py"):
            with open(os.path.join(folder, name)) as f:
                assert "collab" not in f.read(), name
