"""Single sign-on against a real OpenID provider (oidc-provider on Node, tests/auth/oidc_provider,
installed by scripts/node.sh) started on loopback once for the module: the browser's whole trip, from
Byline to the provider's sign-in and back, over HTTP."""

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest
from pydantic import SecretStr, ValidationError
from sqlmodel import select

from app.audit.models import AuditEntry
from app.auth import oidc
from app.auth.roles import Role
from app.auth.users import deactivate_user
from app.core.settings import Settings
from app.main import create_app
from tests import loopback
from tests.app_client import AppClient
from tests.conftest import PROXY_ADDRESS
from tests.factories.newsroom import NOW
from tests.factories.people import make_user
from tests.server import free_port

PROVIDER = Path(__file__).parent / "oidc_provider"
NODE = shutil.which("node") or "/usr/bin/node"
CLIENT_ID = "byline-desk"
CLIENT_SECRET = "a-client-secret-for-the-tests"
ACCOUNTS = {
    "ana": {"email": "Ana@Example.org", "email_verified": True, "name": "Ana Ruiz"},
    "newcomer": {"email": "newcomer@example.org", "email_verified": True, "name": "Nia Newcomer"},
    "unverified": {"email": "ana@example.org", "email_verified": False},
}


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    assert (PROVIDER / "node_modules" / "oidc-provider").exists(), "run scripts/node.sh to install oidc-provider"
    config = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": "http://testserver/api/v1/session/oidc/callback",
        "accounts": ACCOUNTS,
    }
    process = subprocess.Popen(
        [NODE, str(PROVIDER / "provider.js"), json.dumps(config)], stdout=subprocess.PIPE, text=True
    )
    try:
        # Its one line once it listens; an empty one if it died first.
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, "the OpenID provider did not start"
        yield json.loads(line)["issuer"]
    finally:
        process.terminate()
        process.wait()


@pytest.fixture
def settings(settings, issuer):
    return settings.model_copy(
        update={"oidc_issuer": issuer, "oidc_client_id": CLIENT_ID, "oidc_client_secret": SecretStr(CLIENT_SECRET)}
    )


def to_provider(client: AppClient, next_path: str = "/desk/") -> str:
    started = client.get("/api/v1/session/oidc/start", params={"next": next_path}, follow_redirects=False)
    assert started.status_code == 302, started.text
    return started.headers["location"]


def at_provider(authorization_url: str, **form: str) -> str:
    """The browser at the provider: its sign-in form posted, and the URL it sends the browser back to."""
    with loopback.client() as browser:
        interaction = browser.get(authorization_url)
        assert interaction.status_code == 303, interaction.text
        form_url = urljoin(authorization_url, interaction.headers["location"])
        finished = browser.post(form_url, data=form)
        assert finished.status_code == 303, finished.text
        back = browser.get(urljoin(form_url, finished.headers["location"]))
        assert back.status_code == 303, back.text
        return back.headers["location"]


def sign_on(client: AppClient, account: str, next_path: str = "/desk/") -> httpx.Response:
    return client.get(at_provider(to_provider(client, next_path), account=account), follow_redirects=False)


def problem(response: httpx.Response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"].endswith(f"/problems/{slug}")
    return body


def test_an_account_signs_in_with_its_verified_email_and_lands_on_next(client, session, settings, issuer):
    make_user(session, settings, "ana@example.org", role=Role.editor)
    authorization = to_provider(client)
    asked = parse_qs(urlsplit(authorization).query)
    assert authorization.startswith(f"{issuer}/")
    assert asked["code_challenge_method"] == ["S256"] and asked["client_id"] == [CLIENT_ID]
    assert {"state", "nonce", "code_challenge"} <= asked.keys()
    back = at_provider(authorization, account="ana")
    answer = client.get(back, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/desk/"
    cookie = answer.headers.get_list("set-cookie")
    assert any(c.startswith("byline_session=") and "HttpOnly" in c and "SameSite=lax" in c for c in cookie)
    assert "byline_oidc" not in client.cookies
    me = client.get("/api/v1/users/me")
    assert me.status_code == 200 and me.json()["email"] == "ana@example.org" and me.json()["role"] == "editor"
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "user.sign_in")).one()
    assert (entry.actor_name, entry.target_label) == ("ana@example.org", "ana@example.org (single sign-on)")


def test_unknown_email_is_refused_unless_accounts_are_made_on_first_sign_in(client, session, settings, clock):
    refused = problem(sign_on(client, "newcomer"), 403, "sign-on-no-account")
    assert "byline_session" not in client.cookies and refused["status"] == 403
    welcoming = settings.model_copy(update={"oidc_create_users": True, "oidc_default_role": "contributor"})
    with AppClient(create_app(welcoming, clock=clock), client=(PROXY_ADDRESS, 50000)) as other:
        assert sign_on(other, "newcomer", "/desk/drafts?mine=1").headers["location"] == "/desk/drafts?mine=1"
        me = other.get("/api/v1/users/me").json()
    assert (me["email"], me["name"], me["role"]) == ("newcomer@example.org", "Nia Newcomer", "contributor")
    creation = session.exec(select(AuditEntry).where(AuditEntry.action == "user.create")).one()
    assert (creation.actor_kind, creation.actor_name) == ("system", "single sign-on")


def test_a_public_client_signs_in_with_pkce_alone(session, settings, clock):
    make_user(session, settings, "ana@example.org")
    public = settings.model_copy(update={"oidc_client_id": f"{CLIENT_ID}-public", "oidc_client_secret": None})
    with AppClient(create_app(public, clock=clock), client=(PROXY_ADDRESS, 50000)) as client:
        assert sign_on(client, "ana").status_code == 303
        assert client.get("/api/v1/users/me").json()["email"] == "ana@example.org"


def test_deactivated_account_is_refused(client, session, settings):
    make_user(session, settings, "ana@example.org")
    deactivate_user(session, "ana@example.org", now=NOW)
    problem(sign_on(client, "ana"), 403, "sign-on-no-account")


def test_unverified_email_is_refused(client, session, settings):
    make_user(session, settings, "ana@example.org")
    problem(sign_on(client, "unverified"), 403, "sign-on-email-unverified")
    assert client.get("/api/v1/users/me").status_code == 401


def test_tampered_state_is_refused(client, session, settings):
    make_user(session, settings, "ana@example.org")
    back = urlsplit(at_provider(to_provider(client), account="ana"))
    query = {name: values[0] for name, values in parse_qs(back.query).items()} | {"state": "forged"}
    body = problem(client.get(f"{back.path}?{urlencode(query)}", follow_redirects=False), 400, "sign-on-state-invalid")
    assert body["errors"] == [{"detail": body["detail"], "parameter": "state"}]
    assert "byline_session" not in client.cookies


def test_answer_naming_another_issuer_is_refused(client, session, settings):
    make_user(session, settings, "ana@example.org")
    back = urlsplit(at_provider(to_provider(client), account="ana"))
    query = {name: values[0] for name, values in parse_qs(back.query).items()} | {"iss": "https://other.example"}
    body = problem(client.get(f"{back.path}?{urlencode(query)}", follow_redirects=False), 400, "sign-on-state-invalid")
    assert body["errors"][0]["parameter"] == "iss"


def test_answer_without_the_browsers_flow_cookie_is_refused(client, session, settings):
    make_user(session, settings, "ana@example.org")
    back = at_provider(to_provider(client), account="ana")
    client.cookies.clear()
    problem(client.get(back, follow_redirects=False), 400, "sign-on-state-invalid")


@pytest.mark.parametrize("part", [1, 2], ids=["nonce", "pkce-verifier"])
def test_a_token_for_another_nonce_or_verifier_is_refused(client, session, settings, part):
    """Were the state cookie forged with the server's key, the nonce and PKCE checks would still hold."""
    make_user(session, settings, "ana@example.org")
    back = at_provider(to_provider(client), account="ana")
    signer = oidc.flow_signer(settings)
    [cookie] = [cookie for cookie in client.cookies.jar if cookie.name == "byline_oidc"]
    flow = signer.loads(cookie.value)
    flow[part] = "x" * len(flow[part])
    client.cookies.set("byline_oidc", signer.dumps(flow), domain=cookie.domain, path=cookie.path)
    problem(client.get(back, follow_redirects=False), 502, "sign-on-unavailable")
    assert "byline_session" not in client.cookies


def test_sign_in_that_takes_too_long_is_refused(client, session, settings, clock):
    make_user(session, settings, "ana@example.org")
    back = at_provider(to_provider(client), account="ana")
    clock.now += timedelta(minutes=11)
    problem(client.get(back, follow_redirects=False), 400, "sign-on-state-invalid")


def test_declined_sign_in_is_a_problem_naming_the_providers_error(client):
    body = problem(client.get(at_provider(to_provider(client), error="access_denied")), 403, "sign-on-refused")
    assert body["error"] == "access_denied"


@pytest.mark.parametrize("next_path", ["https://evil.example/", "//evil.example/", "/\\evil.example", "desk"])
def test_next_off_this_site_is_refused(client, next_path):
    answer = client.get("/api/v1/session/oidc/start", params={"next": next_path}, follow_redirects=False)
    body = problem(answer, 422, "invalid-parameters")
    assert body["errors"][0]["parameter"] == "next" and "location" not in answer.headers


def test_sign_in_screen_lists_the_provider(client):
    providers = client.get("/api/v1/session/providers")
    assert providers.json() == [{"id": "oidc", "name": "Single sign-on", "start_url": "/api/v1/session/oidc/start"}]
    assert providers.headers["cache-control"] == "no-store"


def test_without_an_issuer_the_routes_are_off(settings, clock):
    off = settings.model_copy(update={"oidc_issuer": None})
    with AppClient(create_app(off, clock=clock)) as client:
        assert client.get("/api/v1/session/providers").json() == []
        problem(client.get("/api/v1/session/oidc/start"), 404, "single-sign-on-off")
        problem(client.get("/api/v1/session/oidc/callback?code=x&state=y"), 404, "single-sign-on-off")


def test_unreachable_provider_is_a_problem_not_a_500(settings, clock):
    gone = settings.model_copy(update={"oidc_issuer": f"http://127.0.0.1:{free_port()}"})
    with AppClient(create_app(gone, clock=clock)) as client:
        problem(client.get("/api/v1/session/oidc/start", follow_redirects=False), 502, "sign-on-unavailable")


def test_an_issuer_needs_a_client_and_the_scopes_openid():
    with pytest.raises(ValidationError, match="BYLINE_OIDC_CLIENT_ID"):
        Settings(_env_file=None, oidc_issuer="https://id.example")
    with pytest.raises(ValidationError, match="oidc_scopes"):
        Settings(_env_file=None, oidc_scopes="email profile")
