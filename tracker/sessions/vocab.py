"""Vocabularies of the session record. Codes are stored; never rename one."""

from tracker.i18n import _l
from tracker.points import row_schema

# A point row's own vocabularies live with its schema; the note's templates read them here.
LATERALITIES = row_schema.LATERALITIES
DEPTH_UNITS = row_schema.DEPTH_UNITS
ANGLES = row_schema.ANGLES
TECHNIQUES = row_schema.TECHNIQUES
STIMULATIONS = row_schema.STIMULATIONS

NEEDLE_MATERIALS = (
    ("stainless", _l("Stainless steel")),
    ("silver", _l("Silver")),
    ("gold", _l("Gold-plated")),
    ("copper_handle", _l("Stainless, copper handle")),
    ("other", _l("Other")),
)
NEEDLE_TYPES = (
    ("filiform", _l("Filiform, guide tube")),
    ("filiform_no_tube", _l("Filiform, no tube")),
    ("intradermal", _l("Intradermal / press needle")),
    ("other", _l("Other")),
)

SENSATIONS = (
    ("tingling", _l("Tingling")),
    ("warmth", _l("Warmth")),
    ("relaxation", _l("Relaxation")),
    ("heaviness", _l("Heaviness / de qi")),
    ("soreness", _l("Soreness")),
    ("fatigue", _l("Fatigue")),
    ("lightheaded", _l("Light-headed")),
)

# The clinic article's prevention list, in its order.
ADVICE = (
    ("posture", _l("Posture and workstation (screen at eye level, supported back, feet flat)")),
    ("breaks", _l("Breaks every 30-60 minutes to stand and stretch")),
    ("core_exercises", _l("Core exercises: planks, bridges, superman, thoracic extensions")),
    ("stretches", _l("Stretches: child's pose, cat-cow, chest openers, thoracic rotation")),
    ("lifting", _l("Lifting: bend the knees, keep the load close, no twisting")),
    ("weight", _l("Healthy weight: balanced diet, hydration, regular activity")),
    ("stress", _l("Stress: deep breathing, meditation, enough sleep")),
    ("sleep", _l("Sleep: medium-firm mattress, pillow under or between the knees")),
    ("stay_active", _l("Stay active: walking, swimming, yoga")),
)

ADJUNCT_KINDS = (
    ("cupping", _l("Cupping")),
    ("electroacupuncture", _l("Electroacupuncture")),
    ("moxibustion", _l("Moxibustion")),
    ("gua_sha", _l("Gua sha")),
    ("tuina", _l("Tuina / massage")),
    ("heat_lamp", _l("Heat lamp (TDP)")),
    ("auricular", _l("Auricular")),
    ("bloodletting", _l("Bloodletting (pricking)")),
    ("other", _l("Other")),
)
CUPPING_METHODS = (
    ("dry", _l("Dry (stationary)")),
    ("wet", _l("Wet")),
    ("fire", _l("Fire")),
    ("sliding", _l("Sliding")),
    ("flash", _l("Flash")),
)
CUPPING_MARKS = (
    ("none", _l("None")),
    ("light", _l("Light")),
    ("moderate", _l("Moderate")),
    ("dark", _l("Dark")),
)
EA_WAVEFORMS = (
    ("continuous", _l("Continuous")),
    ("dense_disperse", _l("Dense-disperse")),
    ("intermittent", _l("Intermittent")),
)
MOXA_METHODS = (
    ("stick", _l("Stick (indirect)")),
    ("cone", _l("Cone")),
    ("warm_needle", _l("Warm needle")),
    ("box", _l("Moxa box")),
)
AURICULAR_METHODS = (
    ("seeds", _l("Ear seeds")),
    ("needles", _l("Needles")),
    ("press_needles", _l("Press needles")),
)
EAR_SIDES = (("left", _l("Left")), ("right", _l("Right")), ("both", _l("Both")))
