"""agenda item ids are never reused on SQLite

Revision ID: 8ab6710feec0
Revises: d43bc5b759e6
Create Date: 2026-11-27 17:43:42.087633

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8ab6710feec0'
down_revision = 'd43bc5b759e6'
branch_labels = None
depends_on = None


def _recreate(autoincrement: bool) -> None:
    # PostgreSQL sequences never reuse ids; only SQLite needs AUTOINCREMENT.
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "agenda_items",
        recreate="always",
        table_kwargs={"sqlite_autoincrement": autoincrement},
    ):
        pass


def upgrade():
    _recreate(True)


def downgrade():
    _recreate(False)
