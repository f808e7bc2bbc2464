"""The clinic-wide export of sessions: a page asking for the dates, and the CSV it asks for.

The CSV is a GET whose only side effect is its audit row (who, the range, the options and
how many rows; nothing clinical). A query string that cannot be read is answered 400 with
the page again, the message next to the field and what was typed still in it. The file is
streamed from a read of its own (``csv_export.CsvStream``), begun before the request commits.
"""

from flask import current_app, render_template, request, stream_with_context
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.csv_files import CSV_MIMETYPE
from tracker.dates import clinic_today, clinic_zone
from tracker.exports.csv_export import CsvStream
from tracker.exports.csv_queries import range_scope
from tracker.exports.formats import ExportOptions
from tracker.exports.range_forms import SessionsExportForm, with_defaults

TEMPLATE = "exports/sessions_export.html"


def sessions_page():
    form = SessionsExportForm(with_defaults(request.args, clinic_today()))
    return render_template(TEMPLATE, form=form, zone=clinic_zone().key)


def sessions_csv():
    form = SessionsExportForm(request.args)
    if not form.validate():
        return render_template(TEMPLATE, form=form, zone=clinic_zone().key), 400
    start, end = form.start.data, form.end.data
    options = ExportOptions(points=form.points.data == "1", excel=form.excel.data == "1")
    stream = CsvStream(range_scope(current_user.clinic_id, start, end, clinic_zone()), options)
    try:
        record_event("sessions.export", actor=current_user, details={
            "format": "csv", "from": start.isoformat(), "to": end.isoformat(),
            "points": options.points, "excel": options.excel, "rows": stream.rows})
    except BaseException:
        stream.close()
        raise
    response = current_app.response_class(stream_with_context(stream.text()),
                                          content_type=CSV_MIMETYPE)
    kind = "points" if options.points else "sessions"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{kind}-{start.isoformat()}-to-{end.isoformat()}.csv"')
    return response
