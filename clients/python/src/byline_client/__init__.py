"""byline-client: a typed client for the Byline news API. The models are generated from its OpenAPI
document (`byline_client.models`)."""

from byline_client.client import AsyncByline, Byline, Page, Versioned, etag_of
from byline_client.problems import PreconditionFailed, ProblemError, problem_of

__all__ = [
    "AsyncByline",
    "Byline",
    "Page",
    "PreconditionFailed",
    "ProblemError",
    "Versioned",
    "etag_of",
    "problem_of",
]
