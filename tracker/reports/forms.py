from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import DataRequired, ValidationError

from tracker.i18n import _, _l


class ReportPeriodForm(FlaskForm):
    """The report's date range (GET, so no CSRF)."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[DataRequired(message=_l("This field is required."))])
    end = DateField(_l("To"), validators=[DataRequired(message=_l("This field is required."))])

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_("The end is before the start."))
