"""Concurrent writes on the same rows through a real gunicorn (2 workers x 4 threads) stay exact.

Runs on whichever database the suite uses (SQLite file, or PostgreSQL with ENGAGEMENT_TEST_DATABASE_URL).
A scenario is one function ``(server, db) -> None`` listed in SCENARIOS; all of them share one server.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import database_copy
from tests.production.conftest import HttpResult, Server, gunicorn_server

FIRE_TIMEOUT = 60.0


@pytest.fixture(scope="module")
def served(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Engine]]:
    directory = tmp_path_factory.mktemp("concurrency")
    with database_copy(migrated_database, directory) as url:
        settings = {"ENGAGEMENT_DATABASE_URL": url, "ENGAGEMENT_RATELIMIT_ENABLED": "false"}
        engine = create_engine(url, poolclass=NullPool)
        try:
            with gunicorn_server(directory, settings, workers=2, threads=4) as server:
                yield server, engine
        finally:
            engine.dispose()


def all_at_once(calls: list[Callable[[], HttpResult]]) -> list[HttpResult]:
    """Run the calls from as many threads, released together by a barrier; bounded by FIRE_TIMEOUT."""
    barrier = threading.Barrier(len(calls), timeout=FIRE_TIMEOUT)

    def run(call: Callable[[], HttpResult]) -> HttpResult:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [future.result(timeout=FIRE_TIMEOUT) for future in futures]


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar()


def new_article(server: Server) -> str:
    article_id = f"race-{secrets.token_hex(4)}"
    body = {"title": "Race", "url": f"https://news.example/{article_id}", "author_id": "author-1"}
    response = server.request("PUT", f"/api/v1/articles/{article_id}", body, user="root", role="admin")
    assert response.status == 201, response.body
    return article_id


def published_comment(server: Server, article_id: str) -> int:
    response = server.request("POST", f"/api/v1/articles/{article_id}/comments", {"body": "A thoughtful remark."}, "poster")
    assert response.status == 201, response.body
    comment = response.body
    if comment["status"] != "published":  # whatever the model thinks, the race needs a published comment
        decision = server.request(
            "POST", f"/api/v1/moderation/comments/{comment['id']}/decision", {"action": "approve"}, "root", "admin"
        )
        assert decision.status == 200, decision.body
    return comment["id"]


def likes_and_unlikes_on_one_comment(server: Server, engine: Engine) -> None:
    """40 users like one comment at once while 10 of them, who liked it before, take theirs back."""
    comment_id = published_comment(server, new_article(server))
    path = f"/api/v1/comments/{comment_id}/like"
    unlikers = [f"unliker-{i}" for i in range(10)]
    for user in unlikers:
        assert server.request("PUT", path, user=user).status == 200

    calls = [lambda user=f"liker-{i}": server.request("PUT", path, user=user) for i in range(40)]
    calls += [lambda user=user: server.request("DELETE", path, user=user) for user in unlikers]
    results = all_at_once(calls)

    assert [r.status for r in results] == [200] * 50, [(r.status, r.body) for r in results if r.status != 200]
    assert server.request("GET", f"/api/v1/comments/{comment_id}").body["like_count"] == 40
    assert scalar(engine, "SELECT like_count FROM comments WHERE id = :id", id=comment_id) == 40
    assert scalar(engine, "SELECT count(*) FROM comment_likes WHERE comment_id = :id", id=comment_id) == 40


def comments_on_one_article(server: Server, engine: Engine) -> None:
    """30 comments posted at once on one article, by 30 users."""
    article_id = new_article(server)
    path = f"/api/v1/articles/{article_id}/comments"
    calls = [lambda i=i: server.request("POST", path, {"body": f"A thoughtful remark, number {i}."}, f"writer-{i}") for i in range(30)]
    results = all_at_once(calls)

    assert [r.status for r in results] == [201] * 30, [(r.status, r.body) for r in results if r.status != 201]
    published = sum(r.body["status"] == "published" for r in results)
    assert server.request("GET", f"/api/v1/articles/{article_id}").body["comment_count"] == published
    assert scalar(engine, "SELECT comment_count FROM articles WHERE id = :id", id=article_id) == published
    assert scalar(engine, "SELECT count(*) FROM comments WHERE article_id = :id", id=article_id) == 30


def one_user_liking_repeatedly(server: Server, engine: Engine) -> None:
    """The same user's PUT like, sent 12 times at once (double clicks, retries), counts once."""
    comment_id = published_comment(server, new_article(server))
    user = f"clicker-{secrets.token_hex(3)}"
    results = all_at_once([lambda: server.request("PUT", f"/api/v1/comments/{comment_id}/like", user=user)] * 12)

    assert [r.status for r in results] == [200] * 12, [(r.status, r.body) for r in results if r.status != 200]
    assert all(r.body["liked"] for r in results)
    assert server.request("GET", f"/api/v1/comments/{comment_id}").body["like_count"] == 1
    assert scalar(engine, "SELECT count(*) FROM comment_likes WHERE comment_id = :id", id=comment_id) == 1
    assert scalar(engine, "SELECT count(*) FROM users WHERE id = :id", id=user) == 1


SCENARIOS = [likes_and_unlikes_on_one_comment, comments_on_one_article, one_user_liking_repeatedly]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_concurrent_writes_stay_exact(served, scenario):
    server, engine = served
    scenario(server, engine)
    assert "Traceback" not in server.log(), server.log()[-4000:]
