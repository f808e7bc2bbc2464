"""Loading a clinic's protocol for a request."""

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.loaders import one_or_404
from tracker.protocols.models import Protocol


def load_protocol(protocol_id: int) -> Protocol:
    """The protocol if it is the user's clinic's, with its points, else 404."""
    return one_or_404(
        select(Protocol)
        .options(selectinload(Protocol.points))
        .where(Protocol.id == protocol_id, Protocol.clinic_id == current_user.clinic_id)
    )
