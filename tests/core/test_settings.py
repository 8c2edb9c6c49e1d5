import shutil

import pytest
from pydantic import ValidationError

from app.core.settings import Settings
from app.main import create_app
from tests.app_client import AppClient


def test_development_secret_is_refused_when_serving_beyond_loopback():
    with pytest.raises(ValidationError, match="BYLINE_SECRET_KEY"):
        Settings(_env_file=None, host="0.0.0.0")
    with pytest.raises(ValidationError, match="BYLINE_SECRET_KEY"):
        Settings(_env_file=None, public_url="https://news.example.com")


def _serves(settings: Settings) -> bool:
    with AppClient(create_app(settings)) as client:
        return client.get("/api/v1").status_code == 200


def test_loopback_serving_works_out_of_the_box(database_url):
    assert _serves(Settings(_env_file=None, database_url=database_url))


def test_public_serving_works_once_a_real_secret_is_set(database_url):
    assert _serves(
        Settings(
            _env_file=None, database_url=database_url, host="0.0.0.0", secret_key="a-long-random-value-from-the-vault"
        )
    )


def test_settings_come_from_byline_variables(monkeypatch, database_url):
    monkeypatch.setenv("BYLINE_DATABASE_URL", database_url)
    monkeypatch.setenv("BYLINE_PUBLIC_URL", "https://news.example")
    monkeypatch.setenv("BYLINE_SECRET_KEY", "a-long-random-value-from-the-vault")
    with AppClient(create_app()) as client:
        assert client.get("/api/v1").json()["links"]["articles"] == "https://news.example/api/v1/articles"


def test_unsupported_database_url_is_refused():
    with pytest.raises(ValidationError, match="BYLINE_DATABASE_URL"):
        Settings(_env_file=None, database_url="mysql://x")


def test_sqlite_can_be_made_to_survive_power_loss(sqlite_template, tmp_path):
    shutil.copyfile(sqlite_template, tmp_path / "byline.db")
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'byline.db'}", sqlite_synchronous="FULL")
    with AppClient(create_app(settings)) as client, client.app.state.byline.engines.write.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


@pytest.mark.parametrize(
    ("host", "port", "base"),
    [
        ("127.0.0.1", 8001, "http://127.0.0.1:8001"),
        ("localhost", 9000, "http://localhost:9000"),
        ("::1", 8080, "http://[::1]:8080"),
    ],
)
def test_links_follow_the_address_served_when_no_public_url_is_set(host, port, base):
    assert Settings(_env_file=None, host=host, port=port).base_url == base


def test_a_wildcard_bind_links_to_this_machine_at_its_port():
    settings = Settings(_env_file=None, host="0.0.0.0", port=8002, secret_key="a-long-random-value-from-the-vault")
    assert settings.base_url == "http://127.0.0.1:8002"


def test_a_public_url_set_wins_over_the_port():
    settings = Settings(_env_file=None, port=9000, public_url="http://127.0.0.1:8443/news")
    assert settings.base_url == "http://127.0.0.1:8443/news"


def test_second_factor_roles_are_read_as_written_and_unknown_ones_refused(monkeypatch):
    monkeypatch.setenv("BYLINE_SECOND_FACTOR_ROLES", "editor, admin")
    assert Settings(_env_file=None).second_factor_roles == ["editor", "admin"]
    monkeypatch.setenv("BYLINE_SECOND_FACTOR_ROLES", "editor,owner")
    with pytest.raises(ValidationError, match="second_factor_roles"):
        Settings(_env_file=None)
