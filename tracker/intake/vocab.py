"""Controlled vocabularies for the intake form, in the order the form shows them.

Each is a tuple of (code, label); codes are what the database stores, so never rename one
(add a new code instead). The cause and symptom lists follow the clinic's own article first.
"""

from tracker.i18n import _l

BODY_REGIONS = (
    ("thoracic", _l("Thoracic (middle back)")),
    ("lumbar", _l("Lumbar (lower back)")),
    ("cervical", _l("Cervical (neck)")),
    ("shoulder", _l("Shoulder")),
    ("other", _l("Other")),
)

SIDES = (
    ("central", _l("Central / midline")),
    ("left", _l("Left")),
    ("right", _l("Right")),
    ("bilateral", _l("Both sides")),
)

ONSET_TYPES = (("gradual", _l("Gradual")), ("sudden", _l("Sudden")))

# Acute < 6 weeks, subacute 6-12 weeks, chronic > 12 weeks.
DURATIONS = (
    ("acute", _l("Acute (under 6 weeks)")),
    ("subacute", _l("Subacute (6 to 12 weeks)")),
    ("chronic", _l("Chronic (over 12 weeks)")),
)

CAUSE_GROUPS = (
    (
        _l("Posture and load"),
        (
            ("poor_posture", _l("Poor posture (desk, screen, driving)")),
            ("muscle_strain", _l("Muscle strain or injury")),
            ("herniated_disc", _l("Herniated or bulging disc")),
            ("stress_tension", _l("Stress and tension")),
        ),
    ),
    (
        _l("Arthritis and degenerative conditions"),
        (
            ("osteoarthritis", _l("Osteoarthritis")),
            ("spondylosis", _l("Spondylosis")),
            ("facet_arthritis", _l("Facet joint arthritis")),
            ("ankylosing_spondylitis", _l("Ankylosing spondylitis")),
        ),
    ),
    (
        _l("Underlying medical conditions"),
        (
            ("scoliosis", _l("Scoliosis")),
            ("osteoporosis", _l("Osteoporosis")),
            ("lung_condition", _l("Lung condition (infection, pleurisy)")),
            ("gallbladder", _l("Gallbladder issue")),
        ),
    ),
    (_l("Other"), (("other_cause", _l("Other (describe below)")),)),
)
CAUSES = tuple(item for _, items in CAUSE_GROUPS for item in items)

SYMPTOMS = (
    ("dull_pain", _l("Dull pain")),
    ("sharp_pain", _l("Sharp pain")),
    ("stiffness", _l("Stiffness / reduced flexibility")),
    ("radiating_ribs_chest", _l("Pain radiating to ribs or chest")),
    ("muscle_tightness", _l("Muscle tightness or spasms")),
    ("worse_movement", _l("Worse with movement")),
    ("worse_inactivity", _l("Worse with prolonged inactivity")),
    ("numbness_tingling", _l("Numbness or tingling")),
    ("morning_stiffness", _l("Morning stiffness")),
)

# Any of these puts a "refer for medical evaluation" banner on the patient until a
# practitioner acknowledges it with a note. "onset_age" is proposed on a new intake from the
# patient's birth date (ONSET_AGE_UNDER, ONSET_AGE_OVER); the practitioner can untick it.
RED_FLAGS = (
    ("difficulty_breathing", _l("Difficulty breathing")),
    ("weight_loss", _l("Unexplained weight loss")),
    ("digestive_issues", _l("Digestive issues with the pain")),
    ("fever", _l("Fever")),
    ("significant_trauma", _l("Significant trauma")),
    ("cancer_history", _l("History of cancer")),
    ("night_pain", _l("Night pain not eased by rest")),
    ("neuro_deficit", _l("Progressive neurological deficit")),
    ("bladder_bowel", _l("Bladder or bowel dysfunction (cauda equina)")),
    ("saddle_anaesthesia", _l("Saddle anaesthesia (cauda equina)")),
    ("onset_age", _l("New onset under 20 or over 50")),
    ("steroids_immunosuppression", _l("Long-term steroids or immunosuppression")),
    ("iv_drug_use", _l("Intravenous drug use")),
    ("non_mechanical_pain", _l("Non-mechanical thoracic or chest pain")),
    ("osteoporosis_minor_trauma", _l("Osteoporosis with minor trauma")),
)
ONSET_AGE_UNDER, ONSET_AGE_OVER = 20, 50
RED_FLAG_SOURCES = _l(
    "Sources: AHCPR Clinical Practice Guideline 14, Acute low back problems in adults (Bigos "
    "et al., 1994); thoracic and non-mechanical pain: UK Clinical Standards Advisory Group "
    "(1994) and RCGP low back pain guidelines (1999)."
)

CO_INTERVENTIONS = (
    ("physical_therapy", _l("Physical therapy")),
    ("massage", _l("Massage")),
    ("chiropractic", _l("Chiropractic")),
    ("yoga_stretching", _l("Yoga / stretching")),
    ("mindfulness", _l("Mindfulness / meditation")),
    ("medication", _l("Pain medication")),
    ("other_co", _l("Other")),
)

BREAK_HABITS = (
    ("every_30", _l("Every 30 minutes")),
    ("hourly", _l("About hourly")),
    ("few", _l("A few times a day")),
    ("rarely", _l("Rarely")),
)

EXERCISE_LEVELS = (
    ("none", _l("None")),
    ("weekly", _l("Once or twice a week")),
    ("regular", _l("Three or more times a week")),
    ("daily", _l("Daily")),
)

SLEEP_POSITIONS = (
    ("back", _l("Back")),
    ("side", _l("Side")),
    ("stomach", _l("Stomach")),
    ("varies", _l("Varies")),
)

WEIGHT_TRENDS = (("stable", _l("Stable")), ("gaining", _l("Gaining")), ("losing", _l("Losing")))

TONGUE_COLOURS = (
    ("pale", _l("Pale")),
    ("pink", _l("Pink (normal)")),
    ("red", _l("Red")),
    ("dark_red", _l("Dark red")),
    ("purple", _l("Purple")),
    ("blue_purple", _l("Blue-purple")),
)
TONGUE_COATINGS = (
    ("thin_white", _l("Thin white (normal)")),
    ("thick_white", _l("Thick white")),
    ("yellow", _l("Yellow")),
    ("greasy", _l("Greasy")),
    ("peeled", _l("Peeled / geographic")),
    ("none", _l("No coating")),
)
TONGUE_SHAPES = (
    ("normal", _l("Normal")),
    ("swollen", _l("Swollen")),
    ("thin", _l("Thin")),
    ("tooth_marked", _l("Tooth-marked")),
    ("cracked", _l("Cracked")),
    ("deviated", _l("Deviated")),
    ("stiff", _l("Stiff")),
)
TONGUE_MOISTURE = (("normal", _l("Normal")), ("dry", _l("Dry")), ("wet", _l("Wet")))

PULSE_QUALITIES = (
    ("wiry", _l("Wiry")),
    ("slippery", _l("Slippery")),
    ("choppy", _l("Choppy")),
    ("thready", _l("Thready / thin")),
    ("deep", _l("Deep")),
    ("floating", _l("Floating")),
    ("rapid", _l("Rapid")),
    ("slow", _l("Slow")),
    ("weak", _l("Weak")),
    ("tight", _l("Tight")),
    ("full", _l("Full")),
)
PULSE_POSITIONS = (
    ("left_cun", _l("Left cun")),
    ("left_guan", _l("Left guan")),
    ("left_chi", _l("Left chi")),
    ("right_cun", _l("Right cun")),
    ("right_guan", _l("Right guan")),
    ("right_chi", _l("Right chi")),
)

PATTERNS = (
    ("qi_blood_stagnation", _l("Qi and Blood stagnation")),
    ("liver_qi_stagnation", _l("Liver Qi stagnation")),
    ("kidney_deficiency", _l("Kidney deficiency")),
    ("cold_damp_bi", _l("Cold-Damp obstruction (Bi)")),
    ("damp_heat", _l("Damp-Heat")),
    ("blood_deficiency", _l("Blood deficiency")),
    ("spleen_qi_deficiency", _l("Spleen Qi deficiency")),
)

ACUPUNCTURE_STYLES = (
    ("tcm", _l("Traditional Chinese Medicine")),
    ("japanese", _l("Japanese (Meridian therapy)")),
    ("korean", _l("Korean")),
    ("five_element", _l("Five Element")),
    ("western_medical", _l("Western medical / trigger point")),
    ("other", _l("Other")),
)

CLOSE_REASONS = (
    ("resolved", _l("Resolved")),
    ("improved", _l("Improved, discharged")),
    ("referred", _l("Referred elsewhere")),
    ("patient_withdrew", _l("Patient withdrew")),
    ("lost_to_follow_up", _l("Lost to follow-up")),
    ("other", _l("Other")),
)


def label_of(vocabulary, code: str) -> str:
    """The label for ``code``, or the code itself for a value no longer in the list."""
    return str(dict(vocabulary).get(code, code))
