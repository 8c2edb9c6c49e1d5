"""Every cursor-paginated list answers an invented cursor with a page or a 422 naming `cursor`, never a 500."""

import base64
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories.newsroom import make_article
from tests.test_pagination import json_values


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@pytest.fixture
def lists(session) -> list[str]:
    article = make_article(session, tags=["Budget"])
    author = article.authors[0].slug
    return [
        "/api/v1/articles",
        "/api/v1/articles?q=council",
        "/api/v1/articles?q=council&sort=newest",
        "/api/v1/authors",
        "/api/v1/sections",
        "/api/v1/tags",
        f"/api/v1/authors/{author}/articles",
        f"/api/v1/articles/{article.slug}/comments",
        f"/api/v1/articles/{article.slug}/comments?order=newest",
        "/api/v1/comments",
    ]


def _page_or_refused(response) -> bool:
    if response.status_code == 200:
        return True
    return response.status_code == 422 and response.json()["errors"][0]["parameter"] == "cursor"


@pytest.mark.parametrize(
    "value",
    [
        ["2024-01-01T00:00:00+00:00", 2**63],
        ["2024-01-01T00:00:00+00:00", -(2**63) - 1],
        ["Alok Verma", 2**64],
        [2**31, 2**63],
        ["a\u0000b", 1],
        ["0001-01-01T00:00:00+00:00", 1],
        ["9999-12-31T23:59:59+00:00", 2**31 - 1],
        ["2024-01-01T00:00:00+00:00", 2**31],
    ],
)
def test_out_of_range_cursors_never_break_a_list(client, api_key, lists, value):
    moderator = api_key("comments:moderate")
    for path in lists:
        response = client.get(path, params={"cursor": _cursor(value)}, headers=moderator)
        assert _page_or_refused(response), (path, response.status_code, response.text)


def test_any_json_in_a_cursor_is_a_page_or_a_422_naming_cursor(client, api_key, lists):
    moderator = api_key("comments:moderate")

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(value=json_values, path=st.sampled_from(lists))
    @example(value=["2024-01-01T00:00:00+00:00", 2**63], path=lists[0])
    def check(value: object, path: str) -> None:
        response = client.get(path, params={"cursor": _cursor(value)}, headers=moderator)
        assert _page_or_refused(response), (path, response.status_code, response.text)

    check()
