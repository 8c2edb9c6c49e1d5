"""Every route that changes content, or shows editors' material, refuses anonymous callers."""

import re

from app.core.settings import Settings
from app.main import create_app

EDITORS_ONLY_READS = {
    "/api/v1/articles/{slug}/revisions",
    "/api/v1/articles/{slug}/revisions/{number}",
    "/api/v1/comments",
    "/api/v1/comments/{comment_id}",
    "/api/v1/collections/{slug}/revisions",
}
# Readers leave replies and unsubscribe from notifications without an account; people sign in (with
# a password, then a second factor's code, or an emailed link) and ask for a reset email.
PUBLIC_WRITES = {
    ("POST", "/api/v1/articles/{slug}/comments"),
    ("POST", "/api/v1/articles/{slug}/views"),
    ("POST", "/api/v1/comments/unsubscribe"),
    ("POST", "/api/v1/session"),
    ("POST", "/api/v1/session/totp"),
    ("POST", "/api/v1/session/password-reset"),
    ("POST", "/api/v1/session/password-reset/confirm"),
    ("POST", "/api/v1/users/invites/accept"),
}


def protected_routes():
    """Every operation the app serves (its OpenAPI document lists them all) that is not a public read."""
    document = create_app(Settings(_env_file=None)).openapi()
    for path, operations in document["paths"].items():
        for method in operations:
            if (method != "get" or path in EDITORS_ONLY_READS) and (method.upper(), path) not in PUBLIC_WRITES:
                yield method.upper(), path


def test_there_are_write_routes_to_check():
    assert len(list(protected_routes())) >= 15


def test_every_write_route_refuses_anonymous_callers(client):
    for method, path in protected_routes():
        url = re.sub(r"\{(number|comment_id|session_id)\}", "1", re.sub(r"\{slug\}", "some-slug", path))
        response = client.request(method, url, json={})
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.headers["WWW-Authenticate"].startswith("Bearer"), (method, path)


def test_every_write_operation_declares_its_scope():
    document = create_app(Settings(_env_file=None)).openapi()
    for method, path in protected_routes():
        security = document["paths"][path][method.lower()]["security"]
        # A key with the scope, or a session of a person whose role grants it (one's own session: the cookie alone).
        schemes = [scheme for requirement in security for scheme in requirement]
        assert schemes in (["ApiKey", "SessionCookie"], ["SessionCookie"]), (method, path)
