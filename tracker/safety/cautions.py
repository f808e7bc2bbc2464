"""The caution engine: one place that decides what to warn about (DOMAIN.md section 5).

It takes a patient's safety facts and what a session plans or did (every needle with its
place, side, depth and angle; adjunct techniques) and returns cautions with a severity, the
reason and a published source. It reads no database and knows nothing of HTTP, so the session
form, the JSON preview, the stored cautions, signing and the signed note all ask it the same
question and get the same answer.

Every needle is checked: a catalog point by its catalog flags and region, a custom point (an
Ashi point, an extra point not in the catalog) by the region and level recorded with it. A
level moves a needle to the region it names (EX-B2 at L3 is a lumbosacral needle).

Severities:
- ``info``: a hint shown beside the choice; nothing to decide.
- ``warning``: acknowledged, or overridden with a reason, before the note is signed.
- ``contraindicated``: saved only with an explicit override and its reason.
"""

from dataclasses import dataclass, field
from datetime import date

from tracker.i18n import _, _l, ngettext
from tracker.points.regions import (
    LOWER_ABDOMEN_REGIONS,
    LUMBOSACRAL_REGIONS,
    REGION_DEPTH_HINTS,
    REGIONS,
    THORAX_REGIONS,
    UPPER_ABDOMEN_REGIONS,
    level_label,
    region_at,
)

INFO, WARNING, CONTRAINDICATED = "info", "warning", "contraindicated"
SEVERITY_ORDER = {CONTRAINDICATED: 0, WARNING: 1, INFO: 2}

# The first trimester runs to the end of week 13 (WHO 1999: "after the third month").
FIRST_TRIMESTER_WEEKS = 14

# Sources, reasons and messages are text in the locale of the request that asks (English
# outside one): a caution is stored as it was shown.
WHO_PREGNANCY = _l("WHO, Guidelines on basic training and safety in acupuncture (1999), "
                   "section II 2.1: in the first trimester avoid points on the lower abdomen and "
                   "the lumbosacral region; after the third month also points on the upper "
                   "abdomen, and ear points that may induce labour.")
WHO_THORAX = _l("WHO 1999, section II 5.2: points on the chest, back and abdomen are needled "
                "obliquely or horizontally; too deep an insertion over the chest, back or "
                "supraclavicular fossa may cause a traumatic pneumothorax.")
STERNAL_FORAMEN_SOURCE = _l("Peuker E, Cummings M. Anatomy for the acupuncturist: facts and "
                            "fiction 2: the chest, abdomen and back. Acupunct Med 2003;21(3):72-9: "
                            "a congenital sternal foramen at the level of CV17 in some people "
                            "lets a deep needle reach the pericardium.")
WHO_ELECTRICAL = _l("WHO 1999, section II 4 (electrical stimulation and laser therapy); pacemaker "
                    "and implanted-defibrillator manuals list electroacupuncture as "
                    "contraindicated (Cummings M, “TENS in patients with ICDs”, BMAS "
                    "blog, 2023).")
BLEEDING_SOURCE = _l("WHO 1999, section II 2.4 (bleeding disorders, among the contraindications); "
                     "CCAOM Clean Needle Technique Manual, 7th ed. (2015): anticoagulants "
                     "increase bruising and bleeding.")
BURN_SOURCE = _l("WHO 1999, section II 3.9 (burning during moxibustion); reduced sensation, as "
                 "in diabetes, hides the warning heat of a burn.")
FAINTING_SOURCE = _l("WHO 1999, section II 3.3 (fainting): treat lying down and watch for "
                     "needle shock.")
METAL_SOURCE = _l("Grimalt F, Romaguera C. Nickel dermatitis from acupuncture needles. Contact "
                  "Dermatitis 1979;5:195 (stainless-steel needles hold nickel).")
SKIN_SOURCE = _l("New Zealand Acupuncture Standards Authority, Code of Safe Practice for "
                 "Acupuncturists: do not needle inflamed areas or unhealthy skin.")

# CV17 lies over the sternum, where a sternal foramen may be; the hint is the deep end of
# its textbook range (transverse 0.3-0.5 cun, Chinese Acupuncture and Moxibustion 1999).
STERNAL_FORAMEN_POINTS = {"CV17": 10}

NEEDLING_TARGET = "needling"
# Adjuncts by the rule they meet (each caution's message names the technique).
BLEEDING_TECHNIQUES = frozenset({"gua_sha", "bloodletting"})
HEAT_TECHNIQUES = frozenset({"moxibustion", "heat_lamp"})
SKIN_TECHNIQUES = frozenset({"cupping", "gua_sha"})


@dataclass(frozen=True)
class SafetyFacts:
    """What the intake says about the patient, as of the session date.

    ``pregnancy_weeks`` is None when the weeks are not recorded: then every trimester's
    rules apply.
    """

    pregnant: bool = False
    pregnancy_weeks: int | None = None
    pacemaker: bool = False
    anticoagulants: bool = False
    diabetes: bool = False
    reduced_sensation: bool = False
    needle_fainting: bool = False
    metal_allergy: bool = False
    skin_lesions: bool = False
    skin_lesions_site: str = ""

    @classmethod
    def of_episode(cls, episode, on: date) -> "SafetyFacts":
        """The episode's facts on ``on``, the session's clinic-local date."""
        return cls(
            pregnant=episode.pregnant, pregnancy_weeks=episode.pregnancy_weeks_on(on),
            pacemaker=episode.pacemaker, anticoagulants=episode.anticoagulants,
            diabetes=episode.diabetes, reduced_sensation=episode.reduced_sensation,
            needle_fainting=episode.needle_fainting, metal_allergy=episode.metal_allergy,
            skin_lesions=episode.skin_lesions, skin_lesions_site=episode.skin_lesions_site,
        )

    @property
    def past_first_trimester(self) -> bool:
        """From week 14, and whenever the weeks are not recorded (the stricter reading)."""
        return self.pregnancy_weeks is None or self.pregnancy_weeks >= FIRST_TRIMESTER_WEEKS

    @property
    def pregnancy_text(self) -> str:
        if self.pregnancy_weeks is None:
            return _("pregnant (weeks not recorded: every trimester's rules apply)")
        return ngettext("%(num)d week pregnant", "%(num)d weeks pregnant", self.pregnancy_weeks)


@dataclass(frozen=True)
class PlannedPoint:
    """A needle as the engine sees it: catalog flags copied in (none for a custom point), its
    place, depth in mm, angle and stimulation."""

    code: str  # the catalog code, or "Ashi" for a custom point
    region: str = ""  # where the needle is, its level taken into account
    level: str = ""
    label: str = ""  # a custom point's place as typed ("left T7 paraspinal")
    custom: bool = False
    pregnancy_caution: bool = False
    pregnancy_source: str = ""
    thorax_depth_caution: bool = False
    max_depth_mm: int | None = None
    depth_source: str = ""
    depth_hint_basis: str = ""
    always_warn: bool = False
    always_warn_reason: str = ""
    depth_mm: float | None = None
    angle: str | None = None
    electrical: bool = False

    @classmethod
    def of(cls, point, *, level="", depth_mm=None, angle=None, electrical=False
           ) -> "PlannedPoint":
        """A catalog point, at ``level`` when it takes one (EX-B2)."""
        return cls(
            code=point.code, region=region_at(point.region, level), level=level or "",
            pregnancy_caution=point.pregnancy_caution, pregnancy_source=point.pregnancy_source,
            thorax_depth_caution=point.thorax_depth_caution, max_depth_mm=point.max_depth_mm,
            depth_source=point.depth_source,
            depth_hint_basis=getattr(point, "depth_hint_basis", "") or "textbook",
            always_warn=point.always_warn, always_warn_reason=point.always_warn_reason,
            depth_mm=depth_mm, angle=angle, electrical=electrical,
        )

    @classmethod
    def custom_point(cls, label: str, region: str, *, level="", depth_mm=None, angle=None,
                     electrical=False) -> "PlannedPoint":
        """A custom point (Ashi, or an extra point not in the catalog) at its recorded place."""
        return cls(code="Ashi", region=region_at(region, level), level=level or "",
                   label=label, custom=True, depth_mm=depth_mm, angle=angle,
                   electrical=electrical)

    @property
    def target(self) -> str:
        """What a caution names: "BL23", "EX-B2 T7", "Ashi: left T7 paraspinal"."""
        if self.custom:
            return f"Ashi: {self.label or self.level or self.region}"[:120]
        return f"{self.code} {self.level}".strip()

    @property
    def over_thorax(self) -> bool:
        """Whether the lung lies under this needle."""
        if self.custom:
            return self.region in THORAX_REGIONS
        # A levelled catalog point (EX-B2) is over the lung only at a thoracic level.
        return self.thorax_depth_caution and (not self.level or self.region in THORAX_REGIONS)


@dataclass(frozen=True)
class PlannedAdjunct:
    kind: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Caution:
    rule: str
    target: str  # the point, needle place or technique it concerns
    severity: str
    message: str
    reason: str
    source: str

    def __post_init__(self):
        # Stored and sent as JSON: text, never a lazy string.
        for name in ("message", "reason", "source"):
            object.__setattr__(self, name, str(getattr(self, name)))

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
    if points:
        for caution in _needling_cautions(facts):
            _keep(found, caution)
    return sorted(found.values(), key=lambda c: (SEVERITY_ORDER[c.severity], c.rule, c.target))


def _keep(found: dict, caution: Caution) -> None:
    current = found.get(caution.key)
    if current is None or SEVERITY_ORDER[caution.severity] < SEVERITY_ORDER[current.severity]:
        found[caution.key] = caution


def _point_cautions(facts: SafetyFacts, point: PlannedPoint):
    name = point.target
    if point.custom and point.region not in REGIONS:
        yield Caution("place_not_recorded", name, WARNING,
                      _("%(name)s: no body region recorded, so the lung and pregnancy rules "
                        "cannot check this needle. Add its region (and level on the trunk).",
                        name=name),
                      _("Every needle is checked by where it goes."), WHO_THORAX)
    if point.always_warn:
        yield Caution("always_warn", name, WARNING,
                      _("%(name)s: %(reason)s", name=name, reason=point.always_warn_reason),
                      _("Warned for every patient."), point.always_warn_reason)
    if facts.pregnant:
        pregnancy = _pregnancy_caution(facts, point)
        if pregnancy is not None:
            yield pregnancy
    if point.over_thorax:
        yield _thorax_caution(point)
    if point.code in STERNAL_FORAMEN_POINTS:
        yield _sternal_caution(point)


def _pregnancy_caution(facts: SafetyFacts, point: PlannedPoint) -> Caution | None:
    name, who = point.target, facts.pregnancy_text
    if point.pregnancy_caution:
        return Caution("pregnancy", name, WARNING,
                       _("%(name)s is cautioned in pregnancy; the patient is %(who)s.",
                         name=name, who=who),
                       _("Traditionally avoided in pregnancy (may induce labour)."),
                       point.pregnancy_source or WHO_PREGNANCY)
    if point.region in LUMBOSACRAL_REGIONS | LOWER_ABDOMEN_REGIONS:
        if point.region in LUMBOSACRAL_REGIONS:
            message = _("%(name)s is on the lumbosacral region; the patient is %(who)s.",
                        name=name, who=who)
        else:
            message = _("%(name)s is on the lower abdomen; the patient is %(who)s.",
                        name=name, who=who)
        return Caution("pregnancy", name, WARNING, message,
                       _("WHO advises avoiding lower-abdomen and lumbosacral points in every "
                         "trimester."), WHO_PREGNANCY)
    if point.region in UPPER_ABDOMEN_REGIONS and facts.past_first_trimester:
        return Caution("pregnancy", name, WARNING,
                       _("%(name)s is on the upper abdomen; the patient is %(who)s.",
                         name=name, who=who),
                       _("After the first trimester WHO advises avoiding upper-abdomen points."),
                       WHO_PREGNANCY)
    return None


def _depth_hint(point: PlannedPoint) -> tuple[int | None, str, str]:
    """The depth hint in mm, how to read it, and its source."""
    if point.custom:
        limit, source = REGION_DEPTH_HINTS.get(point.region, (None, ""))
        basis = "population_mean" if point.region == "trapezius" else "textbook"
        return limit, basis, _("Depth hint: %(source)s.", source=source) if source else ""
    return point.max_depth_mm, point.depth_hint_basis or "textbook", point.depth_source


def _thorax_caution(point: PlannedPoint) -> Caution:
    name = point.target
    limit, basis, hint_source = _depth_hint(point)
    too_deep = point.depth_mm is not None and limit is not None and point.depth_mm > limit
    perpendicular = point.angle == "perpendicular"
    source = f"{hint_source.rstrip('.')}. {WHO_THORAX}" if hint_source else WHO_THORAX
    if point.level:
        reason = _("The lung lies close under this needle (%(level)s).",
                   level=level_label(point.level))
    else:
        reason = _("The lung lies close under this needle.")
    if too_deep or perpendicular:
        problems = []
        if too_deep:
            if basis == "no_needling":
                hint = _("this point is not needled at all")
            elif basis == "population_mean":
                hint = _("the mean skin-to-pleura depth here is about %(limit)s mm, a "
                         "population average, not a safe limit: thin patients are shallower",
                         limit=limit)
            else:
                hint = _("the textbook depth here goes to about %(limit)s mm", limit=limit)
            depth = f"{point.depth_mm:g}"
            problems.append(_("%(depth)s mm is deeper than the hint (%(hint)s)",
                              depth=depth, hint=hint))
        if perpendicular:
            problems.append(_("perpendicular insertion points at the pleura"))
        return Caution("thorax_depth", name, WARNING,
                       _("%(name)s: pneumothorax risk: %(problems)s.", name=name,
                         problems="; ".join(problems)), reason, source)
    # The hint in full in each message: a translation places it where its grammar wants.
    if basis == "no_needling":
        message = _("%(name)s: lung close below: this point is not needled at all; needle "
                    "oblique or transverse.", name=name)
    elif basis == "population_mean":
        message = _("%(name)s: lung close below: the mean skin-to-pleura depth here is about "
                    "%(limit)s mm, a population average, not a safe limit: thin patients are "
                    "shallower; needle oblique or transverse.", name=name, limit=limit)
    else:
        message = _("%(name)s: lung close below: the textbook depth here goes to about "
                    "%(limit)s mm; needle oblique or transverse.", name=name, limit=limit)
    return Caution("thorax_depth", name, INFO, message, reason, source)


def _sternal_caution(point: PlannedPoint) -> Caution:
    limit = STERNAL_FORAMEN_POINTS[point.code]
    too_deep = point.depth_mm is not None and point.depth_mm > limit
    reason = _("A sternal foramen, present in some people, opens onto the pericardium here.")
    depth = f"{point.depth_mm:g}" if point.depth_mm is not None else ""
    if too_deep:
        return Caution("sternal_foramen", point.target, WARNING,
                       _("%(name)s: %(depth)s mm is deeper than %(limit)s mm over the sternum: a "
                         "sternal foramen would let the needle reach the heart. Needle "
                         "transversely and shallowly.",
                         name=point.target, depth=depth, limit=limit),
                       reason, STERNAL_FORAMEN_SOURCE)
    if point.angle == "perpendicular":
        return Caution("sternal_foramen", point.target, WARNING,
                       _("%(name)s: perpendicular insertion over the sternum: a sternal foramen "
                         "would let the needle reach the heart. Needle transversely and "
                         "shallowly.", name=point.target),
                       reason, STERNAL_FORAMEN_SOURCE)
    return Caution("sternal_foramen", point.target, INFO,
                   _("%(name)s: over the sternum: transverse, no deeper than about "
                     "%(limit)s mm (a sternal foramen may be present).",
                     name=point.target, limit=limit),
                   reason, STERNAL_FORAMEN_SOURCE)


def _needling_cautions(facts: SafetyFacts):
    if facts.needle_fainting:
        yield Caution("needle_fainting", NEEDLING_TARGET, WARNING,
                      _("History of fainting with needles: treat lying down, watch closely."),
                      _("The intake records fainting with needles."), FAINTING_SOURCE)
    if facts.metal_allergy:
        yield Caution("metal_allergy", NEEDLING_TARGET, WARNING,
                      _("Metal allergy: check the needle material before inserting."),
                      _("The intake records a metal allergy."), METAL_SOURCE)
    if facts.skin_lesions:
        yield _skin_caution(facts, NEEDLING_TARGET)


def _skin_caution(facts: SafetyFacts, target: str) -> Caution:
    """Skin lesions, before needling or a technique on the skin (``target``)."""
    site = facts.skin_lesions_site
    if site:
        message = {
            "cupping": _("Skin lesions recorded at intake (%(site)s): check the site before "
                         "cupping; do not treat through broken or inflamed skin.", site=site),
            "gua_sha": _("Skin lesions recorded at intake (%(site)s): check the site before "
                         "gua sha; do not treat through broken or inflamed skin.", site=site),
        }.get(target) or _("Skin lesions recorded at intake (%(site)s): check the site before "
                           "needling; do not treat through broken or inflamed skin.", site=site)
    else:
        message = {
            "cupping": _("Skin lesions recorded at intake: check the site before cupping; do "
                         "not treat through broken or inflamed skin."),
            "gua_sha": _("Skin lesions recorded at intake: check the site before gua sha; do "
                         "not treat through broken or inflamed skin."),
        }.get(target) or _("Skin lesions recorded at intake: check the site before needling; "
                           "do not treat through broken or inflamed skin.")
    return Caution("skin_lesions", target, WARNING, message,
                   _("The intake records skin lesions at the treatment area."), SKIN_SOURCE)


def _bleeding_message(kind: str, params: dict) -> str | None:
    if kind == "cupping" and params.get("cupping_method") == "wet":
        return _("Wet cupping with anticoagulants or a bleeding disorder: bleeding and bruising "
                 "risk.")
    if kind == "gua_sha":
        return _("Gua sha with anticoagulants or a bleeding disorder: bleeding and bruising "
                 "risk.")
    if kind == "bloodletting":
        return _("Bloodletting with anticoagulants or a bleeding disorder: bleeding and "
                 "bruising risk.")
    return None


def _burn_message(kind: str) -> str:
    if kind == "heat_lamp":
        return _("Heat lamp with diabetes or reduced sensation: burn risk; keep the heat low and "
                 "check the skin often.")
    return _("Moxibustion with diabetes or reduced sensation: burn risk; keep the heat low and "
             "check the skin often.")


def _auricular_message(facts: SafetyFacts) -> str:
    if facts.pregnancy_weeks is None:
        return _("Auricular points in pregnancy after the first trimester; the patient is "
                 "pregnant (weeks not recorded: every trimester's rules apply). Some ear points "
                 "may induce labour.")
    return ngettext("Auricular points in pregnancy after the first trimester; the patient is "
                    "%(num)d week pregnant. Some ear points may induce labour.",
                    "Auricular points in pregnancy after the first trimester; the patient is "
                    "%(num)d weeks pregnant. Some ear points may induce labour.",
                    facts.pregnancy_weeks)


def _adjunct_cautions(facts: SafetyFacts, adjunct: PlannedAdjunct):
    kind = adjunct.kind
    if kind == "electroacupuncture" and facts.pacemaker:
        yield Caution("pacemaker_electroacupuncture", "electroacupuncture", CONTRAINDICATED,
                      _("Electroacupuncture with a pacemaker or implanted electrical device is "
                        "contraindicated."),
                      _("The intake records a pacemaker or implanted electrical device."),
                      WHO_ELECTRICAL)
    if facts.anticoagulants:
        message = _bleeding_message(kind, adjunct.params)
        if message:
            yield Caution("bleeding", kind, WARNING, message,
                          _("The intake records anticoagulants or a bleeding disorder."),
                          BLEEDING_SOURCE)
    if (facts.diabetes or facts.reduced_sensation) and kind in HEAT_TECHNIQUES:
        yield Caution("burn", kind, WARNING, _burn_message(kind),
                      _("The intake records diabetes or reduced sensation."), BURN_SOURCE)
    if facts.skin_lesions and kind in SKIN_TECHNIQUES:
        yield _skin_caution(facts, kind)
    if kind == "auricular" and facts.pregnant and facts.past_first_trimester:
        yield Caution("pregnancy", "auricular", WARNING, _auricular_message(facts),
                      _("The patient is pregnant."), WHO_PREGNANCY)
