"""treatment_sessions: an index on (clinic_id, status, inserted_at), so that the dashboard's
"needles in now" finds a clinic's drafts with needles in without reading every session the
clinic ever recorded (it did: 25,000 rows for a clinic group's tenth).

Revision ID: b3d7f9a1c5e8
Revises: a8e2c6f4b1d3
Create Date: 2026-11-30 21:05:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b3d7f9a1c5e8'
down_revision = 'a8e2c6f4b1d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('treatment_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_treatment_sessions_clinic_status_inserted',
                              ['clinic_id', 'status', 'inserted_at'], unique=False)


def downgrade():
    with op.batch_alter_table('treatment_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_treatment_sessions_clinic_status_inserted')
