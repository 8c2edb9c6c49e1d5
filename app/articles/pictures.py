"""Articles showing media library pictures: each picture named by `media_id` is stored with what
the library shows of it (renditions, size, words), so reads need no lookup, and `article_media`
records who shows what. A change to a picture rewrites the articles showing it (`MediaShown`)."""

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert
from sqlmodel import Session, col, select

from app.articles.blocks import Image, ImageBlock
from app.articles.models import Article, ArticleMedia
from app.articles.touch import touch_articles
from app.caching import content_version, keys
from app.core.errors import InvalidField
from app.db.columns import core_table
from app.media import links
from app.media import service as media_library


def _pictures(article: Article) -> list[tuple[str, dict[str, Any]]]:
    """Each picture of the article by its pointer, as stored."""
    found = [("#/featured_image", article.featured_image)] if article.featured_image else []
    found += [(f"#/body/{n}", block) for n, block in enumerate(article.body) if block.get("type") == "image"]
    return found


def show_pictures(session: Session, article: Article) -> None:
    """Store each library picture of the article with what the library shows of it now; an id the
    library does not hold is refused (422 naming the field)."""
    wanted = media_ids(article)
    if not wanted:
        return
    found = media_library.media_by_ids(session, wanted)
    for pointer, image in _pictures(article):
        if image.get("media_id") is not None and image["media_id"] not in found:
            raise InvalidField(f"{pointer}/media_id", f"No media item has the id {image['media_id']}.")

    def stored(image: dict[str, Any], model: type[Image]) -> dict[str, Any]:
        if image.get("media_id") is None:
            return image
        picture = model.model_validate(image)
        return picture.stored(links.shown(found[image["media_id"]], picture.crop))

    if article.featured_image:
        article.featured_image = stored(article.featured_image, Image)
    if any(block.get("type") == "image" for block in article.body):
        article.body = [stored(block, ImageBlock) if block.get("type") == "image" else block for block in article.body]


def media_ids(article: Article) -> set[int]:
    """The library pictures the article shows."""
    return {image["media_id"] for _, image in _pictures(article) if image.get("media_id") is not None}


_SHOWN = core_table(ArticleMedia)
# Built once and run on the transaction's connection: every article write runs the first.
_KNOWN = select(_SHOWN.c.media_id).where(_SHOWN.c.article_id == bindparam("article_id"))
_UNLINK = delete(_SHOWN).where(
    _SHOWN.c.article_id == bindparam("article_id"), _SHOWN.c.media_id.in_(bindparam("media_ids", expanding=True))
)


def link_pictures(session: Session, article: Article) -> None:
    """Record which library pictures the (flushed) article shows."""
    shown = media_ids(article)
    connection = session.connection()
    known = set(connection.execute(_KNOWN, {"article_id": article.id}).scalars())
    if known - shown:
        connection.execute(_UNLINK, {"article_id": article.id, "media_ids": sorted(known - shown)})
    if shown - known:
        connection.execute(insert(_SHOWN), [{"article_id": article.id, "media_id": m} for m in shown - known])


class MediaShown:
    """The articles domain's answer to the media library (app.media.uses)."""

    def using(self, session: Session, media_id: int) -> list[str]:
        return list(
            session.exec(
                select(Article.slug)
                .join(ArticleMedia, col(ArticleMedia.article_id) == Article.id)
                .where(ArticleMedia.media_id == media_id)
            )
        )

    def changed(self, session: Session, media_id: int, *, now: datetime) -> None:
        showing = select(ArticleMedia.article_id).where(ArticleMedia.media_id == media_id)
        articles = list(session.exec(select(Article).where(col(Article.id).in_(showing))))
        if not articles:
            return
        for article in articles:
            show_pictures(session, article)
            session.add(article)
        session.flush()
        touch_articles(session, showing, now=now)
        content_version.bump(session, *(keys.article(article.slug) for article in articles), keys.EDITS)
