"""The sessions blueprint: its URLs, and who may use them. The views themselves are split by
job: ``draft_views`` (recording a session, editing a draft, the live caution preview),
``note_views`` (the note's page, signing, amending, adverse events on it) and ``timer_views``
(the needle timer's "needles in" and "needles out")."""

from flask import Blueprint

from tracker.permissions import CLINICAL_ROLES, roles_required
from tracker.sessions import draft_views, note_views, timer_views
from tracker.transactions import plans_reused, reads_first, reads_only

bp = Blueprint("sessions", __name__)

_clinical = roles_required(*CLINICAL_ROLES)
_RULES = (
    # Validates while reading: only the write itself waits for (and holds) the write lock.
    ("/new", "create", reads_first(draft_views.create), ["GET", "POST"]),
    # A POST only to carry the form: the preview reads, so it never waits for a writer.
    ("/cautions", "preview_cautions", reads_only(draft_views.preview_cautions), ["POST"]),
    ("/<int:session_id>/edit", "edit", draft_views.edit, ["GET", "POST"]),
    ("/<int:session_id>", "detail", note_views.detail, ["GET"]),
    ("/<int:session_id>/sign", "sign", note_views.sign, ["POST"]),
    ("/<int:session_id>/needles-in", "needles_in", timer_views.needles_in, ["POST"]),
    ("/<int:session_id>/needles-out", "needles_out", timer_views.needles_out, ["POST"]),
    ("/<int:session_id>/amend", "amend", note_views.amend, ["GET", "POST"]),
    ("/<int:session_id>/adverse-events", "record_adverse_event",
     note_views.record_adverse_event_on, ["POST"]),
)
for rule, endpoint, view, methods in _RULES:
    # A session's pages read and write by id (the patient's, the episode's, the session's).
    bp.add_url_rule(rule, endpoint, _clinical(plans_reused(view)),  # keeps the marks
                    methods=methods)
