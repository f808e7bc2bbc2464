"""The clinic outcome review page. Filters that cannot be read are answered 422 with the
message next to the field and no figures: the figures on a page always match the filters
shown above them."""

from flask import render_template, request
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.dates import clinic_today
from tracker.outcomes.forms import STATUSES, ReviewForm, review_filters
from tracker.outcomes.review import SMALL_GROUP, outcome_review
from tracker.replica import report_reads


def review():
    form = ReviewForm(review_filters(request.args, clinic_today()))
    if not form.validate():
        return render_template("outcomes/review.html", form=form, result=None,
                               small_group=SMALL_GROUP, statuses=STATUSES), 422
    with report_reads() as connection:  # the read replica, when one is configured
        result = outcome_review(current_user.clinic_id, opened_from=form.opened_from.data,
                                opened_to=form.opened_to.data, status=form.status.data,
                                connection=connection)
    overall = result.overall
    record_event("outcomes.review", actor=current_user, details={
        "from": result.opened_from.isoformat(), "to": result.opened_to.isoformat(),
        "status": result.status, "episodes": overall.episodes,
        "evaluable": overall.evaluable, "responders": overall.responders,
    })
    return render_template("outcomes/review.html", form=form, result=result,
                           small_group=SMALL_GROUP, statuses=STATUSES)
