"""The current time, injected so that scheduling and visibility are testable without sleeping."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


# Async because it only reads app state: sync dependencies each cost a threadpool hop.
async def _clock(request: Request) -> Clock:
    return request.app.state.clock


ClockDep = Annotated[Clock, Depends(_clock)]
