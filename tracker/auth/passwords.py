"""Password hashing with Argon2id (memory-hard), parameters from the app config."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_KIB"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """Hash ``password`` for storage."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches; never raises for a wrong or malformed hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash was made with weaker parameters than the current ones."""
    return _hasher().check_needs_rehash(password_hash)


def burn_verification_time() -> None:
    """Spend the time of one verification, so an unknown email answers as slowly as a known one."""
    verify_password(_dummy_hash(), "not the password")


_DUMMY = {}


def _dummy_hash() -> str:
    key = (
        current_app.config["ARGON2_TIME_COST"],
        current_app.config["ARGON2_MEMORY_KIB"],
        current_app.config["ARGON2_PARALLELISM"],
    )
    if key not in _DUMMY:
        _DUMMY[key] = hash_password("dummy password for timing")
    return _DUMMY[key]
