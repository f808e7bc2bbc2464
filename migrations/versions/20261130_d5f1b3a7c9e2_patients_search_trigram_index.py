"""patients: on PostgreSQL, a trigram index on search_text (pg_trgm), so the patient search's
"contains" match reads the matching rows instead of every patient of the clinic group (27 ms
for 20,000 patients, twice a search: the page and its count). SQLite keeps its scan.

The index is PostgreSQL's own (a GIN index with an operator class): the models do not declare
it, and `flask db check` leaves it out (tracker/extensions.py, BACKEND_ONLY_INDEXES).
pg_trgm ships with PostgreSQL and is a trusted extension: the database's owner may create it.

Revision ID: d5f1b3a7c9e2
Revises: c3e8a1f5b9d2
Create Date: 2026-11-30 15:25:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd5f1b3a7c9e2'
down_revision = 'c3e8a1f5b9d2'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.execute('CREATE INDEX ix_patients_search_trigram ON patients '
               'USING gin (search_text gin_trgm_ops)')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP INDEX IF EXISTS ix_patients_search_trigram')
