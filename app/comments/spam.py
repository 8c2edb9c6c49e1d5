"""Spam defence without third parties: honeypot, rate limits, heuristics, and the reasons recorded."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum, StrEnum

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Connection, Integer, String, bindparam, cast, literal, null, select, union_all

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


# What a batch of submissions is judged on, in one statement, each part on its own index: the
# recent comments of their networks and of their addresses, the tokens their addresses' approved
# comments came with, and recent comments with the same words. Each row says which part it is of.
_NO_TEXT, _NO_TIME, _NO_ID = cast(null(), String), cast(null(), _COMMENTS.c.created_at.type), cast(null(), Integer)
_RECENT = union_all(
    *(
        select(literal(part), column, _COMMENTS.c.created_at, _NO_TEXT, _NO_ID, _NO_ID).where(
            column.in_(bindparam(f"{part}s", expanding=True)), _COMMENTS.c.created_at > bindparam("since")
        )
        for part, column in (("network", _COMMENTS.c.network_hash), ("email", _COMMENTS.c.author_email))
    ),
    select(literal("token"), _COMMENTS.c.author_email, _NO_TIME, _COMMENTS.c.commenter_hash, _NO_ID, _NO_ID)
    .distinct()
    .where(
        _COMMENTS.c.author_email.in_(bindparam("emails", expanding=True)),
        _COMMENTS.c.status == CommentStatus.approved.value,
    ),
    select(
        literal("words"),
        _COMMENTS.c.content_hash,
        _COMMENTS.c.created_at,
        _NO_TEXT,
        _COMMENTS.c.id,
        _COMMENTS.c.article_id,
    ).where(
        _COMMENTS.c.content_hash.in_(bindparam("content_hashes", expanding=True)),
        _COMMENTS.c.created_at > bindparam("words_since"),
    ),
)


class RecentComments:
    """The stored comments a batch of submissions is judged against, read in one statement for all
    of them. Each comment the batch keeps is added as it is judged (`judged`) and once it has an
    id (`stored`), so every submission is judged as if those before it had been stored alone.

    Rate limits live in the database, so they hold across every worker process; the batch is read
    and stored in the write turn (app.db.write_turn), so no other process counts at the same time
    and sees room for the same one more."""

    def __init__(
        self,
        connection: Connection,
        *,
        networks: Collection[str],
        emails: Collection[str],
        content_hashes: Collection[str],
        earliest: datetime,
        settings: Settings,
    ) -> None:
        self._settings = settings
        self._window = timedelta(seconds=settings.comment_limit_window_seconds)
        self._sent: defaultdict[tuple[str, str], list[datetime]] = defaultdict(list)
        self._tokens: defaultdict[str, set[str | None]] = defaultdict(set)
        self._same_words: defaultdict[tuple[int, str], list[tuple[int, datetime]]] = defaultdict(list)
        asked = {
            "networks": list(networks),
            "emails": list(emails),
            "since": earliest - self._window,
            "content_hashes": list(content_hashes),
            "words_since": earliest - DUPLICATE_WINDOW,
        }
        for part, key, created_at, commenter_hash, comment_id, article_id in connection.execute(_RECENT, asked):
            if part == "token":
                self._tokens[key].add(commenter_hash)
            elif part == "words":
                self._same_words[article_id, key].append((comment_id, created_at))
            else:
                self._sent[part, key].append(created_at)

    def allowance(self, *, network_hash: str, email: str, now: datetime) -> Allowance:
        """What is left of the tightest limit; 429 when the network or the address has used up its window."""
        settings = self._settings
        tightest = None
        for name, sender, limit, what in (
            ("network", network_hash, settings.comment_limit_per_network, "your network"),
            ("email", email, settings.comment_limit_per_email, "this email address"),
        ):
            times = [at for at in self._sent[name, sender] if at > now - self._window]
            reset = (
                max(1, int(((min(times) + self._window) - now).total_seconds()) + 1)
                if times
                else settings.comment_limit_window_seconds
            )
            if len(times) >= limit:
                raise TooManyComments(
                    f"Too many comments from {what}; try again in {reset} seconds.", limit=limit, retry_after=reset
                )
            allowance = Allowance(limit=limit, remaining=limit - len(times) - 1, reset_seconds=reset)
            if tightest is None or allowance.remaining < tightest.remaining:
                tightest = allowance
        if tightest is None:
            raise RuntimeError("no rate limit was checked")  # the loop above checks two
        return tightest

    def standing(self, *, email: str, commenter_hash: str) -> Standing:
        """A moderator approved a comment sent with this token and this address: typing an email is not enough."""
        tokens = self._tokens.get(email)
        return Standing.unknown if not tokens else Standing.trusted if commenter_hash in tokens else Standing.known

    def duplicate_of(self, *, article_id: int, content_hash: str, now: datetime) -> int | None:
        """A comment with the same words on the same article within the duplicate window."""
        since = now - DUPLICATE_WINDOW
        return min((found for found, at in self._same_words[article_id, content_hash] if at > since), default=None)

    def judged(self, *, network_hash: str, email: str, commenter_hash: str, approved: bool, now: datetime) -> None:
        self._sent["network", network_hash].append(now)
        self._sent["email", email].append(now)
        if approved:
            self._tokens[email].add(commenter_hash)

    def stored(self, *, comment_id: int, article_id: int, content_hash: str, now: datetime) -> None:
        self._same_words[article_id, content_hash].append((comment_id, now))


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
