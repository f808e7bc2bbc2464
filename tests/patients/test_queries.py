"""Loading a patient for a request, without HTTP: what one statement brings."""

from datetime import date

import pytest
from flask_login import login_user
from werkzeug.exceptions import NotFound

from tests.conftest import count_queries
from tests.factories import patient_with
from tracker.auth.models import User
from tracker.extensions import db
from tracker.patients.queries import load_patient


def test_a_patient_comes_with_every_consent_and_episode_in_one_statement(
        app, clinic_world, factory):
    side = patient_with(factory, clinic_world["a"], opened_on=date(2026, 1, 5))
    factory.consent(side["patient"], side["reception"], given=False)
    factory.consent(side["patient"], side["reception"])
    factory.episode(side["patient"], side["practitioner"], opened_on=date(2026, 3, 1),
                    chief_complaint="Neck pain")
    factory.episode(side["patient"], side["practitioner"], opened_on=date(2025, 6, 1),
                    chief_complaint="Knee pain")
    with app.test_request_context():
        login_user(db.session.get(User, side["practitioner"].id))
        with count_queries(app) as statements:
            patient = load_patient(side["patient"].id)
            # Read with no statement more (the collections raise on a lazy load).
            consents = [consent.given for consent in patient.consents]
            complaints = [episode.chief_complaint for episode in patient.episodes]
    assert len(statements) == 1
    assert consents == [True, False, True]  # in the order recorded
    assert complaints[0] == "Neck pain" and complaints[-1] == "Knee pain"  # newest first
    assert len(complaints) == 3


def test_another_clinics_patient_is_not_found(app, clinic_world, factory):
    side = patient_with(factory, clinic_world["a"])
    with app.test_request_context():
        login_user(db.session.get(User, clinic_world["b"]["practitioner"].id))
        with pytest.raises(NotFound):
            load_patient(side["patient"].id)
