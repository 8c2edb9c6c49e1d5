"""Search behaves the same on SQLite FTS5 and PostgreSQL tsvector: every test runs on both."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app.core.cursors import encode_cursor
from app.search.fulltext import index_for
from app.search.query import parse
from app.web.pagination import seal_cursor
from tests.conftest import TEST_SECRET
from tests.factories.newsroom import make_article, make_author, make_section

HOSTILE = [
    "'; DROP TABLE article; --",
    '" OR 1=1 --',
    "NEAR(a b)",
    "title:secret",
    "a AND OR NOT b",
    "^start",
    "x' <-> 'y",
    "!!foo & |bar",
    "\\x00",
    "((((((",
    "*",
    "-",
    "😀 🎉",
    "a" * 300,
    "%_%",
    "col:val* NOT",
]


def found(client, **params) -> list[str]:
    response = client.get("/api/v1/articles", params=params)
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["data"]]


def body(text: str) -> list[dict]:
    return [{"type": "paragraph", "text": text}]


def test_stemming_finds_other_forms_of_a_word(client, session):
    article = make_article(session, title="Gunmen attacked a concert hall", body=body("The attackers fled."))
    assert found(client, q="attacks") == [article.slug]


def test_diacritics_do_not_matter(client, session):
    article = make_article(session, title="Zürich votes on café closing hours")
    assert found(client, q="zurich cafe") == [article.slug]
    assert found(client, q="Zürich") == [article.slug]


def test_phrase_must_appear_in_order(client, session):
    hall = make_article(session, title="Concert hall reopens", body=body("The concert hall reopened."))
    make_article(session, title="Hall of fame concert", body=body("A hall and then a concert."))
    assert found(client, q='"concert hall"') == [hall.slug]


def test_prefix_query(client, session):
    moscow = make_article(session, title="Moscow attack", body=body("Officials in Moscow said."))
    make_article(session, title="Budget vote", body=body("Nothing about that city."))
    assert found(client, q="mosc*") == [moscow.slug]


def test_excluded_words(client, session):
    make_article(session, title="Football budget", body=body("Sport spending."))
    city = make_article(session, title="City budget", body=body("Roads and schools."))
    assert found(client, q="budget -football") == [city.slug]


def test_title_matches_rank_above_body_matches(client, session):
    in_body = make_article(session, title="Council meets", body=body("A brief mention of the earthquake."))
    in_title = make_article(session, title="Earthquake hits the coast", body=body("Buildings shook."))
    assert found(client, q="earthquake") == [in_title.slug, in_body.slug]
    assert (
        found(client, q="earthquake", sort="newest")[0]
        == max((in_body, in_title), key=lambda a: (a.published_at, a.id)).slug
    )


def test_search_combines_with_filters_and_hides_drafts(client, session):
    make_section(session, slug="world", name="World")
    world = make_article(session, title="Flood warning", section="world")
    make_article(session, title="Flood insurance")
    make_article(session, title="Flood draft", section="world", status="draft")
    assert found(client, q="flood", section="world") == [world.slug]
    assert client.get("/api/v1/articles", params={"q": "flood"}).json()["meta"]["total"] == 2


def test_search_results_page_with_cursors(client, session):
    made = {make_article(session, title=f"Election night {n}", body=body("election " * (n + 1))).slug for n in range(7)}
    assert sorted(_pages(client, "/api/v1/articles?q=election&limit=3")) == sorted(made)


def _pages(client, url: str, *, between_pages=lambda: None) -> list[str]:
    seen = []
    while url:
        page = client.get(url).json()
        seen += [item["slug"] for item in page["data"]]
        url = page["links"]["next"]
        between_pages()
    return seen


def test_relevance_pages_neither_skip_nor_repeat_while_the_newsroom_writes(client, session):
    made = [
        make_article(session, title=f"Election night {n}", body=body("election " * (n + 1) + "turnout " * n)).slug
        for n in range(9)
    ]
    drafts = iter(range(1, 100))

    def newsroom_writes() -> None:
        # Drafts shift every match's corpus-wide statistics (SQLite's bm25), never what readers see.
        for _ in range(5):
            make_article(session, title="Election draft", body=body("election turnout " * next(drafts)), status="draft")

    seen = _pages(client, "/api/v1/articles?q=election&limit=2", between_pages=newsroom_writes)
    assert sorted(seen) == sorted(made)


def test_cursor_naming_an_unpublished_article_reveals_nothing(client, session):
    for n in range(4):
        make_article(session, title=f"Harbour report {n}", body=body("harbour " * (n + 1)))
    draft = make_article(session, title="Harbour draft", body=body("harbour " * 50), status="draft")
    first_page = found(client, q="harbour", limit=2)

    forged = seal_cursor(encode_cursor(0, draft.id), TEST_SECRET)

    assert found(client, q="harbour", limit=2, cursor=forged) == first_page


def test_relevance_listing_goes_on_when_the_last_article_shown_is_unpublished(client, session, editor):
    made = [make_article(session, title=f"Budget vote {n}", body=body("budget " * (n + 1))).slug for n in range(6)]
    page = client.get("/api/v1/articles", params={"q": "budget", "limit": 2}).json()
    last = page["data"][-1]["slug"]
    etag = client.get(f"/api/v1/articles/{last}", headers=editor).headers["etag"]
    assert client.post(f"/api/v1/articles/{last}/unpublish", headers=editor | {"If-Match": etag}).status_code == 200

    rest = _pages(client, page["links"]["next"])

    assert sorted(rest) == sorted(set(made) - {item["slug"] for item in page["data"]})


def test_hit_has_an_escaped_snippet_with_marks(client, session):
    make_article(session, title="Storm", body=body("The <b>storm</b> & its damage reached the harbour on Tuesday."))
    [hit] = client.get("/api/v1/articles", params={"q": "harbour"}).json()["data"]
    assert "<mark>harbour</mark>" in hit["snippet"]
    assert "<b>" not in hit["snippet"]


def test_unbalanced_quote_is_a_422_naming_q(client):
    response = client.get("/api/v1/articles", params={"q": '"open phrase'})
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "q"


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_fail_or_run_sql(client, session, query):
    make_article(session, title="Drop table tennis final")
    response = client.get("/api/v1/articles", params={"q": query})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert response.json()["errors"][0]["parameter"] == "q"
    assert client.get("/api/v1/articles").json()["meta"]["total"] == 1


def test_edits_and_deletions_reach_the_index_at_once(client, session, editor, api_key):
    article = make_article(session, title="Original headline")
    client.patch(f"/api/v1/articles/{article.slug}", json={"title": "Volcano erupts"}, headers=editor)
    assert found(client, q="volcano") == [article.slug]
    assert found(client, q="original") == []
    client.delete(f"/api/v1/articles/{article.slug}?hard=true", headers=api_key("admin"))
    assert found(client, q="volcano") == []


def test_unpublished_article_leaves_results_at_once(client, session, editor):
    article = make_article(session, title="Glacier retreat")
    client.post(f"/api/v1/articles/{article.slug}/unpublish", headers=editor)
    assert found(client, q="glacier") == []


def test_scheduled_article_appears_in_results_by_itself(client, session, clock):
    when = clock.now + timedelta(hours=1)
    article = make_article(
        session, title="Eclipse tonight", status="scheduled", published_at=when.isoformat(), now=clock.now
    )
    assert found(client, q="eclipse") == []
    clock.now = when
    assert found(client, q="eclipse") == [article.slug]


def test_author_autocomplete_matches_the_start_of_any_name_word(client, session):
    make_author(session, slug="alok-verma", name="Alok Verma")
    make_author(session, slug="ana-lucia-ferreira", name="Ana Lúcia Ferreira")
    make_author(session, slug="vera-brandt", name="Vera Brandt")

    def names(q: str) -> list[str]:
        return [a["name"] for a in client.get("/api/v1/authors", params={"q": q}).json()["data"]]

    assert names("ver") == ["Alok Verma", "Vera Brandt"]
    assert names("LUC") == ["Ana Lúcia Ferreira"]
    assert names("zzz") == []


def test_tag_autocomplete_lists_only_published_tags(client, session):
    make_article(session, tags=["Climate Change", "Climbing"])
    make_article(session, status="draft", tags=["Climate Secret"])
    response = client.get("/api/v1/tags", params={"q": "cli"}).json()
    assert [t["name"] for t in response["data"]] == ["Climate Change", "Climbing"]
    assert response["meta"]["total"] == 2


def test_sharp_s_is_found(client, session):
    article = make_article(session, title="Hauptstraße closed for repairs")
    assert found(client, q="hauptstraße") == [article.slug]


def explained(session, statement) -> str:
    sql = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    explain = "EXPLAIN QUERY PLAN" if session.get_bind().dialect.name == "sqlite" else "EXPLAIN"
    return " ".join(str(row[-1]) for row in session.execute(text(f"{explain} {sql}")))


def test_matching_reads_the_full_text_index_not_every_document(session):
    # Matching a document costs more than planners assume: a scan of them all is many times slower.
    for n in range(30):
        make_article(session, body=body(f"Report number {n} from the harbour."))
    make_article(session, body=body("A lighthouse keeper retires."))
    matches = index_for(session).matches(session, parse("lighthouse"))
    plan = explained(session, select(matches.c.article_id))
    assert "VIRTUAL TABLE INDEX" in plan or "ix_article_search_document" in plan, plan


@pytest.mark.parametrize("many_matches", [0, 1000])
def test_newest_first_search_pages_the_same_whichever_way_it_walks(client, session, monkeypatch, many_matches):
    """With many matches the search walks the newest articles instead of sorting the matches;
    readers see the same pages, drafts and filters included."""
    monkeypatch.setattr("app.articles.service.MANY_MATCHES", many_matches)
    make_section(session, slug="harbour", name="Harbour")
    base = make_article(session, title="Harbour news").published_at
    made = [
        make_article(
            session,
            title=f"Harbour tide report {n}",
            published_at=base + timedelta(hours=n % 4),
            section="harbour" if n % 2 else None,
            status="draft" if n == 5 else "published",
        )
        for n in range(9)
    ]
    newest = sorted((a for a in made if a.status == "published"), key=lambda a: (a.published_at, a.id), reverse=True)
    session.rollback()

    walked, url = [], "/api/v1/articles?q=tide&sort=newest&limit=3"
    while url:
        page = client.get(url).json()
        walked += [item["slug"] for item in page["data"]]
        url = page["links"]["next"]

    assert walked == [a.slug for a in newest]
    in_section = [a.slug for a in newest if a.section_id is not None]
    assert found(client, q="tide", sort="newest", section="harbour") == in_section


@pytest.mark.parametrize("best_first", [1, 2, 100])
def test_a_first_page_by_relevance_never_loses_matches_to_hidden_better_ones(client, session, monkeypatch, best_first):
    """The first page is looked for among the best ranked matches first: drafts ranked above every
    published match must not push those off it, however few of the best are looked at."""
    monkeypatch.setattr("app.articles.service.BEST_FIRST", best_first)
    for n in range(2):
        make_article(session, title=f"Lighthouse draft {n}", body=body("lighthouse " * 20), status="draft")
    # The same length each, so more mentions rank higher.
    shown = [make_article(session, body=body("lighthouse " * (n + 1) + "harbour " * (10 - n))) for n in range(5)]
    first = client.get("/api/v1/articles", params={"q": "lighthouse", "limit": 2}).json()
    assert first["meta"]["total"] == 5
    assert _pages(client, "/api/v1/articles?q=lighthouse&limit=2") == [a.slug for a in reversed(shown)]
