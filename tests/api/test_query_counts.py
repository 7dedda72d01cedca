"""Statements per request, counted on the real engine: a list that grows a query per row (an N+1) fails here.

Each list is read with few and with many rows; the count must not change, and must be the number written
down. Only SELECT/INSERT/UPDATE/DELETE are counted: BEGIN is SQLite's alone (see database.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import event

from engagement.extensions import db

keys = (f"count-key-{n}" for n in itertools.count())
COUNTED = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


@pytest.fixture
def statements(app) -> Iterator[list[str]]:
    """Every statement the app's engine sends while the test runs (the fixture's own setup included)."""
    seen: list[str] = []

    def record(_connection, _cursor, statement, _parameters, _context, _executemany) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def count(statements) -> Callable[[Callable[[], object]], int]:
    """Run one request and return how many statements it sent; the request must succeed."""

    def run(request: Callable[[], object]) -> int:
        statements.clear()
        response = request()
        assert 200 <= response.status_code < 300, (response.status_code, response.get_json())
        return sum(1 for statement in statements if statement.lstrip().upper().startswith(COUNTED))

    return run


def post_comments(client, auth, article_id: str, n: int, body: str = "A thoughtful remark.") -> list[int]:
    ids = []
    for i in range(n):
        response = client.post(
            # Distinct per article too: the same text again from one author is held as a repeat.
            f"/api/v1/articles/{article_id}/comments", json={"body": f"{body} {article_id} {i}"}, headers=auth(f"reader-{i}")
        )
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    return ids


def credit(client, auth, user: str, amount: int) -> None:
    headers = {**auth("root", "admin"), "Idempotency-Key": next(keys)}
    assert client.post(f"/api/v1/admin/users/{user}/credits", json={"amount": amount}, headers=headers).status_code == 201


def test_comments_page_costs_the_same_for_5_and_50_comments(client, auth, make_article, count):
    few, many = make_article()["id"], make_article()["id"]
    post_comments(client, auth, few, 5)
    ids = post_comments(client, auth, many, 50)
    client.put(f"/api/v1/comments/{ids[0]}/like", headers=auth("bob"))
    client.post(f"/api/v1/articles/{many}/comments", json={"body": "A reply.", "parent_id": ids[1]}, headers=auth("bob"))

    anonymous = [count(lambda a=a: client.get(f"/api/v1/articles/{a}/comments?limit=100")) for a in (few, many)]
    # article, pinned comments, the page (authors joined in)
    assert anonymous == [3, 3]
    viewer = [count(lambda a=a: client.get(f"/api/v1/articles/{a}/comments?limit=100", headers=auth("bob"))) for a in (few, many)]
    assert viewer == [4, 4]  # ... and which of them the viewer liked
    cursor = client.get(f"/api/v1/articles/{many}/comments?limit=10").get_json()["next_cursor"]
    assert count(lambda: client.get(f"/api/v1/articles/{many}/comments?limit=10&cursor={cursor}")) == 2  # no pinned lookup
    replies = count(lambda: client.get(f"/api/v1/articles/{many}/comments?parent_id={ids[1]}"))
    assert replies == 3  # article, the root (a root the viewer cannot see hides its replies), the page


def test_ten_articles_counters_in_a_fixed_number_of_statements(client, auth, make_article, count):
    articles = [make_article(author_id="writer")["id"] for _ in range(10)]
    credit(client, auth, "bob", 100)
    for article_id in articles[:3]:
        client.post(f"/api/v1/articles/{article_id}/shares", json={"channel": "x"})
        headers = {**auth("bob"), "Idempotency-Key": next(keys)}
        assert client.post(f"/api/v1/articles/{article_id}/rewards", json={"amount": 1}, headers=headers).status_code == 201
    body = {"article_ids": articles}
    # the articles (pinned or not), then reward totals and share counts together
    assert count(lambda: client.post("/api/v1/articles/engagement", json={"article_ids": articles[:2]})) == 2
    assert count(lambda: client.post("/api/v1/articles/engagement", json=body)) == 2
    # ... and the viewer's reposts and rewards together
    assert count(lambda: client.post("/api/v1/articles/engagement", json=body, headers=auth("bob"))) == 3


def test_article_read_in_a_fixed_number_of_statements(client, auth, make_article, count):
    article_id = make_article()["id"]
    # the article with its counters and pin, then its reward totals and share counts
    assert count(lambda: client.get(f"/api/v1/articles/{article_id}")) == 2


def test_like_in_a_fixed_number_of_statements(client, auth, make_comment, count):
    comment, earlier = make_comment(), make_comment()
    client.put(f"/api/v1/comments/{earlier['id']}/like", headers=auth("bob"))  # bob's user row exists from now on
    # comment (author joined), the liker's user row, the like, the counter
    assert count(lambda: client.put(f"/api/v1/comments/{comment['id']}/like", headers=auth("bob"))) == 4
    # liking again: the insert fails on the primary key and nothing is counted
    assert count(lambda: client.put(f"/api/v1/comments/{comment['id']}/like", headers=auth("bob"))) == 3


def test_moderation_queue_page_costs_the_same_for_5_and_50_items(client, auth, make_article, count):
    few, many = make_article()["id"], make_article()["id"]
    post_comments(client, auth, few, 5, body="insult-word")
    post_comments(client, auth, many, 45, body="insult-word")
    moderator = auth("mia", "moderator")
    small = count(lambda: client.get("/api/v1/moderation/queue?limit=5", headers=moderator))
    large = count(lambda: client.get("/api/v1/moderation/queue?limit=50", headers=moderator))
    # the page (authors joined), its articles, the moderator's likes, previous versions
    assert small == large == 4


def test_rewards_list_costs_the_same_for_2_and_12_senders(client, auth, make_article, count):
    few, many = make_article(author_id="writer")["id"], make_article(author_id="writer")["id"]
    for i in range(12):
        credit(client, auth, f"fan-{i}", 10)
        for article_id in ([few, many] if i < 2 else [many]):
            headers = {**auth(f"fan-{i}"), "Idempotency-Key": next(keys)}
            response = client.post(f"/api/v1/articles/{article_id}/rewards", json={"amount": 1, "message": "Thanks"}, headers=headers)
            assert response.status_code == 201
    # the article, the page (senders joined), top supporters (users joined)
    assert [count(lambda a=a: client.get(f"/api/v1/articles/{a}/rewards")) for a in (few, many)] == [3, 3]


def test_reposts_list_costs_the_same_for_2_and_12_reposts(client, auth, make_article, count):
    few, many = make_article()["id"], make_article()["id"]
    for i in range(12):
        for article_id in ([few, many] if i < 2 else [many]):
            response = client.put(f"/api/v1/articles/{article_id}/repost", json={"quote": "Worth reading"}, headers=auth(f"fan-{i}"))
            assert response.status_code == 201
    # the article, the page (users joined)
    assert [count(lambda a=a: client.get(f"/api/v1/articles/{a}/reposts")) for a in (few, many)] == [2, 2]
    assert count(lambda: client.get("/api/v1/users/fan-0/reposts")) == 1


def test_comment_post_in_a_fixed_number_of_statements(client, auth, make_article, count):
    article_id = make_article()["id"]
    post_comments(client, auth, article_id, 1)  # reader-0's user row exists from now on
    body = {"body": "Another thoughtful remark."}
    # the article, the author's history (four counts, one statement), the word lists' revision, the author's row,
    # the comment, the article's counter, the audit line
    assert count(lambda: client.post(f"/api/v1/articles/{article_id}/comments", json=body, headers=auth("reader-0"))) == 7
