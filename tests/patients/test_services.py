"""Patient services without HTTP: search, chart numbers, edits, archiving and banners."""

from datetime import date
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tests.conftest import PASSWORD
from tests.factories import intake_values
from tracker.audit.models import AuditEvent
from tracker.auth.services import create_user
from tracker.clinics.services import create_clinic
from tracker.conflicts import EditConflict
from tracker.extensions import db
from tracker.intake.services import close_episode, open_episode
from tracker.patients.models import Patient
from tracker.patients.search import fold
from tracker.patients.services import (
    EDITABLE_FIELDS,
    PatientError,
    archive_patient,
    create_patient,
    listed_patient_banners,
    patient_banners,
    record_consent,
    restore_patient,
    search_patients,
    update_patient,
)


@pytest.fixture
def staff(app_ctx):
    clinic = create_clinic("Clinic S", chart_prefix="S")
    other = create_clinic("Clinic T", chart_prefix="T")
    users = {
        role: create_user(clinic, email=f"{role}@s.test", name=name, role=role, password=PASSWORD)
        for role, name in (("reception", "Rin Reception"), ("practitioner", "Kai Practitioner"))
    }
    outsider = create_user(
        other, email="reception@t.test", name="Tom", role="reception", password=PASSWORD
    )
    db.session.commit()
    return SimpleNamespace(clinic=clinic, other=other, outsider=outsider, **users)


def add(staff, clinic=None, **values):
    values.setdefault("given_name", "")
    actor = staff.outsider if clinic is staff.other else staff.reception
    patient = create_patient(clinic or staff.clinic, actor=actor, **values)
    db.session.commit()
    return patient


def found(clinic, query, archived=False):
    return [p.id for p in db.session.scalars(search_patients(clinic.id, query, archived=archived))]


def loaded(patient_id):
    db.session.expire_all()
    return db.session.scalar(
        select(Patient)
        .options(selectinload(Patient.consents), selectinload(Patient.episodes))
        .where(Patient.id == patient_id)
    )


def form_values(patient, **changes):
    return {**{name: getattr(patient, name) for name in EDITABLE_FIELDS}, **changes}


@pytest.fixture
def yamada(staff):
    add(staff, family_name="佐藤", given_name="花子", family_name_kana="サトウ",
        given_name_kana="ハナコ", phone="03-5555-0000")
    return add(staff, family_name="山田", given_name="太郎", family_name_kana="ヤマダ",
               given_name_kana="タロウ", phone="090-1234-5678")


@pytest.mark.parametrize(
    "query",
    ["山田", "やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "yamada", "Yamada Taro", "taro", "tarou", "山田 太郎"],
)
def test_japanese_name_is_found_in_every_script(staff, yamada, query):
    assert found(staff.clinic, query) == [yamada.id]


@pytest.mark.parametrize("query", ["muller", "jose", "MÜLLER", "Müller José"])
def test_latin_name_is_found_with_or_without_accents(staff, query):
    add(staff, family_name="Miller", given_name="Jane")
    muller = add(staff, family_name="Müller", given_name="José")
    assert found(staff.clinic, query) == [muller.id]


@pytest.mark.parametrize("query, matches", [("S-0002", 1), ("s-0002", 1), ("0002", 1),
                                            ("S-000", 2)])
def test_chart_number_exact_and_partial(staff, yamada, query, matches):
    assert yamada.chart_number == "S-0002"
    hits = found(staff.clinic, query)
    assert len(hits) == matches and yamada.id in hits


@pytest.mark.parametrize("query", ["090-1234", "0901234", "09012345678", "090 1234 5678"])
def test_phone_digits_with_or_without_hyphens(staff, yamada, query):
    assert found(staff.clinic, query) == [yamada.id]


def test_patient_of_another_clinic_is_never_found(staff, yamada):
    theirs = add(staff, staff.other, family_name="山田", given_name="次郎",
                 family_name_kana="ヤマダ", phone="090-1234-9999")
    for query in ("山田", "yamada", "090-1234", theirs.chart_number):
        assert theirs.id not in found(staff.clinic, query)
    assert found(staff.other, "yamada") == [theirs.id]


def test_archived_patients_only_when_asked(staff, yamada):
    archive_patient(db.session.get(Patient, yamada.id), reason="Moved away", actor=staff.reception)
    db.session.commit()
    assert found(staff.clinic, "yamada") == []
    assert found(staff.clinic, "yamada", archived=True) == [yamada.id]
    assert yamada.id not in found(staff.clinic, "")


@pytest.mark.parametrize(
    "query, expected", [("b_c", ["Ab_cd"]), ("b%c", ["Ab%cd"]), ("%", ["Ab%cd"]), ("_", ["Ab_cd"])]
)
def test_like_wildcards_in_the_query_are_literal(staff, query, expected):
    for name in ("Ab_cd", "Ab%cd", "Abxcd"):
        add(staff, family_name=name)
    names = [db.session.get(Patient, pid).family_name for pid in found(staff.clinic, query)]
    assert names == expected


@settings(max_examples=300)
@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chart=st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9-]{0,15}\Z"))
@example(chart="2024-001")
def test_any_patient_is_found_by_its_own_chart_number(staff, chart):
    patient = create_patient(staff.clinic, actor=staff.reception, family_name="Ito",
                             given_name="", chart_number=chart)
    db.session.flush()
    try:
        assert patient.id in found(staff.clinic, chart)
    finally:
        db.session.rollback()


def test_chart_numbers_are_generated_per_clinic(staff):
    numbers = [add(staff, family_name=f"P{i}").chart_number for i in range(3)]
    assert numbers == ["S-0001", "S-0002", "S-0003"]
    assert add(staff, staff.other, family_name="Q").chart_number == "T-0001"


def test_same_chart_number_may_exist_in_two_clinics(staff):
    mine = add(staff, family_name="Ono", chart_number="X-100")
    theirs = add(staff, staff.other, family_name="Ono", chart_number="X-100")
    assert mine.chart_number == theirs.chart_number == "X-100"


def test_generated_number_skips_one_typed_by_hand(staff):
    assert add(staff, family_name="A").chart_number == "S-0001"
    assert add(staff, family_name="B", chart_number="S-0002").chart_number == "S-0002"
    assert add(staff, family_name="C").chart_number == "S-0003"


def test_duplicate_typed_chart_number_is_refused(staff):
    first = add(staff, family_name="A", chart_number="K-7")
    with pytest.raises(PatientError) as refused:
        create_patient(staff.clinic, actor=staff.reception, family_name="B", given_name="",
                       chart_number="K-7")
    assert refused.value.field == "chart_number"
    db.session.rollback()
    second = add(staff, family_name="C")
    with pytest.raises(PatientError) as refused:
        update_patient(db.session.get(Patient, second.id),
                       form_values(second, chart_number=first.chart_number),
                       expected_version=second.version, actor=staff.reception)
    assert refused.value.field == "chart_number"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Patient)) == 2


def test_patient_with_only_a_family_name_can_be_registered(staff):
    patient = create_patient(staff.clinic, actor=staff.reception, family_name="Tanaka")
    db.session.commit()
    assert found(staff.clinic, "tanaka") == [patient.id]


def test_update_changes_fields_and_search(staff, yamada):
    patient = db.session.get(Patient, yamada.id)
    changed = update_patient(patient, form_values(patient, family_name="Kimura", phone="080-1"),
                             expected_version=1, actor=staff.practitioner)
    db.session.commit()
    assert sorted(changed) == ["family_name", "phone"]
    assert patient.version == 2
    assert found(staff.clinic, "kimura") == [yamada.id]
    assert found(staff.clinic, "山田") == []


def test_stale_version_raises_conflict_naming_who_changed_what(staff, yamada):
    patient = db.session.get(Patient, yamada.id)
    seen_by_second = form_values(patient)
    update_patient(patient, form_values(patient, phone="080-9999-0000", occupation="Chef"),
                   expected_version=1, actor=staff.practitioner)
    db.session.commit()
    typed = {**seen_by_second, "occupation": "Chef", "admin_notes": "Prefers mornings"}
    with pytest.raises(EditConflict) as conflict:
        update_patient(patient, typed, expected_version=1, actor=staff.reception)
    db.session.rollback()
    error = conflict.value
    assert error.current_version == 2
    assert [(c.user_name, sorted(c.fields)) for c in error.changes] == [
        ("Kai Practitioner", ["occupation", "phone"])
    ]
    # occupation is the same in both edits, so only phone and the notes are reported.
    assert error.current_values == {"phone": "080-9999-0000", "admin_notes": ""}
    assert loaded(yamada.id).admin_notes == ""


def test_archive_and_restore_never_delete_the_row(staff, yamada):
    patient = db.session.get(Patient, yamada.id)
    archive_patient(patient, reason="  Moved to Osaka ", actor=staff.reception)
    db.session.commit()
    patient = loaded(yamada.id)
    assert patient.is_archived and patient.archive_reason == "Moved to Osaka"
    restore_patient(patient, actor=staff.reception)
    db.session.commit()
    patient = loaded(yamada.id)
    assert not patient.is_archived and patient.family_name == "山田"
    assert db.session.scalar(select(func.count()).select_from(Patient)) == 2
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.patient_id == yamada.id).order_by(AuditEvent.id)
    ).all()
    assert actions[-2:] == ["patient.archive", "patient.restore"]


def banner(banners, title):
    return next((b for b in banners if b.title.startswith(title)), None)


def with_episode(staff, patient, **intake):
    episode = open_episode(db.session.get(Patient, patient.id), practitioner=staff.practitioner,
                           values=intake_values(**intake))
    db.session.commit()
    return episode


def test_red_flag_banner_lists_flags_for_clinical_viewers_only(staff, yamada):
    with_episode(staff, yamada, red_flags=["fever", "night_pain"])
    patient = loaded(yamada.id)
    danger = banner(patient_banners(patient, clinical=True), "Red flags")
    assert danger.level == "danger"
    assert "Fever" in danger.text and "Night pain not eased by rest" in danger.text
    assert banner(patient_banners(patient, clinical=False), "Red flags") is None


def test_safety_banner_shows_facts_of_open_episodes_only(staff, yamada):
    with_episode(staff, yamada, pregnant=True, pregnancy_weeks=10, pacemaker=True)
    old = with_episode(staff, yamada, opened_on=date(2026, 1, 5), onset_date=None,
                       metal_allergy=True)
    close_episode(old, closed_on=date(2026, 3, 1), reason="resolved", note="",
                  actor=staff.practitioner)
    db.session.commit()
    patient = loaded(yamada.id)
    # Four weeks after the intake of 2026-11-01, the banner counts the weeks on.
    safety = banner(patient_banners(patient, clinical=True, today=date(2026, 11, 29)), "Safety")
    assert "Pregnant (about 14 weeks now; 10 at intake)" in safety.text
    assert "Pacemaker or implanted electrical device" in safety.text
    assert "Metal allergy" not in safety.text
    assert banner(patient_banners(patient, clinical=False), "Safety") is None


def test_consent_missing_banner_until_given_and_again_when_refused(staff, yamada):
    def consent_banner():
        return banner(patient_banners(loaded(yamada.id), clinical=False), "Consent missing")

    assert consent_banner().text == "No informed consent recorded."
    for consent_given in (True, False):
        record_consent(db.session.get(Patient, yamada.id), given=consent_given,
                       consent_date=date(2026, 11, 1), form_version="v1", witnessed_by="",
                       notes="", actor=staff.reception)
        db.session.commit()
        if consent_given:
            assert consent_banner() is None
    assert consent_banner().text == "Consent was refused or withdrawn."


def test_archived_banner_shows_the_reason(staff, yamada):
    assert banner(patient_banners(loaded(yamada.id), clinical=False), "Archived") is None
    archive_patient(db.session.get(Patient, yamada.id), reason="Deceased", actor=staff.reception)
    db.session.commit()
    archived = banner(patient_banners(loaded(yamada.id), clinical=False), "Archived")
    assert archived.text == "Deceased"


def test_a_list_shows_each_patient_the_banners_of_the_patient_page(staff, yamada):
    """The list reads its patients' episodes and consents in two plain selects for the page
    (``listed_patient_banners``): the same banners as each patient's own pages, for every
    state a banner shows, to clinical staff and to reception."""
    sato = db.session.scalar(select(Patient).where(Patient.family_name == "佐藤"))
    with_episode(staff, yamada, red_flags=["fever"], pregnant=True, pregnancy_weeks=10,
                 skin_lesions=True, skin_lesions_site="scapula")
    closed = with_episode(staff, yamada, opened_on=date(2026, 1, 5), onset_date=None,
                          metal_allergy=True, red_flags=["night_pain"])
    close_episode(closed, closed_on=date(2026, 3, 1), reason="resolved", note="",
                  actor=staff.practitioner)
    with_episode(staff, sato, pacemaker=True)
    for consent_given in (True, False):  # refused after it was given: the latest counts
        record_consent(db.session.get(Patient, sato.id), given=consent_given,
                       consent_date=date(2026, 11, 1), form_version="v1", witnessed_by="",
                       notes="", actor=staff.reception)
    bare = add(staff, family_name="鈴木")
    archive_patient(db.session.get(Patient, bare.id), reason="Moved", actor=staff.reception)
    takahashi = add(staff, family_name="高橋")
    record_consent(db.session.get(Patient, takahashi.id), given=True,
                   consent_date=date(2026, 11, 1), form_version="v1", witnessed_by="",
                   notes="", actor=staff.reception)
    db.session.commit()
    ids = [yamada.id, sato.id, bare.id, takahashi.id]
    for clinical in (True, False):
        db.session.expire_all()
        listed = listed_patient_banners(
            db.session.scalars(select(Patient).where(Patient.id.in_(ids))).all(),
            clinical=clinical)
        each = {patient_id: patient_banners(loaded(patient_id), clinical=clinical)
                for patient_id in ids}
        assert listed == each
        if clinical:
            assert [b.title for b in listed[yamada.id]] == [
                "Red flags: refer for medical evaluation", "Safety", "Consent missing"]
            assert "Metal allergy" not in listed[yamada.id][1].text  # a closed episode's
            assert [(b.title, b.text) for b in listed[sato.id]] == [
                ("Safety", "Pacemaker or implanted electrical device"),
                ("Consent missing", "Consent was refused or withdrawn.")]
            assert [b.title for b in listed[bare.id]] == ["Archived", "Consent missing"]
    assert [b.title for b in listed[takahashi.id]] == []
    assert {b.title for b in each[yamada.id]} == {"Consent missing"}  # reception
    assert len(listed_patient_banners([], clinical=True)) == 0
