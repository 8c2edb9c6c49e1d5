"""The documentation's reference pages are what the code generates: `byline docs` writes them, and a
change to the API, a setting, a command or a problem type that was not written back fails here."""

from pathlib import Path

from app.cli import reference_pages
from app.core.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_committed_reference_pages_are_what_the_code_generates():
    generated = reference_pages()
    stale = [
        path for path, text in generated.items() if not (DOCS / path).is_file() or (DOCS / path).read_text() != text
    ]
    # A page of an API tag that is gone would stay in the site, describing what the API no longer has.
    left = [str(page.relative_to(DOCS)) for page in (DOCS / "reference" / "api").glob("*.md")]
    stale += [path for path in left if path not in generated]
    assert not stale, f"run `byline docs` and commit: {stale}"


def test_every_setting_says_what_it_does():
    # The docstring under a field is its description on the settings page.
    assert [name for name, field in Settings.model_fields.items() if not field.description] == []
