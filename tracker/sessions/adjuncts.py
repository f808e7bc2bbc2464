"""Adjunct techniques: one form row per technique, each kind with its own validated parameters.

A row's ``params`` are stored as JSON under the same names as its form fields, so a stored
adjunct refills its form row unchanged ("copy last session", editing a draft).
"""

import re
from decimal import Decimal

from wtforms import DecimalField, Form, HiddenField, IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional

from tracker.fields import SelectField
from tracker.sessions import vocab

# Which fields each kind shows, which of those it requires, and whether minutes are required.
KIND_FIELDS = {
    "cupping": ("cupping_method", "cups", "cupping_marks"),
    "electroacupuncture": (
        "ea_pairs",
        "ea_frequency_hz",
        "ea_frequency_2_hz",
        "ea_waveform",
        "ea_intensity_ma",
        "ea_intensity_note",
    ),
    "moxibustion": ("moxa_method", "moxa_cones"),
    "gua_sha": (),
    "tuina": (),
    "heat_lamp": ("lamp_distance_cm",),
    "auricular": ("auricular_method", "ear_side", "auricular_points"),
    "bloodletting": (),
    "other": ("description",),
}
REQUIRED = {
    "cupping": ("cupping_method", "cups", "minutes"),
    "electroacupuncture": ("ea_pairs", "ea_frequency_hz", "ea_waveform", "minutes"),
    "moxibustion": ("moxa_method", "minutes"),
    "gua_sha": ("sites",),
    "tuina": ("minutes",),
    "heat_lamp": ("minutes",),
    "auricular": ("auricular_method", "auricular_points"),
    "bloodletting": ("sites",),
    "other": ("description",),
}
PAIR = re.compile(
    r"^\s*([A-Za-z][A-Za-z.\- ]*\d{1,2})\s*(?:-|–|/|\+|to)\s*([A-Za-z][A-Za-z.\- ]*\d{1,2})\s*$"
)


def _choices(vocabulary):
    return [("", "Choose"), *vocabulary]


class AdjunctRowForm(Form):
    kind = HiddenField()
    minutes = IntegerField(
        "Minutes",
        validators=[Optional(), NumberRange(0, 120, message="Minutes must be from 0 to 120.")],
    )
    sites = StringField("Sites", validators=[Length(max=300)])
    notes = StringField("Notes", validators=[Length(max=500)])

    cupping_method = SelectField("Method", default="", choices=_choices(vocab.CUPPING_METHODS))
    cups = IntegerField(
        "Number of cups", validators=[Optional(), NumberRange(1, 40, message="From 1 to 40 cups.")]
    )
    cupping_marks = SelectField("Marks left", default="", choices=_choices(vocab.CUPPING_MARKS))

    ea_pairs = StringField(
        "Point pairs connected",
        validators=[Length(max=200)],
        description="e.g. BL23-BL25, LI4-LI11 (points of this session)",
    )
    ea_frequency_hz = DecimalField(
        "Frequency (Hz)",
        validators=[
            Optional(),
            NumberRange(Decimal("0.5"), 200, message="Frequency must be 0.5 to 200 Hz."),
        ],
    )
    ea_frequency_2_hz = DecimalField(
        "Second frequency (Hz, dense-disperse)",
        validators=[
            Optional(),
            NumberRange(Decimal("0.5"), 200, message="Frequency must be 0.5 to 200 Hz."),
        ],
    )
    ea_waveform = SelectField("Waveform", default="", choices=_choices(vocab.EA_WAVEFORMS))
    ea_intensity_ma = DecimalField(
        "Intensity (mA)",
        validators=[Optional(), NumberRange(0, 50, message="Intensity must be 0 to 50 mA.")],
    )
    ea_intensity_note = StringField(
        "Intensity note",
        validators=[Length(max=100)],
        description="e.g. to comfort, visible twitch",
    )

    moxa_method = SelectField("Method", default="", choices=_choices(vocab.MOXA_METHODS))
    moxa_cones = IntegerField(
        "Cones", validators=[Optional(), NumberRange(1, 50, message="From 1 to 50 cones.")]
    )

    lamp_distance_cm = IntegerField(
        "Distance (cm)",
        validators=[Optional(), NumberRange(10, 100, message="Keep the lamp 10 to 100 cm away.")],
    )

    auricular_method = SelectField("Method", default="", choices=_choices(vocab.AURICULAR_METHODS))
    ear_side = SelectField("Ear", choices=vocab.EAR_SIDES, default="both")
    auricular_points = StringField(
        "Ear points", validators=[Length(max=200)], description="e.g. Shen Men, Lumbar spine"
    )

    description = StringField("What was done", validators=[Length(max=300)])

    @property
    def kind_label(self) -> str:
        return dict(vocab.ADJUNCT_KINDS).get(self.kind.data, "Technique")

    @property
    def shown_fields(self) -> tuple[str, ...]:
        return KIND_FIELDS.get(self.kind.data, ())

    def check(self, session_codes: set[str]) -> bool:
        """Kind-specific rules (beyond each field's own); ``session_codes`` are the point codes
        of this session, which electroacupuncture pairs must use."""
        ok = True
        if self.kind.data not in KIND_FIELDS:
            self.kind.errors.append("Unknown technique.")
            return False
        for name in REQUIRED[self.kind.data]:
            field = self[name]
            if field.data in (None, "") and not field.errors:
                field.errors.append(f"Required for {self.kind_label.lower()}.")
                ok = False
        if self.kind.data == "electroacupuncture" and self.ea_pairs.data:
            ok = self._check_pairs(session_codes) and ok
        return ok

    def _check_pairs(self, session_codes: set[str]) -> bool:
        from tracker.points.codes import canonical_code

        for chunk in filter(None, (c.strip() for c in re.split(r"[,;]", self.ea_pairs.data))):
            match = PAIR.match(chunk)
            codes = [canonical_code(code) for code in match.groups()] if match else []
            if not match or None in codes:
                self.ea_pairs.errors.append(f"“{chunk}” is not a pair like BL23-BL25.")
                return False
            if codes[0] == codes[1] and codes[0] is not None:
                self.ea_pairs.errors.append(f"“{chunk}” connects a point to itself.")
                return False
            missing = [code for code in codes if code not in session_codes]
            if missing:
                self.ea_pairs.errors.append(
                    f"{', '.join(missing)} is not among this session's points."
                )
                return False
        return True

    def pairs(self) -> list[list[str]]:
        from tracker.points.codes import canonical_code

        chunks = filter(None, (c.strip() for c in re.split(r"[,;]", self.ea_pairs.data or "")))
        return [[canonical_code(code) for code in PAIR.match(chunk).groups()] for chunk in chunks]

    def values(self) -> dict:
        """The adjunct as the session service stores it."""
        params = {}
        for name in self.shown_fields:
            value = self[name].data
            if name == "ea_pairs":
                value = self.pairs()
            elif isinstance(value, Decimal):
                value = float(value)
            if value not in (None, "", []):
                params[name] = value
        return {
            "kind": self.kind.data,
            "minutes": self.minutes.data,
            "sites": (self.sites.data or "").strip(),
            "notes": (self.notes.data or "").strip(),
            "params": params,
        }


def adjunct_form_data(adjunct: dict) -> dict:
    """A stored adjunct (or a copied one) as form-row data."""
    data = {
        "kind": adjunct["kind"],
        "minutes": adjunct.get("minutes"),
        "sites": adjunct.get("sites", ""),
        "notes": adjunct.get("notes", ""),
    }
    for name, value in (adjunct.get("params") or {}).items():
        if name == "ea_pairs":
            value = ", ".join("-".join(pair) for pair in value)
        elif isinstance(value, float):
            value = Decimal(str(value))
        data[name] = value
    return data


def describe(adjunct) -> str:
    """One line for the timeline and the note: "Cupping, dry, 6 cups, 10 min"."""
    labels = {
        **dict(vocab.CUPPING_METHODS),
        **dict(vocab.EA_WAVEFORMS),
        **dict(vocab.MOXA_METHODS),
        **dict(vocab.AURICULAR_METHODS),
    }
    params = adjunct.params or {}
    parts = [dict(vocab.ADJUNCT_KINDS).get(adjunct.kind, adjunct.kind)]
    if adjunct.kind == "cupping":
        parts += [labels.get(params.get("cupping_method"), ""), f"{params.get('cups', '?')} cups"]
    elif adjunct.kind == "electroacupuncture":
        pairs = ", ".join("-".join(p) for p in params.get("ea_pairs", []))
        freq = f"{params.get('ea_frequency_hz', '?'):g}"
        if params.get("ea_frequency_2_hz"):
            freq += f"/{params['ea_frequency_2_hz']:g}"
        parts += [pairs, f"{freq} Hz", labels.get(params.get("ea_waveform"), "")]
    elif adjunct.kind == "moxibustion":
        parts.append(labels.get(params.get("moxa_method"), ""))
    elif adjunct.kind == "auricular":
        parts += [
            labels.get(params.get("auricular_method"), ""),
            params.get("auricular_points", ""),
        ]
    elif adjunct.kind == "other":
        parts.append(params.get("description", ""))
    if adjunct.sites:
        parts.append(adjunct.sites)
    if adjunct.minutes is not None:
        parts.append(f"{adjunct.minutes} min")
    return ", ".join(p for p in parts if p)
