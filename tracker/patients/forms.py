from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from tracker.dates import clinic_today
from tracker.fields import (
    ClinicalDateField,
    EmailAddress,
    RadioField,
    SelectField,
    not_in_future,
    strip,
    submitted_version,
)
from tracker.forms import AppForm
from tracker.i18n import _, _l
from tracker.patients.models import LANGUAGES, SEXES


def plausible_birth_date(form, field):
    if field.data and field.data.year < 1900:
        raise ValidationError(_("Check the year: it is before 1900."))


class PatientForm(AppForm):
    version = HiddenField()
    chart_number = StringField(
        _l("Chart number"),
        validators=[
            Optional(),
            Length(max=32),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9-]*$",
                message=_l("Use letters, digits and hyphens, e.g. FW-0042."),
            ),
        ],
        description=_l("Leave blank to use the clinic's next number."),
        filters=[strip],
    )
    family_name = StringField(
        _l("Family name"), validators=[DataRequired(), Length(max=100)], filters=[strip]
    )
    given_name = StringField(_l("Given name"), validators=[Length(max=100)], filters=[strip])
    family_name_kana = StringField(
        _l("Family name reading (kana)"), validators=[Length(max=100)], filters=[strip]
    )
    given_name_kana = StringField(
        _l("Given name reading (kana)"), validators=[Length(max=100)], filters=[strip]
    )
    date_of_birth = ClinicalDateField(
        _l("Date of birth"), validators=[Optional(), not_in_future, plausible_birth_date]
    )
    sex = SelectField(_l("Sex"), choices=list(SEXES.items()), default="unknown")
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+()\- ]+$", message=_l("Digits, spaces, + - ( ) only.")),
        ],
        filters=[strip],
    )
    email = EmailField(
        _l("Email"),
        validators=[Optional(), EmailAddress(), Length(max=254)],
        filters=[strip],
    )
    postal_code = StringField(_l("Postal code"), validators=[Length(max=16)], filters=[strip])
    address = StringField(_l("Address"), validators=[Length(max=300)], filters=[strip])
    occupation = StringField(
        _l("Occupation"),
        validators=[Length(max=120)],
        description=_l("Desk work, driving and lifting matter for back pain."),
        filters=[strip],
    )
    preferred_language = SelectField(_l("Preferred language"), choices=LANGUAGES, default="ja")
    emergency_contact = StringField(
        _l("Emergency contact (name and phone)"), validators=[Length(max=200)], filters=[strip]
    )
    referral_source = StringField(_l("Referred by"), validators=[Length(max=120)], filters=[strip])
    admin_notes = TextAreaField(
        _l("Front-desk notes (not clinical)"), validators=[Length(max=2000)], filters=[strip]
    )

    def patient_values(self) -> dict:
        """The submitted values keyed by model attribute (everything but the version)."""
        return {
            name: field.data
            for name, field in self._fields.items()
            if name not in ("version", "csrf_token")
        }

    def expected_version(self) -> int | None:
        return submitted_version(self.version)


class ConsentForm(AppForm):
    given = RadioField(
        _l("Consent"),
        choices=[("yes", _l("Given")), ("no", _l("Refused or withdrawn"))],
        validators=[DataRequired(message=_l("Choose whether consent was given."))],
    )
    consent_date = ClinicalDateField(
        _l("Date"), validators=[DataRequired(), not_in_future], default=clinic_today
    )
    form_version = StringField(
        _l("Consent form version"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("As printed on the signed form, e.g. 2026-04. It starts as the version "
                       "this clinic recorded last."),
    )
    witnessed_by = StringField(_l("Witnessed by"), validators=[Length(max=120)], filters=[strip])
    notes = StringField(_l("Notes"), validators=[Length(max=500)], filters=[strip])


class ArchiveForm(AppForm):
    reason = StringField(_l("Reason for archiving"), validators=[DataRequired(), Length(max=200)])
    confirm = BooleanField(
        _l("I understand the record is kept and can be restored"),
        validators=[DataRequired(message=_l("Tick to confirm."))],
    )


class PageForm(AppForm):
    """Query-string filters for the patient list (GET, so no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search by name, kana, chart number or phone"), validators=[Length(max=100)])
    archived = BooleanField(_l("Show archived patients"))
    page = StringField()  # read by fields.page_number: any text is a page or page 1
