from datetime import timedelta

from tests.comments.helpers import approve, reply
from tests.factories.newsroom import make_article


def posted(client, moderator, slug, clock, **fields) -> int:
    clock.now += timedelta(minutes=1)
    comment_id = reply(client, slug, **fields).json()["id"]
    approve(client, moderator, comment_id)
    return comment_id


def test_replies_are_nested_under_their_parent_oldest_first(client, session, api_key, clock):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    first = posted(client, moderator, article.slug, clock)
    second = posted(client, moderator, article.slug, clock)
    answer = posted(client, moderator, article.slug, clock, parent_id=first)
    answer_to_answer = posted(client, moderator, article.slug, clock, parent_id=answer)
    threads = client.get(f"/api/v1/articles/{article.slug}/comments").json()
    assert [t["id"] for t in threads["data"]] == [first, second]
    assert [r["id"] for r in threads["data"][0]["replies"]] == [answer]
    assert threads["data"][0]["replies"][0]["replies"][0]["id"] == answer_to_answer
    assert threads["meta"]["total"] == 2
    assert client.get(f"/api/v1/articles/{article.slug}").json()["comment_count"] == 4


def test_newest_first_orders_threads(client, session, api_key, clock):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    older = posted(client, moderator, article.slug, clock)
    newer = posted(client, moderator, article.slug, clock)
    listed = client.get(f"/api/v1/articles/{article.slug}/comments?order=newest").json()["data"]
    assert [t["id"] for t in listed] == [newer, older]


def test_replies_beyond_the_depth_limit_are_shown_at_the_limit(client, session, api_key, clock, settings):
    settings.comment_max_depth = 2
    moderator = api_key("comments:moderate")
    article = make_article(session)
    chain = [posted(client, moderator, article.slug, clock)]
    for _ in range(3):
        chain.append(posted(client, moderator, article.slug, clock, parent_id=chain[-1]))
    [thread] = client.get(f"/api/v1/articles/{article.slug}/comments").json()["data"]
    level_one = thread["replies"][0]
    assert [r["id"] for r in level_one["replies"]] == [chain[2], chain[3]]
    assert level_one["replies"][1]["parent_id"] == chain[1]


def test_threads_page_with_cursors(client, session, api_key, clock):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    ids = [posted(client, moderator, article.slug, clock) for _ in range(5)]
    first = client.get(f"/api/v1/articles/{article.slug}/comments?limit=2").json()
    seen = [t["id"] for t in first["data"]]
    url = first["links"]["next"]
    while url:
        page = client.get(url).json()
        seen += [t["id"] for t in page["data"]]
        url = page["links"]["next"]
    assert seen == ids


def test_pending_reply_is_not_listed(client, session, api_key, clock):
    moderator = api_key("comments:moderate")
    article = make_article(session)
    parent = posted(client, moderator, article.slug, clock)
    reply(client, article.slug, parent_id=parent)
    [thread] = client.get(f"/api/v1/articles/{article.slug}/comments").json()["data"]
    assert thread["replies"] == []
