"""Flask extensions, created unbound and attached in ``create_app``.

Models import ``db`` from here, never from ``tracker``, so no module needs the app to exist.
"""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# A naming convention gives every constraint a stable name, so batch migrations on SQLite
# (which rebuild tables) and PostgreSQL migrations can address the same constraint.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Views commit before rendering (the audit row of a page view is part of the request's one
# transaction); keeping loaded state after commit lets the template use it without re-querying.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


# Indexes only one database has, made by their migration with SQL the models do not declare:
# PostgreSQL's GIN trigram index (an operator class), SQLite's scan index of the search text
# (too long a key for a PostgreSQL B-tree at worst). `flask db check` does not count them
# as a difference.
BACKEND_ONLY_INDEXES = frozenset({"ix_patients_search_trigram", "ix_patients_search_scan"})


def include_in_schema_check(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "index" and reflected and name in BACKEND_ONLY_INDEXES)


migrate = Migrate(render_as_batch=True, compare_type=True,
                  include_object=include_in_schema_check)
login_manager = LoginManager()
csrf = CSRFProtect()
