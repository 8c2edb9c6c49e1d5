"""Which release of Byline is running."""

from functools import cache
from importlib.metadata import version


@cache
def byline_version() -> str:
    """Read once per process: each read parses the installed package's metadata, the README with it."""
    return version("byline")
