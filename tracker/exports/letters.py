"""The patient's two letters: the home-care sheet (advice from the latest session, the guide's
exercises, when to call) and the referral letter to a GP or physiotherapist, whose findings,
treatment, outcome and red flags are drafted from the record for the practitioner to edit.
Both render from templates/exports through ``documents.render_document``, as a print view and
as a PDF.
"""

from collections import Counter

from tracker.exports import home_care
from tracker.exports.documents import (
    EpisodeRecord,
    episodes_in_order,
    patient_records,
    render_document,
)
from tracker.exports.record import adverse_events_of
from tracker.i18n import _
from tracker.intake import vocab
from tracker.intake.vocab import label_of
from tracker.scores.instruments import INSTRUMENTS
from tracker.sessions.queries import latest_session
from tracker.sessions.services import effective_values
from tracker.sessions.vocab import ADJUNCT_KINDS


def newest_record(patient, episode_id: int | None = None) -> EpisodeRecord | None:
    """The episode asked for (``None`` if it is not the patient's), else the newest one: that
    episode's record alone, not the patient's every course."""
    episodes = [e for e in episodes_in_order(patient) if episode_id in (None, e.id)]
    if not episodes:
        return None
    return patient_records(patient, adverse_events_of(patient.id), only=episodes[-1])[0]


def home_care_html(patient, *, pdf: bool, **links) -> str:
    """The one-page sheet the patient takes home: written from the newest episode's latest
    session (signed, else the draft), read alone."""
    episodes = episodes_in_order(patient)
    latest = latest_session(episodes[-1].id) if episodes else None
    codes = latest.advice if latest else []
    notes = effective_values(latest) if latest else {}
    return render_document(
        "exports/home_care.html", pdf=pdf, clinic=patient.clinic, patient=patient,
        latest=latest, advice=home_care.advice_items(codes),
        advice_notes=notes.get("advice_notes", ""), next_visit=notes.get("next_visit_on"),
        guide=home_care,
        # The guide's exercises, always: advised or not, the patient keeps the list.
        exercises_advised="core_exercises" in codes or "stretches" in codes, **links)


def referral_html(patient, record: EpisodeRecord, letter: dict, *, pdf: bool, **links) -> str:
    """The referral letter with the practitioner's words (``letter``: the form's data)."""
    return render_document("exports/referral.html", pdf=pdf, clinic=patient.clinic,
                           patient=patient, record=record, letter=letter, **links)


def referral_draft(record: EpisodeRecord) -> dict[str, str]:
    """The letter's paragraphs as the record has them, for the practitioner to edit."""
    return {"findings": _findings(record), "treatment": _treatment(record),
            "outcome": _outcome(record), "red_flags": _red_flags(record)}


def _findings(record: EpisodeRecord) -> str:
    episode = record.episode
    lines = [_("Presenting complaint: %(complaint)s (%(region)s, %(side)s).",
               complaint=episode.chief_complaint,
               region=label(episode.body_region, vocab.BODY_REGIONS),
               side=label(episode.side, vocab.SIDES))]
    onset = [label(episode.onset_type, vocab.ONSET_TYPES) if episode.onset_type else "",
             episode.onset_date.isoformat() if episode.onset_date else "",
             label(episode.duration, vocab.DURATIONS) if episode.duration else ""]
    if any(onset):
        lines.append(_("Onset: %(onset)s.", onset=", ".join(part for part in onset if part)))
    symptoms = [label(episode.symptoms, vocab.SYMPTOMS), episode.symptoms_other]
    if any(symptoms):
        lines.append(_("Symptoms: %(symptoms)s.",
                       symptoms="; ".join(part for part in symptoms if part)))
    causes = [label(episode.causes, vocab.CAUSES), episode.causes_other]
    if any(causes):
        lines.append(_("Likely causes: %(causes)s.",
                       causes="; ".join(part for part in causes if part)))
    if episode.baseline_nrs is not None:
        lines.append(_("Pain at intake: %(score)s/10.", score=episode.baseline_nrs))
    if episode.medical_history:
        lines.append(_("History: %(history)s", history=episode.medical_history))
    if episode.medications:
        lines.append(_("Medications: %(medications)s", medications=episode.medications))
    return "\n".join(lines)


def _treatment(record: EpisodeRecord) -> str:
    signed = [s for s in record.sessions if s.is_signed]
    if not signed:
        return _("No treatment session signed yet.")
    lines = [_("%(count)s acupuncture sessions from %(first)s to %(last)s.", count=len(signed),
               first=record.visits[0].day.isoformat(),
               last=[v for v in record.visits if v.is_signed][-1].day.isoformat())]
    plan = record.episode.course_plan()
    if plan:
        lines.append(_("Planned course: %(plan)s.", plan=plan))
    points = Counter(point for visit in record.visits if visit.is_signed for point in visit.points)
    if points:
        lines.append(_("Points used most: %(points)s.",
                       points=", ".join(code for code, _count in points.most_common(10))))
    minutes = sorted({s.retention_minutes for s in signed if s.retention_minutes})
    if minutes:
        lines.append(_("Needle retention: %(low)s to %(high)s minutes.", low=minutes[0],
                       high=minutes[-1]) if len(minutes) > 1
                     else _("Needle retention: %(minutes)s minutes.", minutes=minutes[0]))
    kinds = Counter(row.kind for s in signed for row in s.adjuncts)
    if kinds:
        lines.append(_("With: %(techniques)s.", techniques=", ".join(
            f"{label(kind, ADJUNCT_KINDS)} ({count})" for kind, count in kinds.most_common())))
    events = [event for events in record.events.values() for event in events]
    lines.append(_("Adverse events: %(count)s recorded.", count=len(events)) if events
                 else _("No adverse event recorded."))
    return "\n".join(lines)


def _outcome(record: EpisodeRecord) -> str:
    summary = record.progress.summary
    pain = summary.pain
    if pain.baseline is None or pain.latest is None:
        return _("Not enough pain scores yet to judge the outcome.")
    lines = [_("Pain %(before)s/10 at intake, %(after)s/10 now (%(change)s).",
               before=_number(pain.baseline), after=_number(pain.latest),
               change=_signed(pain.change))]
    if pain.important:
        lines.append(_("A clinically important improvement (at least %(points)s points and "
                       "%(percent)s%% less pain).", points=2, percent=30))
    else:
        lines.append(_("Not yet a clinically important improvement."))
    for code, change in summary.others.items():
        if change.baseline is not None and change.latest is not None:
            lines.append(f"{INSTRUMENTS[code].short}: {_number(change.baseline)} → "
                         f"{_number(change.latest)} ({_signed(change.change)})")
    return "\n".join(lines)


def _red_flags(record: EpisodeRecord) -> str:
    episode = record.episode
    if not episode.red_flags:
        return _("None recorded at intake.")
    text = _("Recorded at intake: %(flags)s.", flags=", ".join(episode.red_flag_labels))
    if episode.red_flags_acknowledgement:
        text += "\n" + _("Practitioner's note: %(note)s",
                         note=episode.red_flags_acknowledgement)
    return text


def label(code, vocabulary) -> str:
    """A stored code, or a list of them, as its labels."""
    if isinstance(code, list | tuple):
        return ", ".join(label_of(vocabulary, c) for c in code)
    return label_of(vocabulary, code)


def _number(value) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _signed(value) -> str:
    if value is None:
        return "—"
    return f"+{_number(value)}" if value > 0 else ("0" if value == 0 else f"−{_number(-value)}")
