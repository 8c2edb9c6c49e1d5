"""Articles created in bulk (imports) are inserted with statements, which no flush sees: the audit
log hears of them as the search index does (app.articles.written)."""

from datetime import datetime

from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from app.articles.models import Article
from app.articles.written import Seen
from app.audit import recorder


class ImportedArticles:
    def written(self, session: Session, article: Article, before: Seen | None, *, now: datetime) -> None:
        """A flush records it."""

    def deleted(self, session: Session, article: Article, before: Seen, *, now: datetime) -> None:
        """A flush records it."""

    def created(self, session: Session, articles: list[Article], *, now: datetime) -> None:
        recorder.record(session, "article.create", [(a.id, a.slug) for a in articles], kind="article")

    def touched(self, session: Session, article_ids: SelectOfScalar[int], *, now: datetime) -> None:
        """Nothing of theirs a person changed."""
