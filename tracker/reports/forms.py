from wtforms.validators import InputRequired, ValidationError

from tracker.fields import ClinicalDateField
from tracker.forms import AppForm
from tracker.i18n import _, _l

REQUIRED = _l("This field is required.")


class ReportPeriodForm(AppForm):
    """The report's date range (GET, so no CSRF)."""

    class Meta:
        csrf = False

    # InputRequired, not DataRequired: a date that does not parse keeps its own message
    # ("Not a valid date value."), not "required".
    start = ClinicalDateField(_l("From"), validators=[InputRequired(message=REQUIRED)])
    end = ClinicalDateField(_l("To"), validators=[InputRequired(message=REQUIRED)])

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_("The end is before the start."))
