from sqlmodel import Session

from app.demo.loader import add_demo

LEAD = "terror-strikes-moscow-is-k-claims-responsibility-for-deadly-attack"


def load(engine) -> int:
    with Session(engine) as session:
        added = add_demo(session)
        session.commit()
    return added


def test_demo_lead_article_is_served(client, engine):
    load(engine)
    lead = client.get(f"/api/v1/articles/{LEAD}").json()
    assert lead["title"] == "Terror Strikes Moscow: IS-K Claims Responsibility for Deadly Attack"
    assert lead["subtitle"]
    assert lead["section"]["name"] == "World"
    assert len(lead["tags"]) >= 3
    assert sum(block["type"] == "heading" for block in lead["body"]) >= 3
    alok = lead["authors"][0]
    assert (alok["name"], alok["role"]) == ("Alok Verma", "International Reporter") and alok["bio"]


def test_demo_newsroom_has_enough_to_browse(client, engine):
    load(engine)
    articles = client.get("/api/v1/articles?limit=100").json()
    assert articles["meta"]["total"] >= 12
    assert client.get("/api/v1/authors").json()["meta"]["total"] >= 5
    assert len({a["section"]["slug"] for a in articles["data"]}) >= 3
    lead_tags = {t["slug"] for t in client.get(f"/api/v1/articles/{LEAD}").json()["tags"]}
    sharing = [a for a in articles["data"] if a["slug"] != LEAD and lead_tags & {t["slug"] for t in a["tags"]}]
    assert len(sharing) >= 3


def test_loading_demo_twice_adds_nothing(client, engine):
    def totals() -> list[int]:
        return [client.get(f"/api/v1/{name}").json()["meta"]["total"] for name in ("articles", "authors", "sections", "tags")]

    added = load(engine)
    before = totals()
    assert load(engine) == 0
    assert totals() == before and before[0] == added
