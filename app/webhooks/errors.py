"""Problems the webhook routes raise."""

from app.core.errors import ProblemError


class WebhookNotFound(ProblemError):
    """No webhook endpoint has this id."""

    type_slug = "webhook-not-found"
    title = "Webhook endpoint not found"
    status = 404
    advice = "Check the id; the list of webhook endpoints has every one."
