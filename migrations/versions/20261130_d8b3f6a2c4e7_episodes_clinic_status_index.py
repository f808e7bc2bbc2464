"""episodes: an index on (clinic_id, status, opened_on), so that a clinic's open episodes
(a few hundred among its years of closed ones) are found without reading every episode it
ever had: the follow-up list's candidates and the dashboard's unacknowledged red flags read
27,991 episodes of a clinic group to find its 656 open ones (full scale: the dashboard
35.8 -> 18.9 ms, the follow-up list 32.0 -> 22.0 ms in-process on SQLite).

Revision ID: d8b3f6a2c4e7
Revises: c5a8e2f4d6b9
Create Date: 2026-11-30 22:05:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd8b3f6a2c4e7'
down_revision = 'c5a8e2f4d6b9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('episodes', schema=None) as batch_op:
        batch_op.create_index('ix_episodes_clinic_status_opened',
                              ['clinic_id', 'status', 'opened_on'], unique=False)


def downgrade():
    with op.batch_alter_table('episodes', schema=None) as batch_op:
        batch_op.drop_index('ix_episodes_clinic_status_opened')
