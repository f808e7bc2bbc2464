from flask import current_app
from wtforms import EmailField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from tracker.auth.services import (
    EARLIEST_PRACTICE_YEAR,
    QUALIFICATION_MAX,
    practice_year_message,
    practice_year_problem,
)
from tracker.fields import parse_id
from tracker.forms import AppForm
from tracker.i18n import _, _l, ngettext

MAX_PASSWORD = 128


class LoginForm(AppForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD)]
    )


def password_strength(form, field):
    """At least PASSWORD_MIN_LENGTH characters; no composition rules (ASVS 2.1.9)."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(
            ngettext("Use at least %(num)d character.", "Use at least %(num)d characters.", minimum)
        )
    if len(set(field.data)) < 4:
        raise ValidationError(_("This password is too easy to guess."))


class ChangePasswordForm(AppForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD), password_strength],
        description=_l(
            "At least 12 characters. A phrase of several words is easy to type and hard to guess."
        ),
    )
    confirm_password = PasswordField(
        _l("Repeat new password"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two passwords differ.")),
        ],
    )


class PracticeYearField(IntegerField):
    """The year practice began; anything that is not a year in range gets the same message."""

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        self.data = parse_id(text)  # ASCII digits only: "٢٠٢٠" is not typed as a year
        if text and self.data is None:
            raise ValueError(practice_year_message())

    def pre_validate(self, form):
        if problem := practice_year_problem(self.data):
            raise ValidationError(problem)


class BackgroundFields:
    """STRICTA item 5, the practitioner's background: mixed into the staff forms."""

    qualification = StringField(
        _l("Qualification"),
        validators=[Length(max=QUALIFICATION_MAX)],
        description=_l("As it should read on the note, e.g. Licensed acupuncturist (Japan)."),
    )
    practising_since = PracticeYearField(
        _l("In practice since (year)"),
        description=_l(
            "The year practice began (%(year)d or later); each note states the years in practice "
            "at its own date.",
            year=EARLIEST_PRACTICE_YEAR,
        ),
    )
    training = TextAreaField(
        _l("Training"),
        validators=[Length(max=2000)],
        description=_l("Courses relevant to this care, e.g. JSAM electroacupuncture course 2019."),
    )


class BackgroundForm(BackgroundFields, AppForm):
    def values(self) -> dict:
        """The background as ``update_background`` takes it."""
        return {
            "qualification": self.qualification.data,
            "practising_since": self.practising_since.data,
            "training": self.training.data,
        }
