"""One commit per request, in one place, after the view has returned (as Indico's request
handler does), and write transactions that last milliseconds. Views and services never commit.

- A success (status below 400) commits everything the request did, together.
- A refusal (4xx) rolls everything back, unless the view called ``keep_refused_work()``:
  then what it recorded is what must be kept (a failed login's audit row and attempt; the
  cautions found and decisions made on a refused signing), and it is committed.
- An exception rolls back (the 500 page is a refusal too). A commit that fails turns the
  response into the 500 page: nobody is told "saved" about a write that did not happen.

Reading takes no write lock. A page (GET, HEAD, or a view marked ``reads_only``) reads in a
plain transaction; what it must write (its audit row, the login-session refresh) is handed to
``defer_write`` and written at the commit point, in a write transaction of its own that lasts
milliseconds (on PostgreSQL, where reading holds nothing a writer waits for, at the end of
the same transaction). Changing a model any other way during a read is a programming error,
refused (``_refuse_writes_while_reading``). Writes that are the request's purpose (a POST) run in a
write transaction from their first statement (SQLite: ``BEGIN IMMEDIATE``), or, in a view
marked ``reads_first``, from the view's call to ``begin_writing``: the form is parsed,
validated and checked against the record while reading, and only the write itself holds
the write lock (on SQLite, the one lock every writer and every page's audit row takes turns
at). The record is still written in one transaction; what the write depends on is read
again inside it.

Lock order, the same for every request (no deadlock by construction): the rows a service locks
(``SELECT ... FOR NO KEY UPDATE``: never a plain FOR UPDATE, which would also block other
transactions' foreign-key checks on that row), then, at the commit point, the deferred writes
in the order they were deferred (the login session first), and the audit chain last
(``audit.services``): nothing is locked after it.

The command line owns its own transactions (``tracker.cli``); outside a request,
``defer_write`` runs its work at once.
"""

from collections.abc import Callable

from flask import current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.extensions import db

READ_METHODS = ("GET", "HEAD")


def keep_refused_work() -> None:
    """The request is refused, but what it recorded must be kept (its audit row, ...)."""
    g.keep_refused_work = True


def reads_only(view):
    """Mark a view that answers from reads only, whatever its method (a JSON preview by
    POST). The mark is on the view function, so it holds from the request's first query
    (the login check before the view runs included)."""
    view.reads_only = True
    return view


def reads_first(view):
    """Mark a view that reads (loads, parses, validates) before it writes: it reads without
    a write lock until it calls ``begin_writing()``, and everything it writes is written
    after that call, in one transaction."""
    view.reads_first = True
    return view


def plans_reused(view):
    """Mark a view whose statements all pick rows by id (a patient's, an episode's, a
    session's): on PostgreSQL its transaction lets the server keep one plan for each
    statement it runs often (``plan_cache_mode = auto``) instead of planning it afresh every
    time, as the app's connections do by default (config.engine_options, for the statements
    over date ranges and a whole clinic, where one plan for all values went wrong). A save
    spent a third of its database time planning (3.3 -> 2.0 ms a save under load, quick
    data). Like ``reads_only``, the mark holds from the request's first statement."""
    view.plans_reused = True
    return view


def reuses_plans() -> bool:
    """Whether the current request's view is marked ``plans_reused``."""
    return has_request_context() and getattr(_view(), "plans_reused", False)


def begin_writing(*depends_on) -> None:
    """End the request's reading part: from here on it writes, in a write transaction of its
    own (SQLite: ``BEGIN IMMEDIATE`` at the next statement). The objects the write depends on
    (``depends_on``: the episode a session goes into) are read again, in that transaction,
    when next used; the rest of what was read (the catalog, the signed-in user) is used as
    it was read."""
    if is_reading():
        _end_read()
        for obj in depends_on:
            db.session.expire(obj)
    g.writing = True


def _end_read() -> None:
    """The request's reading part is over (it wrote nothing). On SQLite its transaction
    ends, so that the writes begin one of their own with the write lock (``BEGIN
    IMMEDIATE``). On PostgreSQL a transaction that has only read holds nothing a writer
    waits for, and each statement reads what is committed when it runs: the writes follow
    in it, two round trips to the server fewer for every page."""
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.commit()


def is_reading() -> bool:
    """Whether the current request is in its reading part (no write lock may be taken)."""
    if not has_request_context() or g.get("writing"):
        return False
    if request.method in READ_METHODS:
        return True
    view = _view()
    return getattr(view, "reads_only", False) or getattr(view, "reads_first", False)


def _view():
    """The current request's view function (None before routing, or for a 404): where the
    marks above are read."""
    return current_app.view_functions.get(request.endpoint) if request.endpoint else None


def defer_write(work: Callable[[], None], *, last: bool = False) -> None:
    """Run ``work`` at the commit point, in the request's write transaction (at once outside
    a request). Deferred work runs in the order it was deferred, the ``last`` work after all
    other (the audit chain: the last lock), and only if the request is committed."""
    if not has_request_context():
        work()
        return
    g.setdefault("deferred_last" if last else "deferred_writes", []).append(work)


def commit_request(response):
    """``after_request``: commit or roll back the request's one transaction."""
    if response.status_code >= 400 and not g.pop("keep_refused_work", False):
        db.session.rollback()
        return response
    # Deferred work may defer more (ending a login session records an audit event): run
    # until nothing is left, the "last" work (the audit chain) after all the rest.
    while work := g.pop("deferred_writes", []) or g.pop("deferred_last", []):
        if is_reading():
            _end_read()
            g.writing = True
        for step in work:
            step()
    db.session.commit()
    return response


@event.listens_for(Session, "before_flush")
def _refuse_writes_while_reading(session, _context, _instances):
    """Any change to a model while a request is reading is a programming error."""
    if (session.new or session.dirty or session.deleted) and is_reading():
        changed = [repr(obj) for obj in (*session.new, *session.dirty, *session.deleted)][:5]
        raise RuntimeError(f"A read changed {changed}: write through transactions.defer_write")
