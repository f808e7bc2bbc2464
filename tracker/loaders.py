"""The shape every clinic-scoped loader shares: one row, or a 404.

Another clinic's id answers 404, never 403, so ids do not leak. Each feature's ``queries.py``
builds its statement (scoped to the user's clinic, with what its pages load eagerly) and
hands it here.
"""

from flask import abort

from tracker.extensions import db


def one_or_404(stmt, params: dict | None = None):
    """The one row ``stmt`` selects (with ``params`` for its bound parameters), or abort
    with 404. Rows repeated by a joined collection (``joinedload``) count as one."""
    found = db.session.scalars(stmt, params).unique().one_or_none()
    if found is None:
        abort(404)
    return found
