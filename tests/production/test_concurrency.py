"""Concurrent writes on the same rows through a real gunicorn (2 workers x 4 threads) stay exact; and the
requests gunicorn rejects itself get the same JSON errors as the app's.

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


def credit(server: Server, user: str, amount: int) -> None:
    response = server.request(
        "POST", f"/api/v1/admin/users/{user}/credits", {"amount": amount}, "root", "admin",
        headers={"Idempotency-Key": secrets.token_hex(8)},
    )
    assert response.status == 201, response.body


def one_wallet_spent_from_many_requests(server: Server, engine: Engine) -> None:
    """A wallet of 100 sends 30 rewards of 10 at once: exactly 10 succeed, the rest are refused, none go below 0."""
    article_id = new_article(server)
    spender = f"spender-{secrets.token_hex(3)}"
    credit(server, spender, 100)
    path = f"/api/v1/articles/{article_id}/rewards"
    calls = [
        lambda i=i: server.request("POST", path, {"amount": 10}, spender, headers={"Idempotency-Key": f"tip-{i}"})
        for i in range(30)
    ]
    results = all_at_once(calls)

    statuses = sorted(r.status for r in results)
    assert statuses == [201] * 10 + [409] * 20, [(r.status, r.body) for r in results if r.status not in (201, 409)]
    assert scalar(engine, "SELECT balance FROM wallets WHERE user_id = :u", u=spender) == 0
    assert scalar(engine, "SELECT balance FROM wallets WHERE user_id = 'author-1' AND currency = 'PTS'") >= 100
    assert scalar(engine, "SELECT reward_count FROM articles WHERE id = :id", id=article_id) == 10
    assert scalar(engine, "SELECT count(*) FROM rewards WHERE article_id = :id", id=article_id) == 10
    # Value is conserved across every wallet: all credits, nothing more, nothing less.
    credited = scalar(engine, "SELECT sum(amount) FROM ledger_entries WHERE kind = 'credit'")
    assert scalar(engine, "SELECT sum(balance) FROM wallets") == credited


def one_idempotency_key_retried_at_once(server: Server, engine: Engine) -> None:
    """The same reward, same key, sent 10 times at once (a client retrying): value moves once, all see one result."""
    article_id = new_article(server)
    spender = f"retrier-{secrets.token_hex(3)}"
    credit(server, spender, 50)
    path = f"/api/v1/articles/{article_id}/rewards"
    results = all_at_once(
        [lambda: server.request("POST", path, {"amount": 7}, spender, headers={"Idempotency-Key": "same-key"})] * 10
    )

    assert [r.status for r in results] == [201] * 10, [(r.status, r.body) for r in results if r.status != 201]
    assert len({r.body["id"] for r in results}) == 1
    assert scalar(engine, "SELECT balance FROM wallets WHERE user_id = :u", u=spender) == 43
    assert scalar(engine, "SELECT count(*) FROM rewards WHERE article_id = :id", id=article_id) == 1


def reposts_and_shares_on_one_article(server: Server, engine: Engine) -> None:
    """20 users repost (each twice at once) and 20 anonymous shares land together: each repost counts once."""
    article_id = new_article(server)
    repost = f"/api/v1/articles/{article_id}/repost"
    share = f"/api/v1/articles/{article_id}/shares"
    calls = [lambda i=i: server.request("PUT", repost, {}, f"reposter-{i % 20}") for i in range(40)]
    calls += [lambda i=i: server.request("POST", share, {"channel": "x" if i % 2 else "telegram"}) for i in range(20)]
    results = all_at_once(calls)

    assert all(r.status in (200, 201) for r in results), [(r.status, r.body) for r in results if r.status not in (200, 201)]
    summary = server.request("GET", f"/api/v1/articles/{article_id}").body
    assert summary["repost_count"] == 20
    assert summary["share_count"] == 20 and summary["share_counts"] == {"x": 10, "telegram": 10}
    assert scalar(engine, "SELECT count(*) FROM reposts WHERE article_id = :id", id=article_id) == 20


SCENARIOS = [
    likes_and_unlikes_on_one_comment,
    comments_on_one_article,
    one_user_liking_repeatedly,
    one_wallet_spent_from_many_requests,
    one_idempotency_key_retried_at_once,
    reposts_and_shares_on_one_article,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_concurrent_writes_stay_exact(served, scenario):
    server, engine = served
    scenario(server, engine)
    assert "Traceback" not in server.log(), server.log()[-4000:]


@pytest.mark.parametrize(
    ("raw_request", "status"),
    [
        (b"GET /api/v1/articles/" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),  # over limit_request_line
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),  # over limit_request_field_size
        (b"NOT AN HTTP REQUEST\r\n\r\n", 400),
    ],
    ids=["uri-too-long", "header-too-large", "malformed"],
)
def test_requests_gunicorn_rejects_itself_get_a_json_error(served, raw_request, status):
    import json
    import socket

    server, _ = served
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(raw_request)
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].startswith(f"HTTP/1.1 {status} ".encode()), head
    assert b"Content-Type: application/json" in head
    payload = json.loads(body)
    assert payload["code"] == status and payload["status"] and payload["message"]
