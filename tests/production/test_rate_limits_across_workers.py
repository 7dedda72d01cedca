"""The default rate limit storage (a SQLite file in the instance folder) counts once per machine, not once per
gunicorn worker, and idempotent replays never use the limit up. 2 real workers, concurrent requests."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.production.conftest import gunicorn_server, migrate_sqlite

COMMENTS_LIMIT = 5
REWARDS_LIMIT = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("limits-across-workers")
    settings = {
        "ENGAGEMENT_DATABASE_URL": migrate_sqlite(directory / "engagement.db", directory),
        # No ENGAGEMENT_RATELIMIT_STORAGE_URI: the default is what is under test. Per hour, so no window rolls
        # over during the test; the users are fresh each run, as the file outlives it.
        "ENGAGEMENT_RATELIMIT_COMMENTS": f"{COMMENTS_LIMIT}/hour",
        "ENGAGEMENT_RATELIMIT_REWARDS": f"{REWARDS_LIMIT}/hour",
        "ENGAGEMENT_RATELIMIT_WRITES_PER_ADDRESS": "100000/hour",
    }
    with gunicorn_server(directory, settings, workers=2, threads=4) as server:
        created = server.request(
            "PUT", "/api/v1/articles/a1", {"title": "T", "url": "https://x.example/a1", "author_id": "author-1"}, "root", "admin"
        )
        assert created.status == 201, created.body
        yield server


def test_concurrent_comments_share_one_limit_across_workers(server):
    user = f"poster-{secrets.token_hex(4)}"

    def post(i: int) -> int:
        return server.request("POST", "/api/v1/articles/a1/comments", {"body": f"comment {i}"}, user).status

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(post, range(12)))
    assert sorted(statuses) == [201] * COMMENTS_LIMIT + [429] * (12 - COMMENTS_LIMIT), statuses
    # Both workers took part: with per-process counters each would have allowed COMMENTS_LIMIT.
    assert len(server.serving_pids("/api/v1/articles/a1/comments")) == 2, server.access_log_path.read_text()


def test_concurrent_retries_of_one_idempotency_key_are_replayed_not_limited(server):
    user = f"tipper-{secrets.token_hex(4)}"
    credit = server.request(
        "POST", f"/api/v1/admin/users/{user}/credits", {"amount": 100}, "root", "admin", headers={"Idempotency-Key": "seed"}
    )
    assert credit.status == 201, credit.body

    def reward(key: str):
        return server.request("POST", "/api/v1/articles/a1/rewards", {"amount": 2}, user, headers={"Idempotency-Key": key})

    first = reward("retried")
    assert first.status == 201, first.body
    with ThreadPoolExecutor(max_workers=8) as pool:
        retries = list(pool.map(lambda _: reward("retried"), range(20)))
    assert [r.status for r in retries] == [201] * 20, [(r.status, r.body) for r in retries]
    assert {r.body["id"] for r in retries} == {first.body["id"]}
    # Only distinct keys count: two more fit in the limit of 3, the next is refused.
    assert [reward(f"new-{i}").status for i in range(3)] == [201, 201, 429]
    wallet = server.request("GET", "/api/v1/me/wallet", user=user)
    assert wallet.body["balances"] == {"PTS": 100 - 3 * 2}, wallet.body
