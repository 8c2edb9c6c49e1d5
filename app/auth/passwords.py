"""Password hashes: Argon2id, with a dummy hash so unknown accounts take as long as known ones."""

from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.core.settings import Settings


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
