"""Where the domains plug into the infrastructure and into each other, the same for every entry
point (the app factory, the `byline` commands, the tests): who hears of an article write, what a
commit does with the surrogate keys it purges, and what an upgrade rebuilds with today's code."""

from sqlalchemy import Engine
from sqlmodel import Session

from app.articles import written
from app.articles.models import Article, Correction
from app.articles.pictures import MediaShown
from app.articles.visibility import RELEASES as ARTICLE_RELEASES
from app.audit import recorder as audit
from app.audit.imports import ImportedArticles
from app.auth import journal
from app.auth.models import ApiKey, User
from app.authors.models import Author
from app.caching import content_version, stored_answers
from app.caching.responses.state import StateQuery
from app.changes.record import ChangeFeed
from app.collections.models import SCHEDULED_ORDERS
from app.comments.models import Comment
from app.db import migrate
from app.indexing.service import ArticleText, reindex
from app.media import uses as media_uses
from app.media.models import Media
from app.outbox import service as outbox
from app.related.semantic import pgvector
from app.taxonomy.models import Section, Tag
from app.webhooks.models import WebhookEndpoint

# What readers start to see by itself at a stored moment, which caches end their answers at.
RELEASES = ARTICLE_RELEASES + SCHEDULED_ORDERS

# What the audit log records a change of, and how it names each row.
AUDITED: dict[type, audit.Watched] = {
    Article: audit.Watched(
        "article",
        lambda a: a.slug,
        audit.when_changed("status", {"published": "publish", "draft": "unpublish", "archived": "archive"}),
    ),
    # Readers see a correction's text, never who wrote it: the log says.
    Correction: audit.Watched("correction", lambda c: c.text),
    Author: audit.Watched("author", lambda a: a.slug),
    Section: audit.Watched("section", lambda s: s.slug),
    Tag: audit.Watched("tag", lambda t: t.slug),
    Comment: audit.Watched(
        "comment",
        lambda c: f"{c.author_name} on article {c.article_id}",
        audit.when_changed("status", {"approved": "approve", "pending": "hold", "spam": "spam", "trash": "trash"}),
    ),
    Media: audit.Watched("media", lambda m: m.filename or m.alt or f"picture {m.id}"),
    WebhookEndpoint: audit.Watched("webhook", lambda w: w.url),
    ApiKey: audit.Watched(
        "key",
        lambda k: k.name,
        audit.first_of(audit.when_changed("revoked_at", "revoke"), audit.when_changed("key_hash", "rotate")),
    ),
    User: audit.Watched(
        "user",
        lambda u: u.email,
        audit.first_of(
            audit.when_changed("is_active", {False: "deactivate", True: "reactivate"}),
            audit.when_changed("password_hash", "password"),
        ),
    ),
}

# Revisions that add search structures. Migrations never fill them: they would run application code
# that may have changed since; the upgrade rebuilds them with today's code once it reaches head.
REBUILD_SEARCH_AFTER = frozenset({"0004", "0005"})


def install_write_hooks() -> None:
    """Every article write keeps its search entry, term vector and change-feed row in step; every
    commit that purges surrogate keys deletes the stored answers sent with them, in its own
    transaction, tells CDNs in a `cache.purge` outbox event, and on PostgreSQL tells every worker
    the content state it makes; a change to a media library picture
    reaches the articles that show it; the audit log records every change someone makes, and every
    sign-in, sign-out and second-factor act."""
    written.subscribe(ArticleText(), ChangeFeed(), ImportedArticles())
    audit.install(AUDITED)
    journal.install(audit.record_by)
    media_uses.subscribe(MediaShown())
    content_version.install(stored_answers.forget, outbox.cache_purged, tell_state=StateQuery(RELEASES).tell)


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Migrate, then rebuild what the new code renders or indexes differently."""
    migrate.upgrade_database(database_url, revision, then=(_rebuild_search, _start_afresh))


def _rebuild_search(engine: Engine, upgrade: migrate.Upgrade) -> None:
    if upgrade.at_head and upgrade.applied & REBUILD_SEARCH_AFTER:
        with Session(engine) as session:
            reindex(session)
            session.commit()


def _start_afresh(engine: Engine, upgrade: migrate.Upgrade) -> None:
    if not upgrade.at_head:
        return
    # Stored answers were rendered by whatever code ran before this upgrade.
    with Session(engine) as session:
        stored_answers.forget_all(session)
        session.commit()
    # The server may have gained the extension since the last upgrade.
    pgvector.ensure(engine)
