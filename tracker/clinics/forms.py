from zoneinfo import available_timezones

from wtforms import EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from tracker.auth.forms import MAX_PASSWORD, BackgroundFields, password_strength
from tracker.fields import EmailAddress, SelectField, strip
from tracker.forms import AppForm
from tracker.i18n import _, _l
from tracker.permissions import Role


class StaffForm(BackgroundFields, AppForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[(r.value, r.label) for r in Role])
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD), password_strength],
        description=_l("Give it to the person in private; they can change it under Account."),
    )


class ClinicSettingsForm(AppForm):
    name = StringField(_l("Clinic name"), validators=[DataRequired(), Length(max=120)])
    timezone = StringField(
        _l("Time zone"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("IANA name, for example Asia/Tokyo."),
    )
    chart_prefix = StringField(
        _l("Chart number prefix"),
        validators=[
            DataRequired(),
            Length(max=12),
            Regexp(r"^[A-Z0-9]+$", message=_l("Use capital letters and digits only.")),
        ],
        description=_l("New patients get chart numbers like PREFIX-0001."),
    )
    address = TextAreaField(_l("Address"), validators=[Length(max=300)], filters=[strip],
                            description=_l("Printed at the top of every letter and summary."))
    phone = StringField(_l("Phone"), validators=[Length(max=40)], filters=[strip])
    email = EmailField(_l("Email"), validators=[Optional(), EmailAddress(), Length(max=254)],
                       filters=[strip])

    def validate_timezone(self, field):
        if field.data not in available_timezones():
            raise ValidationError(_("Not a known time zone; try Asia/Tokyo or Europe/London."))
