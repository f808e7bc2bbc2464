"""The clinic outcome review page. Filters that cannot be read are answered 422 with the
message next to the field and no figures: the figures on a page always match the filters
shown above them."""

from flask import render_template, request
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.dates import clinic_today
from tracker.i18n import get_locale
from tracker.outcomes.forms import STATUSES, ReviewForm, review_filters
from tracker.outcomes.review import SMALL_GROUP, outcome_review
from tracker.outcomes.review_cache import cached_review
from tracker.replica import report_reads


def review():
    form = ReviewForm(review_filters(request.args, clinic_today()))
    if not form.validate():
        return render_template("outcomes/review.html", form=form, result=None,
                               small_group=SMALL_GROUP, statuses=STATUSES), 422
    clinic_id, opened_from, opened_to, status = (current_user.clinic_id, form.opened_from.data,
                                                 form.opened_to.data, form.status.data)

    def compute():
        with report_reads() as connection:  # the read replica, when one is configured
            return outcome_review(clinic_id, opened_from=opened_from, opened_to=opened_to,
                                  status=status, connection=connection)

    result, computed_at = cached_review(
        (clinic_id, opened_from, opened_to, status, str(get_locale())), compute)
    overall = result.overall
    record_event("outcomes.review", actor=current_user, details={
        "from": result.opened_from.isoformat(), "to": result.opened_to.isoformat(),
        "status": result.status, "episodes": overall.episodes,
        "evaluable": overall.evaluable, "responders": overall.responders,
    })
    return render_template("outcomes/review.html", form=form, result=result,
                           computed_at=computed_at, small_group=SMALL_GROUP, statuses=STATUSES)
