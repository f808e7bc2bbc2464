
from wtforms import TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from tracker.dates import clinic_today
from tracker.fields import ClinicalDateField, SelectField, not_in_future, strip
from tracker.forms import AppForm
from tracker.i18n import _, _l
from tracker.safety import vocab


class AdverseEventForm(AppForm):
    code = SelectField(
        _l("Event"),
        choices=[("", _l("Choose the event")), *vocab.AE_CODES],
        validators=[DataRequired(message=_l("Choose the event."))],
    )
    severity = SelectField(
        _l("Severity"),
        choices=[("", _l("Choose")), *vocab.AE_SEVERITIES],
        validators=[DataRequired(message=_l("Choose the severity."))],
    )
    onset_date = ClinicalDateField(
        _l("Onset date"), validators=[DataRequired(), not_in_future], default=clinic_today
    )
    onset_time = TimeField(_l("Onset time"), validators=[Optional()])
    description = TextAreaField(_l("What happened"), validators=[Length(max=2000)],
                                filters=[strip])
    action_taken = TextAreaField(
        _l("Action taken"),
        validators=[DataRequired(message=_l("Say what was done about it.")), Length(max=2000)],
        filters=[strip],
    )
    outcome = SelectField(_l("Outcome"), choices=vocab.AE_OUTCOMES, default="resolved")
    point_application_id = SelectField(
        _l("Linked point or technique"), coerce=str, validators=[Optional()]
    )


def adverse_event_form_for(visit) -> AdverseEventForm:
    """The adverse-event form of a session page: its points and techniques can be linked."""
    form = AdverseEventForm()
    form.point_application_id.choices = (
        [("", _("None"))]
        + [(str(row.id), _("Point %(code)s (%(side)s)", code=row.code, side=row.laterality))
           for row in visit.points]
        + [(f"adjunct:{row.kind}", _("Technique: %(kind)s", kind=row.kind))
           for row in visit.adjuncts]
    )
    return form
