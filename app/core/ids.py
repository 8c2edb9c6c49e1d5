"""Row ids as clients send them: within the 32-bit range both databases store."""

from typing import Annotated

from fastapi import Path
from pydantic import Field

MAX_ID = 2**31 - 1

RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
RowIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
