"""The second factor: a TOTP authenticator (RFC 6238) enrolled by its owner, single-use recovery
codes, and the pending token between a sign-in's password and its code."""

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from secrets import token_hex
from typing import Any, Literal, cast

import pyotp
from sqlalchemy import CursorResult, delete, or_, update
from sqlmodel import Session, col

from app.auth import journal, limits
from app.auth.errors import SecondFactorEnabled, SecondFactorNotEnrolled
from app.auth.models import RecoveryCode, SecondFactor, User
from app.auth.passwords import passwords
from app.core.errors import InvalidField
from app.core.hashing import keyed_digest
from app.core.sealing import seal, unseal
from app.core.settings import Settings
from app.mail import accounts as mail

RECOVERY_CODES = 10
# What an authenticator app shows (pyotp's default length); a recovery code is ten hex digits, about
# one in a hundred of them decimal digits alone.
AUTHENTICATOR_DIGITS = 6
# Between the password and the code: long enough to open an authenticator app, no longer.
PENDING_FOR = timedelta(minutes=5)
_SEALED = "totp-secret"


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str


def enabled(session: Session, user_id: int) -> bool:
    factor = session.get(SecondFactor, user_id)
    return factor is not None and factor.enabled_at is not None


def enrolment_due(user: User, *, factor_enabled: bool, roles: Sequence[str]) -> bool:
    """Whether the person's role must sign in with a second factor they have not enabled yet."""
    return user.role in roles and not factor_enabled


def enrol(
    session: Session, user: User, *, password: str, client_address: str, settings: Settings, now: datetime
) -> Enrolment:
    """A new seed, shown this once; it signs nothing in until a first code confirms it. Enrolling again
    before that replaces the seed. Only with the password, so a session someone else took cannot tie
    the account to their authenticator."""
    factor = session.get(SecondFactor, user.id)
    if factor is not None and factor.enabled_at is not None:
        raise SecondFactorEnabled("Your account already has an authenticator.")
    attempts = limits.Attempts.of(settings, email=user.email, client_address=client_address)
    _check_password(session, user, password, attempts=attempts, settings=settings, now=now)
    secret = pyotp.random_base32()
    sealed = seal(settings.secret_key.get_secret_value(), _SEALED, secret)
    if factor is None:
        factor = SecondFactor(user_id=user.id, sealed_secret=sealed, created_at=now)
    else:
        factor.sealed_secret, factor.created_at, factor.last_step = sealed, now, None
    session.add(factor)
    session.commit()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=settings.site_name)
    return Enrolment(secret=secret, uri=uri)


def confirm(session: Session, user: User, code: str, *, settings: Settings, now: datetime) -> list[str]:
    """Enable the enrolled authenticator with a first code of it; returns the recovery codes, shown once."""
    factor = session.get(SecondFactor, user.id)
    if factor is None or factor.enabled_at is not None:
        raise SecondFactorNotEnrolled("No authenticator is waiting to be confirmed; enrol one first.")
    if _take_step(session, factor, code, settings=settings, now=now) != "taken":
        raise InvalidField("#/code", "The code does not match the authenticator; check its clock.")
    factor.enabled_at = now
    session.add(factor)
    codes = _new_recovery_codes(session, user, settings=settings)
    journal.note(session, "totp_enrol", user, at=now)
    mail.queue_notice(session, to=user.email, name=user.name, kind="totp_enrol", now=now)
    session.commit()
    return codes


def disable(
    session: Session,
    user: User,
    *,
    password: str | None,
    code: str | None,
    client_address: str,
    settings: Settings,
    now: datetime,
) -> None:
    """With the password or a code (or a recovery code); wrong ones count as failed sign-ins."""
    if not enabled(session, user.id):
        raise SecondFactorNotEnrolled("Your account has no authenticator enabled.")
    attempts = limits.Attempts.of(settings, email=user.email, client_address=client_address)
    if code is not None:
        check_code(session, user, code, attempts=attempts, settings=settings, now=now)
    else:
        _check_password(session, user, password or "", attempts=attempts, settings=settings, now=now)
    session.execute(delete(SecondFactor).where(col(SecondFactor.user_id) == user.id))
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    journal.note(session, "totp_disable", user, at=now)
    mail.queue_notice(session, to=user.email, name=user.name, kind="totp_disable", now=now)
    session.commit()


def _check_password(
    session: Session, user: User, password: str, *, attempts: limits.Attempts, settings: Settings, now: datetime
) -> None:
    """Wrong passwords count as failed sign-ins, under the same limits."""
    limits.check_limits(session, attempts, now=now, settings=settings)
    if not passwords(settings).verify(user.password_hash, password):
        limits.count_attempt(session, attempts, now=now)
        session.commit()
        raise InvalidField("#/password", "The password is wrong.")
    limits.forget_attempts(session, attempts)


def check_code(
    session: Session, user: User, code: str, *, attempts: limits.Attempts, settings: Settings, now: datetime
) -> None:
    """Accept a code of the authenticator, never one already used (nor one older), or a recovery code,
    which is then spent. Wrong codes count as failed sign-ins, under the same limits; a used one is
    also recorded and its owner told, since whoever sent it saw the code. The caller commits."""
    limits.check_limits(session, attempts, now=now, settings=settings)
    factor = session.get(SecondFactor, user.id)
    typed = "".join(code.split()).replace("-", "").lower()
    if factor is None or factor.enabled_at is None:
        accepted = False
    elif len(typed) == AUTHENTICATOR_DIGITS and typed.isdigit():
        outcome = _take_step(session, factor, typed, settings=settings, now=now)
        accepted = outcome == "taken"
        if outcome == "used":
            journal.note(session, "totp_reuse", user, at=now, actor=journal.SOMEONE)
            mail.queue_notice(session, to=user.email, name=user.name, kind="totp_reuse", now=now)
    else:
        spent = session.execute(
            delete(RecoveryCode).where(
                col(RecoveryCode.user_id) == user.id,
                col(RecoveryCode.code_hash) == _recovery_hash(settings, user.id, typed),
            )
        )
        accepted = cast(CursorResult[Any], spent).rowcount == 1
        if accepted:
            journal.note(session, "recovery_code", user, at=now)
    if not accepted:
        limits.count_attempt(session, attempts, now=now)
        session.commit()
        raise InvalidField("#/code", "The code is wrong, already used, or too old.")
    limits.forget_attempts(session, attempts)


def _take_step(
    session: Session, factor: SecondFactor, code: str, *, settings: Settings, now: datetime
) -> Literal["taken", "used", "wrong"]:
    """`used`: a code of the authenticator that was already accepted, or is older than one that was."""
    secret = unseal(settings.secret_key.get_secret_value(), _SEALED, factor.sealed_secret)
    if secret is None:
        return "wrong"
    try:
        # One step either side: the phone's clock may be half a minute off.
        step = pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=now, valid_window=1)
    except pyotp.OTPVerificationError:
        return "wrong"
    # One statement, so two requests racing with one code cannot both pass.
    taken = session.execute(
        update(SecondFactor)
        .where(
            col(SecondFactor.user_id) == factor.user_id,
            or_(col(SecondFactor.last_step).is_(None), col(SecondFactor.last_step) < step),
        )
        .values(last_step=step)
    )
    session.refresh(factor)
    return "taken" if cast(CursorResult[Any], taken).rowcount == 1 else "used"


def _recovery_hash(settings: Settings, user_id: int, code: str) -> str:
    # 50 random bits under a keyed digest: a copy of the database alone cannot test guesses.
    return keyed_digest(settings.secret_key.get_secret_value(), "recovery-code", f"{user_id}:{code}")


def _new_recovery_codes(session: Session, user: User, *, settings: Settings) -> list[str]:
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    codes = [token_hex(5) for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(settings, user.id, code)))
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def pending_token(user: User, *, settings: Settings, now: datetime) -> tuple[str, datetime]:
    """What a sign-in answers instead of a session when the password was right and a code is due.
    Signed, not stored; bound to the password, so a reset voids it."""
    expires_at = now + PENDING_FOR
    claim = f"{user.id}.{int(expires_at.timestamp())}"
    return f"{claim}.{_pending_mac(settings, claim, user)}", expires_at


def pending_user(session: Session, token: str, *, settings: Settings, now: datetime) -> User:
    invalid = InvalidField("#/pending_token", "The sign-in has expired or is not one this server began; sign in again.")
    user_id, _, rest = token.partition(".")
    expires, _, mac = rest.partition(".")
    if not (user_id.isdigit() and expires.isdigit()) or int(expires) <= now.timestamp():
        raise invalid
    user = session.get(User, int(user_id))
    if user is None or not user.is_active:
        raise invalid
    if not hmac.compare_digest(mac.encode(), _pending_mac(settings, f"{user_id}.{expires}", user).encode()):
        raise invalid
    return user


def _pending_mac(settings: Settings, claim: str, user: User) -> str:
    return keyed_digest(
        settings.secret_key.get_secret_value(), "second-factor-pending", f"{claim}.{user.password_hash}"
    )
