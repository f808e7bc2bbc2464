from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.dates import clinic_today
from tracker.fields import (
    ClinicalDateField,
    MultiCheckboxField,
    ScoreField,
    SelectField,
    StrictDecimalField,
    not_in_future,
    strip,
    submitted_version,
)
from tracker.forms import AppForm
from tracker.i18n import _, _l
from tracker.intake import vocab

NOT_RECORDED = _l("Not recorded")


def _choices(vocabulary, blank=NOT_RECORDED):
    return [("", blank), *vocabulary]


class IntakeForm(AppForm):
    version = HiddenField()
    opened_on = ClinicalDateField(
        _l("Intake date"), validators=[DataRequired(), not_in_future], default=clinic_today
    )

    chief_complaint = StringField(
        _l("Chief complaint"), validators=[DataRequired(), Length(max=300)], filters=[strip]
    )
    body_region = SelectField(_l("Body region"), choices=vocab.BODY_REGIONS, default="thoracic")
    side = SelectField(_l("Side"), choices=vocab.SIDES, default="central")
    onset_date = ClinicalDateField(_l("Onset date"), validators=[Optional(), not_in_future])
    onset_type = SelectField(_l("Onset"), default="", choices=_choices(vocab.ONSET_TYPES))
    duration = SelectField(
        _l("Duration"),
        default="",
        choices=_choices(vocab.DURATIONS, _l("Work out from onset date")),
    )
    causes = MultiCheckboxField(_l("Likely causes"), choices=vocab.CAUSES)
    causes_other = StringField(_l("Other cause"), validators=[Length(max=300)], filters=[strip])
    symptoms = MultiCheckboxField(_l("Symptoms"), choices=vocab.SYMPTOMS)
    symptoms_other = StringField(
        _l("Other symptoms"), validators=[Length(max=300)], filters=[strip]
    )

    red_flags = MultiCheckboxField(
        _l("Red flags (tick each that is present)"),
        choices=vocab.RED_FLAGS,
        description=vocab.RED_FLAG_SOURCES,
    )

    pregnant = BooleanField(_l("Pregnant"))
    pregnancy_weeks = IntegerField(
        _l("Weeks of pregnancy"), validators=[Optional(), NumberRange(0, 42)]
    )
    # Not a column: pregnant with the weeks stored as NULL means the weeks are not known.
    pregnancy_weeks_unknown = BooleanField(_l("Weeks not known"))
    pacemaker = BooleanField(_l("Pacemaker or other implanted electrical device"))
    anticoagulants = BooleanField(_l("Anticoagulants or bleeding disorder"))
    needle_fainting = BooleanField(_l("History of fainting with needles"))
    metal_allergy = BooleanField(_l("Metal allergy"))
    skin_lesions = BooleanField(_l("Skin lesions at the treatment area"))
    skin_lesions_site = StringField(_l("Where"), validators=[Length(max=200)], filters=[strip])
    diabetes = BooleanField(_l("Diabetes"))
    reduced_sensation = BooleanField(_l("Reduced sensation"))

    medical_history = TextAreaField(
        _l("Medical history"), validators=[Length(max=5000)], filters=[strip]
    )
    medications = TextAreaField(_l("Medications"), validators=[Length(max=2000)], filters=[strip])
    previous_treatments = TextAreaField(
        _l("Previous treatments for this complaint"), validators=[Length(max=2000)], filters=[strip]
    )
    co_interventions = MultiCheckboxField(
        _l("Current co-interventions"), choices=vocab.CO_INTERVENTIONS
    )

    sitting_hours = StrictDecimalField(
        _l("Hours sitting per day"), places=1, validators=[Optional(), NumberRange(0, 24)]
    )
    break_habit = SelectField(
        _l("Breaks from sitting"), default="", choices=_choices(vocab.BREAK_HABITS)
    )
    exercise = SelectField(_l("Exercise"), default="", choices=_choices(vocab.EXERCISE_LEVELS))
    exercise_notes = StringField(_l("What exercise"), validators=[Length(max=300)], filters=[strip])
    lifting_at_work = BooleanField(_l("Lifts at work"))
    stress_level = ScoreField(_l("Stress (0 none, 10 extreme)"), validators=[Optional()])
    sleep_quality = ScoreField(
        _l("Sleep quality (0 very poor, 10 excellent)"), validators=[Optional()]
    )
    mattress = StringField(_l("Mattress"), validators=[Length(max=200)], filters=[strip])
    sleep_position = SelectField(
        _l("Sleep position"), default="", choices=_choices(vocab.SLEEP_POSITIONS)
    )
    weight_trend = SelectField(
        _l("Weight trend"), default="", choices=_choices(vocab.WEIGHT_TRENDS)
    )

    tongue_colour = SelectField(
        _l("Tongue colour"), default="", choices=_choices(vocab.TONGUE_COLOURS)
    )
    tongue_coating = SelectField(
        _l("Tongue coating"), default="", choices=_choices(vocab.TONGUE_COATINGS)
    )
    tongue_shape = MultiCheckboxField(_l("Tongue shape"), choices=vocab.TONGUE_SHAPES)
    tongue_moisture = SelectField(
        _l("Tongue moisture"), default="", choices=_choices(vocab.TONGUE_MOISTURE)
    )
    pulse_rate = IntegerField(
        _l("Pulse rate (beats per minute)"), validators=[Optional(), NumberRange(30, 200)]
    )
    pulse_qualities = MultiCheckboxField(_l("Pulse qualities"), choices=vocab.PULSE_QUALITIES)
    pulse_left_cun = StringField(_l("Left cun"), validators=[Length(max=60)], filters=[strip])
    pulse_left_guan = StringField(_l("Left guan"), validators=[Length(max=60)], filters=[strip])
    pulse_left_chi = StringField(_l("Left chi"), validators=[Length(max=60)], filters=[strip])
    pulse_right_cun = StringField(_l("Right cun"), validators=[Length(max=60)], filters=[strip])
    pulse_right_guan = StringField(_l("Right guan"), validators=[Length(max=60)], filters=[strip])
    pulse_right_chi = StringField(_l("Right chi"), validators=[Length(max=60)], filters=[strip])
    patterns = MultiCheckboxField(_l("Pattern diagnosis"), choices=vocab.PATTERNS)
    pattern_notes = TextAreaField(
        _l("Pattern notes"), validators=[Length(max=2000)], filters=[strip]
    )

    acupuncture_style = SelectField(_l("Acupuncture style"), choices=vocab.ACUPUNCTURE_STYLES)
    rationale = TextAreaField(
        _l("Treatment rationale"), validators=[Length(max=2000)], filters=[strip]
    )
    planned_sessions = IntegerField(
        _l("Planned sessions"), validators=[Optional(), NumberRange(1, 100)]
    )
    planned_interval_days = IntegerField(
        _l("Days between sessions"), validators=[Optional(), NumberRange(1, 90)]
    )
    goals = TextAreaField(_l("Patient's goals"), validators=[Length(max=2000)], filters=[strip])
    baseline_nrs = ScoreField(
        _l("Baseline pain now (NRS 0-10)"),
        validators=[InputRequired(message=_l("Record the baseline pain score."))],
    )

    PULSE_FIELDS = tuple(f"pulse_{code}" for code, _ in vocab.PULSE_POSITIONS)
    NOT_STORED = ("version", "csrf_token", "pregnancy_weeks_unknown", *PULSE_FIELDS)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        checks = (
            (
                self.pregnant.data
                and self.pregnancy_weeks.data is None
                and not self.pregnancy_weeks_unknown.data
                and not self.pregnancy_weeks.errors,
                self.pregnancy_weeks,
                _("Give the weeks of pregnancy (an estimate is fine), or tick “Weeks not known”."),
            ),
            (
                not self.pregnant.data and self.pregnancy_weeks.data is not None,
                self.pregnancy_weeks,
                _("Weeks given, but Pregnant is not ticked."),
            ),
            (
                self.pregnancy_weeks_unknown.data and self.pregnancy_weeks.data is not None,
                self.pregnancy_weeks_unknown,
                _("Weeks given and “Weeks not known” ticked: keep only one."),
            ),
            (
                self.pregnancy_weeks_unknown.data and not self.pregnant.data,
                self.pregnancy_weeks_unknown,
                _("“Weeks not known” is ticked, but Pregnant is not."),
            ),
            (
                "other_cause" in (self.causes.data or []) and not self.causes_other.data,
                self.causes_other,
                _("Describe the other cause."),
            ),
            (
                self.skin_lesions.data and not self.skin_lesions_site.data,
                self.skin_lesions_site,
                _("Say where the skin lesions are."),
            ),
            (
                bool(
                    self.onset_date.data
                    and self.opened_on.data
                    and self.onset_date.data > self.opened_on.data
                ),
                self.onset_date,
                _("Onset cannot be after the intake date."),
            ),
        )
        for failed, field, message in checks:
            if failed:
                field.errors.append(message)
                valid = False
        return valid

    def episode_values(self) -> dict:
        """Submitted values keyed by Episode attribute."""
        values = {
            name: field.data
            for name, field in self._fields.items()
            if name not in self.NOT_STORED
        }
        for name, field in self._fields.items():
            # A "Not recorded" select posts "": the model stores that as NULL.
            if field.type == "SelectField" and values.get(name) == "":
                values[name] = None
        values["pulse_positions"] = {
            name.removeprefix("pulse_"): self[name].data
            for name in self.PULSE_FIELDS
            if self[name].data
        }
        return values

    def load_unstored(self, episode) -> None:
        """Fill the fields the episode stores another way (pulse by position; pregnant with
        no weeks is "Weeks not known")."""
        self.load_pulse_positions(episode.pulse_positions)
        self.pregnancy_weeks_unknown.data = bool(
            episode.pregnant and episode.pregnancy_weeks is None
        )

    def propose_red_flag(self, code: str) -> None:
        """Tick a red flag on a new form; the practitioner can untick it before saving."""
        if code not in (self.red_flags.data or []):
            self.red_flags.data = [*(self.red_flags.data or []), code]

    def load_pulse_positions(self, positions: dict) -> None:
        for code, value in (positions or {}).items():
            if f"pulse_{code}" in self._fields:
                self[f"pulse_{code}"].data = value

    def expected_version(self) -> int | None:
        return submitted_version(self.version)


class AcknowledgeRedFlagsForm(AppForm):
    note = TextAreaField(
        _l("Acknowledgement note"),
        validators=[
            DataRequired(message=_l("Write what you decided, e.g. referred to GP on ...")),
            Length(max=2000),
        ],
        filters=[strip],
    )


class CloseEpisodeForm(AppForm):
    closed_on = ClinicalDateField(
        _l("Closed on"), validators=[DataRequired(), not_in_future], default=clinic_today
    )
    close_reason = SelectField(
        _l("Reason"),
        choices=_choices(vocab.CLOSE_REASONS, _l("Choose a reason")),
        validators=[DataRequired(message=_l("Choose a reason."))],
    )
    close_note = TextAreaField(_l("Note"), validators=[Length(max=2000)], filters=[strip])
