from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from tracker.auth.forms import MAX_PASSWORD, BackgroundFields, password_strength
from tracker.fields import EmailAddress, SelectField
from tracker.permissions import Role


class StaffForm(BackgroundFields, FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), EmailAddress(), Length(max=254)])
    role = SelectField("Role", choices=[(r.value, r.label) for r in Role])
    password = PasswordField(
        "Initial password",
        validators=[DataRequired(), Length(max=MAX_PASSWORD), password_strength],
        description="Give it to the person in private; they can change it under Account.",
    )


class ClinicSettingsForm(FlaskForm):
    name = StringField("Clinic name", validators=[DataRequired(), Length(max=120)])
    timezone = StringField(
        "Time zone",
        validators=[DataRequired(), Length(max=64)],
        description="IANA name, for example Asia/Tokyo.",
    )
    chart_prefix = StringField(
        "Chart number prefix",
        validators=[
            DataRequired(),
            Length(max=12),
            Regexp(r"^[A-Z0-9]+$", message="Use capital letters and digits only."),
        ],
        description="New patients get chart numbers like PREFIX-0001.",
    )

    def validate_timezone(self, field):
        if field.data not in available_timezones():
            raise ValidationError("Not a known time zone; try Asia/Tokyo or Europe/London.")
