"""Generated requests from our own OpenAPI document: no input gives a 500, every answer matches the schema."""

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlmodel import Session

from app.demo.loader import add_demo
from app.main import create_app
from app.media.collection import open_library

# Cursors are opaque and slugs must name existing things: a schema-valid value the API
# never issued is rightly refused with a 422 or 404, so that check does not apply.
EXCLUDED = [positive_data_acceptance]


@pytest.fixture
def demo(engine, settings) -> None:
    """The demo newsroom, its photographs in the app's media library."""
    with Session(engine) as session:
        add_demo(session, open_library(settings))
        session.commit()


@pytest.fixture
def app(settings, clock) -> Iterator[FastAPI]:
    # Schemathesis runs the app's lifespan itself, on an event loop of its own, from its first request;
    # it ends the lifespan here, before this test's database is emptied for the next.
    yield create_app(settings, clock=clock)
    asgi.shutdown_lifespans()


def test_generated_anonymous_requests_are_answered_per_the_schema(app, demo):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)

    @given(case=schema.as_strategy())
    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    def answered_per_schema(case) -> None:
        case.call_and_validate(excluded_checks=EXCLUDED)

    answered_per_schema()


def test_generated_admin_writes_never_fail_with_a_server_error(app, demo, api_key):
    admin = api_key("admin")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)

    @given(case=schema.as_strategy())
    @settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
    def answered_per_schema(case) -> None:
        case.call_and_validate(headers=admin, excluded_checks=EXCLUDED)

    answered_per_schema()
