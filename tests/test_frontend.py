"""The example site's files as `byline serve` answers them: pages under their own strict policy,
assets with validators, and nothing else taken from the API."""

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

from app.main import create_app
from tests.app_client import AppClient
from tests.browser import Sources, policy_of

SITE = Path(__file__).resolve().parent.parent / "examples" / "frontend"
PAGES = ["/", "/article.html", "/author.html", "/section.html", "/tag.html", "/search.html"]


def test_every_page_runs_only_its_own_modules_under_a_strict_policy(client):
    for path in PAGES:
        page = client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), path
        header = page.headers["Content-Security-Policy"]
        policy = policy_of(header)
        assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'"
        assert policy["connect-src"] == "'self'" and policy["base-uri"] == "'none'"
        assert policy["require-trusted-types-for"] == "'script'"
        assert "unsafe" not in header
        # Pictures' blurred stand-ins are data URIs; nothing else may come from one.
        assert policy["img-src"] == "'self' https: data:"
        assert not [name for name, sources in policy.items() if "data:" in sources and name != "img-src"]
        sources = Sources()
        sources.feed(page.text)
        assert sources.inline_scripts == 0
        assert not [url for url in sources.urls if re.match(r"^[a-z]+:|^//", url)], path
        for url in sources.urls:
            assert client.get(f"/{url}").status_code == 200, url


def test_each_page_preloads_every_module_it_imports(client):
    # A module graph found import by import is a waterfall of round trips; preloads fetch it at once.
    for path in PAGES:
        html = client.get(path).text
        (entry,) = re.findall(r'<script type="module" src="(assets/js/[\w.]+)"', html)
        preloaded = set(re.findall(r'<link rel="modulepreload" href="(assets/js/[\w.]+)"', html))
        wanted, seen = [entry], set()
        while wanted:
            module = wanted.pop()
            seen.add(module)
            imports = re.findall(r'from "\./([\w.]+)"', client.get(f"/{module}").text)
            wanted += [f"assets/js/{name}" for name in imports if f"assets/js/{name}" not in seen]
        assert seen - {entry} == preloaded, path


def test_site_files_carry_validators_and_revalidate(client):
    for path in ("/article.html", "/assets/js/article.js", "/assets/site.css"):
        first = client.get(path)
        assert first.headers["Cache-Control"] == "public, no-cache"
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]
    assert client.get("/assets/js/article.js").headers["content-type"].startswith("text/javascript")


def test_only_the_site_is_served_and_the_api_keeps_its_own_answers(client):
    for path in ("/README.md", "/assets/../README.md", "/assets/js/missing.js", "/api/v1/nowhere"):
        missing = client.get(path)
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json", path
    wrong_method = client.delete("/api/v1/articles")
    assert wrong_method.status_code == 405 and "GET" in wrong_method.headers["Allow"]
    # JSON answers keep the policy that allows nothing.
    assert policy_of(client.get("/api/v1").headers["Content-Security-Policy"])["default-src"] == "'none'"


def test_the_site_can_be_turned_off(settings, clock):
    with AppClient(create_app(settings.model_copy(update={"serve_frontend": False}), clock=clock)) as client:
        assert client.get("/").status_code == 404
        assert client.get("/assets/site.css").status_code == 404
        assert client.get("/api/v1").status_code == 200


def test_an_installed_package_carries_every_file_of_the_site():
    patterns = tomllib.loads((SITE.parent.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "app.frontend"
    ]
    files = [path.relative_to(SITE).as_posix() for path in SITE.rglob("*") if path.is_file()]
    served = [name for name in files if name.endswith(".html") or name.startswith("assets/")]
    assert served and all(any(fnmatch(f"site/{name}", pattern) for pattern in patterns) for name in served)
