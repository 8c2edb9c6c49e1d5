import json
import re
from pathlib import Path

from app.core.settings import Settings
from app.main import create_app
from app.web.openapi import openapi_document

COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
OPERATION_ID = re.compile(r"^[a-z]+-[a-z]+(?:-[a-z]+)*$")


def document() -> dict:
    return json.loads(openapi_document(create_app(Settings(_env_file=None))))


def operations():
    for path, methods in document()["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_committed_openapi_matches_the_app():
    assert json.loads(COMMITTED.read_text()) == document(), "run `make openapi` and commit openapi/openapi.json"


def test_operation_ids_are_unique_and_follow_tag_action():
    ids = [operation["operationId"] for _, _, operation in operations()]
    assert len(ids) == len(set(ids))
    for path, method, operation in operations():
        assert OPERATION_ID.match(operation["operationId"]), (path, method)
        assert operation["operationId"].startswith(operation["tags"][0] + "-")


def test_every_operation_has_a_summary_and_one_tag():
    for path, method, operation in operations():
        assert operation.get("summary"), (path, method)
        assert len(operation["tags"]) == 1, (path, method)


def test_every_parameterised_operation_documents_its_problems():
    for path, method, operation in operations():
        if operation.get("parameters"):
            assert "422" in operation["responses"], (path, method)
            assert "application/problem+json" in operation["responses"]["422"]["content"], (path, method)
        # A PUT creates what its slug names.
        if "{slug}" in path and method != "put":
            assert "404" in operation["responses"], (path, method)


def test_every_documented_body_has_a_schema():
    for path, method, operation in operations():
        bodies = [("request", operation.get("requestBody", {}))] + list(operation["responses"].items())
        for status, body in bodies:
            for media_type, content in body.get("content", {}).items():
                assert content.get("schema"), (path, method, status, media_type)


def test_every_problem_is_documented_as_a_problem_document():
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    # Pages meant for a reader's browser (the unsubscribe link) say what went wrong as a page.
    page = {"text/html": {"schema": {"type": "string"}}}
    for path, method, operation in operations():
        for status, response in operation["responses"].items():
            # Redirects (single sign-on's trip to the provider and back) have no body.
            if not status.startswith(("2", "3")):
                assert response.get("content") in (problem, page), (path, method, status)
