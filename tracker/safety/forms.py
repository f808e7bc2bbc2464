
from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from tracker.dates import clinic_today
from tracker.fields import SelectField, not_in_future, strip
from tracker.safety import vocab


class AdverseEventForm(FlaskForm):
    code = SelectField(
        "Event",
        choices=[("", "Choose the event"), *vocab.AE_CODES],
        validators=[DataRequired(message="Choose the event.")],
    )
    severity = SelectField(
        "Severity",
        choices=[("", "Choose"), *vocab.AE_SEVERITIES],
        validators=[DataRequired(message="Choose the severity.")],
    )
    onset_date = DateField(
        "Onset date", validators=[DataRequired(), not_in_future], default=clinic_today
    )
    onset_time = TimeField("Onset time", validators=[Optional()])
    description = TextAreaField("What happened", validators=[Length(max=2000)], filters=[strip])
    action_taken = TextAreaField(
        "Action taken",
        validators=[DataRequired(message="Say what was done about it."), Length(max=2000)],
        filters=[strip],
    )
    outcome = SelectField("Outcome", choices=vocab.AE_OUTCOMES, default="resolved")
    point_application_id = SelectField(
        "Linked point or technique", coerce=str, validate_choice=False, validators=[Optional()]
    )


def adverse_event_form_for(visit) -> AdverseEventForm:
    """The adverse-event form of a session page: its points and techniques can be linked."""
    form = AdverseEventForm()
    form.point_application_id.choices = (
        [("", "None")]
        + [(str(row.id), f"Point {row.code} ({row.laterality})") for row in visit.points]
        + [(f"adjunct:{row.kind}", f"Technique: {row.kind}") for row in visit.adjuncts]
    )
    return form
