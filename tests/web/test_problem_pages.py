"""The `type` URL of every problem document answers with a page saying what the problem means and what to do."""

import importlib
import pkgutil

from selectolax.lexbor import LexborHTMLParser as HTMLParser

import app
from app.core.errors import ProblemError
from tests.browser import policy_of


def _defined_problem_types() -> dict[str, type[ProblemError]]:
    """Every problem type declared anywhere in the app, found by importing each of its modules."""
    for module in pkgutil.walk_packages(app.__path__, "app."):
        importlib.import_module(module.name)
    found: dict[str, type[ProblemError]] = {}
    pending = [ProblemError]
    while pending:
        kind = pending.pop()
        pending += kind.__subclasses__()
        if "type_slug" in vars(kind) and kind.type_slug != "about:blank":
            assert kind.type_slug not in found, f"{kind.__name__} and {found[kind.type_slug].__name__} share a type"
            found[kind.type_slug] = kind
    return found


def test_every_problem_type_the_app_defines_has_a_page(client):
    defined = _defined_problem_types()
    assert "article-not-found" in defined and "invalid-parameters" in defined
    for slug, kind in defined.items():
        response = client.get(f"/problems/{slug}")
        assert response.status_code == 200, slug
        assert response.headers["content-type"].startswith("text/html")
        page = HTMLParser(response.text)
        assert page.css_first("h1").text() == kind.title
        text = page.body.text(separator=" ")
        assert str(kind.status) in text and f"http://testserver/problems/{slug}" in text
        sections = {part.css_first("h2").text(): part.css_first("p").text() for part in page.css("section")}
        assert sections.keys() == {"What it means", "What to do"}, slug
        assert all(sections.values()), f"{kind.__name__} says nothing of what it means or what to do"


def test_the_type_of_a_problem_document_leads_to_its_page(client):
    problem = client.get("/api/v1/articles/no-such-story").json()
    path = problem["type"].removeprefix("http://testserver")
    page = client.get(path)
    assert page.status_code == 200
    assert HTMLParser(page.text).css_first("h1").text() == problem["title"]
    policy = policy_of(page.headers["Content-Security-Policy"])
    assert policy["default-src"] == "'none'" and "script-src" not in policy


def test_an_unknown_problem_type_is_a_404_problem_document(client):
    response = client.get("/problems/no-such-problem")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_the_index_links_every_problem_type(client):
    response = client.get("/problems")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    links = [a.attributes["href"] for a in HTMLParser(response.text).css("tbody a")]
    assert links == [f"problems/{slug}" for slug in sorted(_defined_problem_types())]
