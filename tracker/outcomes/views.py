"""The outcomes blueprint: its URLs and who may use them. The views are split by page:
``progress_views`` (one patient's course), ``review_views`` (the clinic outcome review),
``follow_up_views`` (patients due a follow-up, and its CSV)."""

from flask import Blueprint

from tracker.outcomes import follow_up_views, progress_views, review_views
from tracker.permissions import CLINICAL_ROLES, roles_required
from tracker.transactions import plans_reused

bp = Blueprint("outcomes", __name__)

_clinical = roles_required(*CLINICAL_ROLES)
_RULES = (
    # One patient's course, read by the patient's and the episode's ids.
    ("/patients/<int:patient_id>/progress", "progress", plans_reused(progress_views.progress),
     ["GET"]),
    ("/outcomes/review", "review", review_views.review, ["GET"]),
    ("/outcomes/follow-ups", "follow_ups", follow_up_views.follow_ups, ["GET"]),
    ("/outcomes/follow-ups.csv", "follow_ups_csv", follow_up_views.follow_ups_csv, ["GET"]),
)
for rule, endpoint, view, methods in _RULES:
    bp.add_url_rule(rule, endpoint, _clinical(view), methods=methods)
