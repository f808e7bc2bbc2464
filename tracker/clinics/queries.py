"""Loading staff accounts for a request: always scoped to the signed-in admin's clinic."""

from flask_login import current_user
from sqlalchemy import select

from tracker.auth.models import User
from tracker.loaders import one_or_404


def load_staff(user_id: int) -> User:
    """A user of the signed-in user's own clinic, else 404."""
    return one_or_404(
        select(User).where(User.id == user_id, User.clinic_id == current_user.clinic_id)
    )
