"""What the caller may read, derived from their API key."""

from typing import Annotated

from fastapi import Depends

from app.articles.visibility import PUBLIC, Reader
from app.auth.dependencies import OptionalKey
from app.auth.models import Scope


async def _reader(key: OptionalKey) -> Reader:
    if key is None:
        return PUBLIC
    return Reader(preview=key.grants(Scope.content_preview), embargoed=key.grants(Scope.content_embargo))


ReaderDep = Annotated[Reader, Depends(_reader)]
