"""The caution engine: one place that decides what to warn about (DOMAIN.md section 5).

It takes a patient's safety facts and what a session plans or did (points with side, depth
and angle; adjunct techniques) and returns cautions with a severity, the reason and the
source. It reads no database and knows nothing of HTTP, so the session form, the JSON preview,
the signing check and the signed note all ask it the same question and get the same answer.

Severities:
- ``info``: a hint shown beside the choice; nothing to decide.
- ``warning``: acknowledged, or overridden with a reason, before the note is signed.
- ``contraindicated``: saved only with an explicit override and its reason.
"""

from dataclasses import dataclass, field
from datetime import date

INFO, WARNING, CONTRAINDICATED = "info", "warning", "contraindicated"
SEVERITY_ORDER = {CONTRAINDICATED: 0, WARNING: 1, INFO: 2}

# First trimester: up to the end of week 13 (WHO 1999 says "after the third month").
FIRST_TRIMESTER_WEEKS = 14

WHO_PREGNANCY = ("WHO Guidelines on basic training and safety in acupuncture (1999) §2.1: "
                 "in the first trimester avoid lower abdomen and lumbosacral points; after the "
                 "third month also upper abdomen points and ear points that may induce labour.")
WHO_THORAX = ("WHO 1999 §5.2: chest, back and abdomen points are needled obliquely or "
              "horizontally; too deep an insertion may cause pneumothorax.")
WHO_ELECTRICAL = ("WHO 1999 §4 (electrical stimulation) and device makers: electroacupuncture "
                  "is contraindicated with a pacemaker or other implanted electrical device.")
BLEEDING_SOURCE = ("Bleeding risk with anticoagulants or a bleeding disorder: wet cupping, gua "
                   "sha and bloodletting draw blood or bruise by design (clinic safety rules, "
                   "DOMAIN.md section 5).")
BURN_SOURCE = ("WHO 1999 §3 (burning during moxibustion); reduced sensation, as in diabetes, "
               "hides the warning heat of a burn.")
FAINTING_SOURCE = "WHO 1999 §3 (fainting): treat lying down and watch for needle shock."
METAL_SOURCE = "Metal allergy: nickel in stainless-steel needles can cause local reactions."

BLEEDING_TECHNIQUES = {"gua_sha": "Gua sha", "bloodletting": "Bloodletting"}
HEAT_TECHNIQUES = {"moxibustion": "Moxibustion", "heat_lamp": "Heat lamp"}


@dataclass(frozen=True)
class SafetyFacts:
    """What the intake says about the patient, as of the session date."""

    pregnant: bool = False
    pregnancy_weeks: int | None = None
    pacemaker: bool = False
    anticoagulants: bool = False
    diabetes: bool = False
    reduced_sensation: bool = False
    needle_fainting: bool = False
    metal_allergy: bool = False

    @classmethod
    def of_episode(cls, episode, on: date) -> "SafetyFacts":
        return cls(
            pregnant=episode.pregnant, pregnancy_weeks=episode.pregnancy_weeks_on(on),
            pacemaker=episode.pacemaker, anticoagulants=episode.anticoagulants,
            diabetes=episode.diabetes, reduced_sensation=episode.reduced_sensation,
            needle_fainting=episode.needle_fainting, metal_allergy=episode.metal_allergy,
        )

    @property
    def first_trimester(self) -> bool:
        """Unknown weeks count as the first trimester: the lists then cover the most points."""
        return self.pregnancy_weeks is None or self.pregnancy_weeks < FIRST_TRIMESTER_WEEKS


@dataclass(frozen=True)
class PlannedPoint:
    """A point row as the engine sees it (catalog flags copied in, depth in mm)."""

    code: str
    region: str = ""
    pregnancy_caution: bool = False
    pregnancy_source: str = ""
    thorax_depth_caution: bool = False
    max_depth_mm: int | None = None
    depth_source: str = ""
    always_warn: bool = False
    always_warn_reason: str = ""
    depth_mm: float | None = None
    angle: str | None = None
    electrical: bool = False

    @classmethod
    def of(cls, point, *, depth_mm=None, angle=None, electrical=False) -> "PlannedPoint":
        return cls(
            code=point.code, region=point.region, pregnancy_caution=point.pregnancy_caution,
            pregnancy_source=point.pregnancy_source,
            thorax_depth_caution=point.thorax_depth_caution, max_depth_mm=point.max_depth_mm,
            depth_source=point.depth_source, always_warn=point.always_warn,
            always_warn_reason=point.always_warn_reason, depth_mm=depth_mm, angle=angle,
            electrical=electrical,
        )


@dataclass(frozen=True)
class PlannedAdjunct:
    kind: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Caution:
    rule: str
    target: str  # the point code or technique it concerns
    severity: str
    message: str
    reason: str
    source: str

    @property
    def key(self) -> str:
        """Identity across re-computations: the same rule on the same target."""
        return f"{self.rule}:{self.target}"

    @property
    def needs_decision(self) -> bool:
        return self.severity in (WARNING, CONTRAINDICATED)


def cautions_for(facts: SafetyFacts, points: list[PlannedPoint],
                 adjuncts: list[PlannedAdjunct]) -> list[Caution]:
    """Every caution for this patient and plan, most serious first, one per rule and target."""
    found: dict[str, Caution] = {}
    for point in points:
        for caution in _point_cautions(facts, point):
            _keep(found, caution)
    # Electrical stimulation recorded on a point row is electroacupuncture too.
    if any(point.electrical for point in points):
        adjuncts = [*adjuncts, PlannedAdjunct("electroacupuncture")]
    for adjunct in adjuncts:
        for caution in _adjunct_cautions(facts, adjunct):
            _keep(found, caution)
    if points and facts.needle_fainting:
        _keep(found, Caution("needle_fainting", "needling", WARNING,
                             "History of fainting with needles: treat lying down, watch closely.",
                             "The intake records fainting with needles.", FAINTING_SOURCE))
    if points and facts.metal_allergy:
        _keep(found, Caution("metal_allergy", "needling", WARNING,
                             "Metal allergy: check the needle material before inserting.",
                             "The intake records a metal allergy.", METAL_SOURCE))
    return sorted(found.values(), key=lambda c: (SEVERITY_ORDER[c.severity], c.rule, c.target))


def _keep(found: dict, caution: Caution) -> None:
    current = found.get(caution.key)
    if current is None or SEVERITY_ORDER[caution.severity] < SEVERITY_ORDER[current.severity]:
        found[caution.key] = caution


def _point_cautions(facts: SafetyFacts, point: PlannedPoint):
    if point.always_warn:
        yield Caution("always_warn", point.code, WARNING,
                      f"{point.code}: {point.always_warn_reason}",
                      "Warned for every patient.", point.always_warn_reason)
    if facts.pregnant:
        weeks = (f"{facts.pregnancy_weeks} weeks pregnant" if facts.pregnancy_weeks is not None
                 else "pregnant (weeks not recorded)")
        if point.pregnancy_caution:
            yield Caution("pregnancy", point.code, WARNING,
                          f"{point.code} is cautioned in pregnancy; the patient is {weeks}.",
                          "Traditionally avoided in pregnancy (may induce labour).",
                          point.pregnancy_source or WHO_PREGNANCY)
        elif point.region == "upper_abdomen" and not facts.first_trimester:
            yield Caution("pregnancy", point.code, WARNING,
                          f"{point.code} is an upper-abdomen point; the patient is {weeks}.",
                          "After the first trimester WHO advises avoiding upper-abdomen points.",
                          WHO_PREGNANCY)
    if point.thorax_depth_caution:
        yield _thorax_caution(point)


def _thorax_caution(point: PlannedPoint) -> Caution:
    limit = point.max_depth_mm
    too_deep = point.depth_mm is not None and limit is not None and point.depth_mm > limit
    perpendicular = point.angle == "perpendicular"
    source = f"{point.depth_source}. {WHO_THORAX}" if point.depth_source else WHO_THORAX
    if too_deep or perpendicular:
        problems = []
        if too_deep:
            problems.append(f"{point.depth_mm:g} mm is deeper than the {limit} mm hint")
        if perpendicular:
            problems.append("perpendicular insertion points at the pleura")
        return Caution("thorax_depth", point.code, WARNING,
                       f"{point.code}: pneumothorax risk: {'; '.join(problems)}.",
                       "The lung lies close under this point.", source)
    return Caution("thorax_depth", point.code, INFO,
                   f"{point.code}: lung close below: stay under about {limit} mm, oblique or "
                   "transverse.", "The lung lies close under this point.", source)


def _adjunct_cautions(facts: SafetyFacts, adjunct: PlannedAdjunct):
    kind = adjunct.kind
    if kind == "electroacupuncture" and facts.pacemaker:
        yield Caution("pacemaker_electroacupuncture", "electroacupuncture", CONTRAINDICATED,
                      "Electroacupuncture with a pacemaker or implanted electrical device is "
                      "contraindicated.",
                      "The intake records a pacemaker or implanted electrical device.",
                      WHO_ELECTRICAL)
    if facts.anticoagulants:
        label = BLEEDING_TECHNIQUES.get(kind)
        if kind == "cupping" and adjunct.params.get("cupping_method") == "wet":
            label = "Wet cupping"
        if label:
            yield Caution("bleeding", kind, WARNING,
                          f"{label} with anticoagulants or a bleeding disorder: bleeding and "
                          "bruising risk.",
                          "The intake records anticoagulants or a bleeding disorder.",
                          BLEEDING_SOURCE)
    if (facts.diabetes or facts.reduced_sensation) and kind in HEAT_TECHNIQUES:
        yield Caution("burn", kind, WARNING,
                      f"{HEAT_TECHNIQUES[kind]} with diabetes or reduced sensation: burn risk; "
                      "keep the heat low and check the skin often.",
                      "The intake records diabetes or reduced sensation.", BURN_SOURCE)
    if kind == "auricular" and facts.pregnant and not facts.first_trimester:
        yield Caution("pregnancy", "auricular", WARNING,
                      "Auricular points in pregnancy after the first trimester: some ear points "
                      "may induce labour.", "The patient is pregnant.", WHO_PREGNANCY)
