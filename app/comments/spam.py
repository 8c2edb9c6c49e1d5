"""Spam defence without third parties: honeypot, rate limits, heuristics, and the reasons recorded."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum, StrEnum

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Connection, bindparam, case, func, literal, select, union_all

from app.comments.errors import TooManyComments
from app.comments.models import Comment, CommentStatus
from app.core.hashing import keyed_digest
from app.core.networks import network_of
from app.core.settings import Settings
from app.db.columns import core_table

DUPLICATE_WINDOW = timedelta(hours=24)
_FORM_SALT = "byline.comment-form"
# Built once: a comment runs each of these, and building a statement costs more than running it.
_COMMENTS = core_table(Comment)


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


# How much of each rate-limit window is used: one statement, each half on its own index.
_WINDOW_USE = union_all(
    *(
        select(literal(name), func.count(), func.min(_COMMENTS.c.created_at)).where(
            column == bindparam(name), _COMMENTS.c.created_at > bindparam("since")
        )
        for name, column in (("network", _COMMENTS.c.network_hash), ("email", _COMMENTS.c.author_email))
    )
)


def check_rate_limits(
    connection: Connection, *, network_hash: str, email: str, now: datetime, settings: Settings
) -> Allowance:
    """Refuse with 429 when the network or the address has used up its window; limits live in the
    database, so they hold across every worker process. Run in the write turn (app.db.write_turn),
    so no other process counts at the same time and sees room for the same one more."""
    window = timedelta(seconds=settings.comment_limit_window_seconds)
    use = {
        name: (used, oldest)
        for name, used, oldest in connection.execute(
            _WINDOW_USE, {"network": network_hash, "email": email, "since": now - window}
        )
    }
    tightest = None
    for name, limit, what in (
        ("network", settings.comment_limit_per_network, "your network"),
        ("email", settings.comment_limit_per_email, "this email address"),
    ):
        used, oldest = use[name]
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


class Reason(StrEnum):
    """Each kind of reason a comment is held or filed as spam for; the moderation queue filters by them."""

    first_comment = "first_comment"
    known_address = "known_address"
    too_many_links = "too_many_links"
    too_fast = "too_fast"
    form_invalid = "form_invalid"
    honeypot = "honeypot"
    blocklisted = "blocklisted"
    duplicate = "duplicate"


# The words each recorded reason of a kind starts with: what follows them (a count, a word) varies.
REASON_WORDS = {
    Reason.first_comment: "first comment from this address",
    Reason.known_address: "address known, but sent without its commenter token",
    Reason.too_many_links: "too many links",
    Reason.too_fast: "submitted less than",
    Reason.form_invalid: "form token",
    Reason.honeypot: "honeypot field filled",
    Reason.blocklisted: "blocklisted word:",
    Reason.duplicate: "duplicate of recent comment",
}


@dataclass
class Verdict:
    status: CommentStatus
    reasons: list[str] = field(default_factory=list)


class Standing(Enum):
    """What approved comments say about whoever sends this address and commenter token."""

    unknown = "no approved comment from this address"
    known = "approved comments from this address, none sent with this token"
    trusted = "an approved comment sent with this address and this token"


# 1 where an approved comment came with the token, 0 where only with others, NULL where none did.
_STANDING = select(func.max(case((_COMMENTS.c.commenter_hash == bindparam("commenter_hash"), 1), else_=0))).where(
    _COMMENTS.c.author_email == bindparam("email"), _COMMENTS.c.status == CommentStatus.approved.value
)
_DUPLICATE = (
    select(_COMMENTS.c.id)
    .where(
        _COMMENTS.c.content_hash == bindparam("content_hash"),
        _COMMENTS.c.article_id == bindparam("article_id"),
        _COMMENTS.c.created_at > bindparam("since"),
    )
    .limit(1)
)


def standing(connection: Connection, *, email: str, commenter_hash: str) -> Standing:
    """A moderator approved a comment sent with this token and this address: typing an email is not enough."""
    approved = connection.execute(_STANDING, {"email": email, "commenter_hash": commenter_hash}).scalar()
    return Standing.unknown if approved is None else Standing.trusted if approved else Standing.known


def recent_duplicate(connection: Connection, *, article_id: int, content_hash: str, now: datetime) -> int | None:
    """A comment with the same words on the same article within the duplicate window."""
    return connection.execute(
        _DUPLICATE, {"content_hash": content_hash, "article_id": article_id, "since": now - DUPLICATE_WINDOW}
    ).scalar()


def assess(
    *,
    article_id: int,
    standing: Standing,
    duplicate_of: int | None,
    content: str,
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
        spam.append(REASON_WORDS[Reason.honeypot])
    lowered = content.casefold()
    spam += [
        f"{REASON_WORDS[Reason.blocklisted]} {word}"
        for word in settings.comment_blocklist
        if word.casefold() in lowered
    ]
    if duplicate_of is not None:
        spam.append(f"{REASON_WORDS[Reason.duplicate]} {duplicate_of}")
    if links > settings.comment_max_links:
        held.append(f"{REASON_WORDS[Reason.too_many_links]} ({links})")
    if form_token is not None:
        held += _form_token_problems(
            settings.secret_key.get_secret_value(), form_token, article_id, now=now, settings=settings
        )
    if spam:
        return Verdict(CommentStatus.spam, spam + held)
    if held:
        return Verdict(CommentStatus.pending, held)
    if standing is Standing.trusted:
        return Verdict(CommentStatus.approved, [])
    if standing is Standing.unknown:
        return Verdict(CommentStatus.pending, [REASON_WORDS[Reason.first_comment]])
    # Someone typed an address with approved comments, without the token those came with.
    return Verdict(CommentStatus.pending, [REASON_WORDS[Reason.known_address]])


def _form_token_problems(
    secret_key: str, token: str, article_id: int, *, now: datetime, settings: Settings
) -> list[str]:
    try:
        claims = URLSafeSerializer(secret_key, salt=_FORM_SALT).loads(token)
        issued_at, for_article = float(claims["at"]), int(claims["article"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return [f"{REASON_WORDS[Reason.form_invalid]} not valid"]
    if for_article != article_id:
        return [f"{REASON_WORDS[Reason.form_invalid]} is for another article"]
    if now.timestamp() - issued_at < settings.comment_min_seconds:
        return [f"{REASON_WORDS[Reason.too_fast]} {settings.comment_min_seconds} s after the form was shown"]
    return []


def privacy_digests(settings: Settings, address: str) -> tuple[str, str]:
    """Keyed digests of the address and its network: enough to rate-limit, useless to identify."""
    secret = settings.secret_key.get_secret_value()
    return keyed_digest(secret, "ip", address), keyed_digest(secret, "network", network_of(address))
