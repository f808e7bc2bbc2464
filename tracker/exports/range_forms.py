"""The clinic-wide export's query string (GET, so no CSRF), read strictly: a date that does not
parse, a date outside the clinical window, the end before the start, more than ten years, or a
choice that is not offered is refused with the message next to its field, never a 500."""

from datetime import date

from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired, ValidationError

from tracker.exports.csv_export import range_problem
from tracker.fields import ClinicalDateField, RadioField
from tracker.forms import AppForm
from tracker.i18n import _l

REQUIRED = _l("This field is required.")
ROWS = (("0", _l("Session")), ("1", _l("Point application")))
SPREADSHEETS = (("0", _l("Any spreadsheet (UTF-8)")),
                ("1", _l("Microsoft Excel (UTF-8 with a byte-order mark)")))


class SessionsExportForm(AppForm):
    """Which sessions (clinic dates ``from`` to ``to``, both included) and how: ``points``
    and ``excel`` take 1 or 0, as on the patient's export."""

    class Meta:
        csrf = False  # a GET form: it changes nothing

    # InputRequired, not DataRequired: a date that does not parse keeps its own message.
    start = ClinicalDateField(_l("From"), name="from", validators=[InputRequired(REQUIRED)])
    end = ClinicalDateField(_l("To"), name="to", validators=[InputRequired(REQUIRED)])
    points = RadioField(_l("One row per"), choices=ROWS, default="0")
    excel = RadioField(_l("For"), choices=SPREADSHEETS, default="0")

    def validate_end(self, field):
        if self.start.data and field.data and (problem := range_problem(self.start.data,
                                                                         field.data)):
            raise ValidationError(problem)


def with_defaults(args: MultiDict, today: date) -> MultiDict:
    """The query string with an absent date filled in: this month up to ``today``."""
    values = MultiDict(args)
    for name, default in (("from", today.replace(day=1)), ("to", today)):
        if name not in values:
            values.setlist(name, [default.isoformat()])
    return values
