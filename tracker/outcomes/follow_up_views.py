"""Patients due a follow-up: the list, and the same list as CSV. Both are audited with the
number of rows and days asked for, never a name."""

from flask import Response, render_template, request
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.csv_files import CSV_MIMETYPE, csv_text
from tracker.dates import clinic_today, clinic_zone
from tracker.fields import page_number
from tracker.outcomes.follow_up_forms import FollowUpExportForm, FollowUpForm
from tracker.outcomes.follow_ups import csv_header, csv_row, due_follow_ups, with_outcomes
from tracker.paging import ListPage
from tracker.replica import report_reads

# Rows on a page of the list: a clinic group can have hundreds due at once (590 of 20,000
# patients in the benchmark's); the CSV has them all.
FOLLOW_UPS_PER_PAGE = 50


def follow_ups():
    form = FollowUpForm(request.args)
    if not form.validate():
        return render_template("outcomes/follow_ups.html", form=form, rows=None), 422
    days, today = form.days.data, clinic_today()
    with report_reads() as connection:  # the read replica, when one is configured
        rows = due_follow_ups(current_user.clinic_id, days=days, today=today,
                              zone=clinic_zone(), connection=connection)
        shown = ListPage(rows, page_number(request.args.get("page")), FOLLOW_UPS_PER_PAGE)
        shown.items = with_outcomes(shown.items, current_user.clinic_id, connection=connection)
    record_event("follow_ups.view", actor=current_user,
                 details={"rows": len(rows), "days": days, "page": shown.page})
    return render_template("outcomes/follow_ups.html", form=form, rows=shown.items,
                           pagination=shown, days=days, as_of=today)


def follow_ups_csv():
    form = FollowUpExportForm(request.args)
    if not form.validate():
        return Response(form.problems(), status=400, mimetype="text/plain")
    days, today = form.days.data, clinic_today()
    with report_reads() as connection:  # the read replica, when one is configured
        rows = with_outcomes(due_follow_ups(current_user.clinic_id, days=days, today=today,
                                            zone=clinic_zone(), connection=connection),
                             current_user.clinic_id, connection=connection)
    record_event("follow_ups.export", actor=current_user,
                 details={"rows": len(rows), "days": days})
    body = csv_text(csv_header(), map(csv_row, rows), bom=form.excel.data)
    return Response(body.encode("utf-8"), content_type=CSV_MIMETYPE, headers={
        "Content-Disposition": f"attachment; filename=follow-ups-{today.isoformat()}.csv"})
