"""Rate limits live in Redis, so they hold across gunicorn workers; without Redis the API keeps answering."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.production.conftest import gunicorn_server, migrate_sqlite, redis_server, redis_server_binary, wait_until
from tests.production.test_observability import metric_value

READS_LIMIT = 5
REQUESTS = 24


@contextmanager
def redis_stack(directory: Path):
    """redis-server + gunicorn (2 workers) on a SQLite file migrated by `flask db upgrade`."""
    database = migrate_sqlite(directory / "engagement.db", directory)
    with redis_server(directory) as redis:
        settings = {
            "ENGAGEMENT_DATABASE_URL": database,
            "ENGAGEMENT_RATELIMIT_STORAGE_URI": redis.url,
            # Per hour, so no window can roll over during the test.
            "ENGAGEMENT_RATELIMIT_READS": f"{READS_LIMIT}/hour",
            # As behind the nginx of docs/production.md: reads are limited per X-Forwarded-For address.
            "ENGAGEMENT_TRUSTED_PROXIES": "127.0.0.1/32",
            # /metrics then adds up every worker's samples.
            "PROMETHEUS_MULTIPROC_DIR": str(directory / "metrics"),
        }
        with gunicorn_server(directory, settings) as server:
            response = server.request(
                "PUT", "/api/v1/articles/limited", {"title": "T", "url": "https://x.example/a", "author_id": "author-1"}, "root", "admin"
            )
            assert response.status == 201, response.body
            yield redis, server


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    """Shared by the tests that only read from it: each one uses a fresh client address and counts deltas."""
    with redis_stack(tmp_path_factory.mktemp("redis-limits")) as running:
        yield running


def burst(server) -> list[int]:
    """REQUESTS reads from one (fresh, forwarded) client address, each on a new connection, several at once."""
    # A new address each time, so a Redis shared with earlier runs (ENGAGEMENT_TEST_REDIS_URL) holds no count.
    address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"

    def one(i: int) -> int:
        return server.request("GET", f"/api/v1/articles/limited?r={i}", headers={"X-Forwarded-For": address}).status

    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(one, range(REQUESTS)))


def test_a_limit_holds_across_workers(stack):
    _, server = stack
    statuses = burst(server)
    assert statuses.count(200) == READS_LIMIT, statuses
    assert statuses.count(429) == REQUESTS - READS_LIMIT, statuses
    # Both workers took part: with per-process counters each would have allowed READS_LIMIT.
    assert len(server.serving_pids("/api/v1/articles/limited")) == 2, server.access_log_path.read_text()


def requests_counted(server, status: str) -> float:
    text = server.request("GET", "/metrics").body.decode()
    return metric_value(
        text, "engagement_http_requests_total", endpoint="/api/v1/articles/<article_id>", method="GET", status=status
    )


def test_metrics_add_up_across_workers(stack):
    _, server = stack
    assert server.request("GET", "/metrics").status == 200, "init_observability(app) must be called from create_app"
    before = {status: requests_counted(server, status) for status in ("200", "429")}
    statuses = burst(server)
    assert len(server.serving_pids("/api/v1/articles/limited")) == 2, server.access_log_path.read_text()
    # Whichever worker answers /metrics reports the requests both served.
    assert requests_counted(server, "200") - before["200"] == statuses.count(200) == READS_LIMIT
    assert requests_counted(server, "429") - before["429"] == statuses.count(429) == REQUESTS - READS_LIMIT


def test_the_api_keeps_answering_when_redis_dies(tmp_path: Path):
    # A Redis and servers of its own: killing a shared one would break every test after this one.
    if redis_server_binary() is None:
        pytest.skip("redis-server is not installed here, and the external ENGAGEMENT_TEST_REDIS_URL is not ours to kill")
    with redis_stack(tmp_path) as (redis, server):
        assert burst(server).count(200) == READS_LIMIT  # limited through Redis while it lives
        redis.kill()
        statuses = burst(server)
        # Each worker now counts in its own memory (the request that finds Redis gone passes uncounted): never
        # an error, and still limited, per process.
        assert set(statuses) <= {200, 429}, statuses
        assert statuses.count(200) >= READS_LIMIT and statuses.count(429) > 0, statuses
        assert server.request("GET", "/readyz").status == 200
        wait_until(
            lambda: "falling back to in-memory storage" in server.log(), timeout=5, message="the limiter's fallback log line"
        )
