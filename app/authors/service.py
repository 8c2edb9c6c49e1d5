"""Author queries and changes: the author directory, and bylines handed over when an author goes."""

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.articles.models import ArticleAuthor
from app.authors.errors import AuthorHasArticles, AuthorNotFound, AuthorSlugTaken
from app.authors.models import Author
from app.authors.schemas import AuthorCreate, AuthorPublic, AuthorUpdate
from app.directories.service import Directory


def _hand_over_bylines(session: Session, leaving: int, heir: int) -> None:
    shared = select(ArticleAuthor.article_id).where(ArticleAuthor.author_id == heir)
    # Where both are on the byline, the heir keeps their place; elsewhere they take this author's.
    bylines = col(ArticleAuthor.author_id) == leaving
    session.execute(delete(ArticleAuthor).where(bylines, col(ArticleAuthor.article_id).in_(shared)))
    session.execute(update(ArticleAuthor).where(bylines).values(author_id=heir))


AUTHORS = Directory(
    Author,
    public=AuthorPublic,
    create_body=AuthorCreate,
    update_body=AuthorUpdate,
    not_found=AuthorNotFound,
    slug_taken=AuthorSlugTaken,
    article_id=col(ArticleAuthor.article_id),
    entry_id=col(ArticleAuthor.author_id),
    still_used=AuthorHasArticles,
    hand_over=_hand_over_bylines,
)
authors_by_slug = AUTHORS.by_slug
get_author = AUTHORS.get
add_author = AUTHORS.add
