import re

from tests.browser import Sources, console_errors, policy_of, waiting
from tests.server import running_server


def test_the_docs_page_loads_only_its_own_files_under_a_strict_policy(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = policy_of(page.headers["Content-Security-Policy"])
    assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'"
    assert "unsafe" not in page.headers["Content-Security-Policy"]
    sources = Sources()
    sources.feed(page.text)
    assert sources.inline_scripts == 0
    assert sources.urls and not [url for url in sources.urls if re.match(r"^[a-z]+:|^//", url)]
    for url in sources.urls:
        asset = client.get(f"/{url}")
        assert asset.status_code == 200 and asset.content, url
        assert asset.headers["Cache-Control"].startswith("public")
    start = client.get("/docs/assets/start.js").text
    assert 'url: "openapi.json"' in start and client.get("/openapi.json").json()["info"]["title"] == "Byline"


def test_only_the_docs_own_assets_are_served(client):
    for name in ("../../app/core/settings.py", "__init__.py", "swagger-ui.css.map"):
        assert client.get(f"/docs/assets/{name}").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_swagger_ui_runs_in_a_real_browser_under_its_policy(browser, sqlite_url):
    with running_server({"BYLINE_DATABASE_URL": sqlite_url}) as base:
        browser.get(f"{base}/docs")
        # Every operation's path, read in one command rather than one for each.
        paths = waiting(browser, 30).until(
            lambda page: set(
                page.execute_script(
                    "return [...document.querySelectorAll('.opblock-summary-path')].map((path) => path.dataset.path)"
                )
            )
        )
        assert "/api/v1/articles/{slug}" in paths and len(paths) > 20
        assert console_errors(browser) == []
