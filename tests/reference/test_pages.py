"""How the reference pages write what the code says: links between pages, and text that survives tables."""

import markdown
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from app.articles.errors import ArticleNotFound
from app.core.errors import problem_types
from app.reference import api, problems
from app.reference.markdown import prose, table


def _cells(page: str) -> list[str]:
    html = HTMLParser(markdown.markdown(page, extensions=["tables"]))
    return [cell.text() for cell in html.css("td")]


def test_pipes_split_cells_only_outside_code():
    page = table(("option", "meaning"), [("`--on-error <skip|abort>`", "skip bad records | or abort <all>")])
    assert _cells(page) == ["--on-error <skip|abort>", "skip bad records | or abort <all>"]


def test_a_named_schema_links_to_its_section():
    nullable = {"anyOf": [{"$ref": "#/components/schemas/Image"}, {"type": "null"}]}
    assert api.type_of(nullable) == "[Image](schemas.md#image) or null"
    assert api.type_of({"type": "array", "items": {"type": "string", "format": "date-time"}}) == (
        "array of string (date-time)"
    )


def test_an_operation_links_each_problem_it_may_answer_to_its_type():
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Byline", "version": "1"},
        "tags": [{"name": "articles", "description": "Articles."}],
        "paths": {
            "/api/v1/articles/{slug}": {
                "get": {
                    "tags": ["articles"],
                    "operationId": "articles-get",
                    "summary": "Get one article",
                    "responses": {
                        "404": {
                            "description": f"{ArticleNotFound.title}; Something unheard of",
                            "content": problem,
                        }
                    },
                }
            }
        },
    }
    page = api.pages(document)["reference/api/articles.md"]
    assert "## Get one article {#articles-get}" in page
    assert f"[{ArticleNotFound.title}](../problems.md#article-not-found); Something unheard of" in page


def test_every_problem_type_has_an_entry_saying_what_its_page_says():
    page = problems.page()
    for slug, kind in problem_types().items():
        assert f"## {slug} {{#{slug}}}\n\n**{kind.title}**: status {kind.status} " in page
        assert prose(kind.meaning()) in page
