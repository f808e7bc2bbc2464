"""Adjunct techniques, described once: each kind's parameters with their label, unit, form
control and validation, which of them a kind requires, how they are stored and how a
technique reads in one line.

A stored adjunct is ``kind``, ``minutes``, ``sites``, ``notes`` and ``params``: a JSON object
under the parameter names of this module, so a stored adjunct refills its form row unchanged
("copy last session", editing a draft) and an export names its parameters with their units.
Adding a parameter is one ``Param`` here and its name in its kind's ``params``.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional

from tracker.fields import RowForm, SelectField, StrictDecimalField
from tracker.i18n import _, _l
from tracker.points.codes import canonical_code
from tracker.sessions import vocab

PAIR = re.compile(
    r"^\s*([A-Za-z][A-Za-z.\- ]*\d{1,2})\s*(?:-|–|/|\+|to)\s*([A-Za-z][A-Za-z.\- ]*\d{1,2})\s*$"
)


def _choose(vocabulary):
    return [("", _l("Choose")), *vocabulary]


def _pairs_from_text(text: str) -> list[list[str]]:
    chunks = filter(None, (c.strip() for c in re.split(r"[,;]", text or "")))
    return [[canonical_code(code) for code in PAIR.match(chunk).groups()] for chunk in chunks]


def _pairs_to_text(pairs) -> str:
    return ", ".join("-".join(pair) for pair in pairs or [])


def _number_to_json(value):
    return float(value) if isinstance(value, Decimal) else value


def _number_from_json(value):
    return Decimal(str(value)) if isinstance(value, float) else value


@dataclass(frozen=True)
class Param:
    """One parameter of a technique."""

    name: str
    label: str
    control: Callable  # () -> an unbound WTForms field
    unit: str = ""
    to_json: Callable = lambda value: value  # form data -> stored value
    from_json: Callable = lambda value: value  # stored value -> form data
    vocabulary: tuple = ()  # labels of stored codes, for the one-line summary


def _select(name, label, vocabulary, **options):
    return Param(name, label, lambda: SelectField(label, default="", choices=_choose(vocabulary)),
                 vocabulary=vocabulary, **options)


def _count(name, label, low, high, message, unit=""):
    return Param(name, label, lambda: IntegerField(label, validators=[
        Optional(), NumberRange(low, high, message=message)]), unit=unit)


def _decimal(name, label, low, high, message, unit):
    return Param(name, label, lambda: StrictDecimalField(label, validators=[
        Optional(), NumberRange(low, high, message=message)]), unit=unit,
        to_json=_number_to_json, from_json=_number_from_json)


def _text(name, label, length, description=""):
    return Param(name, label, lambda: StringField(label, validators=[Length(max=length)],
                                                  description=description))


PARAMS = {param.name: param for param in (
    _select("cupping_method", _l("Method"), vocab.CUPPING_METHODS),
    _count("cups", _l("Number of cups"), 1, 40, _l("From 1 to 40 cups."), _l("cups")),
    _select("cupping_marks", _l("Marks left"), vocab.CUPPING_MARKS),
    Param("ea_pairs", _l("Point pairs connected"),
          lambda: StringField(_l("Point pairs connected"), validators=[Length(max=200)],
                              description=_l("e.g. BL23-BL25, LI4-LI11 (points of this session)")),
          to_json=_pairs_from_text, from_json=_pairs_to_text),
    _decimal("ea_frequency_hz", _l("Frequency (Hz)"), Decimal("0.5"), 200,
             _l("Frequency must be 0.5 to 200 Hz."), _l("Hz")),
    _decimal("ea_frequency_2_hz", _l("Second frequency (Hz, dense-disperse)"), Decimal("0.5"),
             200, _l("Frequency must be 0.5 to 200 Hz."), _l("Hz")),
    _select("ea_waveform", _l("Waveform"), vocab.EA_WAVEFORMS),
    _decimal("ea_intensity_ma", _l("Intensity (mA)"), 0, 50, _l("Intensity must be 0 to 50 mA."),
             _l("mA")),
    _text("ea_intensity_note", _l("Intensity note"), 100, _l("e.g. to comfort, visible twitch")),
    _select("moxa_method", _l("Method"), vocab.MOXA_METHODS),
    _count("moxa_cones", _l("Cones"), 1, 50, _l("From 1 to 50 cones."), _l("cones")),
    _count("lamp_distance_cm", _l("Distance (cm)"), 10, 100,
           _l("Keep the lamp 10 to 100 cm away."), _l("cm")),
    _select("auricular_method", _l("Method"), vocab.AURICULAR_METHODS),
    Param("ear_side", _l("Ear"),
          lambda: SelectField(_l("Ear"), choices=vocab.EAR_SIDES, default="both"),
          vocabulary=vocab.EAR_SIDES),
    _text("auricular_points", _l("Ear points"), 200, _l("e.g. Shen Men, Lumbar spine")),
    _text("description", _l("What was done"), 300),
)}


@dataclass(frozen=True)
class Technique:
    """A kind of adjunct: the parameters it shows, those it requires (``minutes`` and
    ``sites`` may be among them), and those its one-line summary reads."""

    kind: str
    params: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return dict(vocab.ADJUNCT_KINDS)[self.kind]


TECHNIQUES = {technique.kind: technique for technique in (
    Technique("cupping", ("cupping_method", "cups", "cupping_marks"),
              ("cupping_method", "cups", "minutes"), ("cupping_method", "cups")),
    Technique("electroacupuncture",
              ("ea_pairs", "ea_frequency_hz", "ea_frequency_2_hz", "ea_waveform",
               "ea_intensity_ma", "ea_intensity_note"),
              ("ea_pairs", "ea_frequency_hz", "ea_waveform", "minutes"),
              ("ea_pairs", "ea_frequency_hz", "ea_waveform")),
    Technique("moxibustion", ("moxa_method", "moxa_cones"), ("moxa_method", "minutes"),
              ("moxa_method",)),
    Technique("gua_sha", required=("sites",)),
    Technique("tuina", required=("minutes",)),
    Technique("heat_lamp", ("lamp_distance_cm",), ("minutes",)),
    Technique("auricular", ("auricular_method", "ear_side", "auricular_points"),
              ("auricular_method", "auricular_points"), ("auricular_method", "auricular_points")),
    Technique("bloodletting", required=("sites",)),
    Technique("other", ("description",), ("description",), ("description",)),
)}


class _AdjunctRowBase(RowForm):
    kind = HiddenField()
    minutes = IntegerField(
        _l("Minutes"),
        validators=[Optional(), NumberRange(0, 120, message=_l("Minutes must be from 0 to 120."))],
    )
    sites = StringField(_l("Sites"), validators=[Length(max=300)])
    notes = StringField(_l("Notes"), validators=[Length(max=500)])

    @property
    def technique(self) -> Technique | None:
        return TECHNIQUES.get(self.kind.data)

    @property
    def kind_label(self) -> str:
        return self.technique.label if self.technique else _("Technique")

    @property
    def shown_fields(self) -> tuple[str, ...]:
        return self.technique.params if self.technique else ()

    def check(self, session_codes: set[str]) -> bool:
        """Kind-specific rules (beyond each field's own); ``session_codes`` are the point codes
        of this session, which electroacupuncture pairs must use."""
        if self.technique is None:
            self.kind.errors.append(_("Unknown technique."))
            return False
        ok = True
        for name in self.technique.required:
            field = self[name]
            if field.data in (None, "") and not field.errors:
                field.errors.append(
                    _("Required for %(technique)s.", technique=self.kind_label.lower())
                )
                ok = False
        if self.kind.data == "electroacupuncture" and self.ea_pairs.data:
            ok = self._check_pairs(session_codes) and ok
        return ok

    def _check_pairs(self, session_codes: set[str]) -> bool:
        for chunk in filter(None, (c.strip() for c in re.split(r"[,;]", self.ea_pairs.data))):
            match = PAIR.match(chunk)
            codes = [canonical_code(code) for code in match.groups()] if match else []
            if not match or None in codes:
                self.ea_pairs.errors.append(
                    _("“%(pair)s” is not a pair like BL23-BL25.", pair=chunk)
                )
                return False
            if codes[0] == codes[1]:
                self.ea_pairs.errors.append(
                    _("“%(pair)s” connects a point to itself.", pair=chunk)
                )
                return False
            missing = [code for code in codes if code not in session_codes]
            if missing:
                self.ea_pairs.errors.append(
                    _("%(codes)s is not among this session's points.",
                      codes=", ".join(missing))
                )
                return False
        return True

    def values(self) -> dict:
        """The adjunct as the session service stores it."""
        params = {}
        for name in self.shown_fields:
            value = PARAMS[name].to_json(self[name].data)
            if value not in (None, "", []):
                params[name] = value
        return {
            "kind": self.kind.data,
            "minutes": self.minutes.data,
            "sites": (self.sites.data or "").strip(),
            "notes": (self.notes.data or "").strip(),
            "params": params,
        }


# One row form for every kind: the kind decides which parameters show and count.
AdjunctRowForm = type("AdjunctRowForm", (_AdjunctRowBase,),
                      {name: param.control() for name, param in PARAMS.items()})


def adjunct_form_data(adjunct: dict) -> dict:
    """A stored adjunct (or a copied one) as form-row data."""
    data = {
        "kind": adjunct["kind"],
        "minutes": adjunct.get("minutes"),
        "sites": adjunct.get("sites", ""),
        "notes": adjunct.get("notes", ""),
    }
    for name, value in (adjunct.get("params") or {}).items():
        if name in PARAMS:
            data[name] = PARAMS[name].from_json(value)
    return data


def describe(adjunct) -> str:
    """One line for the timeline and the note: "Cupping, Dry (stationary), 6 cups, 10 min"."""
    technique = TECHNIQUES.get(adjunct.kind)
    params = adjunct.params or {}
    parts = [str(technique.label) if technique else adjunct.kind]
    for name in technique.summary if technique else ():
        parts.append(_summary_part(name, params))
    if adjunct.sites:
        parts.append(adjunct.sites)
    if adjunct.minutes is not None:
        parts.append(_("%(minutes)s min", minutes=adjunct.minutes))
    return ", ".join(p for p in parts if p)


def _summary_part(name: str, params: dict) -> str:
    param, value = PARAMS[name], params.get(name)
    if name == "ea_pairs":
        return _pairs_to_text(value)
    if name == "ea_frequency_hz":  # "2/100 Hz" for dense-disperse
        second = params.get("ea_frequency_2_hz")
        first = "?" if value is None else f"{value:g}"
        return f"{first}/{second:g} {param.unit}" if second else f"{first} {param.unit}"
    if param.vocabulary:
        return str(dict(param.vocabulary).get(value, ""))
    if value in (None, ""):
        return f"? {param.unit}".strip() if param.unit else ""
    return f"{value} {param.unit}".strip()
