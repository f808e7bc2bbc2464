"""episodes: an index on (clinic_id, opened_on), for the outcome review's cohort (the clinic's
episodes opened in a range of dates) at scale.

Revision ID: c3e8a1f5b9d2
Revises: b7d2e5f8a3c4
Create Date: 2026-11-30 11:55:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3e8a1f5b9d2'
down_revision = 'b7d2e5f8a3c4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('episodes', schema=None) as batch_op:
        batch_op.create_index('ix_episodes_clinic_opened', ['clinic_id', 'opened_on'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('episodes', schema=None) as batch_op:
        batch_op.drop_index('ix_episodes_clinic_opened')
