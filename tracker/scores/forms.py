"""The forms that record a score taken at a follow-up contact, one shape per kind of
instrument, each turning what was typed into the raw answers ``scores.instruments`` scores."""

from wtforms import Form, FormField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker.dates import clinic_today
from tracker.fields import (
    ClinicalDateField,
    MultiCheckboxField,
    RadioField,
    ScoreField,
    SelectField,
    StrictFieldList,
    not_in_future,
    strip,
)
from tracker.forms import AppForm
from tracker.i18n import _, _l
from tracker.scores.instruments import (
    ODI_SECTIONS,
    PSFS_MAX_ACTIVITIES,
    PSFS_NAME_LENGTH,
    RMDQ_ITEMS,
)


class _ScoreForm(AppForm):
    taken_on = ClinicalDateField(_l("Date taken"), validators=[
        DataRequired(message=_l("Give the date the score was taken.")), not_in_future],
        default=clinic_today)
    # Removed by the view for pain, stress and sleep: at intake those are on the intake form.
    context = RadioField(_l("Taken"), choices=[("follow_up", _l("at a follow-up contact")),
                                               ("intake", _l("at the intake"))],
                         default="follow_up")

    def answers(self) -> dict:
        raise NotImplementedError


class SingleScoreForm(_ScoreForm):
    """NRS, sleep, stress, mood: one score from 0 to 10."""

    score = ScoreField(_l("Score (0-10)"), validators=[
        DataRequired(message=_l("Choose a score from 0 to 10."))])

    def answers(self) -> dict:
        return {"score": self.score.data}


class _Activity(Form):
    name = StringField(_l("Activity"), validators=[Length(max=PSFS_NAME_LENGTH)],
                       filters=[strip])
    score = ScoreField(_l("Score (0 unable, 10 as before)"), validators=[Optional()])


class PsfsForm(_ScoreForm):
    """Up to five activities the patient named, each scored 0 (unable) to 10 (as before).
    The names of the episode's last PSFS are offered again, so each follow-up scores the same
    activities."""

    activities = StrictFieldList(FormField(_Activity), label="",
                                 min_entries=PSFS_MAX_ACTIVITIES,
                                 max_entries=PSFS_MAX_ACTIVITIES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, entry in enumerate(self.activities, start=1):  # each its own label
            entry.form.name.label.text = _("Activity %(number)s", number=number)
            entry.form.score.label.text = _("Score of activity %(number)s (0 unable, 10 as "
                                            "before)", number=number)

    def validate_activities(self, field):
        complete = 0
        for entry in field:
            name, score = entry.form.name, entry.form.score
            if name.data and score.data is None:
                score.errors.append(_("Score this activity from 0 to 10."))
            elif score.data is not None and not name.data:
                name.errors.append(_("Name the activity this score is for."))
            elif name.data:
                complete += 1
        if any(entry.form.name.errors or entry.form.score.errors for entry in field):
            raise ValidationError(_("Check the activities below."))
        if not complete:
            raise ValidationError(_("Name at least one activity the patient finds hard, and "
                                    "score it."))

    def answers(self) -> dict:
        return {"activities": [{"name": e.form.name.data, "score": e.form.score.data}
                               for e in self.activities if e.form.name.data]}


class RmdqForm(_ScoreForm):
    """The 24 statements of the clinic's own RMDQ form, by number: tick those the patient
    marked (the app ships no question text)."""

    items = MultiCheckboxField(
        _l("Statements the patient marked"),
        choices=[(str(n), _l("Statement %(number)s", number=n))
                 for n in range(1, RMDQ_ITEMS + 1)],
        validators=[Optional()])

    def answers(self) -> dict:
        marked = set(self.items.data or [])
        return {"items": [str(n) in marked for n in range(1, RMDQ_ITEMS + 1)]}


def _section_choices():
    return [("", _l("Not answered"))] + [(str(n), str(n)) for n in range(6)]


class OdiForm(_ScoreForm):
    """The ten section scores (0-5) from the clinic's own licensed ODI form."""

    sections = StrictFieldList(SelectField(_l("Section"), choices=_section_choices(),
                                           validators=[Optional()]), label="",
                               min_entries=ODI_SECTIONS, max_entries=ODI_SECTIONS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, section in enumerate(self.sections, start=1):
            section.label.text = _("Section %(number)s", number=number)

    def answers(self) -> dict:
        return {"sections": [int(f.data) if f.data not in (None, "") else None
                             for f in self.sections]}


class VoidForm(AppForm):
    reason = TextAreaField(_l("Why is this score void?"), validators=[
        DataRequired(message=_l("Say why the score is voided.")), Length(max=500)],
        filters=[strip])


FORMS = {"nrs": SingleScoreForm, "sleep": SingleScoreForm, "stress": SingleScoreForm,
         "mood": SingleScoreForm, "psfs": PsfsForm, "rmdq": RmdqForm, "odi": OdiForm}
