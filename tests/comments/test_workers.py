"""Rate limits live in the database, so several worker processes enforce one limit together."""

import asyncio

from tests import loopback
from tests.conftest import TEST_SECRET
from tests.factories.newsroom import make_article
from tests.server import running_server


def test_rate_limit_holds_across_worker_processes(database_url, session):
    article = make_article(session, published_at="2025-01-01T00:00:00Z")
    env = {
        "BYLINE_DATABASE_URL": database_url,
        "BYLINE_SECRET_KEY": TEST_SECRET,
        "BYLINE_COMMENT_LIMIT_PER_NETWORK": "3",
    }

    async def burst(base: str) -> list[int]:
        async with loopback.async_client(base_url=base, timeout=30) as client:
            responses = await asyncio.gather(
                *(
                    client.post(
                        f"/api/v1/articles/{article.slug}/comments",
                        json={
                            "author_name": "Burst",
                            "author_email": f"b{n}@example.com",
                            "content": f"Burst comment {n}",
                        },
                    )
                    for n in range(8)
                )
            )
        return sorted(response.status_code for response in responses)

    with running_server(env, workers=2) as base:
        assert asyncio.run(burst(base)) == [202] * 3 + [429] * 5
