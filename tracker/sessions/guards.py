"""A signed note never changes: the database session refuses to flush any change to a signed
session, its point rows, its adjuncts or the cautions recorded with it. Services already
check; this catches every other path (a bug, a shell session) before anything is written."""

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from tracker.safety.models import SessionCaution
from tracker.sessions.models import Adjunct, PointApplication, TreatmentSession


class SignedNoteChanged(RuntimeError):
    pass


def _was_signed(visit: TreatmentSession) -> bool:
    history = inspect(visit).attrs.status.history
    before = history.deleted[0] if history.deleted else visit.status
    return before == "signed"


@event.listens_for(Session, "before_flush")
def refuse_changes_to_signed_notes(session, _flush_context, _instances):
    for obj in session.deleted:
        if isinstance(obj, TreatmentSession):
            raise SignedNoteChanged(f"{obj!r}: clinical records are never deleted.")
    for obj in session.dirty:
        # Collections do not count: adding an amendment must not look like editing the note.
        if (
            isinstance(obj, TreatmentSession)
            and _was_signed(obj)
            and session.is_modified(obj, include_collections=False)
        ):
            raise SignedNoteChanged(f"{obj!r} is signed; amend it instead.")
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, PointApplication | Adjunct | SessionCaution):
            continue
        visit = obj.treatment_session
        changed = obj in session.new or obj in session.deleted or session.is_modified(obj)
        if changed and visit is not None and inspect(visit).persistent and _was_signed(visit):
            raise SignedNoteChanged(f"{obj!r} belongs to a signed note.")
