"""Vocabularies of the session record. Codes are stored; never rename one."""

from tracker.points import row_schema

# A point row's own vocabularies live with its schema; the note's templates read them here.
LATERALITIES = row_schema.LATERALITIES
DEPTH_UNITS = row_schema.DEPTH_UNITS
ANGLES = row_schema.ANGLES
TECHNIQUES = row_schema.TECHNIQUES
STIMULATIONS = row_schema.STIMULATIONS

NEEDLE_MATERIALS = (
    ("stainless", "Stainless steel"),
    ("silver", "Silver"),
    ("gold", "Gold-plated"),
    ("copper_handle", "Stainless, copper handle"),
    ("other", "Other"),
)
NEEDLE_TYPES = (
    ("filiform", "Filiform, guide tube"),
    ("filiform_no_tube", "Filiform, no tube"),
    ("intradermal", "Intradermal / press needle"),
    ("other", "Other"),
)

SENSATIONS = (
    ("tingling", "Tingling"),
    ("warmth", "Warmth"),
    ("relaxation", "Relaxation"),
    ("heaviness", "Heaviness / de qi"),
    ("soreness", "Soreness"),
    ("fatigue", "Fatigue"),
    ("lightheaded", "Light-headed"),
)

# The clinic article's prevention list, in its order.
ADVICE = (
    ("posture", "Posture and workstation (screen at eye level, supported back, feet flat)"),
    ("breaks", "Breaks every 30-60 minutes to stand and stretch"),
    ("core_exercises", "Core exercises: planks, bridges, superman, thoracic extensions"),
    ("stretches", "Stretches: child's pose, cat-cow, chest openers, thoracic rotation"),
    ("lifting", "Lifting: bend the knees, keep the load close, no twisting"),
    ("weight", "Healthy weight: balanced diet, hydration, regular activity"),
    ("stress", "Stress: deep breathing, meditation, enough sleep"),
    ("sleep", "Sleep: medium-firm mattress, pillow under or between the knees"),
    ("stay_active", "Stay active: walking, swimming, yoga"),
)

ADJUNCT_KINDS = (
    ("cupping", "Cupping"),
    ("electroacupuncture", "Electroacupuncture"),
    ("moxibustion", "Moxibustion"),
    ("gua_sha", "Gua sha"),
    ("tuina", "Tuina / massage"),
    ("heat_lamp", "Heat lamp (TDP)"),
    ("auricular", "Auricular"),
    ("bloodletting", "Bloodletting (pricking)"),
    ("other", "Other"),
)
CUPPING_METHODS = (
    ("dry", "Dry (stationary)"),
    ("wet", "Wet"),
    ("fire", "Fire"),
    ("sliding", "Sliding"),
    ("flash", "Flash"),
)
CUPPING_MARKS = (("none", "None"), ("light", "Light"), ("moderate", "Moderate"), ("dark", "Dark"))
EA_WAVEFORMS = (
    ("continuous", "Continuous"),
    ("dense_disperse", "Dense-disperse"),
    ("intermittent", "Intermittent"),
)
MOXA_METHODS = (
    ("stick", "Stick (indirect)"),
    ("cone", "Cone"),
    ("warm_needle", "Warm needle"),
    ("box", "Moxa box"),
)
AURICULAR_METHODS = (
    ("seeds", "Ear seeds"),
    ("needles", "Needles"),
    ("press_needles", "Press needles"),
)
EAR_SIDES = (("left", "Left"), ("right", "Right"), ("both", "Both"))
