"""Problems of single sign-on: each names what went wrong and who can put it right."""

from app.core.errors import ProblemError


class SingleSignOnOff(ProblemError):
    """Single sign-on is not configured on this server."""

    type_slug = "single-sign-on-off"
    title = "Single sign-on is off"
    status = 404
    advice = "Sign in with an email and a password, or ask an administrator to set BYLINE_OIDC_ISSUER."


class SignOnStateInvalid(ProblemError):
    """The answer from the provider does not belong to a sign-in this browser started here, or that
    sign-in took too long."""

    type_slug = "sign-on-state-invalid"
    title = "Sign-in could not be matched"
    status = 400
    advice = "Start signing in again from the sign-in page, in the same browser, and finish within ten minutes."

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(detail, errors=[{"detail": detail, "parameter": parameter}])


class SignOnRefused(ProblemError):
    """The provider did not sign the person in (they declined, or the provider refused); `error` is
    the provider's OAuth error code."""

    type_slug = "sign-on-refused"
    title = "The provider did not sign you in"
    status = 403
    advice = "Try again; if the provider keeps refusing, ask its administrator whether you may use this application."

    def __init__(self, detail: str, *, error: str) -> None:
        super().__init__(detail, error=error)


class SignOnUnavailable(ProblemError):
    """The provider could not be reached, or answered in a way that fails the protocol's checks
    (metadata, the code exchange, the ID token's signature or claims)."""

    type_slug = "sign-on-unavailable"
    title = "The sign-in provider failed"
    status = 502
    advice = "Try again later; an administrator can check BYLINE_OIDC_* and the provider's logs."


class EmailNotVerified(ProblemError):
    """The provider does not vouch for the email address it gave, so it cannot name an account."""

    type_slug = "sign-on-email-unverified"
    title = "Email address not verified"
    status = 403
    advice = "Verify your email address with the provider, then sign in again."


class NoAccountForSignOn(ProblemError):
    """The provider vouched for an email address that has no active account here, and accounts are
    not created on first sign-in."""

    type_slug = "sign-on-no-account"
    title = "No account for this email address"
    status = 403
    advice = "Ask an administrator for an account with this email address."
