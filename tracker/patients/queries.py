"""Loading patients for a request: always scoped to the signed-in user's clinic."""

from collections import defaultdict
from functools import cache

from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.loaders import one_or_404
from tracker.patients.models import Consent, Patient

# What ``patient_banners`` reads of an episode: a list of patients reads only these (an
# intake row is wide, and mostly JSON); reading any other raises (``BannerFacts``).
BANNER_EPISODE_COLUMNS = (
    "status", "opened_on", "red_flags", "red_flags_acknowledged_at", "pregnant",
    "pregnancy_weeks", "pacemaker", "anticoagulants", "needle_fainting", "metal_allergy",
    "diabetes", "reduced_sensation", "skin_lesions", "skin_lesions_site",
)
# What the banners ask of an episode: the Episode model's own properties and methods.
_BANNER_EPISODE_MEMBERS = ("is_open", "red_flags_pending", "red_flag_labels",
                           "pregnancy_weeks_on", "safety_facts_on")


class BannerFacts:
    """What the banners of a page of patients read: each patient's episodes (only the
    banners' columns) and whether its latest consent was given (None: no consent recorded),
    from two plain selects for the whole page.

    Loaded as ORM collections (two ``selectinload``s), the consents and episodes of a list's
    25 patients took 6.5 ms, three times the patients themselves: each episode an object with
    a loader set up for each of its 70-odd other columns."""

    def __init__(self, patient_ids: list[int]):
        self.episodes: dict[int, list] = defaultdict(list)
        self.consent_given: dict[int, bool] = {}
        if not patient_ids:
            return
        episodes, consents = _banner_statements()
        connection = db.session.connection()
        episode_type = _banner_episode_type()
        for patient_id, *values in connection.execute(episodes, {"ids": patient_ids}).all():
            episode = episode_type()
            for name, value in zip(BANNER_EPISODE_COLUMNS, values, strict=True):
                setattr(episode, name, value)
            self.episodes[patient_id].append(episode)
        for patient_id, given in connection.execute(consents, {"ids": patient_ids}).all():
            self.consent_given[patient_id] = given  # in the order recorded: the latest wins


@cache
def _banner_episode_type() -> type:
    """A plain stand-in for an episode holding only ``BANNER_EPISODE_COLUMNS`` (slots: any
    other attribute raises), answering with the Episode model's own members. The model is
    reached through the relationship, not imported: intake sits above patients."""
    episode = Patient.episodes.property.mapper.class_
    members = {name: episode.__dict__[name] for name in _BANNER_EPISODE_MEMBERS}
    return type("BannerEpisode", (), {"__slots__": BANNER_EPISODE_COLUMNS, **members})


@cache
def _banner_statements():
    """``BannerFacts``' two statements, built once per process."""
    episode = Patient.episodes.property.mapper.class_
    ids = bindparam("ids", expanding=True)
    episodes = (select(episode.patient_id,
                       *(getattr(episode, name) for name in BANNER_EPISODE_COLUMNS))
                .where(episode.patient_id.in_(ids))
                .order_by(episode.patient_id, episode.opened_on.desc(), episode.id))
    consents = (select(Consent.patient_id, Consent.given)
                .where(Consent.patient_id.in_(ids))
                .order_by(Consent.patient_id, Consent.recorded_at, Consent.id))
    return episodes, consents


def load_patient(patient_id: int, *, for_update: bool = False) -> Patient:
    """The patient if it belongs to the user's clinic (with consents and episodes, which
    every patient page's banners read), else 404. One statement: the consents and episodes
    come joined to the patient's row (a patient has a consent or two, and a handful of
    episodes), where loading each collection after it cost every patient page two more
    round trips (PostgreSQL: 1-3 ms of a 15 ms page)."""
    return one_or_404(_patient_statement(for_update),
                      {"patient_id": patient_id, "clinic_id": current_user.clinic_id})


@cache
def _patient_statement(for_update: bool):
    """Built once per process (per kind): every patient page runs it, and building it and
    its cache key again took longer than running it."""
    stmt = (
        select(Patient)
        .where(Patient.id == bindparam("patient_id"),
               Patient.clinic_id == bindparam("clinic_id"))
        .options(joinedload(Patient.consents), joinedload(Patient.episodes))
    )
    return stmt.with_for_update(of=Patient, key_share=True) if for_update else stmt
