import pytest
from pydantic import ValidationError

from app.settings import Settings


def test_development_secret_is_refused_when_serving_beyond_loopback():
    with pytest.raises(ValidationError, match="BYLINE_SECRET_KEY"):
        Settings(_env_file=None, host="0.0.0.0")
    with pytest.raises(ValidationError, match="BYLINE_SECRET_KEY"):
        Settings(_env_file=None, public_url="https://news.example.com")


def test_loopback_serving_works_out_of_the_box():
    assert Settings(_env_file=None).host == "127.0.0.1"


def test_public_serving_with_a_real_secret_is_accepted():
    settings = Settings(_env_file=None, host="0.0.0.0", secret_key="a-long-random-value-from-the-vault")
    assert settings.secret_key.get_secret_value().startswith("a-long")


def test_unsupported_database_url_is_refused():
    with pytest.raises(ValidationError, match="BYLINE_DATABASE_URL"):
        Settings(_env_file=None, database_url="mysql://x")
