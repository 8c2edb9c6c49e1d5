import pytest


@pytest.mark.parametrize("n", range(20))
def test_trivial(client, n):
    assert client.get("/api/v1").status_code == 200
