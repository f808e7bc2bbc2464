"""The session form: session fields, a list of point rows and a list of adjunct rows."""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from wtforms import (
    BooleanField,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.dates import clinic_today
from tracker.fields import (
    ClinicalDateField,
    MultiCheckboxField,
    RowForm,
    RowList,
    ScoreField,
    SelectField,
    StrictDecimalField,
    StrictFieldList,
    strip,
    submitted_version,
)
from tracker.forms import AppForm
from tracker.i18n import _, _l
from tracker.points import row_schema
from tracker.points.services import resolve_codes
from tracker.sessions import vocab
from tracker.sessions.adjuncts import AdjunctRowForm
from tracker.sessions.services import AMENDABLE_FIELDS, DIRECT_FIELDS

REQUIRED = _l("This field is required.")


# A clinical maximum: far above any real treatment, and a bound on how long one request may
# hold the database (a post of thousands of rows once held the write lock for 30 s).
MAX_POINT_ROWS = 60
MAX_TECHNIQUE_ROWS = 20


class _PointRowBase(RowForm):
    remove = BooleanField(_l("Remove"))


# The row's controls come from the one description of a point row.
PointRowForm = type("PointRowForm", (_PointRowBase,), row_schema.form_controls())


class SessionForm(AppForm):
    version = HiddenField()
    episode_id = SelectField(_l("Episode of care"), coerce=int, validate_choice=True)
    session_date = ClinicalDateField(_l("Date"), validators=[DataRequired(message=REQUIRED)],
                             default=clinic_today)
    start_time = TimeField(_l("Start time"), validators=[DataRequired(message=REQUIRED)])

    needle_type = SelectField(_l("Needle type"), choices=vocab.NEEDLE_TYPES)
    needle_gauge_mm = StrictDecimalField(
        _l("Gauge (mm)"),
        places=2,
        validators=[
            Optional(),
            NumberRange(
                Decimal("0.10"), Decimal("0.50"), message=_l("Gauge is 0.10 to 0.50 mm.")
            ),
        ],
    )
    needle_length_mm = StrictDecimalField(
        _l("Length (mm)"),
        places=1,
        validators=[Optional(), NumberRange(3, 125, message=_l("Length is 3 to 125 mm."))],
    )
    needle_brand = StringField(_l("Brand"), validators=[Length(max=80)], filters=[strip])
    needle_lot = StringField(_l("Lot number"), validators=[Length(max=60)], filters=[strip])
    needle_material = SelectField(_l("Material"), choices=vocab.NEEDLE_MATERIALS)

    quick_entry = StringField(
        _l("Quick entry"),
        validators=[Length(max=2000)],
        filters=[strip],
        description=_l(
            "e.g. BL18 BL20 BL23 bilat, GV6, GV9, LI4 L, SP6 b/l, Ashi: left T7 paraspinal"
        ),
    )
    # label="": a row's own label is never shown (its controls and the list's label are);
    # without one WTForms makes one ("Points-3") through the translations, for every row.
    points = RowList(FormField(PointRowForm, label=""), min_entries=0,
                     max_entries=MAX_POINT_ROWS, label=_l("Point row"))

    inserted_time = TimeField(_l("Needles in at"), validators=[Optional()])
    removed_time = TimeField(_l("Needles out at"), validators=[Optional()])
    retention_minutes = IntegerField(
        _l("Retention (minutes)"),
        validators=[
            Optional(),
            NumberRange(1, 240, message=_l("Retention must be 1 to 240 minutes.")),
        ],
    )
    needles_inserted = IntegerField(
        _l("Needles inserted"),
        validators=[Optional(), NumberRange(0, 200, message=_l("Count from 0 to 200."))],
    )
    needles_removed = IntegerField(
        _l("Needles removed"),
        validators=[Optional(), NumberRange(0, 200, message=_l("Count from 0 to 200."))],
    )

    adjuncts = StrictFieldList(FormField(AdjunctRowForm, label=""), min_entries=0,
                               max_entries=MAX_TECHNIQUE_ROWS, label=_l("Technique"))

    pain_before = ScoreField(_l("Pain before (0-10)"), validators=[Optional()])
    pain_after = ScoreField(_l("Pain after (0-10)"), validators=[Optional()])
    sensations = MultiCheckboxField(_l("How the patient felt"), choices=vocab.SENSATIONS)
    sensations_notes = StringField(
        _l("Other reactions"), validators=[Length(max=500)], filters=[strip]
    )

    subjective = TextAreaField(_l("Subjective"), validators=[Length(max=5000)], filters=[strip])
    objective = TextAreaField(
        _l("Objective: palpation, range of motion"),
        validators=[Length(max=5000)],
        filters=[strip],
    )
    tongue = StringField(_l("Tongue"), validators=[Length(max=300)], filters=[strip])
    pulse = StringField(_l("Pulse"), validators=[Length(max=300)], filters=[strip])
    assessment = TextAreaField(
        _l("Assessment (pattern)"), validators=[Length(max=5000)], filters=[strip]
    )
    plan = TextAreaField(_l("Plan"), validators=[Length(max=5000)], filters=[strip])
    advice = MultiCheckboxField(_l("Advice and home care given"), choices=vocab.ADVICE)
    advice_notes = TextAreaField(
        _l("Other advice"), validators=[Length(max=2000)], filters=[strip]
    )
    next_visit_on = ClinicalDateField(_l("Next visit"), validators=[Optional()])

    override_reason = TextAreaField(
        _l("Reason to go ahead despite the contraindication"),
        validators=[Length(max=1000)],
        filters=[strip],
        description=_l("Recorded with the session, with your name and the time."),
    )

    protocol_key = HiddenField()
    copied_from_id = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.resolved = {}  # filled by validate(): typed code -> Point
        # What quick entry did that the user should know (shown under the box, or after a
        # save on the next page).
        self.quick_entry_notices: list[str] = []

    def require_override(self, cautions) -> None:
        """A contraindicated choice was saved without the reason to go ahead."""
        self.override_reason.errors = [
            *self.override_reason.errors,
            _("A contraindication needs your reason to go ahead (or remove it): %(cautions)s",
              cautions=" ".join(str(c.message) for c in cautions)),
        ]

    @staticmethod
    def blank_point_row(index: str = "__index__", code: str = "__point__"):
        """A row form outside the list, named as row ``index`` of it: the markup the point
        picker copies to add a row in the browser, with placeholders for the index and the
        point (static/js/point-picker.js)."""
        return PointRowForm(prefix=f"points-{index}-", data={"code": code})

    def kept_point_rows(self) -> list[tuple[int, dict]]:
        """(position in the list, the row's data) for each point row that counts: neither
        marked to remove nor left blank."""
        return [(position, row) for position, row in enumerate(self.points.rows_data())
                if not row["remove"] and (row["code"] or row["custom_label"])]

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        # How many rows were sent, before the lists keep only as many as a session holds.
        formdata = self.meta.wrap_formdata(self, formdata)
        keys = list(formdata.keys()) if formdata is not None else []
        self.rows_sent = {name: len({key.split("-")[1] for key in keys
                                     if re.fullmatch(rf"{name}-\d{{1,4}}-\w+", key)})
                          for name in ("points", "adjuncts")}
        super().process(formdata, obj, data, extra_filters, **kwargs)

    def too_many_rows(self, adding: int = 0) -> str | None:
        """Why a session this big is refused (with ``adding`` point rows more), or None."""
        kept = len(self.kept_point_rows())
        if max(self.rows_sent["points"], kept + adding) > MAX_POINT_ROWS:
            return _("A session holds at most %(most)d point rows: record a second session for "
                     "the rest.", most=MAX_POINT_ROWS)
        if self.rows_sent["adjuncts"] > MAX_TECHNIQUE_ROWS:
            return _("A session holds at most %(most)d techniques.", most=MAX_TECHNIQUE_ROWS)
        return None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        too_many = self.too_many_rows()
        if too_many:
            self.quick_entry.errors.append(too_many)
            return False
        rows = self.kept_point_rows()
        self.resolved = resolve_codes([row["code"] for _, row in rows if row["code"]])
        for position, row in rows:
            valid = self._check_point_row(position, row) and valid
        codes = {self.resolved[row["code"]].code for _, row in rows if row["code"] in self.resolved}
        for entry in self.adjuncts:
            valid = entry.form.check(codes) and valid
        valid = self._check_times() and valid
        if (
            self.next_visit_on.data
            and self.session_date.data
            and self.next_visit_on.data < self.session_date.data
        ):
            self.next_visit_on.errors.append(_("The next visit cannot be before this session."))
            valid = False
        return valid

    def _check_point_row(self, position: int, row: dict) -> bool:
        code = row["code"]
        if code and code not in self.resolved:
            problems = [("point", _("“%(code)s” is not a point code we know: check the code, "
                                    "or pick it from the list.", code=code))]
        else:
            point = self.resolved.get(code)
            problems = row_schema.check_row(row_schema.row_from_form(row, point), point)
        fields = self.points[position].form if problems else None
        for name, message in problems:
            field = fields[row_schema.FORM_NAME.get(name, name)]
            # (A row read without being built as fields has no error list yet.)
            field.errors = [*field.errors, message]
        return not problems

    def _check_times(self) -> bool:
        start, end = self.inserted_time.data, self.removed_time.data
        began = self.start_time.data
        # The needles go in and come out during the session, on its date: a time before its
        # start is a slip (a default start time left as the form opened, a time typed wrong).
        for field, moment in ((self.inserted_time, start), (self.removed_time, end)):
            if began and moment and moment < began:
                field.errors.append(_(
                    "%(what)s %(time)s is before the session's start time (%(start)s): "
                    "correct one of them.", what=field.label.text,
                    time=moment.strftime("%H:%M"), start=began.strftime("%H:%M")))
                return False
        if start and end:
            if end <= start:
                self.removed_time.errors.append(_("Needles out must be after needles in."))
                return False
            minutes = _minutes_between(start, end)
            if minutes > 240:  # the column's bound: a "needles out" pressed hours late
                self.removed_time.errors.append(_(
                    "The times give %(minutes)s minutes, more than any retention (240): "
                    "correct them.", minutes=minutes))
                return False
            typed = self.retention_minutes.data
            if typed is not None and abs(typed - minutes) > 1:
                self.retention_minutes.errors.append(
                    _("The times give %(minutes)s minutes, not %(typed)s: correct one of them.",
                      minutes=minutes, typed=typed)
                )
                return False
        return True

    def session_values(self, zone: ZoneInfo) -> dict:
        """Session-level values for the service, times turned into UTC."""
        day = self.session_date.data

        def at(moment: time | None) -> datetime | None:
            return datetime.combine(day, moment, zone) if moment else None

        retention = self.retention_minutes.data
        if self.inserted_time.data and self.removed_time.data:
            retention = _minutes_between(self.inserted_time.data, self.removed_time.data)
        values = {name: self[name].data for name in DIRECT_FIELDS}
        values.update(
            started_at=at(self.start_time.data),
            inserted_at=at(self.inserted_time.data),
            removed_at=at(self.removed_time.data),
            retention_minutes=retention,
        )
        return values

    def point_values(self) -> list[dict]:
        """The kept point rows as plain rows, each with its catalog point."""
        return [row_schema.row_from_form(row, self.resolved.get(row["code"]))
                for _, row in self.kept_point_rows()]

    def adjunct_values(self) -> list[dict]:
        return [entry.form.values() for entry in self.adjuncts]

    def expected_version(self) -> int | None:
        return submitted_version(self.version)


def _minutes_between(start: time, end: time) -> int:
    today = date(2000, 1, 1)
    delta: timedelta = datetime.combine(today, end) - datetime.combine(today, start)
    return round(delta.total_seconds() / 60)


class SignForm(AppForm):
    """Signing is a button; the form carries its CSRF token and the version of the draft the
    practitioner read, so a change made since is shown, never signed unseen."""

    version = HiddenField()

    def expected_version(self) -> int | None:
        return submitted_version(self.version)


class AmendForm(AppForm):
    # How many amendments the note had when the form was loaded: another one recorded since
    # is shown before this one is added on top of it.
    amendments_seen = HiddenField()

    reason = TextAreaField(
        _l("Why is the note amended?"),
        validators=[DataRequired(message=_l("Say why the note is amended.")), Length(max=2000)],
        filters=[strip],
    )
    pain_before = ScoreField(_l("Pain before (0-10)"), validators=[Optional()])
    pain_after = ScoreField(_l("Pain after (0-10)"), validators=[Optional()])
    sensations_notes = StringField(
        _l("How the patient felt"), validators=[Length(max=500)], filters=[strip]
    )
    subjective = TextAreaField(_l("Subjective"), validators=[Length(max=5000)], filters=[strip])
    objective = TextAreaField(_l("Objective"), validators=[Length(max=5000)], filters=[strip])
    tongue = StringField(_l("Tongue"), validators=[Length(max=300)], filters=[strip])
    pulse = StringField(_l("Pulse"), validators=[Length(max=300)], filters=[strip])
    assessment = TextAreaField(_l("Assessment"), validators=[Length(max=5000)], filters=[strip])
    plan = TextAreaField(_l("Plan"), validators=[Length(max=5000)], filters=[strip])
    advice_notes = TextAreaField(
        _l("Advice notes"), validators=[Length(max=2000)], filters=[strip]
    )
    next_visit_on = ClinicalDateField(_l("Next visit"), validators=[Optional()])

    def amended_values(self) -> dict:
        return {name: self[name].data for name in AMENDABLE_FIELDS}
