"""One commit per request, in one place, after the view has returned (as Indico's request
handler does). Views and services never commit.

- A success (status below 400) commits everything the request did: its changes, its audit
  rows and the login-session refresh, together.
- A refusal (4xx) rolls everything back, unless the view called ``keep_refused_work()``:
  then what it recorded is what must be kept (a failed login's audit row and attempt; the
  cautions found and decisions made on a refused signing), and it is committed.
- An exception rolls back (the 500 page is a refusal too). A commit that fails turns the
  response into the 500 page: nobody is told "saved" about a write that did not happen.

The command line owns its own transactions (``tracker.cli``).
"""

from flask import g

from tracker.extensions import db


def keep_refused_work() -> None:
    """The request is refused, but what it recorded must be kept (its audit row, ...)."""
    g.keep_refused_work = True


def commit_request(response):
    """``after_request``: commit or roll back the request's one transaction."""
    if response.status_code < 400 or g.pop("keep_refused_work", False):
        db.session.commit()
    else:
        db.session.rollback()
    return response
