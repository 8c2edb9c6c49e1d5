"""Authors, sections and tags named by records, found by slug or by the slug of their name, created if new."""

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError
from sqlmodel import Session

from app.authors import service as authors
from app.authors.models import Author
from app.authors.schemas import AuthorCreate
from app.core.errors import InvalidField
from app.core.slugs import SLUG_MAX_LENGTH, slugify
from app.directories.kinds import AUTHORS, SECTIONS
from app.ingest.schemas import AuthorRef, IngestRecord, SectionRef
from app.taxonomy import service as taxonomy
from app.taxonomy.models import Section, Tag
from app.taxonomy.schemas import SectionCreate


def _slug_of(name: str) -> str:
    return slugify(name)[:SLUG_MAX_LENGTH].rstrip("-")


def slugs_named(ref: str | AuthorRef | SectionRef) -> list[str]:
    """Slugs a reference may name, best first: a string is a slug or a name, a ref its slug or its name's."""
    if isinstance(ref, str):
        return list(dict.fromkeys(s for s in (ref, _slug_of(ref)) if s))
    return [ref.slug or _slug_of(ref.name)]


@dataclass
class References:
    """A batch's authors, sections and tags by what the records call them."""

    authors: dict[str, Author] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)


def _ref_key(ref: str | AuthorRef | SectionRef) -> str:
    return ref if isinstance(ref, str) else ref.model_dump_json()


def resolve(session: Session, records: list[IngestRecord], *, now: datetime) -> tuple[References, dict[int, Exception]]:
    """Look up every reference of the batch in one query per kind, create the missing ones; the
    errors are per record index (a name with nothing to make a slug of)."""
    refs = References()
    errors: dict[int, Exception] = {}
    refused: dict[str, str] = {}
    author_refs = {_ref_key(r): r for record in records for r in record.authors}
    section_refs = {_ref_key(r.section): r.section for r in records if r.section is not None}
    found_authors = authors.authors_by_slug(session, [s for r in author_refs.values() for s in slugs_named(r)])
    found_sections = taxonomy.sections_by_slug(session, [s for r in section_refs.values() for s in slugs_named(r)])
    for key, ref in author_refs.items():
        slugs = slugs_named(ref)
        known = next((found_authors[s] for s in slugs if s in found_authors), None)
        if known is None and slugs:
            name = ref if isinstance(ref, str) else ref.name
            extra = {} if isinstance(ref, str) else ref.model_dump(include={"role", "bio", "avatar_url", "links"})
            try:
                known = AUTHORS.add(session, AuthorCreate(name=name, slug=slugs[-1], **extra), now=now)
            except ValidationError as invalid:
                refused[key] = invalid.errors()[0]["msg"]
                continue
            found_authors[known.slug] = known
        if known is not None:
            refs.authors[key] = known
    for key, section_ref in section_refs.items():
        slugs = slugs_named(section_ref)
        section = next((found_sections[s] for s in slugs if s in found_sections), None)
        if section is None and slugs:
            name = section_ref if isinstance(section_ref, str) else section_ref.name
            try:
                section = SECTIONS.add(session, SectionCreate(name=name, slug=slugs[-1]))
            except ValidationError as invalid:
                refused[key] = invalid.errors()[0]["msg"]
                continue
            found_sections[section.slug] = section
        if section is not None:
            refs.sections[key] = section
    refs.tags = taxonomy.tags_by_name(session, {tag for record in records for tag in record.tags})
    for index, record in enumerate(records):
        for n, author in enumerate(record.authors):
            key = _ref_key(author)
            if key not in refs.authors:
                why = refused.get(key, "The name has nothing to make a slug of.")
                errors[index] = InvalidField(f"#/authors/{n}", f"The author cannot be created: {why}")
        if record.section is not None and _ref_key(record.section) not in refs.sections:
            why = refused.get(_ref_key(record.section), "The name has nothing to make a slug of.")
            errors[index] = InvalidField("#/section", f"The section cannot be created: {why}")
    return refs, errors


def authors_of(refs: References, record: IngestRecord) -> list[Author]:
    return list({author.id: author for author in (refs.authors[_ref_key(r)] for r in record.authors)}.values())


def section_of(refs: References, record: IngestRecord) -> Section | None:
    return refs.sections[_ref_key(record.section)] if record.section is not None else None


def tags_of(refs: References, record: IngestRecord) -> list[Tag]:
    return list({tag.id: tag for tag in (refs.tags[name] for name in record.tags if name in refs.tags)}.values())
