from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.dates import clinic_today
from tracker.fields import (
    MultiCheckboxField,
    ScoreField,
    SelectField,
    not_in_future,
    strip,
    submitted_version,
)
from tracker.intake import vocab


def _choices(vocabulary, blank="Not recorded"):
    return [("", blank), *vocabulary]


class IntakeForm(FlaskForm):
    version = HiddenField()
    opened_on = DateField(
        "Intake date", validators=[DataRequired(), not_in_future], default=clinic_today
    )

    chief_complaint = StringField(
        "Chief complaint", validators=[DataRequired(), Length(max=300)], filters=[strip]
    )
    body_region = SelectField("Body region", choices=vocab.BODY_REGIONS, default="thoracic")
    side = SelectField("Side", choices=vocab.SIDES, default="central")
    onset_date = DateField("Onset date", validators=[Optional(), not_in_future])
    onset_type = SelectField("Onset", default="", choices=_choices(vocab.ONSET_TYPES))
    duration = SelectField(
        "Duration", default="", choices=_choices(vocab.DURATIONS, "Work out from onset date")
    )
    causes = MultiCheckboxField("Likely causes", choices=vocab.CAUSES)
    causes_other = StringField("Other cause", validators=[Length(max=300)], filters=[strip])
    symptoms = MultiCheckboxField("Symptoms", choices=vocab.SYMPTOMS)
    symptoms_other = StringField("Other symptoms", validators=[Length(max=300)], filters=[strip])

    red_flags = MultiCheckboxField(
        "Red flags (tick each that is present)",
        choices=vocab.RED_FLAGS,
        description=vocab.RED_FLAG_SOURCES,
    )

    pregnant = BooleanField("Pregnant")
    pregnancy_weeks = IntegerField(
        "Weeks of pregnancy", validators=[Optional(), NumberRange(0, 42)]
    )
    # Not a column: pregnant with the weeks stored as NULL means the weeks are not known.
    pregnancy_weeks_unknown = BooleanField("Weeks not known")
    pacemaker = BooleanField("Pacemaker or other implanted electrical device")
    anticoagulants = BooleanField("Anticoagulants or bleeding disorder")
    needle_fainting = BooleanField("History of fainting with needles")
    metal_allergy = BooleanField("Metal allergy")
    skin_lesions = BooleanField("Skin lesions at the treatment area")
    skin_lesions_site = StringField("Where", validators=[Length(max=200)], filters=[strip])
    diabetes = BooleanField("Diabetes")
    reduced_sensation = BooleanField("Reduced sensation")

    medical_history = TextAreaField(
        "Medical history", validators=[Length(max=5000)], filters=[strip]
    )
    medications = TextAreaField("Medications", validators=[Length(max=2000)], filters=[strip])
    previous_treatments = TextAreaField(
        "Previous treatments for this complaint", validators=[Length(max=2000)], filters=[strip]
    )
    co_interventions = MultiCheckboxField(
        "Current co-interventions", choices=vocab.CO_INTERVENTIONS
    )

    sitting_hours = DecimalField(
        "Hours sitting per day", places=1, validators=[Optional(), NumberRange(0, 24)]
    )
    break_habit = SelectField(
        "Breaks from sitting", default="", choices=_choices(vocab.BREAK_HABITS)
    )
    exercise = SelectField("Exercise", default="", choices=_choices(vocab.EXERCISE_LEVELS))
    exercise_notes = StringField("What exercise", validators=[Length(max=300)], filters=[strip])
    lifting_at_work = BooleanField("Lifts at work")
    stress_level = ScoreField("Stress (0 none, 10 extreme)", validators=[Optional()])
    sleep_quality = ScoreField("Sleep quality (0 very poor, 10 excellent)", validators=[Optional()])
    mattress = StringField("Mattress", validators=[Length(max=200)], filters=[strip])
    sleep_position = SelectField(
        "Sleep position", default="", choices=_choices(vocab.SLEEP_POSITIONS)
    )
    weight_trend = SelectField("Weight trend", default="", choices=_choices(vocab.WEIGHT_TRENDS))

    tongue_colour = SelectField("Tongue colour", default="", choices=_choices(vocab.TONGUE_COLOURS))
    tongue_coating = SelectField(
        "Tongue coating", default="", choices=_choices(vocab.TONGUE_COATINGS)
    )
    tongue_shape = MultiCheckboxField("Tongue shape", choices=vocab.TONGUE_SHAPES)
    tongue_moisture = SelectField(
        "Tongue moisture", default="", choices=_choices(vocab.TONGUE_MOISTURE)
    )
    pulse_rate = IntegerField(
        "Pulse rate (beats per minute)", validators=[Optional(), NumberRange(30, 200)]
    )
    pulse_qualities = MultiCheckboxField("Pulse qualities", choices=vocab.PULSE_QUALITIES)
    pulse_left_cun = StringField("Left cun", validators=[Length(max=60)], filters=[strip])
    pulse_left_guan = StringField("Left guan", validators=[Length(max=60)], filters=[strip])
    pulse_left_chi = StringField("Left chi", validators=[Length(max=60)], filters=[strip])
    pulse_right_cun = StringField("Right cun", validators=[Length(max=60)], filters=[strip])
    pulse_right_guan = StringField("Right guan", validators=[Length(max=60)], filters=[strip])
    pulse_right_chi = StringField("Right chi", validators=[Length(max=60)], filters=[strip])
    patterns = MultiCheckboxField("Pattern diagnosis", choices=vocab.PATTERNS)
    pattern_notes = TextAreaField("Pattern notes", validators=[Length(max=2000)], filters=[strip])

    acupuncture_style = SelectField("Acupuncture style", choices=vocab.ACUPUNCTURE_STYLES)
    rationale = TextAreaField("Treatment rationale", validators=[Length(max=2000)], filters=[strip])
    planned_sessions = IntegerField(
        "Planned sessions", validators=[Optional(), NumberRange(1, 100)]
    )
    planned_interval_days = IntegerField(
        "Days between sessions", validators=[Optional(), NumberRange(1, 90)]
    )
    goals = TextAreaField("Patient's goals", validators=[Length(max=2000)], filters=[strip])
    baseline_nrs = ScoreField(
        "Baseline pain now (NRS 0-10)",
        validators=[InputRequired(message="Record the baseline pain score.")],
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
                "Give the weeks of pregnancy (an estimate is fine), or tick “Weeks not known”.",
            ),
            (
                not self.pregnant.data and self.pregnancy_weeks.data is not None,
                self.pregnancy_weeks,
                "Weeks given, but Pregnant is not ticked.",
            ),
            (
                self.pregnancy_weeks_unknown.data and self.pregnancy_weeks.data is not None,
                self.pregnancy_weeks_unknown,
                "Weeks given and “Weeks not known” ticked: keep only one.",
            ),
            (
                self.pregnancy_weeks_unknown.data and not self.pregnant.data,
                self.pregnancy_weeks_unknown,
                "“Weeks not known” is ticked, but Pregnant is not.",
            ),
            (
                "other_cause" in (self.causes.data or []) and not self.causes_other.data,
                self.causes_other,
                "Describe the other cause.",
            ),
            (
                self.skin_lesions.data and not self.skin_lesions_site.data,
                self.skin_lesions_site,
                "Say where the skin lesions are.",
            ),
            (
                bool(
                    self.onset_date.data
                    and self.opened_on.data
                    and self.onset_date.data > self.opened_on.data
                ),
                self.onset_date,
                "Onset cannot be after the intake date.",
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


class AcknowledgeRedFlagsForm(FlaskForm):
    note = TextAreaField(
        "Acknowledgement note",
        validators=[
            DataRequired(message="Write what you decided, e.g. referred to GP on ..."),
            Length(max=2000),
        ],
        filters=[strip],
    )


class CloseEpisodeForm(FlaskForm):
    closed_on = DateField(
        "Closed on", validators=[DataRequired(), not_in_future], default=clinic_today
    )
    close_reason = SelectField(
        "Reason",
        choices=_choices(vocab.CLOSE_REASONS, "Choose a reason"),
        validators=[DataRequired(message="Choose a reason.")],
    )
    close_note = TextAreaField("Note", validators=[Length(max=2000)], filters=[strip])
