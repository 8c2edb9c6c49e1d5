"""The library the app was built with, for routes."""

from typing import Annotated

from fastapi import Depends, Request

from app.media.collection import Library
from app.web.state import StateKey, app_state

LIBRARY: StateKey[Library] = StateKey("media library")


async def _library(request: Request) -> Library:
    library = app_state(request).part(LIBRARY)
    if library is None:
        raise RuntimeError("the app was built without its media library")
    return library


LibraryDep = Annotated[Library, Depends(_library)]
