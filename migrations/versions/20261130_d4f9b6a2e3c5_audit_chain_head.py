"""audit chain head: where the chain ends, signed with the secret key, kept outside the
audit table, so a removed tail, a re-chained log or an emptied table is detected. Sealed here
from the current chain by the app's first append (or `flask audit seal`).

Revision ID: d4f9b6a2e3c5
Revises: c3e8a5f1d2b4
Create Date: 2026-11-30 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4f9b6a2e3c5'
down_revision = 'c3e8a5f1d2b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_chain_heads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('last_event_id', sa.Integer(), nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=False),
        sa.Column('signature', sa.String(length=64), nullable=False),
        sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_heads')),
    )


def downgrade():
    op.drop_table('audit_chain_heads')
