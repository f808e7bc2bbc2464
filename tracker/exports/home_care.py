"""What the home-care sheet tells the patient: the advice the practitioner ticked at the latest
session, spelled out as the clinic's own guide to middle back pain spells it (its prevention
list: posture, breaks, core exercises, stretches, lifting, weight, stress, sleep), the guide's
exercises, what is normal after a treatment and when to
call. The words are the clinic's, so they live here and not in the template: the same text is
translated once and printed in every language.
"""

from dataclasses import dataclass

from tracker.i18n import _l
from tracker.sessions.vocab import ADVICE

# Each advice code of tracker.sessions.vocab.ADVICE as the guide explains it.
ADVICE_STEPS = {
    "posture": (
        _l("Keep your shoulders relaxed and avoid slouching."),
        _l("Sit with your back supported and feet flat on the ground."),
        _l("Put your computer screen at eye level; use a chair with lumbar support."),
    ),
    "breaks": (
        _l("Every 30 to 60 minutes, stand up and stretch."),
        _l("Use a standing desk if you can; walk around now and then."),
    ),
    "core_exercises": (),  # the exercises below
    "stretches": (),
    "lifting": (
        _l("Bend at the knees, not the waist, and keep the object close to your body."),
        _l("Tighten your core while lifting; do not twist while carrying."),
    ),
    "weight": (
        _l("A balanced diet, enough water and regular activity such as walking or swimming."),
    ),
    "stress": (
        _l("Deep breathing, meditation or a relaxing hobby; enough sleep for muscles to recover."),
    ),
    "sleep": (
        _l("A medium-firm mattress."),
        _l("On your back, a pillow under your knees; on your side, a pillow between them."),
        _l("Avoid sleeping on your stomach."),
    ),
    "stay_active": (
        _l("Low-impact activity most days: walking, swimming or yoga."),
    ),
}

# The guide's exercises, with what each is for. Gentle, within comfort: stop if pain sharpens.
STRENGTH = (
    (_l("Plank"), _l("strengthens the core and back muscles")),
    (_l("Bridge"), _l("works the lower back and the glutes")),
    (_l("Superman"), _l("strengthens the lower and middle back")),
    (_l("Thoracic extension"), _l("improves the mobility of the middle back")),
)
STRETCHES = (
    (_l("Child's pose"), _l("gently stretches the back and spine")),
    (_l("Cat-cow"), _l("keeps the spine mobile")),
    (_l("Chest opener"), _l("eases tightness in the chest and upper back")),
    (_l("Thoracic rotation"), _l("keeps the middle back flexible")),
)

AFTER_TREATMENT = (
    _l("Feeling relaxed, or a little tired, is common; so is some soreness where the needles "
       "were. It usually passes within a day."),
    _l("Small bruises or cup marks fade within a week or so."),
    _l("Drink water, keep warm and avoid strenuous exercise for the rest of the day."),
)
# Seek care at once: pneumothorax after needling the back shows as the first two.
URGENT = (
    _l("Shortness of breath, chest pain or pain on breathing in: call emergency services."),
    _l("Fever, or redness and swelling where a needle was."),
    _l("New numbness or weakness, or trouble controlling your bladder or bowels."),
)
# Worth a call to the clinic, or a doctor, in the next days.
CALL_US = (
    _l("Pain that is much worse, or not settling after two or three days."),
    _l("Unexplained weight loss, or digestive trouble with the back pain."),
    _l("A bruise that keeps growing, or bleeding that does not stop."),
)


@dataclass(frozen=True)
class AdviceItem:
    title: str
    steps: tuple


def advice_items(codes: list[str]) -> list[AdviceItem]:
    """The ticked advice, in the vocabulary's order, each with the guide's steps."""
    chosen = set(codes)
    return [AdviceItem(str(label), ADVICE_STEPS.get(code, ()))
            for code, label in ADVICE if code in chosen]
