"""Loading the demo data (``flask --app tracker seed-demo``)."""

import random
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from tracker.auth.services import create_user
from tracker.clinics.models import Clinic
from tracker.clinics.services import create_clinic
from tracker.demo import data
from tracker.demo.scores import seed_article_scores
from tracker.demo.treatments import seed_article_course, seed_varied_sessions
from tracker.extensions import db
from tracker.intake import vocab
from tracker.intake.services import blank_intake, close_episode, open_episode
from tracker.patients.models import Patient
from tracker.patients.services import archive_patient, create_patient, record_consent
from tracker.points.models import Point

PATIENT_COUNT = 40
TOKYO = ZoneInfo("Asia/Tokyo")


class DemoRefused(RuntimeError):
    """The database holds data that is not demo data; seeding would mix the two."""


class CatalogMissing(RuntimeError):
    """The point catalog is not loaded, and the demo sessions are made of its points."""


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(Clinic.id)))


def seed_demo(today: date | None = None) -> int:
    """Create the demo clinics, users and patients; return how many patients were made.

    Returns 0 without changes when the demo is already loaded.

    :raises DemoRefused: the database has a clinic or patient that is not demo data.
    :raises CatalogMissing: ``points load`` has not run (checked before anything is written).
    """
    today = today or date.today()
    real_clinics = db.session.scalar(select(func.count(Clinic.id)).where(Clinic.is_demo.is_(False)))
    real_patients = db.session.scalar(
        select(func.count(Patient.id)).where(Patient.is_demo.is_(False))
    )
    if real_clinics or real_patients:
        raise DemoRefused("This database holds real (non-demo) data; seed-demo will not touch it.")
    if not database_is_empty():
        return 0
    if db.session.scalar(select(Point.id).limit(1)) is None:
        raise CatalogMissing(
            "The point catalog is empty: run `flask --app tracker points load` first "
            "(make run does it for you)."
        )

    clinics = {
        data.DEMO_CLINIC: create_clinic(data.DEMO_CLINIC, chart_prefix="DEMO", is_demo=True,
                                        **data.DEMO_CLINIC_CONTACT),
        data.OTHER_CLINIC: create_clinic(data.OTHER_CLINIC, chart_prefix="OTH", is_demo=True),
    }
    users = {
        email: create_user(
            clinics[clinic],
            email=email,
            name=name,
            role=role,
            password=data.DEMO_PASSWORD,
            **data.DEMO_BACKGROUNDS.get(email, {}),
        )
        for email, name, role, clinic in data.DEMO_USERS
    }
    practitioner = users["practitioner@demo.test"]
    reception = users["reception@demo.test"]
    # Repeatable demo data, nothing secret (bandit B311).
    rng = random.Random(20261125)  # nosec B311

    article = _patient(
        clinics[data.DEMO_CLINIC], reception, data.ARTICLE_PATIENT, date_of_birth=date(1987, 4, 12)
    )
    _consent(article, reception, today - timedelta(days=45))
    episode = open_episode(
        article,
        practitioner=practitioner,
        values={
            **blank_intake(),
            **data.ARTICLE_INTAKE,
            "opened_on": today - timedelta(days=45),
            "onset_date": today - timedelta(days=160),
        },
    )
    seed_article_course(article, episode, practitioner, TOKYO)
    seed_article_scores(article, episode, practitioner, TOKYO)

    people = _people(rng)
    women = [i for i, person in enumerate(people) if person[-1] == "female"]
    # Three pregnant patients, one in each trimester, for the caution engine to meet.
    pregnancies = {women[1]: 10, women[4]: 22, women[7]: 31}
    for index, person in enumerate(people[: PATIENT_COUNT - 1]):
        patient = _patient(
            clinics[data.DEMO_CLINIC],
            reception,
            _person_values(rng, person),
            date_of_birth=_random_birth(rng, today),
        )
        _random_history(
            rng,
            patient,
            practitioner,
            reception,
            today,
            index,
            pregnancy_weeks=pregnancies.get(index),
        )

    other_admin = users["other@demo.test"]
    for person in people[:3]:
        patient = _patient(
            clinics[data.OTHER_CLINIC],
            other_admin,
            _person_values(rng, person),
            date_of_birth=_random_birth(rng, today),
        )
        _consent(patient, other_admin, today - timedelta(days=20))
        open_episode(
            patient,
            practitioner=other_admin,
            values={
                **blank_intake(),
                "opened_on": today - timedelta(days=20),
                "chief_complaint": "Low back pain",
                "body_region": "lumbar",
                "baseline_nrs": 5,
            },
        )
    return 1 + len(people[: PATIENT_COUNT - 1])


def _patient(clinic, actor, person: dict, *, date_of_birth) -> Patient:
    return create_patient(clinic, actor=actor, is_demo=True, date_of_birth=date_of_birth, **person)


def _consent(patient, actor, on: date) -> None:
    record_consent(
        patient,
        given=True,
        consent_date=on,
        form_version="2026-04",
        witnessed_by="Mei Kobayashi",
        notes="",
        actor=actor,
    )


def _people(rng: random.Random) -> list[tuple]:
    """Every demo name but the article patient's, in a fixed shuffled order."""
    people = [("ja", *person) for person in data.JAPANESE_NAMES[1:]]
    people += [("en", family, given, "", "", sex) for family, given, sex in data.LATIN_NAMES]
    rng.shuffle(people)
    return people


def _person_values(rng: random.Random, person: tuple) -> dict:
    language, family, given, family_kana, given_kana, sex = person
    email = (
        "" if language == "ja" else f"{given.lower()}.{family.lower()}@example.com".replace("'", "")
    )
    return {
        "family_name": family,
        "given_name": given,
        "family_name_kana": family_kana,
        "given_name_kana": given_kana,
        "sex": sex,
        "preferred_language": language,
        "phone": f"0{rng.choice((80, 90, 70))}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
        "email": email,
        "occupation": rng.choice(data.OCCUPATIONS),
    }


def _random_birth(rng: random.Random, today: date) -> date:
    return today - timedelta(days=rng.randint(19 * 365, 78 * 365))


def _random_history(
    rng, patient, practitioner, reception, today: date, index: int, *, pregnancy_weeks: int | None
) -> None:
    """Consent, one or two intakes (a few red flags and safety facts among them) and the
    sessions of the open episode."""
    opened = today - timedelta(days=rng.randint(3, 200))
    consented = index % 9 != 4  # a few patients have no consent yet: the banner must show
    if consented:
        _consent(patient, reception, opened)
    if index % 13 == 6:  # one patient with a finished earlier episode
        earlier = open_episode(
            patient,
            practitioner=practitioner,
            values=_random_intake(rng, opened - timedelta(days=300), index),
        )
        close_episode(
            earlier,
            closed_on=opened - timedelta(days=240),
            reason="improved",
            note="Pain settled after six sessions.",
            actor=practitioner,
        )
    if index % 10 == 9:  # some registered patients have not had their intake yet
        return
    episode = open_episode(
        patient,
        practitioner=practitioner,
        values=_random_intake(rng, opened, index, pregnancy_weeks),
    )
    if consented:
        seed_varied_sessions(rng, patient, episode, practitioner, TOKYO, today)
    if index == 30:
        archive_patient(patient, reason="Moved away from Tokyo", actor=reception)


def _random_intake(
    rng: random.Random, opened: date, index: int, pregnancy_weeks: int | None = None
) -> dict:
    region = rng.choice(("thoracic", "thoracic", "lumbar", "lumbar", "cervical", "shoulder"))
    causes = rng.sample(
        [code for code, _ in vocab.CAUSES if code != "other_cause"], rng.randint(1, 3)
    )
    values = {
        **blank_intake(),
        "opened_on": opened,
        "chief_complaint": rng.choice(data.COMPLAINTS[region]),
        "body_region": region,
        "side": rng.choice([code for code, _ in vocab.SIDES]),
        "onset_date": opened - timedelta(days=rng.randint(5, 400)),
        "onset_type": rng.choice(("gradual", "sudden")),
        "causes": causes,
        "symptoms": rng.sample([code for code, _ in vocab.SYMPTOMS], rng.randint(2, 4)),
        "co_interventions": rng.sample(
            [c for c, _ in vocab.CO_INTERVENTIONS if c != "other_co"], rng.randint(0, 2)
        ),
        "sitting_hours": rng.choice((2, 4, 6, 8, 9, 10, 11)),
        "break_habit": rng.choice([code for code, _ in vocab.BREAK_HABITS]),
        "exercise": rng.choice([code for code, _ in vocab.EXERCISE_LEVELS]),
        "stress_level": rng.randint(2, 9),
        "sleep_quality": rng.randint(3, 9),
        "tongue_colour": rng.choice([code for code, _ in vocab.TONGUE_COLOURS]),
        "tongue_coating": rng.choice([code for code, _ in vocab.TONGUE_COATINGS]),
        "pulse_rate": rng.randint(58, 88),
        "pulse_qualities": rng.sample([code for code, _ in vocab.PULSE_QUALITIES], 2),
        "patterns": rng.sample([code for code, _ in vocab.PATTERNS], 1),
        "goals": rng.choice(
            (
                "Sleep without pain",
                "Return to running",
                "Work a full day in comfort",
                "Lift my child without pain",
            )
        ),
        "baseline_nrs": rng.randint(3, 9),
        "planned_sessions": rng.choice((4, 6, 8, 10)),
        "planned_interval_days": rng.choice((7, 7, 14)),
    }
    if index in (3, 17):
        values["red_flags"] = (
            ["night_pain", "weight_loss"] if index == 3 else ["difficulty_breathing"]
        )
    if pregnancy_weeks is not None:
        values["pregnant"], values["pregnancy_weeks"] = True, pregnancy_weeks
    if index == 8:
        values["pacemaker"] = True
    if index in (12, 25):
        values["anticoagulants"] = True
    if index == 14:
        values["diabetes"], values["reduced_sensation"] = True, True
    if index == 19:
        values["needle_fainting"] = True
    return values
