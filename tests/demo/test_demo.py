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
    assert [tag["name"] for tag in lead["tags"]] == ["Islamic State", "Moscow", "Russia", "Security", "Terrorism"]
    assert sum(block["type"] == "heading" for block in lead["body"]) == 4
    alok = lead["authors"][0]
    assert (alok["name"], alok["role"]) == ("Alok Verma", "International Reporter") and alok["bio"]


def test_demo_newsroom_has_enough_to_browse(client, engine):
    load(engine)
    articles = client.get("/api/v1/articles?limit=100").json()
    assert articles["meta"]["total"] == 14 and len(articles["data"]) == 14
    assert client.get("/api/v1/authors").json()["meta"]["total"] == 7
    sections = {"business", "culture", "politics", "science", "technology", "world"}
    assert {a["section"]["slug"] for a in articles["data"]} == sections
    lead_tags = {t["slug"] for t in client.get(f"/api/v1/articles/{LEAD}").json()["tags"]}
    sharing = [a for a in articles["data"] if a["slug"] != LEAD and lead_tags & {t["slug"] for t in a["tags"]}]
    assert len(sharing) == 5
    assert len(client.get(f"/api/v1/articles/{LEAD}/related").json()["data"]) == 5


def test_loading_demo_twice_adds_nothing(client, engine):
    def totals() -> list[int]:
        return [
            client.get(f"/api/v1/{name}").json()["meta"]["total"]
            for name in ("articles", "authors", "sections", "tags")
        ]

    added = load(engine)
    before = totals()
    assert load(engine) == 0
    assert totals() == before and before[0] == added
