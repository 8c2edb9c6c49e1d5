"""What every reader yields."""

from dataclasses import dataclass
from typing import Any


@dataclass
class SourceRecord:
    """One record read: where it stands in the source (`file:line`), and the record, or why there is none:
    `error` when it could not be read, `skipped` when the reader left it out on purpose ("page", "attachment")."""

    position: str
    record: dict[str, Any] | None
    error: str | None = None
    skipped: str | None = None
