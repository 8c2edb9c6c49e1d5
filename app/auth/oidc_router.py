"""Single sign-on routes: the sign-in screen's list of providers, and the browser's trip to the
OpenID provider and back."""

from typing import Annotated

from fastapi import APIRouter, Cookie, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse

from app.auth import oidc
from app.auth.answers import set_session_cookie
from app.auth.dependencies import PRIVATE_ANSWER
from app.auth.oidc_errors import (
    EmailNotVerified,
    NoAccountForSignOn,
    SignOnRefused,
    SignOnStateInvalid,
    SignOnUnavailable,
    SingleSignOnOff,
)
from app.auth.schemas import SignInProvider
from app.core.errors import InvalidParameter, problems
from app.web.state import ClockDep, SessionDep, SettingsDep, StateKey, app_state

router = APIRouter(prefix="/api/v1/session", tags=["session"])

PROVIDER: StateKey[oidc.Provider] = StateKey("single sign-on provider")


async def _provider(request: Request) -> oidc.Provider:
    return oidc.provider_of(app_state(request).part(PROVIDER))


ProviderDep = Annotated[oidc.Provider, Depends(_provider)]
LOCATION = {"description": "Where the browser goes next.", "schema": {"type": "string"}}


@router.get(
    "/providers",
    operation_id="session-providers",
    summary="List the ways to sign in besides a password",
    response_model=list[SignInProvider],
)
async def list_providers(request: Request, response: Response) -> list[SignInProvider]:
    """Empty while single sign-on is off."""
    response.headers.update(PRIVATE_ANSWER)
    provider = app_state(request).part(PROVIDER)
    if provider is None:
        return []
    start = request.url_for("session-oidc-start").path
    return [SignInProvider(id="oidc", name=provider.settings.oidc_display_name, start_url=start)]


@router.get(
    "/oidc/start",
    status_code=302,
    operation_id="session-oidc-start",
    name="session-oidc-start",
    summary="Sign in through the OpenID provider",
    response_class=RedirectResponse,
    responses={
        302: {"description": "To the provider's sign-in page.", "headers": {"Location": LOCATION}},
        **problems(SingleSignOnOff, SignOnUnavailable, InvalidParameter),
    },
)
def start_sign_on(
    provider: ProviderDep,
    settings: SettingsDep,
    clock: ClockDep,
    next: Annotated[str, Query(description="The path on this site to land on once signed in.")] = "/",
) -> RedirectResponse:
    """Sends the browser to the provider with a fresh state, nonce and PKCE challenge, kept for the
    callback in a signed `HttpOnly` cookie that lasts ten minutes."""
    url, flow = oidc.start(provider, next_path=next, now=clock())
    response = RedirectResponse(url, status_code=302, headers=PRIVATE_ANSWER)
    response.set_cookie(
        oidc.FLOW_COOKIE,
        flow,
        max_age=oidc.FLOW_SECONDS,
        path=oidc.FLOW_PATH,
        httponly=True,
        # Lax: the provider sends the browser back with a top-level GET, which carries it.
        samesite="lax",
        secure=settings.public_url.scheme == "https",
    )
    return response


@router.get(
    "/oidc/callback",
    status_code=303,
    operation_id="session-oidc-callback",
    summary="Finish signing in through the OpenID provider",
    response_class=RedirectResponse,
    responses={
        303: {
            "description": "Signed in, with the session cookie: to the `next` path the sign-in started with.",
            "headers": {"Location": LOCATION},
        },
        **problems(
            SingleSignOnOff,
            SignOnStateInvalid,
            SignOnRefused,
            SignOnUnavailable,
            EmailNotVerified,
            NoAccountForSignOn,
            InvalidParameter,
        ),
    },
)
def finish_sign_on(
    request: Request,
    provider: ProviderDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    state: str | None = None,
    code: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
    iss: str | None = None,
    flow: Annotated[str | None, Cookie(alias=oidc.FLOW_COOKIE, include_in_schema=False)] = None,
) -> RedirectResponse:
    """Checks the answer against the sign-in this browser started, exchanges the code with the PKCE
    verifier, checks the ID token (signature, issuer, audience, expiry, nonce) and signs in the
    active account with the provider's verified email address; with `BYLINE_OIDC_CREATE_USERS`, a
    new account is made for an address that has none. Sets the same session cookie as
    `POST /api/v1/session`."""
    signed_in, next_path = oidc.finish(
        session,
        provider,
        oidc.Callback(state=state, code=code, error=error, error_description=error_description, iss=iss),
        cookie=flow,
        user_agent=request.headers.get("user-agent", ""),
        clock=clock,
    )
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, signed_in.token, settings)
    response.delete_cookie(oidc.FLOW_COOKIE, path=oidc.FLOW_PATH)
    return response
