"""An article's text as search and related articles read it."""

from app.articles.blocks import body_adapter, readable_text
from app.articles.models import Article
from app.search.fulltext import SearchEntry


def entry_of(article: Article) -> SearchEntry:
    return SearchEntry(
        article.id, article.title, article.subtitle or "", readable_text(body_adapter.validate_python(article.body))
    )
