"""Single sign-on over OpenID Connect: the provider's metadata and keys, the authorization request
(code flow with PKCE, state and nonce), and the callback's checks up to the account it signs in.

The provider is an operator's setting, trusted like the database: its requests go out directly, not
through the guard (app.core.outbound) that keeps user-given addresses off internal networks, so a
provider inside the newsroom's network (or on loopback) works."""

import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client, OAuthError
from authlib.oidc.core import CodeIDToken
from itsdangerous import BadSignature, URLSafeSerializer
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlmodel import Session

from app.auth.models import User
from app.auth.oidc_errors import (
    EmailNotVerified,
    NoAccountForSignOn,
    SignOnRefused,
    SignOnStateInvalid,
    SignOnUnavailable,
    SingleSignOnOff,
)
from app.auth.passwords import passwords
from app.auth.roles import Role
from app.auth.sessions import SignedIn, open_session
from app.auth.users import create_user, find_user
from app.core import acting
from app.core.acting import Actor, ActorKind
from app.core.clock import Clock
from app.core.errors import InvalidParameter
from app.core.outbound import tls_context
from app.core.settings import Settings

# The signed cookie that carries a sign-in's state, nonce, PKCE verifier and destination from the
# start to the callback, on the callback's path only.
FLOW_COOKIE = "byline_oidc"
FLOW_PATH = "/api/v1/session/oidc"
FLOW_SECONDS = 600
# How long the provider's metadata is reused; its keys are read again at once when a token names a new one.
METADATA_SECONDS = 3600
TIMEOUT_SECONDS = 10.0
# The ID token's times are the provider's clock against this machine's: a little skew is tolerated.
LEEWAY_SECONDS = 60
HOW = "single sign-on"
MAX_NEXT = 2000


@dataclass(frozen=True)
class Flow:
    state: str
    nonce: str
    verifier: str
    next_path: str
    started: float


class Provider:
    """The configured provider, with its metadata and keys cached for the app's life."""

    def __init__(self, settings: Settings) -> None:
        if settings.oidc_issuer is None or settings.oidc_client_id is None:
            raise ValueError("single sign-on needs BYLINE_OIDC_ISSUER and BYLINE_OIDC_CLIENT_ID")
        self.settings = settings
        self.issuer = settings.oidc_issuer
        self.client_id = settings.oidc_client_id
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._metadata_until = 0.0
        self._keys: KeySet | None = None

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None or time.monotonic() >= self._metadata_until:
                url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
                metadata = _get_json(url)
                # OpenID Connect Discovery 1.0, 4.3: the issuer named must be exactly the one asked.
                if metadata.get("issuer") != self.issuer:
                    raise SignOnUnavailable(f"The provider's metadata names another issuer than {self.issuer}.")
                for needed in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(metadata.get(needed), str):
                        raise SignOnUnavailable(f"The provider's metadata has no {needed}.")
                self._metadata, self._metadata_until, self._keys = metadata, time.monotonic() + METADATA_SECONDS, None
            return self._metadata

    def keys(self, *, again: bool = False) -> KeySet:
        jwks_uri = self.metadata()["jwks_uri"]
        with self._lock:
            if self._keys is None or again:
                try:
                    self._keys = KeySet.import_key_set(cast(Any, _get_json(jwks_uri)))
                except (JoseError, ValueError, TypeError, KeyError) as error:
                    raise SignOnUnavailable(f"The provider's keys cannot be read: {error}.") from error
            return self._keys

    def client(self) -> OAuth2Client:
        secret = self.settings.oidc_client_secret
        return OAuth2Client(
            client_id=self.client_id,
            client_secret=secret.get_secret_value() if secret else None,
            # A public client (no secret) proves itself by PKCE alone.
            token_endpoint_auth_method="client_secret_basic" if secret else "none",
            scope=self.settings.oidc_scopes,
            redirect_uri=self.settings.base_url + self.settings.oidc_redirect_path,
            code_challenge_method="S256",
            timeout=TIMEOUT_SECONDS,
            verify=tls_context(),
        )


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=TIMEOUT_SECONDS, headers={"Accept": "application/json"}, verify=tls_context())
        response.raise_for_status()
        document = response.json()
    except httpx.HTTPError as error:
        raise SignOnUnavailable(f"The sign-in provider could not be reached ({type(error).__name__}).") from error
    except ValueError as error:
        raise SignOnUnavailable("The sign-in provider answered with something other than JSON.") from error
    if not isinstance(document, dict):
        raise SignOnUnavailable("The sign-in provider answered with something other than a JSON object.")
    return document


def provider_of(provider: Provider | None) -> Provider:
    if provider is None:
        raise SingleSignOnOff("Single sign-on is not configured on this server.")
    return provider


def safe_next(next_path: str) -> str:
    """A path on this site: never another site's address, which would make sign-in an open redirect."""
    if (
        not next_path.startswith("/")
        or next_path.startswith(("//", "/\\"))
        or "\\" in next_path
        or len(next_path) > MAX_NEXT
        or any(ord(character) < 0x21 or ord(character) == 0x7F for character in next_path)
    ):
        raise InvalidParameter("next", "A path on this site, starting with a single `/`, is needed.")
    return next_path


def flow_signer(settings: Settings) -> URLSafeSerializer:
    """Signs the flow cookie: a list of the state, nonce, PKCE verifier, `next` and start time."""
    return URLSafeSerializer(settings.secret_key.get_secret_value(), salt="oidc-flow")


def start(provider: Provider, *, next_path: str, now: datetime) -> tuple[str, str]:
    """The provider's authorization URL to send the browser to, and the flow cookie's value."""
    flow = Flow(
        state=generate_token(32),
        nonce=generate_token(32),
        verifier=generate_token(64),
        next_path=safe_next(next_path),
        started=now.timestamp(),
    )
    endpoint = provider.metadata()["authorization_endpoint"]
    with provider.client() as client:
        url, _ = client.create_authorization_url(
            endpoint, state=flow.state, nonce=flow.nonce, code_verifier=flow.verifier
        )
    signer = flow_signer(provider.settings)
    return url, signer.dumps([flow.state, flow.nonce, flow.verifier, flow.next_path, flow.started])


@dataclass(frozen=True)
class Callback:
    """What the provider sent the browser back with."""

    state: str | None
    code: str | None
    error: str | None
    error_description: str | None
    iss: str | None


def _flow(provider: Provider, cookie: str | None, *, now: datetime) -> Flow:
    if not cookie:
        raise SignOnStateInvalid("state", "This browser started no sign-in here, or its cookie was lost.")
    try:
        state, nonce, verifier, next_path, started = flow_signer(provider.settings).loads(cookie)
    except (BadSignature, ValueError, TypeError) as error:
        raise SignOnStateInvalid("state", "The sign-in's cookie was altered.") from error
    if now.timestamp() - started > FLOW_SECONDS:
        raise SignOnStateInvalid("state", f"The sign-in took longer than {FLOW_SECONDS // 60} minutes; start again.")
    return Flow(state, nonce, verifier, next_path, started)


def finish(
    session: Session,
    provider: Provider,
    callback: Callback,
    *,
    cookie: str | None,
    user_agent: str,
    clock: Clock,
) -> tuple[SignedIn, str]:
    """The session of the account the provider vouched for, and where to send the browser."""
    now = clock()
    flow = _flow(provider, cookie, now=now)
    if callback.state is None or not hmac.compare_digest(callback.state, flow.state):
        raise SignOnStateInvalid("state", "The answer's state is not the one this sign-in sent.")
    # RFC 9207: an answer that names its issuer must name ours, or it came from another provider.
    if callback.iss is not None and callback.iss != provider.issuer:
        raise SignOnStateInvalid("iss", "The answer came from another issuer than the configured provider.")
    if callback.error is not None:
        said = f": {callback.error_description}" if callback.error_description else ""
        raise SignOnRefused(f"The provider answered {callback.error}{said}", error=callback.error)
    if not callback.code:
        raise InvalidParameter("code", "The provider's answer has no authorization code.")
    claims = _verified_claims(provider, code=callback.code, flow=flow)
    if claims.get("email_verified") is not True or not isinstance(claims.get("email"), str):
        raise EmailNotVerified("The provider does not vouch for the email address of this account.")
    user = _account(session, provider.settings, claims, clock=clock)
    signed_in = open_session(session, user, user_agent=user_agent, settings=provider.settings, now=now, how=HOW)
    return signed_in, flow.next_path


def _verified_claims(provider: Provider, *, code: str, flow: Flow) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, times and nonce check out, with the
    email from the userinfo endpoint when the token leaves it there (as providers may)."""
    metadata = provider.metadata()
    client = provider.client()
    try:
        with client:
            token = client.fetch_token(
                metadata["token_endpoint"], grant_type="authorization_code", code=code, code_verifier=flow.verifier
            )
            if "id_token" not in token:
                raise SignOnUnavailable("The provider's token answer has no ID token.")
            claims = _id_token_claims(provider, token, nonce=flow.nonce)
            if "email" not in claims and isinstance(metadata.get("userinfo_endpoint"), str):
                response = client.get(metadata["userinfo_endpoint"])
                response.raise_for_status()
                userinfo = response.json()
                # OpenID Connect Core 5.3.2: userinfo about anyone else must not be used.
                if not isinstance(userinfo, dict) or userinfo.get("sub") != claims["sub"]:
                    raise SignOnUnavailable("The provider's userinfo is about someone else.")
                claims = {**userinfo, **claims}
    except OAuthError as error:
        raise SignOnUnavailable(f"The provider refused the code: {error.error}.") from error
    except httpx.HTTPError as error:
        raise SignOnUnavailable(f"The sign-in provider could not be reached ({type(error).__name__}).") from error
    except ValueError as error:
        raise SignOnUnavailable("The sign-in provider answered with something other than JSON.") from error
    return claims


def _id_token_claims(provider: Provider, token: dict[str, Any], *, nonce: str) -> dict[str, Any]:
    algorithms = provider.metadata().get("id_token_signing_alg_values_supported", ["RS256"])
    # An unsigned token proves nothing, whatever the provider says it supports.
    registry = JWSRegistry(algorithms=[alg for alg in algorithms if alg != "none"])
    try:
        try:
            decoded = jwt.decode(token["id_token"], provider.keys(), registry=registry)
        except InvalidKeyIdError:
            # The provider rotated its keys since they were read.
            decoded = jwt.decode(token["id_token"], provider.keys(again=True), registry=registry)
        expected = {"iss": provider.issuer, "aud": provider.client_id}
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {claim: {"essential": True, "value": value} for claim, value in expected.items()},
            {"nonce": nonce, "client_id": provider.client_id, "access_token": token.get("access_token")},
        )
        # The provider's times are on the wall clock, whatever clock the app is given.
        claims.validate(now=int(time.time()), leeway=LEEWAY_SECONDS)
    except (JoseError, ValueError, TypeError) as error:
        raise SignOnUnavailable(f"The provider's ID token fails its checks: {error}.") from error
    return dict(claims)


def _account(session: Session, settings: Settings, claims: dict[str, Any], *, clock: Clock) -> User:
    email = claims["email"]
    user = find_user(session, email)
    if user is None and settings.oidc_create_users:
        name = claims.get("name") if isinstance(claims.get("name"), str) else None
        # Made by the sign-on itself, as the audit log says; the random password is never told anyone,
        # so the account signs in only through the provider until someone sets one.
        with acting.acting_as(Actor(ActorKind.system, None, HOW), clock):
            user = create_user(
                session,
                email=email,
                name=(name or email.split("@")[0])[:200],
                role=Role(settings.oidc_default_role),
                sections=(),
                password=secrets.token_urlsafe(32),
                passwords=passwords(settings),
                now=clock(),
            )
    if user is None or not user.is_active:
        raise NoAccountForSignOn(f"No active account has the email address {email.lower()}.")
    return user
