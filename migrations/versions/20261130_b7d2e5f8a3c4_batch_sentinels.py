"""point_applications, adjuncts, session_cautions: a nullable batch_sentinel column, so that
a session's child rows are saved in one multi-row INSERT on SQLite too (db_types.batch_sentinel;
existing rows keep NULL, nothing reads it).

Revision ID: b7d2e5f8a3c4
Revises: a9c4e7b2d1f6
Create Date: 2026-11-30 11:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2e5f8a3c4'
down_revision = 'a9c4e7b2d1f6'
branch_labels = None
depends_on = None

TABLES = ('point_applications', 'adjuncts', 'session_cautions')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('batch_sentinel', sa.Integer(), nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('batch_sentinel')
