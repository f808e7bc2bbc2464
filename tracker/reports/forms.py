from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import DataRequired, ValidationError


class ReportPeriodForm(FlaskForm):
    """The report's date range (GET, so no CSRF)."""

    class Meta:
        csrf = False

    start = DateField("From", validators=[DataRequired()])
    end = DateField("To", validators=[DataRequired()])

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError("The end is before the start.")
