"""Posting comments as a reader at a given address."""

import itertools

_numbers = itertools.count(1)


def reply(client, slug: str, *, address: str | None = None, **fields):
    n = next(_numbers)
    body = {
        "author_name": f"Reader {n}",
        "author_email": f"reader{n}@example.com",
        "content": f"Thoughtful remark number {n}.",
    }
    address = address or f"198.51.{n % 250}.{n % 200 + 1}"
    return client.post(f"/api/v1/articles/{slug}/comments", json=body | fields, headers={"X-Forwarded-For": address})


def approve(client, moderator: dict, comment_id: int) -> None:
    response = client.patch(f"/api/v1/comments/{comment_id}", json={"status": "approved"}, headers=moderator)
    assert response.status_code == 200, response.text
