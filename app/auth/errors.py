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
    advice = "Check the name; `byline keys list` shows every key."
