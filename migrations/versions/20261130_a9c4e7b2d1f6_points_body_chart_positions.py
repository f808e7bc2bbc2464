"""points: where the body chart draws each point (view, distance from the midline, height),
loaded by `flask points load` from tracker/points/data/chart_positions.csv (existing rows stay
uncharted until the next load).

Revision ID: a9c4e7b2d1f6
Revises: f6b8d4e2a7c1
Create Date: 2026-11-30 09:12:44.310512

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9c4e7b2d1f6'
down_revision = 'f6b8d4e2a7c1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chart_view', sa.String(length=5), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('chart_x', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('chart_y', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.drop_column('chart_y')
        batch_op.drop_column('chart_x')
        batch_op.drop_column('chart_view')
