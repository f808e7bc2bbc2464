"""treatment_sessions: the episode index extended by started_at, so that an episode's sessions
come in their order from the index, and its last visit is one step into it (the follow-up
list looks up the last visit of every open episode; the progress page reads a course in
order). It replaces the index on episode_id alone, which it covers.

Revision ID: a8e2c6f4b1d3
Revises: d5f1b3a7c9e2
Create Date: 2026-11-30 18:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a8e2c6f4b1d3'
down_revision = 'd5f1b3a7c9e2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('treatment_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_treatment_sessions_episode_started',
                              ['episode_id', 'started_at'], unique=False)
        batch_op.drop_index('ix_treatment_sessions_episode_id')


def downgrade():
    with op.batch_alter_table('treatment_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_treatment_sessions_episode_id', ['episode_id'], unique=False)
        batch_op.drop_index('ix_treatment_sessions_episode_started')
