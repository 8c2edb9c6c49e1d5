from sqlalchemy import event
from sqlmodel import select

from app.indexing.service import reindex
from app.related.models import ArticleTerm, TermDocumentCount
from tests.factories.newsroom import make_article, make_section


def body(text: str) -> list[dict]:
    return [{"type": "paragraph", "text": text}]


QUAKE = (
    "A strong earthquake struck the coastal city, collapsing buildings;"
    " rescuers searched rubble for survivors after aftershocks."
)
QUAKE_2 = "Rescuers pulled survivors from collapsed buildings as aftershocks from the earthquake rattled the coast."
BUDGET = "The council approved the municipal budget with new spending on schools, libraries and road repairs."
MARKETS = "Stock markets fell as investors weighed interest rates, bond yields and central bank guidance."


def related(client, slug: str, **params) -> list[dict]:
    response = client.get(f"/api/v1/articles/{slug}/related", params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_text_alone_finds_neighbours_for_untagged_archives(client, session):
    quake = make_article(session, title="Earthquake hits coast", body=body(QUAKE))
    follow_up = make_article(session, title="Survivors found after quake", body=body(QUAKE_2))
    for n, text in enumerate(
        [BUDGET, MARKETS, BUDGET.replace("council", "assembly"), MARKETS.replace("Stock", "Bond")]
    ):
        make_article(session, title=f"Unrelated story {n}", body=body(text))
    [first, *_] = related(client, quake.slug)
    assert first["slug"] == follow_up.slug
    assert any(reason.startswith("shared terms:") for reason in first["reasons"])


def test_never_itself_unpublished_or_near_identical(client, session):
    original = make_article(session, title="Earthquake hits coast", body=body(QUAKE))
    make_article(session, title="Earthquake hits coast again", body=body(QUAKE))  # the same text, re-filed
    make_article(session, title="Quake draft", body=body(QUAKE_2), status="draft")
    neighbour = make_article(session, title="Survivors found", body=body(QUAKE_2 + " " + BUDGET))
    slugs = [item["slug"] for item in related(client, original.slug)]
    assert slugs == [neighbour.slug]


def test_shared_tags_and_section_count_and_are_explained(client, session):
    make_section(session, slug="world", name="World")
    lead = make_article(
        session, title="Attack in Moscow", section="world", tags=["Russia", "Security"], body=body(MARKETS)
    )
    tagged = make_article(
        session, title="Kremlin response", section="world", tags=["Russia", "Security"], body=body(BUDGET)
    )
    make_article(session, title="Other news", body=body(BUDGET))
    [first, *_] = related(client, lead.slug)
    assert first["slug"] == tagged.slug
    assert "shared tags: Russia, Security" in first["reasons"] and "same section: World" in first["reasons"]
    assert 0 < first["score"] <= 1


def test_pinned_articles_come_first_in_their_order(client, session, editor):
    lead = make_article(session, title="Earthquake hits coast", body=body(QUAKE))
    make_article(session, title="Survivors found", body=body(QUAKE_2))
    first_pin = make_article(session, title="Budget passes", body=body(BUDGET))
    second_pin = make_article(session, title="Markets slide", body=body(MARKETS))
    response = client.put(
        f"/api/v1/articles/{lead.slug}/related/pins", json={"slugs": [second_pin.slug, first_pin.slug]}, headers=editor
    )
    assert response.status_code == 200
    items = related(client, lead.slug)
    assert [i["slug"] for i in items[:2]] == [second_pin.slug, first_pin.slug]
    assert items[0]["pinned"] and not items[2]["pinned"]


def test_unpublished_pins_leave_and_pins_fill_a_short_list_alone(client, session, editor):
    lead = make_article(session, title="Earthquake hits coast", body=body(QUAKE))
    make_article(session, title="Survivors found", body=body(QUAKE_2))
    first_pin = make_article(session, title="Budget passes", body=body(BUDGET))
    second_pin = make_article(session, title="Markets slide", body=body(MARKETS))
    client.put(
        f"/api/v1/articles/{lead.slug}/related/pins", json={"slugs": [first_pin.slug, second_pin.slug]}, headers=editor
    )
    assert [i["slug"] for i in related(client, lead.slug, limit=1)] == [first_pin.slug]
    client.post(f"/api/v1/articles/{first_pin.slug}/unpublish", headers=editor)
    items = related(client, lead.slug, limit=1)
    assert [(i["slug"], i["pinned"]) for i in items] == [(second_pin.slug, True)]


def test_pins_need_content_write_and_known_articles(client, session, editor):
    lead = make_article(session)
    assert client.put(f"/api/v1/articles/{lead.slug}/related/pins", json={"slugs": []}).status_code == 401
    response = client.put(f"/api/v1/articles/{lead.slug}/related/pins", json={"slugs": ["nowhere"]}, headers=editor)
    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "#/slugs"


def test_editors_read_back_the_pins_of_a_draft_readers_never_see(client, session, editor, api_key):
    draft = make_article(session, status="draft", title="Quake draft", body=body(QUAKE))
    pin, unpublished_pin = make_article(session), make_article(session, status="draft")
    pins = f"/api/v1/articles/{draft.slug}/related/pins"
    put = client.put(pins, json={"slugs": [unpublished_pin.slug, pin.slug]}, headers=editor)
    assert put.status_code == 200
    read = client.get(pins, headers=editor)
    assert read.status_code == 200 and read.headers["Cache-Control"] == "private, no-store"
    assert [(one["slug"], one["status"]) for one in read.json()["data"]] == [
        (unpublished_pin.slug, "draft"),
        (pin.slug, "published"),
    ]
    # Without the preview scope, or as a reader, the draft stays unknown.
    assert client.get(pins).status_code == 401
    assert client.get(pins, headers=api_key("content:write")).status_code == 403
    assert client.get(f"/api/v1/articles/{draft.slug}/related").status_code == 404
    # Published, the story's related list leads with the pin readers can see.
    client.post(f"/api/v1/articles/{draft.slug}/publish", headers=editor)
    assert [(i["slug"], i["pinned"]) for i in related(client, draft.slug)][:1] == [(pin.slug, True)]


def test_lists_follow_publishing_at_once(client, session, editor):
    lead = make_article(session, title="Earthquake hits coast", body=body(QUAKE))
    make_article(session, title="Budget", body=body(BUDGET))
    assert [i["slug"] for i in related(client, lead.slug)] == []
    later = make_article(session, title="Survivors found", body=body(QUAKE_2))
    assert [i["slug"] for i in related(client, lead.slug)] == [later.slug]
    client.post(f"/api/v1/articles/{later.slug}/unpublish", headers=editor)
    assert related(client, lead.slug) == []


def test_limit_is_bounded(client, session):
    lead = make_article(session)
    assert client.get(f"/api/v1/articles/{lead.slug}/related?limit=21").status_code == 422
    assert client.get(f"/api/v1/articles/{lead.slug}/related?limit=0").json()["errors"][0]["parameter"] == "limit"


def _vectors_and_counts(session) -> tuple[list, list]:
    session.expire_all()
    terms = sorted(session.exec(select(ArticleTerm.article_id, ArticleTerm.term, ArticleTerm.weight)).all())
    # A term no article uses any more may keep a row counting none.
    counted = select(TermDocumentCount.term, TermDocumentCount.documents).where(TermDocumentCount.documents > 0)
    return terms, sorted(session.exec(counted).all())


def test_edited_articles_keep_the_vectors_and_counts_a_rebuild_makes(client, session, editor):
    first = make_article(session, title="Harbour cranes idle as dock strike enters second week")
    make_article(session, title="Dock strike talks resume at the harbour authority")
    session.commit()
    path = f"/api/v1/articles/{first.slug}"
    for change in (
        {"title": "Harbour cranes restart as the dock strike ends"},
        {"body": [{"type": "paragraph", "text": "Ferries and cranes ran again on Monday morning."}]},
        {"subtitle": "Unions accept the pay offer"},
    ):
        assert client.patch(path, json=change, headers=editor).status_code == 200
    edited = _vectors_and_counts(session)
    reindex(session)
    session.commit()
    assert edited == _vectors_and_counts(session)


def test_an_edit_that_leaves_the_text_alone_writes_no_index_or_vector(client, session, editor, engine):
    article = make_article(session, title="Harbour cranes idle as dock strike enters second week")
    session.commit()
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement.lower())

    event.listen(engine, "before_cursor_execute", record)
    try:
        edited = client.patch(f"/api/v1/articles/{article.slug}", json={"excerpt": "Cranes idle."}, headers=editor)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert edited.status_code == 200
    written = [s for s in statements if s.startswith(("insert", "update", "delete"))]
    assert written and not [s for s in written if "article_term" in s or "term_document_count" in s or "search" in s]
