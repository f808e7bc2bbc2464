"""Adverse-event coding (DOMAIN.md section 5; reference/clinical-standards.md section 3.3)."""

from tracker.i18n import _l

AE_TYPES = (
    (
        "local",
        _l("Local"),
        (
            ("bleeding", _l("Bleeding")),
            ("haematoma", _l("Haematoma / bruise")),
            ("needle_site_pain", _l("Needle-site pain")),
            ("local_infection", _l("Local infection")),
            ("burn", _l("Burn (moxa, heat lamp, cupping)")),
            ("cupping_blister", _l("Cupping blister")),
        ),
    ),
    (
        "systemic",
        _l("Systemic"),
        (
            ("syncope", _l("Presyncope / syncope (needle shock)")),
            ("nausea", _l("Nausea / vomiting")),
            ("dizziness", _l("Dizziness")),
            ("sweating", _l("Sweating")),
            ("fatigue", _l("Fatigue / drowsiness")),
        ),
    ),
    ("aggravation", _l("Aggravation"), (("aggravation", _l("Aggravation of symptoms")),)),
    (
        "procedural",
        _l("Procedural"),
        (
            ("retained_needle", _l("Retained or missing needle")),
            ("stuck_needle", _l("Stuck needle")),
            ("broken_needle", _l("Broken needle")),
        ),
    ),
    (
        "serious",
        _l("Serious"),
        (
            ("pneumothorax", _l("Pneumothorax")),
            ("nerve_injury", _l("Nerve injury")),
            ("organ_injury", _l("Organ injury")),
            ("vessel_injury", _l("Vessel injury")),
            ("serious_infection", _l("Serious infection")),
        ),
    ),
)
AE_CODES = tuple((code, label) for _, _, items in AE_TYPES for code, label in items)
AE_CATEGORY_OF = {code: category for category, _, items in AE_TYPES for code, _ in items}

AE_SEVERITIES = (
    ("minor", _l("Minor")),
    ("needed_treatment", _l("Needed treatment")),
    ("serious", _l("Serious")),
)
AE_OUTCOMES = (
    ("resolved", _l("Resolved")),
    ("resolving", _l("Resolving")),
    ("ongoing", _l("Ongoing")),
    ("referred", _l("Referred for medical care")),
    ("unknown", _l("Unknown")),
)
