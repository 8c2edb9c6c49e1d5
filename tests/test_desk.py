"""The desk's files as `byline serve` answers them: one page for every screen under a strict policy
that allows no inserted HTML at all, assets with validators, and nothing else under `/desk`."""

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

from app.articles.schemas import ArticleContent
from app.auth.roles import Role
from app.auth.scopes import Scope
from app.comments.models import CommentStatus
from app.comments.spam import Reason
from app.main import create_app
from app.webhooks.events import WebhookEvent
from tests.app_client import AppClient
from tests.browser import Sources, policy_of

DESK = Path(__file__).resolve().parent.parent / "app" / "desk" / "static"


def test_every_screen_is_the_one_page_running_only_its_own_modules(client):
    paths = (
        "/desk",
        "/desk/sign-in?next=/desk",
        "/desk/edit?slug=x",
        "/desk/sessions",
        "/desk/moderation",
        "/desk/audit",
        "/desk/collection?slug=home",
    )
    pages = [client.get(path) for path in paths]
    assert {page.text for page in pages} == {(DESK / "index.html").read_text()}
    for page in pages:
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        header = page.headers["Content-Security-Policy"]
        policy = policy_of(header)
        assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'"
        assert policy["connect-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
        # No policy may be created, so nothing can turn a string into HTML.
        assert policy["require-trusted-types-for"] == "'script'" and policy["trusted-types"] == "'none'"
        assert "unsafe" not in header
    sources = Sources()
    sources.feed(pages[0].text)
    assert sources.inline_scripts == 0
    local = [url for url in sources.urls if not url.startswith("#")]
    assert local and all(re.match(r"/desk(/|$)", url) for url in local)
    for url in local:
        assert client.get(url).status_code == 200, url


def test_the_page_preloads_every_module_it_imports(client):
    html = client.get("/desk").text
    (entry,) = re.findall(r'<script type="module" src="(/desk/assets/js/[\w.]+)"', html)
    preloaded = set(re.findall(r'<link rel="modulepreload" href="(/desk/assets/js/[\w.]+)"', html))
    wanted, seen = [entry], set()
    while wanted:
        module = wanted.pop()
        seen.add(module)
        imports = re.findall(r'from "\./([\w.]+)"', client.get(module).text)
        wanted += [f"/desk/assets/js/{name}" for name in imports if f"/desk/assets/js/{name}" not in seen]
    assert seen - {entry} == preloaded


def test_the_desk_never_inserts_html():
    scripts = "".join(path.read_text() for path in (DESK / "assets" / "js").glob("*.js"))
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|createHTML", scripts)


def _listed(module: str, constant: str) -> list[str]:
    """The names a desk module's constant lists: the first string of each pair, or each string."""
    block = re.search(rf"const {constant} = \[(.*?)\];", (DESK / "assets" / "js" / module).read_text(), re.S)
    assert block, constant
    pairs = re.findall(r'\["([^"]+)",', block[1])
    return pairs or re.findall(r'"([^"]+)"', block[1])


def test_the_desk_offers_the_names_the_api_takes():
    assert _listed("admin.js", "ROLES") == [role.value for role in Role]
    assert _listed("admin.js", "SCOPES") == [scope.value for scope in Scope]
    assert _listed("admin.js", "EVENTS") == [event.value for event in WebhookEvent]
    assert _listed("moderation.js", "REASONS") == [reason.value for reason in Reason]
    assert sorted(_listed("moderation.js", "QUEUES")) == sorted(status.value for status in CommentStatus)
    assert _listed("storytools.js", "RESTORED") == list(ArticleContent.model_fields)


def test_desk_files_carry_validators_and_revalidate(client):
    for path in ("/desk", "/desk/assets/js/editor.js", "/desk/assets/desk.css"):
        first = client.get(path)
        assert first.headers["Cache-Control"] == "no-cache"
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]


def test_only_the_desk_is_served_under_desk(client):
    for path in ("/desk/pages.py", "/desk/assets/js/missing.js", "/desk/edit/x", "/desk/assets"):
        missing = client.get(path)
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json", path


def test_the_desk_can_be_turned_off(settings, clock):
    with AppClient(create_app(settings.model_copy(update={"serve_desk": False}), clock=clock)) as client:
        assert client.get("/desk").status_code == 404
        assert client.get("/desk/assets/desk.css").status_code == 404
        assert client.get("/").status_code == 200


def test_an_installed_package_carries_every_file_of_the_desk():
    pyproject = tomllib.loads((DESK.parent.parent.parent / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["app.desk"]
    files = [path.relative_to(DESK).as_posix() for path in DESK.rglob("*") if path.is_file()]
    assert files and all(any(fnmatch(f"static/{name}", pattern) for pattern in patterns) for name in files)
