"""Comment text: a small Markdown subset rendered to sanitised HTML."""

import nh3
from markdown_it import MarkdownIt

# Paragraphs, emphasis, links and code; no raw HTML, images, headings, tables or lists.
_markdown = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True}).enable(
    ["emphasis", "link", "backticks", "fence", "code", "newline", "escape", "autolink"]
)
_TAGS = {"p", "em", "strong", "a", "code", "pre", "br"}


def render_comment(text: str) -> str:
    """HTML safe to put in a page: links carry rel="nofollow ugc", scripts and handlers never survive."""
    return nh3.clean(
        _markdown.render(text),
        tags=_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc",
    ).strip()


def link_count(html: str) -> int:
    return html.count("<a ")
