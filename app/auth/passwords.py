"""Password hashes: Argon2id, with a dummy hash so unknown accounts take as long as known ones; and
refusing new passwords that are easy to guess."""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from app.core.errors import InvalidField
from app.core.settings import Settings

# zxcvbn's score 3: about 10^8 guesses or more, safe against throttled online guessing.
STRONG_ENOUGH = 3
# zxcvbn's own ceiling, since its work grows with the length; what lies past it only adds strength.
_JUDGED_LENGTH = 72


@dataclass(frozen=True)
class Passwords:
    hasher: PasswordHasher
    # Verified against when no account matches, so the answer takes the time a real check takes.
    dummy_hash: str

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """False for an account without a password (an invitation not yet accepted), after the same work."""
        try:
            return self.hasher.verify(password_hash or self.dummy_hash, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self.hasher.check_needs_rehash(password_hash)


@cache
def _passwords(time_cost: int, memory_kib: int, parallelism: int) -> Passwords:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
    return Passwords(hasher=hasher, dummy_hash=hasher.hash("no account has this password"))


def passwords(settings: Settings) -> Passwords:
    return _passwords(settings.password_time_cost, settings.password_memory_kib, settings.password_parallelism)


def ensure_strong(password: str, *, pointer: str, email: str, name: str) -> None:
    """422 naming `pointer` for a password guessers try early: one of the 30,000 most common (leaked)
    passwords zxcvbn ships, a dictionary word or name, a keyboard walk, a repeat, a sequence, a date,
    or the person's own email or name. Any character is allowed; nothing asks for digits or capitals."""
    hints = [email, email.partition("@")[0], name, *name.split()]
    judged = zxcvbn(password[:_JUDGED_LENGTH], user_inputs=_distinct(hints))
    if judged["score"] < STRONG_ENOUGH:
        why = judged["feedback"]["warning"] or "It is among the patterns guessers try first."
        raise InvalidField(pointer, f"This password is too easy to guess. {why} A few uncommon words together work.")


def _distinct(hints: Iterable[str]) -> list[str]:
    return sorted({hint.lower() for hint in hints if hint})
