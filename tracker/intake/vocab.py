"""Controlled vocabularies for the intake form, in the order the form shows them.

Each is a tuple of (code, label); codes are what the database stores, so never rename one
(add a new code instead). The cause and symptom lists follow the clinic's own article first.
"""

BODY_REGIONS = (
    ("thoracic", "Thoracic (middle back)"),
    ("lumbar", "Lumbar (lower back)"),
    ("cervical", "Cervical (neck)"),
    ("shoulder", "Shoulder"),
    ("other", "Other"),
)

SIDES = (
    ("central", "Central / midline"),
    ("left", "Left"),
    ("right", "Right"),
    ("bilateral", "Both sides"),
)

ONSET_TYPES = (("gradual", "Gradual"), ("sudden", "Sudden"))

# Acute < 6 weeks, subacute 6-12 weeks, chronic > 12 weeks.
DURATIONS = (
    ("acute", "Acute (under 6 weeks)"),
    ("subacute", "Subacute (6 to 12 weeks)"),
    ("chronic", "Chronic (over 12 weeks)"),
)

CAUSE_GROUPS = (
    (
        "Posture and load",
        (
            ("poor_posture", "Poor posture (desk, screen, driving)"),
            ("muscle_strain", "Muscle strain or injury"),
            ("herniated_disc", "Herniated or bulging disc"),
            ("stress_tension", "Stress and tension"),
        ),
    ),
    (
        "Arthritis and degenerative conditions",
        (
            ("osteoarthritis", "Osteoarthritis"),
            ("spondylosis", "Spondylosis"),
            ("facet_arthritis", "Facet joint arthritis"),
            ("ankylosing_spondylitis", "Ankylosing spondylitis"),
        ),
    ),
    (
        "Underlying medical conditions",
        (
            ("scoliosis", "Scoliosis"),
            ("osteoporosis", "Osteoporosis"),
            ("lung_condition", "Lung condition (infection, pleurisy)"),
            ("gallbladder", "Gallbladder issue"),
        ),
    ),
    ("Other", (("other_cause", "Other (describe below)"),)),
)
CAUSES = tuple(item for _, items in CAUSE_GROUPS for item in items)

SYMPTOMS = (
    ("dull_pain", "Dull pain"),
    ("sharp_pain", "Sharp pain"),
    ("stiffness", "Stiffness / reduced flexibility"),
    ("radiating_ribs_chest", "Pain radiating to ribs or chest"),
    ("muscle_tightness", "Muscle tightness or spasms"),
    ("worse_movement", "Worse with movement"),
    ("worse_inactivity", "Worse with prolonged inactivity"),
    ("numbness_tingling", "Numbness or tingling"),
    ("morning_stiffness", "Morning stiffness"),
)

# Any of these puts a "refer for medical evaluation" banner on the patient until a
# practitioner acknowledges it with a note. "onset_age" is proposed on a new intake from the
# patient's birth date (ONSET_AGE_UNDER, ONSET_AGE_OVER); the practitioner can untick it.
RED_FLAGS = (
    ("difficulty_breathing", "Difficulty breathing"),
    ("weight_loss", "Unexplained weight loss"),
    ("digestive_issues", "Digestive issues with the pain"),
    ("fever", "Fever"),
    ("significant_trauma", "Significant trauma"),
    ("cancer_history", "History of cancer"),
    ("night_pain", "Night pain not eased by rest"),
    ("neuro_deficit", "Progressive neurological deficit"),
    ("bladder_bowel", "Bladder or bowel dysfunction (cauda equina)"),
    ("saddle_anaesthesia", "Saddle anaesthesia (cauda equina)"),
    ("onset_age", "New onset under 20 or over 50"),
    ("steroids_immunosuppression", "Long-term steroids or immunosuppression"),
    ("iv_drug_use", "Intravenous drug use"),
    ("non_mechanical_pain", "Non-mechanical thoracic or chest pain"),
    ("osteoporosis_minor_trauma", "Osteoporosis with minor trauma"),
)
ONSET_AGE_UNDER, ONSET_AGE_OVER = 20, 50
RED_FLAG_SOURCES = (
    "Sources: AHCPR Clinical Practice Guideline 14, Acute low back problems in adults (Bigos "
    "et al., 1994); thoracic and non-mechanical pain: UK Clinical Standards Advisory Group "
    "(1994) and RCGP low back pain guidelines (1999)."
)

CO_INTERVENTIONS = (
    ("physical_therapy", "Physical therapy"),
    ("massage", "Massage"),
    ("chiropractic", "Chiropractic"),
    ("yoga_stretching", "Yoga / stretching"),
    ("mindfulness", "Mindfulness / meditation"),
    ("medication", "Pain medication"),
    ("other_co", "Other"),
)

BREAK_HABITS = (
    ("every_30", "Every 30 minutes"),
    ("hourly", "About hourly"),
    ("few", "A few times a day"),
    ("rarely", "Rarely"),
)

EXERCISE_LEVELS = (
    ("none", "None"),
    ("weekly", "Once or twice a week"),
    ("regular", "Three or more times a week"),
    ("daily", "Daily"),
)

SLEEP_POSITIONS = (
    ("back", "Back"),
    ("side", "Side"),
    ("stomach", "Stomach"),
    ("varies", "Varies"),
)

WEIGHT_TRENDS = (("stable", "Stable"), ("gaining", "Gaining"), ("losing", "Losing"))

TONGUE_COLOURS = (
    ("pale", "Pale"),
    ("pink", "Pink (normal)"),
    ("red", "Red"),
    ("dark_red", "Dark red"),
    ("purple", "Purple"),
    ("blue_purple", "Blue-purple"),
)
TONGUE_COATINGS = (
    ("thin_white", "Thin white (normal)"),
    ("thick_white", "Thick white"),
    ("yellow", "Yellow"),
    ("greasy", "Greasy"),
    ("peeled", "Peeled / geographic"),
    ("none", "No coating"),
)
TONGUE_SHAPES = (
    ("normal", "Normal"),
    ("swollen", "Swollen"),
    ("thin", "Thin"),
    ("tooth_marked", "Tooth-marked"),
    ("cracked", "Cracked"),
    ("deviated", "Deviated"),
    ("stiff", "Stiff"),
)
TONGUE_MOISTURE = (("normal", "Normal"), ("dry", "Dry"), ("wet", "Wet"))

PULSE_QUALITIES = (
    ("wiry", "Wiry"),
    ("slippery", "Slippery"),
    ("choppy", "Choppy"),
    ("thready", "Thready / thin"),
    ("deep", "Deep"),
    ("floating", "Floating"),
    ("rapid", "Rapid"),
    ("slow", "Slow"),
    ("weak", "Weak"),
    ("tight", "Tight"),
    ("full", "Full"),
)
PULSE_POSITIONS = (
    ("left_cun", "Left cun"),
    ("left_guan", "Left guan"),
    ("left_chi", "Left chi"),
    ("right_cun", "Right cun"),
    ("right_guan", "Right guan"),
    ("right_chi", "Right chi"),
)

PATTERNS = (
    ("qi_blood_stagnation", "Qi and Blood stagnation"),
    ("liver_qi_stagnation", "Liver Qi stagnation"),
    ("kidney_deficiency", "Kidney deficiency"),
    ("cold_damp_bi", "Cold-Damp obstruction (Bi)"),
    ("damp_heat", "Damp-Heat"),
    ("blood_deficiency", "Blood deficiency"),
    ("spleen_qi_deficiency", "Spleen Qi deficiency"),
)

ACUPUNCTURE_STYLES = (
    ("tcm", "Traditional Chinese Medicine"),
    ("japanese", "Japanese (Meridian therapy)"),
    ("korean", "Korean"),
    ("five_element", "Five Element"),
    ("western_medical", "Western medical / trigger point"),
    ("other", "Other"),
)

CLOSE_REASONS = (
    ("resolved", "Resolved"),
    ("improved", "Improved, discharged"),
    ("referred", "Referred elsewhere"),
    ("patient_withdrew", "Patient withdrew"),
    ("lost_to_follow_up", "Lost to follow-up"),
    ("other", "Other"),
)


def label_of(vocabulary, code: str) -> str:
    """The label for ``code``, or the code itself for a value no longer in the list."""
    return dict(vocabulary).get(code, code)
