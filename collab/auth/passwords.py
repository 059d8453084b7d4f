"""Password hashing (argon2id) and the NIST 800-63B style password rules."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

MAX_LENGTH = 256
# Words anyone would try first against this site.
CONTEXT_WORDS = [
    "collab",
    "oecd",
    "digital",
    "identity",
    "procurement",
    "services",
    "password",
]


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config.get("ARGON2_TIME_COST", 3),
        memory_cost=config.get("ARGON2_MEMORY_COST", 65536),
        parallelism=config.get("ARGON2_PARALLELISM", 4),
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash, so timing reveals no account."""
    hasher = _hasher()
    if not password_hash:
        hasher.hash(password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is not acceptable, or None. Length and guessability only: no
    composition rules."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _(
            "Use at least %(n)d characters. A few unrelated words make a good one.",
            n=minimum,
        )
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_LENGTH)
    context = CONTEXT_WORDS + [email, email.partition("@")[0]]
    context += email.replace("@", " ").replace(".", " ").split()
    context += name.split()
    if zxcvbn(password[:100], user_inputs=context)["score"] < 3:
        return _(
            "This password is too easy to guess: it is common, repetitive or "
            "contains your name or e-mail. Try a few unrelated words."
        )
    return None
