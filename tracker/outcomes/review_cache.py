"""The outcome review's figures, kept for a minute per clinic, filter and language (and the
dashboard's quarter responder rate and count of follow-ups due, computed from the same
records, per clinic and day).

The review aggregates every episode of a clinic (0.3 s of SQL for 250,000 sessions) and
changes only when a score, a session or an episode does. A server process keeps each set of
figures it computed for ``REVIEW_CACHE_SECONDS`` (the configuration's, 60) and the page says
when they were computed.
Within the process the figures are dropped as soon as a change to those records commits
(``forget_on_commit``), so whoever records a score and opens the review sees it; another
server process (or a change made outside the app) shows it at most a minute later. The page
view is audited every time, cached or not.

Kept on the app (``app.extensions``), so each app, each test's included, starts empty.
"""

import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.db_types import utcnow
from tracker.intake.models import Episode
from tracker.patients.models import Patient
from tracker.scores.models import Assessment
from tracker.sessions.models import Amendment, TreatmentSession

MAX_ENTRIES = 64  # filters a clinic looks at within a minute, per process
_KEY = "tracker.outcome_review_cache"
# What the figures are computed from: a change to any of these drops them (the dashboard's
# follow-ups due: a patient archived, a next-visit date amended, too).
_SOURCES = (Assessment, TreatmentSession, Episode, Amendment, Patient)


def cached_review(key: tuple, compute: Callable[[], object]) -> tuple[object, datetime]:
    """The figures for ``key`` (clinic, filters, language) and when they were computed:
    this process's copy when it is under a minute old, else ``compute()``'s."""
    store: OrderedDict = current_app.extensions.setdefault(_KEY, OrderedDict())
    now = time.monotonic()
    entry = store.get(key)
    if entry is None or now - entry[0] > current_app.config["REVIEW_CACHE_SECONDS"]:
        entry = store[key] = (now, compute(), utcnow())
        while len(store) > MAX_ENTRIES:
            store.popitem(last=False)  # the oldest
    # The most recently shown is the last to go (unless another thread of a threaded server
    # pushed it out meanwhile: nothing to reorder then).
    with suppress(KeyError):
        store.move_to_end(key)
    return entry[1], entry[2]


def forget_reviews() -> None:
    """Drop this process's figures (a change to what they count was committed)."""
    if has_app_context():
        current_app.extensions.pop(_KEY, None)


@event.listens_for(Session, "after_flush")
def _note_changes(session, _context):
    if any(isinstance(obj, _SOURCES)
           for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info["outcome_sources_changed"] = True


@event.listens_for(Session, "after_commit")
def forget_on_commit(session):
    if session.info.pop("outcome_sources_changed", False):
        forget_reviews()


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session):
    session.info.pop("outcome_sources_changed", None)
