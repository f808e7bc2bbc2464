from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, ValidationError

from tracker.fields import ClinicalDateField
from tracker.i18n import _, _l

REQUIRED = _l("This field is required.")


class ReportPeriodForm(FlaskForm):
    """The report's date range (GET, so no CSRF)."""

    class Meta:
        csrf = False

    start = ClinicalDateField(_l("From"), validators=[DataRequired(message=REQUIRED)])
    end = ClinicalDateField(_l("To"), validators=[DataRequired(message=REQUIRED)])

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_("The end is before the start."))
