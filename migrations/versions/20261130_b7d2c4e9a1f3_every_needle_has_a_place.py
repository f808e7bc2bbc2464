"""every needle has a place: custom rows carry a region and a level (or intercostal space);
practitioner background (kept on the signed note); depth-hint basis; longer caution targets

Revision ID: b7d2c4e9a1f3
Revises: ac5431508d66
Create Date: 2026-11-30 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2c4e9a1f3'
down_revision = 'ac5431508d66'
branch_labels = None
depends_on = None


def upgrade():
    # Batch mode: SQLite rebuilds each table (env.py turns foreign keys off around it);
    # PostgreSQL alters in place.
    for table in ('point_applications', 'protocol_points'):
        with op.batch_alter_table(table) as batch:
            batch.alter_column('vertebral_level', new_column_name='level',
                               type_=sa.String(length=5), existing_type=sa.String(length=4),
                               existing_nullable=False)
            batch.add_column(sa.Column('region', sa.String(length=20), nullable=False,
                                       server_default=''))
    with op.batch_alter_table('points') as batch:
        batch.add_column(sa.Column('depth_hint_basis', sa.String(length=16), nullable=False,
                                   server_default=''))
    with op.batch_alter_table('session_cautions') as batch:
        batch.alter_column('key', type_=sa.String(length=160), existing_type=sa.String(length=80),
                           existing_nullable=False)
        batch.alter_column('target', type_=sa.String(length=120),
                           existing_type=sa.String(length=30), existing_nullable=False)

    with op.batch_alter_table('treatment_sessions') as batch:
        batch.add_column(sa.Column('practitioner_background', sa.Text(), nullable=False,
                                   server_default=''))
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('practising_since', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('training', sa.Text(), nullable=False, server_default=''))
    # Years in practice become the year practice began, counted back from when it was entered.
    users = sa.table('users', sa.column('years_in_practice', sa.Integer),
                     sa.column('practising_since', sa.Integer),
                     sa.column('created_at', sa.DateTime(timezone=True)))
    op.execute(users.update().where(users.c.years_in_practice.is_not(None)).values(
        practising_since=sa.cast(sa.extract('year', users.c.created_at), sa.Integer)
        - users.c.years_in_practice))
    with op.batch_alter_table('users') as batch:
        batch.drop_column('years_in_practice')


def downgrade():
    with op.batch_alter_table('treatment_sessions') as batch:
        batch.drop_column('practitioner_background')
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('years_in_practice', sa.Integer(), nullable=True))
        batch.drop_column('training')
        batch.drop_column('practising_since')
    with op.batch_alter_table('session_cautions') as batch:
        batch.alter_column('key', type_=sa.String(length=80), existing_nullable=False)
        batch.alter_column('target', type_=sa.String(length=30), existing_nullable=False)
    with op.batch_alter_table('points') as batch:
        batch.drop_column('depth_hint_basis')
    for table in ('point_applications', 'protocol_points'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('region')
            batch.alter_column('level', new_column_name='vertebral_level',
                               type_=sa.String(length=4), existing_nullable=False)
