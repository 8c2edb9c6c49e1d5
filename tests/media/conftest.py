import pytest

from tests.media.pictures import photo


@pytest.fixture
def media_key(api_key) -> dict[str, str]:
    return api_key("media:write", name="picture-desk")


@pytest.fixture
def upload(client, media_key):
    """POST a file to the library; returns the response."""

    def send(data: bytes | None = None, *, filename: str = "photo.jpg", headers=None, **fields):
        return client.post(
            "/api/v1/media",
            files={"file": (filename, photo() if data is None else data, "image/jpeg")},
            data=fields,
            headers=headers or media_key,
        )

    return send
