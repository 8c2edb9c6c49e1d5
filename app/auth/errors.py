"""Problems the key checks raise."""

from app.core.errors import ProblemError


class NotAuthenticated(ProblemError):
    """No API key was sent, or the one sent is unknown, expired or revoked."""

    type_slug = "not-authenticated"
    title = "A valid API key is required"
    status = 401
    advice = (
        "Send a valid API key as `Authorization: Bearer <key>`; an administrator issues keys with `byline keys create`."
    )


class MissingScope(ProblemError):
    """The API key is valid but lacks the scope this operation needs."""

    type_slug = "missing-scope"
    title = "The API key lacks a required scope"
    status = 403
    advice = "Use a key with the scope the operation needs, or ask an administrator for one."


class KeyNameTaken(ProblemError):
    """Another key already has this name."""

    type_slug = "key-name-taken"
    title = "Key name already in use"
    status = 409
    advice = "Choose another name for the key."


class KeyNotFound(ProblemError):
    """No key has this name."""

    type_slug = "key-not-found"
    title = "API key not found"
    status = 404
    advice = "Check the name or id; GET /api/v1/keys and `byline keys list` show every key."


class EmailTaken(ProblemError):
    """Another account already uses this email address."""

    type_slug = "email-taken"
    title = "Email address already in use"
    status = 409
    advice = "Each person has one account; deactivate the old one or use another address."


class UserNotFound(ProblemError):
    """No account has this email address."""

    type_slug = "user-not-found"
    title = "Account not found"
    status = 404
    advice = "Check the address or id; GET /api/v1/users and `byline users list` show every account."


class UnknownSection(ProblemError):
    """An account names a section that does not exist."""

    type_slug = "unknown-section"
    title = "Unknown section"
    status = 422
    advice = "Name sections by their slug, as GET /api/v1/sections lists them."


class SignInFailed(ProblemError):
    """The email and password do not match an active account."""

    type_slug = "sign-in-failed"
    title = "Wrong email or password"
    status = 401
    advice = "Check the email address and the password; deactivated accounts cannot sign in."


class TooManySignIns(ProblemError):
    """Too many failed sign-ins for this account or from this network in the window."""

    type_slug = "too-many-sign-ins"
    title = "Too many failed sign-ins"
    status = 429
    advice = "Wait for the time given in Retry-After before trying again."

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after, headers={"Retry-After": str(retry_after)})


class CsrfTokenMissing(ProblemError):
    """A request signed in with a session cookie changes something without the session's CSRF token."""

    type_slug = "csrf-token-missing"
    title = "CSRF token missing or wrong"
    status = 403
    advice = "Send the `csrf_token` that signing in returned as the `X-CSRF-Token` header."


class SectionForbidden(ProblemError):
    """The signed-in person may not write in this section."""

    type_slug = "section-forbidden"
    title = "Not allowed in this section"
    status = 403
    advice = "Ask an administrator to add the section to your account."


class PublishingForbidden(ProblemError):
    """Contributors file drafts; publishing, scheduling and archiving are for editors."""

    type_slug = "publishing-forbidden"
    title = "Only editors may publish"
    status = 403
    advice = "Leave the article as a draft for an editor to publish."


class SessionNotFound(ProblemError):
    """The caller has no session with this id."""

    type_slug = "session-not-found"
    title = "Session not found"
    status = 404
    advice = "GET /api/v1/session/all lists your sessions."


class SelfLockout(ProblemError):
    """An administrator tried to deactivate their own account or give up their own admin role."""

    type_slug = "self-lockout"
    title = "You cannot lock yourself out"
    status = 409
    advice = "Ask another administrator to make this change."


class KeyRevoked(ProblemError):
    """The key was revoked; a revoked key cannot be rotated."""

    type_slug = "key-revoked"
    title = "API key revoked"
    status = 409
    advice = "Create a new key instead."


class LinkInvalid(ProblemError):
    """An invitation's or a password reset's link is unknown, used, replaced by a newer one, or expired."""

    type_slug = "link-invalid"
    title = "The link is invalid or has expired"
    status = 422
    advice = "Links work once and for a limited time: ask for a new invitation or password reset."

    def __init__(self, detail: str) -> None:
        super().__init__(detail, errors=[{"detail": detail, "pointer": "#/token"}])


class AccountActive(ProblemError):
    """An invitation names the email of an account that already signs in."""

    type_slug = "account-active"
    title = "The account already exists"
    status = 409
    advice = (
        "The person can sign in, or reset their password by email; change their role with PATCH /api/v1/users/{id}."
    )


class SecondFactorEnabled(ProblemError):
    """The account already signs in with an authenticator; disable it before enrolling another."""

    type_slug = "second-factor-enabled"
    title = "A second factor is already enabled"
    status = 409
    advice = "Disable the current authenticator first (POST /api/v1/users/me/totp/disable)."


class SecondFactorNotEnrolled(ProblemError):
    """There is no authenticator waiting to be confirmed, or none enabled to disable."""

    type_slug = "second-factor-not-enrolled"
    title = "No second factor enrolled"
    status = 409
    advice = "Enrol an authenticator with POST /api/v1/users/me/totp first."


class EnrolmentRequired(ProblemError):
    """People of this role must sign in with a second factor, and this one has not enrolled yet."""

    type_slug = "second-factor-enrolment-required"
    title = "Enrol a second factor first"
    status = 403
    advice = (
        "Enrol an authenticator (POST /api/v1/users/me/totp, then /confirm with its first code); "
        "until then the session may do nothing else."
    )


# What an admin-only route may answer before it runs: no key or session, too little, no CSRF token.
ADMIN_REFUSALS = (NotAuthenticated, MissingScope, CsrfTokenMissing)
