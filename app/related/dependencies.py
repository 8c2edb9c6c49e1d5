"""What related-article routes take from the running app."""

from typing import Annotated

from fastapi import Depends, Request

from app.related.semantic.neighbours import Neighbours
from app.web.state import StateKey, app_state

# None without the `semantic` extra or with BYLINE_SEMANTIC=false.
NEIGHBOURS: StateKey[Neighbours] = StateKey("related articles by meaning")


# Async because it only reads state: a sync dependency costs a threadpool hop.
async def _semantic(request: Request) -> Neighbours | None:
    return app_state(request).part(NEIGHBOURS)


NeighboursDep = Annotated[Neighbours | None, Depends(_semantic)]
