"""Every cursor-paginated list answers an invented cursor with a page or a 422 naming `cursor`, never a 500,
and a client can neither read a cursor nor make one."""

import base64
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.web.pagination import open_cursor, seal_cursor
from tests.conftest import TEST_SECRET
from tests.factories.newsroom import make_article, make_section
from tests.web.test_pagination import json_values


def _cursor(value: object) -> str:
    """A cursor as if the API had sealed it, so the checks inside are reached: defence in depth
    should the secret leak."""
    return seal_cursor(base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode(), TEST_SECRET)


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


def test_cursors_are_sealed_so_no_client_reads_or_makes_one(client, session, lists):
    for n in range(3):
        make_article(session, title=f"Budget vote {n}", tags=[f"Vote {n}"], section=make_section(session).slug)
    for path in lists[:6]:
        page = client.get(path, params={"limit": 1}).json()
        cursor = page["meta"]["next_cursor"]
        assert cursor and page["links"]["next"].endswith(f"cursor={cursor}")
        # Stable, so a cached answer and a fresh one agree; and nothing inside is readable.
        assert client.get(path, params={"limit": 1}).json()["meta"]["next_cursor"] == cursor
        inside = base64.urlsafe_b64decode(open_cursor(cursor, TEST_SECRET) + "==")
        assert inside.startswith(b"[") and inside not in base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        assert client.get(path, params={"limit": 1, "cursor": cursor}).status_code == 200
        tampered = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")
        unsealed = base64.urlsafe_b64encode(b'["Budget vote 0", 1]').rstrip(b"=").decode()
        foreign = seal_cursor(open_cursor(cursor, TEST_SECRET), "another-newsroom-secret-key")
        for forged in (tampered, unsealed, foreign):
            refused = client.get(path, params={"cursor": forged})
            assert refused.status_code == 422 and refused.json()["errors"][0]["parameter"] == "cursor", path
