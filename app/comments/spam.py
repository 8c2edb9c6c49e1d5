"""Spam defence without third parties: honeypot, rate limits, heuristics, and the reasons recorded."""

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, func, select

from app.comments.errors import TooManyComments
from app.comments.models import Comment, CommentStatus
from app.hashing import keyed_digest
from app.settings import Settings

DUPLICATE_WINDOW = timedelta(hours=24)
_FORM_SALT = "byline.comment-form"


def network_of(address: str) -> str:
    """The /24 of an IPv4 address or the /48 of an IPv6 one: what one household or host controls."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@dataclass
class Allowance:
    """What is left of the tightest rate limit, for the RateLimit-* headers."""

    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


def _window_use(session: Session, column: Mapped[str], value: str, *, since: datetime) -> tuple[int, datetime | None]:
    count, oldest = session.exec(
        select(func.count(), func.min(Comment.created_at)).where(column == value, Comment.created_at > since)
    ).one()
    return count, oldest


def check_rate_limits(
    session: Session, *, network_hash: str, email: str, now: datetime, settings: Settings
) -> Allowance:
    """Refuse with 429 when the network or the address has used up its window; limits live in the
    database, so they hold across every worker process."""
    if session.get_bind().dialect.name == "postgresql":
        # Two workers counting at once would both see room for one more; sorted, so no deadlock.
        for key in sorted((f"network:{network_hash}", f"email:{email}")):
            session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
    window = timedelta(seconds=settings.comment_limit_window_seconds)
    since = now - window
    tightest = None
    for column, value, limit, what in (
        (col(Comment.network_hash), network_hash, settings.comment_limit_per_network, "your network"),
        (col(Comment.author_email), email, settings.comment_limit_per_email, "this email address"),
    ):
        used, oldest = _window_use(session, column, value, since=since)
        reset = (
            max(1, int(((oldest + window) - now).total_seconds()) + 1)
            if oldest
            else settings.comment_limit_window_seconds
        )
        if used >= limit:
            raise TooManyComments(
                f"Too many comments from {what}; try again in {reset} seconds.", limit=limit, retry_after=reset
            )
        allowance = Allowance(limit=limit, remaining=limit - used - 1, reset_seconds=reset)
        if tightest is None or allowance.remaining < tightest.remaining:
            tightest = allowance
    if tightest is None:
        raise RuntimeError("no rate limit was checked")  # the loop above checks two
    return tightest


def issue_form_token(secret_key: str, article_id: int, *, now: datetime) -> str:
    return URLSafeSerializer(secret_key, salt=_FORM_SALT).dumps({"article": article_id, "at": now.timestamp()})


@dataclass
class Verdict:
    status: CommentStatus
    reasons: list[str] = field(default_factory=list)


def assess(
    session: Session,
    *,
    article_id: int,
    email: str,
    trusted: bool,
    content: str,
    content_hash: str,
    links: int,
    honeypot: str | None,
    form_token: str | None,
    now: datetime,
    settings: Settings,
) -> Verdict:
    """Spam, held for a moderator, or published at once, with every reason that applied."""
    spam: list[str] = []
    held: list[str] = []
    if honeypot:
        spam.append("honeypot field filled")
    lowered = content.casefold()
    spam += [f"blocklisted word: {word}" for word in settings.comment_blocklist if word.casefold() in lowered]
    duplicate = session.exec(
        select(Comment.id).where(
            Comment.content_hash == content_hash,
            Comment.article_id == article_id,
            Comment.created_at > now - DUPLICATE_WINDOW,
        )
    ).first()
    if duplicate is not None:
        spam.append(f"duplicate of recent comment {duplicate}")
    if links > settings.comment_max_links:
        held.append(f"too many links ({links})")
    if form_token is not None:
        held += _form_token_problems(
            settings.secret_key.get_secret_value(), form_token, article_id, now=now, settings=settings
        )
    if spam:
        return Verdict(CommentStatus.spam, spam + held)
    if held:
        return Verdict(CommentStatus.pending, held)
    if trusted:
        return Verdict(CommentStatus.approved, [])
    known = session.exec(
        select(Comment.id).where(Comment.author_email == email, Comment.status == CommentStatus.approved.value)
    ).first()
    if known is None:
        return Verdict(CommentStatus.pending, ["first comment from this address"])
    # Someone typed an address with approved comments, without the token those came with.
    return Verdict(CommentStatus.pending, ["address known, but sent without its commenter token"])


def _form_token_problems(
    secret_key: str, token: str, article_id: int, *, now: datetime, settings: Settings
) -> list[str]:
    try:
        claims = URLSafeSerializer(secret_key, salt=_FORM_SALT).loads(token)
        issued_at, for_article = float(claims["at"]), int(claims["article"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return ["form token not valid"]
    if for_article != article_id:
        return ["form token is for another article"]
    if now.timestamp() - issued_at < settings.comment_min_seconds:
        return [f"submitted less than {settings.comment_min_seconds} s after the form was shown"]
    return []


def privacy_digests(settings: Settings, address: str) -> tuple[str, str]:
    """Keyed digests of the address and its network: enough to rate-limit, useless to identify."""
    secret = settings.secret_key.get_secret_value()
    return keyed_digest(secret, "ip", address), keyed_digest(secret, "network", network_of(address))
