"""Problem documents (RFC 9457) as exceptions a caller can catch by type."""

from contextlib import suppress

import httpx
from pydantic import ValidationError

from byline_client.models import FieldError, Problem


class ProblemError(Exception):
    """A request Byline refused or failed, with the problem document it answered."""

    def __init__(self, problem: Problem, response: httpx.Response) -> None:
        super().__init__(f"{problem.status} {problem.title}" + (f": {problem.detail}" if problem.detail else ""))
        # The whole document: members some problem types add (`slug`, `retry_after`) are its extras.
        self.problem = problem
        self.response = response

    @property
    def status(self) -> int:
        return self.problem.status

    @property
    def type(self) -> str:
        return self.problem.type

    @property
    def title(self) -> str:
        return self.problem.title

    @property
    def detail(self) -> str | None:
        return self.problem.detail

    @property
    def errors(self) -> list[FieldError]:
        """Each field (`pointer`) or parameter (`parameter`) a 422 names."""
        return self.problem.errors or []


class PreconditionFailed(ProblemError):
    """A write sent with an ETag that is no longer current (412): someone changed the resource since."""


def problem_of(response: httpx.Response) -> ProblemError:
    """The exception for an answer of 400 or more: its problem document, or a bare status when
    something in front of Byline answered without one."""
    problem = Problem(type="about:blank", title=response.reason_phrase, status=response.status_code)
    if "json" in response.headers.get("Content-Type", ""):
        # Not a problem document after all: the bare status says what is known.
        with suppress(ValueError, ValidationError):
            problem = Problem.model_validate(problem.model_dump() | response.json())
    kind = PreconditionFailed if response.status_code == 412 else ProblemError
    return kind(problem, response)
