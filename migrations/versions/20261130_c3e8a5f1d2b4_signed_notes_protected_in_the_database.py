"""signed notes protected in the database: triggers refuse changing a signed session, and
adding, changing or removing its point rows, adjuncts or stored cautions; no session is ever
deleted. Amendments (their own table) are the only way to correct a signed note.

The application refuses the same in Python (``sessions/guards.py``); these triggers hold for
any other path, a direct SQL statement included. A SQLite batch migration that rebuilds one
of these tables drops its triggers: such a migration must create them again.

Revision ID: c3e8a5f1d2b4
Revises: b7d2c4e9a1f3
Create Date: 2026-11-30 05:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3e8a5f1d2b4'
down_revision = 'b7d2c4e9a1f3'
branch_labels = None
depends_on = None

ROW_TABLES = ('point_applications', 'adjuncts', 'session_cautions')
SIGNED = "signed note: correct it with an amendment"
NEVER_DELETED = "clinical records are never deleted"


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"""
            CREATE FUNCTION treatment_sessions_protect_signed() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    RAISE EXCEPTION '{NEVER_DELETED}';
                END IF;
                IF OLD.status = 'signed' THEN
                    RAISE EXCEPTION '{SIGNED}';
                END IF;
                RETURN NEW;
            END
            $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER treatment_sessions_protect_signed
            BEFORE UPDATE OR DELETE ON treatment_sessions
            FOR EACH ROW EXECUTE FUNCTION treatment_sessions_protect_signed()
        """)
        op.execute(f"""
            CREATE FUNCTION session_rows_protect_signed() RETURNS trigger AS $$
            DECLARE
                owner integer;
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    owner := NEW.session_id;
                ELSE
                    owner := OLD.session_id;
                END IF;
                IF (SELECT status FROM treatment_sessions WHERE id = owner) = 'signed'
                   OR (TG_OP = 'UPDATE' AND NEW.session_id <> OLD.session_id AND
                       (SELECT status FROM treatment_sessions WHERE id = NEW.session_id)
                       = 'signed') THEN
                    RAISE EXCEPTION '{SIGNED}';
                END IF;
                IF TG_OP = 'DELETE' THEN
                    RETURN OLD;
                END IF;
                RETURN NEW;
            END
            $$ LANGUAGE plpgsql
        """)
        for table in ROW_TABLES:
            op.execute(f"""
                CREATE TRIGGER {table}_protect_signed
                BEFORE INSERT OR UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION session_rows_protect_signed()
            """)
        return
    op.execute(f"""
        CREATE TRIGGER treatment_sessions_protect_signed BEFORE UPDATE ON treatment_sessions
        WHEN OLD.status = 'signed'
        BEGIN SELECT RAISE(ABORT, '{SIGNED}'); END
    """)
    op.execute(f"""
        CREATE TRIGGER treatment_sessions_never_deleted BEFORE DELETE ON treatment_sessions
        BEGIN SELECT RAISE(ABORT, '{NEVER_DELETED}'); END
    """)
    for table in ROW_TABLES:
        for event, row in (('INSERT', 'NEW'), ('UPDATE', 'OLD'), ('DELETE', 'OLD')):
            op.execute(f"""
                CREATE TRIGGER {table}_protect_signed_{event.lower()} BEFORE {event} ON {table}
                WHEN (SELECT status FROM treatment_sessions WHERE id = {row}.session_id)
                     = 'signed'
                BEGIN SELECT RAISE(ABORT, '{SIGNED}'); END
            """)
        op.execute(f"""
            CREATE TRIGGER {table}_protect_signed_move BEFORE UPDATE ON {table}
            WHEN (SELECT status FROM treatment_sessions WHERE id = NEW.session_id) = 'signed'
            BEGIN SELECT RAISE(ABORT, '{SIGNED}'); END
        """)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in ROW_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_protect_signed ON {table}")
        op.execute("DROP FUNCTION IF EXISTS session_rows_protect_signed()")
        op.execute("DROP TRIGGER IF EXISTS treatment_sessions_protect_signed ON treatment_sessions")
        op.execute("DROP FUNCTION IF EXISTS treatment_sessions_protect_signed()")
        return
    op.execute("DROP TRIGGER IF EXISTS treatment_sessions_protect_signed")
    op.execute("DROP TRIGGER IF EXISTS treatment_sessions_never_deleted")
    for table in ROW_TABLES:
        for event in ('insert', 'update', 'delete', 'move'):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_protect_signed_{event}")
