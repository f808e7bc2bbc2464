from datetime import date, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.dates import clinic_today, clinic_zone
from tracker.permissions import CLINICAL_ROLES, roles_required
from tracker.reports.forms import ReportPeriodForm
from tracker.reports.services import adverse_event_report
from tracker.transactions import keep_refused_work

bp = Blueprint("reports", __name__)


@bp.get("/safety/report")
@roles_required(*CLINICAL_ROLES)
def adverse_events():
    """Adverse events per 1,000 sessions by type and severity, with reference rates."""
    today = clinic_today()
    form = ReportPeriodForm(request.args)
    if not request.args:
        form.start.data, form.end.data = today - timedelta(days=365), today
    valid = form.validate()
    start: date = form.start.data if valid else today - timedelta(days=365)
    end: date = form.end.data if valid else today
    result = adverse_event_report(current_user.clinic_id, start, end, clinic_zone())
    record_event("report.adverse_events", actor=current_user,
                 details={"start": start.isoformat(), "end": end.isoformat()})
    if valid or not request.args:
        return render_template("reports/adverse_events.html", form=form, report=result)
    keep_refused_work()  # the default period was shown despite the bad dates: audited
    return render_template("reports/adverse_events.html", form=form, report=result), 422
