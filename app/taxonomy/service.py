"""Finding sections and tags: the section an article names, and tags found or created from the names articles give."""

from collections.abc import Iterable

from sqlmodel import Session, col, or_, select

from app.core.slugs import SLUG_MAX_LENGTH, slugify
from app.db.upserts import conflict_insert
from app.taxonomy.models import Section, Tag


def section_by_slug(session: Session, slug: str) -> Section | None:
    return session.exec(select(Section).where(Section.slug == slug)).first()


def sections_by_slug(session: Session, slugs: Iterable[str]) -> dict[str, Section]:
    rows = session.exec(select(Section).where(col(Section.slug).in_(set(slugs)))).all()
    return {section.slug: section for section in rows}


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _insert_tag_if_free(session: Session, slug: str, name: str) -> None:
    """Race-free get-or-create: a tag another transaction adds at the same moment wins quietly."""
    insert = conflict_insert(session.get_bind(), Tag)
    session.execute(insert.values(slug=slug, name=name).on_conflict_do_nothing(index_elements=["slug"]))


def _tag_named(session: Session, name: str) -> Tag:
    """The tag with this name (ignoring case and spacing), created if missing.

    "C" and "C++" share a slug but not a name: the newer one gets a numbered slug."""
    base = slugify(name)[: SLUG_MAX_LENGTH - 4].rstrip("-") or "tag"
    candidate, n = base, 1
    while True:
        tag = session.exec(select(Tag).where(Tag.slug == candidate)).first()
        if tag is None:
            renamed = session.exec(select(Tag).where(Tag.name == name)).first()
            if renamed is not None:
                return renamed
            _insert_tag_if_free(session, candidate, name)
            # Ours, or one a concurrent writer committed first under the same slug.
            tag = session.exec(select(Tag).where(Tag.slug == candidate)).one()
        if _same_name(tag.name, name):
            return tag
        n += 1
        candidate = f"{base}-{n}"


def tags_for_names(session: Session, names: Iterable[str]) -> list[Tag]:
    """The tags with these names, in order, each once, creating the missing ones (in a few statements
    for them all, where each took three)."""
    given = [name for name in names if name.split()]
    if not given:
        return []
    found = tags_by_name(session, given)
    return list({found[name].id: found[name] for name in given}.values())


def tags_by_name(session: Session, names: Iterable[str]) -> dict[str, Tag]:
    """`tags_for_names` for a whole batch: each name's tag (keyed by the name as given), found in one
    query and the missing ones inserted in one statement; a name whose slug another name holds
    ("C" and "C++") goes the slower way, one name at a time."""
    wanted = {name: " ".join(name.split()) for name in names if name.split()}
    bases = {name: slugify(clean)[: SLUG_MAX_LENGTH - 4].rstrip("-") or "tag" for name, clean in wanted.items()}
    known = session.exec(
        select(Tag).where(or_(col(Tag.slug).in_(set(bases.values())), col(Tag.name).in_(set(wanted.values()))))
    ).all()
    by_slug = {tag.slug: tag for tag in known}
    by_name = {tag.name: tag for tag in known}
    found: dict[str, Tag] = {}
    missing: dict[str, str] = {}
    for name, clean in wanted.items():
        tag = by_slug.get(bases[name])
        if tag is not None and _same_name(tag.name, clean):
            found[name] = tag
        elif clean in by_name:
            found[name] = by_name[clean]
        elif tag is None:
            missing.setdefault(bases[name], clean)
    if missing:
        session.execute(
            conflict_insert(session.get_bind(), Tag).on_conflict_do_nothing(index_elements=["slug"]),
            [{"slug": slug, "name": name} for slug, name in missing.items()],
        )
        by_slug.update((tag.slug, tag) for tag in session.exec(select(Tag).where(col(Tag.slug).in_(missing))).all())
    for name, clean in wanted.items():
        if name not in found:
            tag = by_slug.get(bases[name])
            found[name] = tag if tag is not None and _same_name(tag.name, clean) else _tag_named(session, clean)
    return found
