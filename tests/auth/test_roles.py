import json

from app.auth.roles import Role
from tests.comments.helpers import reply
from tests.factories.newsroom import make_article, make_author, make_section
from tests.factories.people import make_user, sign_in

DRAFT = {"title": "Budget vote delayed", "authors": ["alok-verma"]}


def _newsroom(session) -> None:
    make_author(session, slug="alok-verma", name="Alok Verma")
    make_section(session, slug="city", name="City")
    make_section(session, slug="sport", name="Sport")


def test_contributor_files_drafts_only_in_their_sections(client, session, settings):
    _newsroom(session)
    make_user(session, settings, "cy@example.org", role=Role.contributor, sections=("city",))
    csrf = sign_in(client, "cy@example.org")
    assert client.post("/api/v1/articles", json=DRAFT | {"section": "city"}, headers=csrf).status_code == 201
    outside = client.post("/api/v1/articles", json=DRAFT | {"section": "sport"}, headers=csrf)
    assert outside.status_code == 403
    assert outside.json()["type"].endswith("/problems/section-forbidden") and outside.json()["section"] == "sport"
    moved = client.patch("/api/v1/articles/budget-vote-delayed", json={"section": "sport"}, headers=csrf)
    assert moved.status_code == 403 and moved.json()["section"] == "sport"


def test_restoring_cannot_move_a_story_out_of_ones_sections(client, session, settings, editor):
    _newsroom(session)
    make_user(session, settings, "cy@example.org", role=Role.contributor, sections=("city",))
    client.post("/api/v1/articles", json=DRAFT | {"section": "sport"}, headers=editor)
    client.patch("/api/v1/articles/budget-vote-delayed", json={"section": "city"}, headers=editor)
    csrf = sign_in(client, "cy@example.org")
    response = client.post("/api/v1/articles/budget-vote-delayed/revisions/1/restore", headers=csrf)
    assert response.status_code == 403 and response.json()["section"] == "sport"


def test_contributor_cannot_touch_another_sections_story(client, session, settings):
    _newsroom(session)
    make_article(session, slug="derby-day", section="sport", status="draft")
    make_user(session, settings, "cy@example.org", role=Role.contributor, sections=("city",))
    csrf = sign_in(client, "cy@example.org")
    response = client.patch("/api/v1/articles/derby-day", json={"title": "Derby"}, headers=csrf)
    assert response.status_code == 403 and response.json()["section"] == "sport"


def test_contributor_cannot_publish_but_an_editor_can(client, session, settings):
    _newsroom(session)
    make_user(session, settings, "cy@example.org", role=Role.contributor, sections=("city",))
    make_user(session, settings, "ed@example.org", role=Role.editor, sections=("city",))
    csrf = sign_in(client, "cy@example.org")
    published = client.post("/api/v1/articles", json=DRAFT | {"section": "city", "status": "published"}, headers=csrf)
    assert published.status_code == 403 and published.json()["type"].endswith("/problems/publishing-forbidden")
    client.post("/api/v1/articles", json=DRAFT | {"section": "city"}, headers=csrf)
    assert client.post("/api/v1/articles/budget-vote-delayed/publish", headers=csrf).status_code == 403
    client.cookies.clear()
    csrf = sign_in(client, "ed@example.org")
    assert client.post("/api/v1/articles/budget-vote-delayed/publish", headers=csrf).status_code == 200


def test_a_section_bound_editor_ingests_only_into_their_sections(client, session, settings):
    _newsroom(session)
    make_article(session, slug="derby-day", section="sport", status="published")
    make_article(session, slug="match-report", section="sport", status="draft")
    make_user(session, settings, "ed@example.org", role=Role.editor, sections=("city",))
    csrf = sign_in(client, "ed@example.org")
    batch = [
        {"title": "Tram line opens", "section": "city", "authors": ["Alok Verma"]},
        {"title": "Cup final", "section": "sport", "authors": ["Alok Verma"]},
        {"title": "No desk at all", "authors": ["Alok Verma"]},
        {"title": "Derby day, moved", "slug": "derby-day", "section": "city", "authors": ["Alok Verma"]},
        {"title": "A new desk", "section": {"name": "Weather"}, "authors": ["Alok Verma"]},
        {"title": "Match report", "slug": "match-report", "section": "city", "authors": ["Alok Verma"]},
    ]
    report = client.post("/api/v1/ingest", json=batch, headers=csrf).json()
    assert [r["status"] for r in report["results"]] == ["created", "failed", "failed", "failed", "failed", "failed"]
    refusals = [r["error"]["type"].rsplit("/", 1)[1] for r in report["results"][1:]]
    # A draft of another section is out of sight: held, as any slug another article holds.
    assert refusals == ["section-forbidden"] * 4 + ["slug-taken"]
    assert report["results"][3]["error"]["section"] == "sport"
    # Nothing of the refused records was made: no section, no article.
    assert client.get("/api/v1/sections/weather").status_code == 404
    assert client.get("/api/v1/articles/derby-day").json()["section"]["slug"] == "sport"
    aborted = client.post("/api/v1/ingest?on_error=abort", json=batch[1:2], headers=csrf)
    assert aborted.status_code == 422
    assert aborted.json()["failures"][0]["error"]["type"].endswith("/problems/section-forbidden")


def test_a_section_bound_editor_exports_what_they_may_read(client, session, settings):
    _newsroom(session)
    for slug, section, status in (
        ("tram-line", "city", "draft"),
        ("derby-day", "sport", "published"),
        ("match-report", "sport", "draft"),
    ):
        make_article(session, slug=slug, section=section, status=status)
    make_user(session, settings, "ed@example.org", role=Role.editor, sections=("city",))
    sign_in(client, "ed@example.org")
    exported = client.get("/api/v1/export/articles.ndjson")
    assert exported.status_code == 200
    slugs = sorted(json.loads(line)["slug"] for line in exported.text.splitlines())
    assert slugs == ["derby-day", "tram-line"]


def test_moderator_moderates_but_does_not_write_articles(client, session, settings):
    _newsroom(session)
    make_user(session, settings, "mo@example.org", role=Role.moderator)
    csrf = sign_in(client, "mo@example.org")
    assert client.get("/api/v1/comments").status_code == 200
    refused = client.post("/api/v1/articles", json=DRAFT, headers=csrf)
    assert refused.status_code == 403 and refused.json()["type"].endswith("/problems/missing-scope")


def test_section_bound_people_read_unpublished_work_only_in_their_sections(client, session, settings):
    _newsroom(session)
    make_article(session, slug="derby-day", section="sport", status="draft")
    make_article(session, slug="bridge-plan", section="city", status="draft")
    make_article(session, slug="derby-result", section="sport")
    make_user(session, settings, "cy@example.org", role=Role.contributor, sections=("city",))
    sign_in(client, "cy@example.org")
    drafts = client.get("/api/v1/articles", params={"status": "draft"}).json()["data"]
    assert [a["slug"] for a in drafts] == ["bridge-plan"]
    assert [a["slug"] for a in client.get("/api/v1/articles").json()["data"]] == ["derby-result"]
    for path in ("/api/v1/articles/derby-result/revisions", "/api/v1/articles/derby-day/revisions"):
        refused = client.get(path)
        assert refused.status_code == 403 and refused.json()["section"] == "sport", path
    assert client.get("/api/v1/articles/bridge-plan/revisions").status_code == 200


def test_embargoes_are_for_editors_of_the_storys_section(client, session, settings):
    _newsroom(session)
    make_article(session, slug="derby-day", section="sport", status="draft")
    make_article(session, slug="bridge-plan", section="city", status="draft")
    make_user(session, settings, "ed@example.org", role=Role.editor, sections=("city",))
    make_user(session, settings, "cy@example.org", role=Role.contributor, sections=("city",))
    embargo = {"embargo_until": "2030-01-01T00:00:00Z"}
    csrf = sign_in(client, "cy@example.org")
    assert client.patch("/api/v1/articles/bridge-plan", json=embargo, headers=csrf).status_code == 403
    client.cookies.clear()
    csrf = sign_in(client, "ed@example.org")
    assert client.patch("/api/v1/articles/bridge-plan", json=embargo, headers=csrf).status_code == 200
    # The desk still sees the embargoed story, and lifts the embargo.
    lifted = client.patch("/api/v1/articles/bridge-plan", json={"embargo_until": None}, headers=csrf)
    assert lifted.status_code == 200 and lifted.json()["embargo_until"] is None
    elsewhere = client.patch("/api/v1/articles/derby-day", json=embargo, headers=csrf)
    assert elsewhere.status_code == 403 and elsewhere.json()["section"] == "sport"


def test_an_editor_moderates_comments_and_a_contributor_may_not(client, session, settings):
    _newsroom(session)
    article = make_article(session)
    held = reply(client, article.slug, content="First time here.").json()["id"]
    make_user(session, settings, "cy@example.org", role=Role.contributor)
    make_user(session, settings, "ed@example.org", role=Role.editor, sections=("city",))
    csrf = sign_in(client, "cy@example.org")
    refused = client.get("/api/v1/comments", headers=csrf)
    assert refused.status_code == 403 and refused.json()["type"].endswith("/problems/missing-scope")
    client.cookies.clear()
    csrf = sign_in(client, "ed@example.org")
    assert [one["id"] for one in client.get("/api/v1/comments?status=pending", headers=csrf).json()["data"]] == [held]
    decided = client.patch(f"/api/v1/comments/{held}", json={"status": "approved"}, headers=csrf)
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
