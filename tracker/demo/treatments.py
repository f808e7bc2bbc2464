"""Demo treatment sessions: the article patient's course and plausible sessions for the rest."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tracker.db_types import utcnow
from tracker.points import row_schema
from tracker.points.regions import (
    LOWER_ABDOMEN_REGIONS,
    LUMBOSACRAL_REGIONS,
    UPPER_ABDOMEN_REGIONS,
)
from tracker.points.services import resolve_codes
from tracker.protocols.builtin import MIDDLE_BACK_PAIN
from tracker.safety.services import record_adverse_event
from tracker.sessions.services import amend_session, record_session, sign_session

NEEDLES = {
    "needle_type": "filiform",
    "needle_gauge_mm": Decimal("0.20"),
    "needle_length_mm": Decimal("40"),
    "needle_brand": "Seirin J-type",
    "needle_material": "stainless",
}

# DEMO-0001: eight sessions over six weeks, pain before treatment falling from 7 to 3.
ARTICLE_COURSE = (
    # day offset, pain before, pain after, adjunct
    (0, 7, 5, "cupping"),
    (5, 7, 5, None),
    (10, 6, 4, "electroacupuncture"),
    (15, 6, 4, "cupping"),
    (20, 5, 3, "electroacupuncture"),
    (26, 4, 3, None),
    (33, 4, 2, "cupping"),
    (40, 3, 2, "electroacupuncture"),
)

REGION_POINTS = {
    "thoracic": ("BL17", "BL18", "BL20", "GV9", "LI4", "GB21", "SP6", "SI3"),
    "lumbar": ("BL23", "BL25", "BL40", "GV4", "GB30", "KI3", "BL60", "GB34"),
    "cervical": ("GB20", "GB21", "SI3", "LI4", "TE5", "GV14", "SI14"),
    "shoulder": ("LI15", "TE14", "SI9", "LI4", "ST38", "LI11", "SI11"),
}
PREGNANCY_POINTS = {"LI4", "SP6", "GB21", "BL60", "BL67", "BL31", "BL32"}
PREGNANCY_REGIONS = LUMBOSACRAL_REGIONS | LOWER_ABDOMEN_REGIONS | UPPER_ABDOMEN_REGIONS


def seed_article_course(patient, episode, practitioner, zone: ZoneInfo) -> None:
    """The clinic article's protocol, bilateral and midline as written, with cupping in some
    sessions and electroacupuncture in others."""
    points = resolve_codes([row.code for row in MIDDLE_BACK_PAIN.rows if row.code])
    for number, (offset, before, after, adjunct) in enumerate(ARTICLE_COURSE, start=1):
        day = episode.opened_on + timedelta(days=offset)
        rows = [
            {
                "point": points[row.code],
                "laterality": row.laterality,
                "depth": row.depth,
                "depth_unit": row.depth_unit,
                "angle": row.angle,
                "technique": row.technique,
                "deqi_sought": True,
                "deqi_obtained": True,
                "stimulation": "manual",
            }
            for row in MIDDLE_BACK_PAIN.rows
            if row.code
        ]
        rows.append(
            {
                "point": None,
                "custom_label": "Left T7 paraspinal, tender on palpation",
                "region": "upper_back",
                "level": "T7",
                "laterality": "left",
                "depth": Decimal("10"),
                "depth_unit": "mm",
                "angle": "oblique",
                "deqi_sought": True,
                "stimulation": "manual",
            }
        )
        retention = 20 + (number % 3) * 5
        adjuncts = []
        if adjunct == "cupping":
            adjuncts.append(
                {
                    "kind": "cupping",
                    "minutes": 8,
                    "sites": "Upper back, both sides",
                    "params": {"cupping_method": "dry", "cups": 6, "cupping_marks": "light"},
                }
            )
        elif adjunct == "electroacupuncture":
            for row in rows:
                if row.get("point") is not None and row["point"].code in ("BL18", "BL23"):
                    row["stimulation"] = "electrical"
            adjuncts.append(
                {
                    "kind": "electroacupuncture",
                    "minutes": retention,
                    "sites": "",
                    "params": {
                        "ea_pairs": [["BL18", "BL23"]],
                        "ea_frequency_hz": 2.0,
                        "ea_frequency_2_hz": 100.0,
                        "ea_waveform": "dense_disperse",
                        "ea_intensity_note": "to comfort",
                    },
                }
            )
        visit = _record(patient, episode, practitioner, number=number, rows=rows, adjuncts=adjuncts,
                        started=datetime.combine(day, time(10, 0), zone), retention=retention,
                        pain=(before, after))
        visit.subjective = (
            f"Session {number}. Mid-back ache {before}/10 after desk work; sleeping better."
            if number > 1
            else "Mid-back ache between the shoulder blades for five months, worse "
            "after long days at the desk."
        )
        visit.objective = "Tight paraspinals T6-T9, tender left T7; thoracic rotation limited."
        visit.assessment = "Qi and Blood stagnation in the upper back."
        visit.plan = "Continue weekly; review posture and breaks."
        visit.advice = (
            ["posture", "breaks", "stretches"]
            if number < 4
            else ["core_exercises", "stretches", "sleep"]
        )
        visit.sensations = ["warmth", "relaxation"] if number % 2 else ["tingling", "heaviness"]
        visit.next_visit_on = day + timedelta(days=5)
        _sign(visit, practitioner)
        if number == 3:
            amend_session(
                visit,
                actor=practitioner,
                reason="Added the palpation finding noted on paper at the table.",
                values={"objective": visit.objective + " Trigger point left rhomboid."},
            )
        if number == 4:  # a small bruise, noticed at the next visit: recorded after signing
            gb21 = next(row for row in visit.points if row.point and row.point.code == "GB21")
            record_adverse_event(
                patient, actor=practitioner, visit=visit, code="haematoma", severity="minor",
                onset_at=visit.removed_at, point_application=gb21,
                description="Small bruise at the left GB21 needle site.",
                action_taken="Pressure for one minute; reassured.", outcome="resolved",
            )


def seed_varied_sessions(
    rng: random.Random, patient, episode, practitioner, zone: ZoneInfo, today: date
) -> None:
    """One to six plausible sessions a week apart for a demo patient's open episode, as a
    clinic's list looks on any day: most patients seen in the last fortnight with their next
    visit booked, a few not seen for a month or more (due a call), a few on today's list."""
    days = _visit_days(rng, episode.opened_on, today)
    count = len(days)
    candidates = list(
        REGION_POINTS[episode.body_region if episode.body_region in REGION_POINTS else "thoracic"]
    )
    points = resolve_codes(candidates)
    if episode.pregnant:
        # As a careful practitioner would: no named pregnancy points, nothing on the
        # lumbosacral region or the abdomen (WHO 1999).
        candidates = [code for code in candidates if code not in PREGNANCY_POINTS
                      and points[code].region not in PREGNANCY_REGIONS]
    pain = episode.baseline_nrs
    for number, day in enumerate(days, start=1):
        chosen = rng.sample(candidates, k=min(len(candidates), rng.randint(4, 6)))
        rows = [
            {
                "point": points[code],
                "laterality": "midline"
                if points[code].is_midline
                else rng.choice(("bilateral", "bilateral", "left", "right")),
                "depth": _careful_depth(points[code], rng.choice((10, 12, 15, 20))),
                "depth_unit": "mm",
                "angle": "oblique" if points[code].thorax_depth_caution else "perpendicular",
                "technique": "even",
                "deqi_sought": True,
                "deqi_obtained": rng.random() > 0.2,
                "stimulation": "manual",
            }
            for code in chosen
        ]
        adjuncts = []
        if rng.random() < 0.4:
            adjuncts.append(
                {
                    "kind": "cupping",
                    "minutes": 5,
                    "sites": "Upper back",
                    "params": {
                        "cupping_method": rng.choice(("dry", "sliding")),
                        "cups": rng.randint(2, 6),
                    },
                }
            )
        elif rng.random() < 0.3 and not episode.pacemaker:
            adjuncts.append(
                {
                    "kind": "heat_lamp",
                    "minutes": 15,
                    "sites": "Lower back",
                    "params": {"lamp_distance_cm": 40},
                }
            )
        before = max(0, pain)
        after = max(0, before - rng.randint(1, 3))
        start = time(rng.choice((9, 11, 14, 16)), rng.choice((0, 30)))
        visit = _record(patient, episode, practitioner, number=number, rows=rows, adjuncts=adjuncts,
                        started=datetime.combine(day, start, zone),
                        retention=rng.choice((15, 20, 25, 30)), pain=(before, after))
        visit.subjective = "Feeling a little better." if number > 1 else episode.chief_complaint
        # Booked a week on, the newest one a fortnight on (the course is easing off).
        visit.next_visit_on = day + timedelta(days=14 if number == count else 7)
        pain = max(0, before - rng.choice((0, 1, 1, 2)))
        if rng.random() < 0.06:
            record_adverse_event(
                patient, actor=practitioner, visit=visit, severity="minor",
                code=rng.choice(("dizziness", "needle_site_pain", "fatigue")),
                onset_at=visit.removed_at, description="Mild, settled before leaving.",
                action_taken="Rested lying down for ten minutes.", outcome="resolved",
            )
        # The newest session of a few patients stays a draft, as at the end of a busy day; so
        # does one later today, which has not happened yet (signed "now", before it started,
        # its note would say it was signed before the patient came).
        if (number < count or rng.random() < 0.8) and visit.started_at <= utcnow():
            _sign(visit, practitioner)


def _visit_days(rng: random.Random, opened: date, today: date) -> list[date]:
    """The days of an episode's sessions, a week apart, ending at its last visit."""
    roll = rng.random()
    if roll < 0.1:
        gap = 0  # on today's list
    elif roll < 0.82:
        gap = rng.randint(1, 10)  # seen in the last fortnight
    else:
        gap = rng.randint(20, 60)  # not seen for a while: due a follow-up call
    last = max(opened, today - timedelta(days=gap))
    count = rng.randint(1, 6)
    days = [last - timedelta(weeks=count - 1 - n) for n in range(count)]
    return [day for day in days if day >= opened]


def _sign(visit, practitioner) -> None:
    """Sign as the practitioner would: each warning shown is acknowledged first."""
    decisions = {row.id: ("acknowledged", "") for row in visit.cautions if row.needs_decision}
    # Signed at the end of the visit, as it was, not when the demo was loaded (the audit log
    # keeps the load's own time). A visit under way (started less than 50 minutes ago) is
    # signed now.
    sign_session(visit, actor=practitioner, decisions=decisions,
                 signed_at=min(visit.started_at + timedelta(minutes=50), utcnow()))


def _record(patient, episode, practitioner, *, number: int, rows: list[dict],
            adjuncts: list[dict], started: datetime, retention: int, pain: tuple[int, int]):
    """A draft session as the practitioner entered it: every needle counted in and out."""
    needles = row_schema.needle_count(rows)
    before, after = pain
    values = {
        **NEEDLES,
        "needle_lot": f"L{started:%y%m}-{number:02d}",
        "started_at": started,
        "inserted_at": started + timedelta(minutes=5),
        "removed_at": started + timedelta(minutes=5 + retention),
        "retention_minutes": retention,
        "needles_inserted": needles,
        "needles_removed": needles,
        "pain_before": before,
        "pain_after": after,
        "protocol_name": MIDDLE_BACK_PAIN.name if patient.chart_number.endswith("0001") else "",
    }
    return record_session(
        patient, episode, practitioner=practitioner, values=values, points=rows, adjuncts=adjuncts
    )


def _careful_depth(point, depth_mm: int) -> Decimal:
    """A careful practitioner's depth: within the catalog's hint over the lung."""
    if point.thorax_depth_caution and point.max_depth_mm:
        depth_mm = min(depth_mm, point.max_depth_mm)
    return Decimal(depth_mm)
