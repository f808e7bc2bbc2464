"""Adverse-event coding (DOMAIN.md section 5; reference/clinical-standards.md section 3.3)."""

AE_TYPES = (
    (
        "local",
        "Local",
        (
            ("bleeding", "Bleeding"),
            ("haematoma", "Haematoma / bruise"),
            ("needle_site_pain", "Needle-site pain"),
            ("local_infection", "Local infection"),
            ("burn", "Burn (moxa, heat lamp, cupping)"),
            ("cupping_blister", "Cupping blister"),
        ),
    ),
    (
        "systemic",
        "Systemic",
        (
            ("syncope", "Presyncope / syncope (needle shock)"),
            ("nausea", "Nausea / vomiting"),
            ("dizziness", "Dizziness"),
            ("sweating", "Sweating"),
            ("fatigue", "Fatigue / drowsiness"),
        ),
    ),
    ("aggravation", "Aggravation", (("aggravation", "Aggravation of symptoms"),)),
    (
        "procedural",
        "Procedural",
        (
            ("retained_needle", "Retained or missing needle"),
            ("stuck_needle", "Stuck needle"),
            ("broken_needle", "Broken needle"),
        ),
    ),
    (
        "serious",
        "Serious",
        (
            ("pneumothorax", "Pneumothorax"),
            ("nerve_injury", "Nerve injury"),
            ("organ_injury", "Organ injury"),
            ("vessel_injury", "Vessel injury"),
            ("serious_infection", "Serious infection"),
        ),
    ),
)
AE_CODES = tuple((code, label) for _, _, items in AE_TYPES for code, label in items)
AE_CATEGORY_OF = {code: category for category, _, items in AE_TYPES for code, _ in items}

AE_SEVERITIES = (
    ("minor", "Minor"),
    ("needed_treatment", "Needed treatment"),
    ("serious", "Serious"),
)
AE_OUTCOMES = (
    ("resolved", "Resolved"),
    ("resolving", "Resolving"),
    ("ongoing", "Ongoing"),
    ("referred", "Referred for medical care"),
    ("unknown", "Unknown"),
)
