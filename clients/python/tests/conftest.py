"""Against a live server: BYLINE_URL is its root, BYLINE_EDITOR_KEY a key with content:write and
content:preview, and the demo newsroom is loaded."""

import os
from collections.abc import Iterator

import pytest

from byline_client import Byline


@pytest.fixture(scope="session")
def base_url() -> str:
    if "BYLINE_URL" not in os.environ:
        pytest.fail("BYLINE_URL names the server to test against")
    return os.environ["BYLINE_URL"]


@pytest.fixture(scope="session")
def reader(base_url: str) -> Iterator[Byline]:
    with Byline(base_url) as client:
        yield client


@pytest.fixture(scope="session")
def editor(base_url: str) -> Iterator[Byline]:
    with Byline(base_url, key=os.environ["BYLINE_EDITOR_KEY"]) as client:
        yield client


@pytest.fixture
def draft_title(request: pytest.FixtureRequest) -> str:
    # The other clients' suites write to the same server.
    return f"{request.node.name} from python {os.getpid()}"
