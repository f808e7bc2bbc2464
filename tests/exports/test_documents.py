"""The patient's documents: the treatment summary, the home-care sheet and the referral letter,
each a print view and a PDF. The PDFs are read back as a recipient's viewer reads them (their
text and their embedded fonts), not compared with a stored file."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.conftest import count_queries
from tests.factories import event, fresh, intake_values, point_dicts, record
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.intake.models import Episode
from tracker.intake.services import open_episode
from tracker.sessions.services import record_session, sign_session
from tracker.sessions.vocab import ADVICE

START = datetime(2026, 10, 16, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
HOSTILE_FAMILY = "=cmd|' /C calc'!A0"
HOSTILE_GIVEN = "<script>alert(1)</script>"


def treat(app, side, sessions=12, *, advice=(), advice_notes="", next_visit=None) -> None:
    """``sessions`` signed sessions of LI4 left, BL23 both sides and an Ashi point, five days
    apart, pain falling from 7; the last one with this advice."""
    with app.app_context():
        patient, user = fresh(side, "patient"), fresh(side, "practitioner")
        episode = open_episode(patient, practitioner=user, values=intake_values(
            opened_on=date(2026, 10, 16), baseline_nrs=7,
            chief_complaint="背中の痛み (middle back pain)", red_flags=["fever"]))
        for number in range(1, sessions + 1):
            last = number == sessions
            visit = record_session(
                patient, episode, practitioner=user, adjuncts=[],
                points=point_dicts([("LI4", "left"), ("BL23", "bilateral"),
                                    (None, "left", "left T7 paraspinal", "upper_back", "T7")]),
                values={"started_at": START + timedelta(days=5 * (number - 1)),
                        "retention_minutes": 25, "needles_inserted": 5, "needles_removed": 5,
                        "pain_before": max(7 - number // 2, 1),
                        "pain_after": max(5 - number // 2, 0),
                        "advice": list(advice) if last else [],
                        "advice_notes": advice_notes if last else "",
                        "next_visit_on": next_visit if last else None})
            sign_session(visit, actor=user)
        db.session.commit()


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def pages(body: bytes) -> int:
    return len(PdfReader(io.BytesIO(body)).pages)


def embedded_fonts(body: bytes) -> set[str]:
    """The names of the fonts whose glyphs travel inside the file (what pdffonts calls emb)."""
    names = set()
    for page in PdfReader(io.BytesIO(body)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(descriptor["/FontName"]).split("+")[-1])
    return names


@pytest.fixture
def japanese(factory, clinic_world, client, auth):
    """A Japanese patient of clinic A (no intake yet), seen by its practitioner."""
    side = clinic_world["a"]
    patient = factory.patient(side["clinic"], side["reception"], family_name="佐藤",
                              given_name="健一")
    factory.consent(patient, side["reception"])
    side = {**side, "patient": patient}
    auth.login(side["practitioner"].email)
    return side


def audit_rows(app, action):
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_summary_pdf_reads_every_session_in_japanese_with_the_font_inside(
        app, client, japanese):
    treat(app, japanese)
    response = client.get(f"/patients/{japanese['patient'].id}/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "佐藤 健一" in text and japanese["patient"].chart_number in text
    assert "背中の痛み" in text and "Clinic A" in text
    for number in range(12):  # every session's date, in the clinic's zone
        assert (date(2026, 10, 16) + timedelta(days=5 * number)).isoformat() in text
    assert "LI4 (L)" in text and "BL23 (B)" in text
    assert "Fever" in text  # the red flag recorded at intake
    assert {"Noto-Sans-JP", "Noto-Sans-JP-Bold"} <= embedded_fonts(response.data)


def test_the_summary_reads_the_same_statements_however_long_the_record(app, client, japanese):
    """A second episode of twelve sessions, a caution awaiting a decision, adverse events on a
    session and between visits: all printed, and not one statement more."""
    treat(app, japanese, sessions=2, advice=["stretches"], advice_notes="Walk after lunch")
    url = f"/patients/{japanese['patient'].id}/summary"
    client.get(url)  # warm: the login session's refresh, the catalog
    with count_queries(app) as few:
        client.get(url)
    treat(app, japanese, sessions=12, advice=["heat"], advice_notes="Warm bath at night")
    with app.app_context():
        episode = db.session.scalar(select(Episode).where(
            Episode.patient_id == japanese["patient"].id).order_by(Episode.id.desc()))
        draft = record({**japanese, "episode": episode}, point_dicts([("CV8", "midline")]),
                       started_at=START + timedelta(days=70))
        on_a_visit = db.session.get(type(draft), draft.id)
        event(japanese, "haematoma", "minor", START + timedelta(days=70, hours=1), on_a_visit)
        event(japanese, "fatigue", "needed_treatment", START + timedelta(days=72))
        db.session.commit()
    with count_queries(app) as many:
        page = client.get(url).get_data(as_text=True)
    assert len(many) == len(few)
    sections = page.split('<section class="episode">')[1:]  # newest episode first
    assert len(sections) == 2
    assert sections[0].count('<td class="points">') == 13  # twelve signed, the draft
    newest = sections[0]
    assert "Cautions recorded" in newest and "CV8" in newest
    assert "Haematoma / bruise (Minor)" in newest and "Cautions recorded" not in sections[1]
    # The latest signed session's advice, not the newer draft's (it has none).
    assert "Warm bath at night" in newest and "Walk after lunch" in sections[1]
    assert "Adverse events reported between visits" in page
    assert "Fatigue / drowsiness (Needed treatment)" in page.split("between visits")[1]


def test_the_pdf_is_an_audited_attachment_never_cached(app, client, japanese):
    treat(app, japanese, sessions=1)
    response = client.get(f"/patients/{japanese['patient'].id}/export.pdf")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="A-')
    assert response.headers["Cache-Control"] == "no-store"
    [event] = audit_rows(app, "patient.export")
    assert event.details == {"format": "pdf", "points": False, "excel": False}
    assert event.patient_id == japanese["patient"].id


def test_the_print_view_is_the_same_document_and_is_audited(app, client, japanese):
    treat(app, japanese, sessions=2)
    page = client.get(f"/patients/{japanese['patient'].id}/summary").get_data(as_text=True)
    assert "Treatment summary" in page and "佐藤 健一" in page and "LI4 (L)" in page
    assert "Download PDF" in page and 'class="print-button"' in page
    assert "<script>" not in page.replace('<script src="/static/js/documents.js"></script>', "")
    assert len(audit_rows(app, "patient.summary_view")) == 1


def test_hostile_names_are_printed_as_text(app, client, factory, clinic_world, auth):
    side = clinic_world["a"]
    side = {**side, "patient": factory.patient(side["clinic"], side["reception"],
                                               family_name=HOSTILE_FAMILY,
                                               given_name=HOSTILE_GIVEN)}
    treat(app, side, sessions=1)
    auth.login(side["practitioner"].email)
    body = client.get(f"/patients/{side['patient'].id}/export.pdf").data
    text = pdf_text(body)
    assert HOSTILE_FAMILY in text and HOSTILE_GIVEN in text
    page = client.get(f"/patients/{side['patient'].id}/summary").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and HOSTILE_GIVEN not in page


def test_only_clinicians_may_export_and_only_their_own_clinics_patients(
        client, auth, clinic_world):
    own, other = clinic_world["a"]["patient"].id, clinic_world["b"]["patient"].id
    auth.login(clinic_world["a"]["reception"].email)
    for path in ("export.pdf", "summary", "home-care", "home-care.pdf", "referral"):
        assert client.get(f"/patients/{own}/{path}").status_code == 403
    auth.logout()
    auth.login(clinic_world["a"]["practitioner"].email)
    for path in ("export.pdf", "summary", "home-care", "home-care.pdf", "referral"):
        assert client.get(f"/patients/{other}/{path}").status_code == 404


def test_the_home_care_sheet_spells_out_the_advice_on_one_page(app, client, japanese):
    every_code = [code for code, _label in ADVICE]
    treat(app, japanese, sessions=3, advice=every_code, next_visit=date(2026, 11, 20),
          advice_notes="Warm compress on the upper back in the evening.")
    patient_id = japanese["patient"].id
    page = client.get(f"/patients/{patient_id}/home-care").get_data(as_text=True)
    assert "Bend at the knees, not the waist" in page  # the lifting advice, spelled out
    assert "Warm compress on the upper back" in page
    assert "Your next visit: 2026-11-20" in page
    response = client.get(f"/patients/{patient_id}/home-care.pdf")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="A-')
    # Everything ticked still fits the one page (else: say what spilled over).
    assert pages(response.data) == 1, pdf_text(response.data)[-300:]
    text = pdf_text(response.data)
    assert "Child's pose" in text and "Superman" in text  # the guide's exercises
    assert "Shortness of breath" in text  # when to seek care at once
    assert [e.details for e in audit_rows(app, "patient.export")] == [
        {"format": "pdf", "document": "home_care"}]
    assert len(audit_rows(app, "patient.home_care_view")) == 1


def test_the_home_care_sheet_is_written_from_the_newest_episodes_latest_signed_session(
        app, client, japanese):
    treat(app, japanese, sessions=4, advice=["lifting"])  # an older course
    treat(app, japanese, sessions=2, advice=["sleep"], advice_notes="A pillow between the knees.")
    with app.app_context():
        patient, user = fresh(japanese, "patient"), fresh(japanese, "practitioner")
        newest = db.session.scalars(select(Episode).where(Episode.patient_id == patient.id)
                                    .order_by(Episode.id.desc())).first()
        record_session(patient, newest, practitioner=user, adjuncts=[],  # a draft, unsigned
                       points=point_dicts([("LI4", "left")]),
                       values={"started_at": START + timedelta(days=30), "advice": ["posture"],
                               "retention_minutes": 20})
        db.session.commit()
    page = client.get(f"/patients/{japanese['patient'].id}/home-care").get_data(as_text=True)
    assert "Sleep: medium-firm mattress" in page and "A pillow between the knees." in page
    assert "treatment on 2026-10-21" in page  # the second signed visit, 10:00 in Tokyo
    assert "Bend at the knees" not in page  # the older course's advice
    assert "Posture and workstation" not in page  # the draft's, not yet signed


def test_the_referral_form_is_drafted_from_the_record(app, client, japanese):
    treat(app, japanese, sessions=8)
    page = client.get(f"/patients/{japanese['patient'].id}/referral").get_data(as_text=True)
    assert "8 acupuncture sessions from 2026-10-16 to 2026-11-20." in page
    assert "Presenting complaint: 背中の痛み (middle back pain)" in page
    assert "Pain 7/10 at intake, 3/10 now (−4)." in page
    assert "Recorded at intake: Fever." in page
    assert "Needle retention: 25 minutes." in page


def test_a_referral_without_recipient_or_reason_keeps_what_was_typed(app, client, japanese):
    treat(app, japanese, sessions=1)
    response = client.post(f"/patients/{japanese['patient'].id}/referral", data={
        "recipient": "", "reason": "", "findings": "Tender at T7 on the left.",
        "download": "Download PDF"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Say who the letter is for." in page and "Say why you are referring" in page
    assert "Tender at T7 on the left." in page
    assert audit_rows(app, "patient.export") == []


def test_the_referral_letter_carries_the_practitioners_words(app, client, japanese):
    treat(app, japanese, sessions=4)
    data = {"recipient": "Dr 田中 一郎", "organisation": HOSTILE_GIVEN,
            "reason": "Stiffness that persists; please assess.", "findings": "Tender at T7.",
            "treatment": "Four sessions.", "outcome": "Pain 7 to 5.", "red_flags": "Fever."}
    response = client.post(f"/patients/{japanese['patient'].id}/referral",
                           data={**data, "download": "Download PDF"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for value in data.values():
        assert value in text
    assert "Dear Dr 田中 一郎," in text
    [event] = audit_rows(app, "patient.export")
    assert event.details == {"format": "pdf", "document": "referral_letter"}
    assert "Stiffness" not in str(event.details)  # what the letter says stays out of the log
    preview = client.post(f"/patients/{japanese['patient'].id}/referral",
                          data={**data, "preview": "Preview to print"}).get_data(as_text=True)
    assert "Stiffness that persists; please assess." in preview
    assert "&lt;script&gt;" in preview and HOSTILE_GIVEN not in preview


def test_without_the_pdf_font_the_page_says_what_to_run(app, client, japanese, monkeypatch):
    monkeypatch.setattr("tracker.exports.pdf.PDF_FONTS", ("vendor/missing.ttf",))
    response = client.get(f"/patients/{japanese['patient'].id}/export.pdf")
    assert response.status_code == 503
    assert "make install" in response.get_data(as_text=True)
    assert audit_rows(app, "patient.export") == []


def test_the_command_line_writes_the_summary_pdf(app, runner, japanese, tmp_path):
    treat(app, japanese, sessions=2)
    out = tmp_path / "summary.pdf"
    result = runner.invoke(args=["export", "patient", japanese["patient"].chart_number,
                                 "--format", "pdf", "--out", str(out), "--clinic", "Clinic A"])
    assert result.exit_code == 0, result.output
    assert "佐藤 健一" in pdf_text(out.read_bytes())


def test_the_referral_is_for_the_episode_asked_for(app, client, japanese, factory):
    treat(app, japanese, sessions=2)
    later = factory.episode(japanese["patient"], japanese["practitioner"],
                            chief_complaint="Neck stiffness")
    patient_id = japanese["patient"].id
    newest = client.get(f"/patients/{patient_id}/referral").get_data(as_text=True)
    assert "Presenting complaint: Neck stiffness" in newest
    with app.app_context():
        first = db.session.scalar(select(Episode.id).where(
            Episode.patient_id == patient_id, Episode.opened_on == date(2026, 10, 16)))
    assert first != later.id
    page = client.get(f"/patients/{patient_id}/referral?episode={first}").get_data(as_text=True)
    assert "Presenting complaint: 背中の痛み" in page
    for hostile in ("abc", "٣", "-1", "99999999999999999999"):
        assert client.get(f"/patients/{patient_id}/referral?episode={hostile}").status_code == 404


def test_one_audit_row_names_each_document_read(app, client, japanese):
    treat(app, japanese, sessions=1)
    patient_id = japanese["patient"].id
    for path in ("summary", "home-care", "export.pdf", "home-care.pdf"):
        client.get(f"/patients/{patient_id}/{path}")
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.patient_id == patient_id, AuditEvent.user_id.is_not(None))
            .order_by(AuditEvent.id)).all()
    assert [a for a in actions if a != "patient.create" and not a.startswith(
        ("consent", "episode", "session"))] == [
        "patient.summary_view", "patient.home_care_view", "patient.export", "patient.export"]
