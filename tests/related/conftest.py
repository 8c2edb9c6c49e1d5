import pytest

from app.related.semantic.model import Embedder


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()
