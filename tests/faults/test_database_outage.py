"""PostgreSQL stopped under a running gunicorn, then started again: JSON 503s with a short Retry-After while it
is down, and the same processes serve every request again once it is back (no restart, no failed request)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import ON_POSTGRES
from tests.faults.conftest import postgres_server
from tests.production.conftest import gunicorn_server, migrate_database

pytestmark = pytest.mark.skipif(
    ON_POSTGRES, reason="runs once, in the SQLite pass of scripts/test-all.sh: it starts a PostgreSQL of its own"
)


def test_a_stopped_database_is_a_json_503_and_its_return_needs_no_restart(tmp_path):
    with postgres_server() as postgres:
        settings = {
            "ENGAGEMENT_DATABASE_URL": migrate_database(postgres.url),
            "ENGAGEMENT_RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'ratelimits.sqlite3'}",
        }
        with gunicorn_server(tmp_path, settings, workers=2, threads=4) as server:
            article = {"title": "T", "url": "https://x.example/a1", "author_id": "author-1"}
            assert server.request("PUT", "/api/v1/articles/a1", article, "root", "admin").status == 201
            for i in range(8):  # every worker holds pooled connections
                assert server.request("GET", "/api/v1/articles/a1").status == 200

            postgres.stop()
            down = []
            for i in range(10):
                began = time.monotonic()
                read = server.request("GET", "/api/v1/articles/a1")
                write = server.request("POST", "/api/v1/articles/a1/comments", {"body": f"while down {i}"}, f"down-{i}")
                down.append((time.monotonic() - began, read, write))
            for seconds, *answers in down:
                for answer in answers:
                    assert answer.status == 503 and answer.body["code"] == 503, answer.body
                    # The app's own short hint, not a rate limit window.
                    assert answer.headers["retry-after"] == "5"
                assert seconds < 5, seconds
            assert server.request("GET", "/readyz").status == 503

            postgres.start()
            back = time.monotonic()
            statuses = []
            for i in range(40):  # more requests than pooled connections across both workers
                statuses.append(server.request("GET", "/api/v1/articles/a1").status)
                if i % 4 == 0:
                    statuses.append(server.request("POST", "/api/v1/articles/a1/comments", {"body": f"back {i}"}, f"back-{i}").status)
            print(f"\ndatabase down: {len(down) * 2} requests, slowest {max(d[0] for d in down) * 1000:.0f} ms; "
                  f"back: {len(statuses)} requests in {time.monotonic() - back:.1f} s, statuses {sorted(set(statuses))}")
            assert set(statuses) == {200, 201}, statuses
            assert server.request("GET", "/readyz").status == 200
            # Only what was acknowledged exists: the 503 comments were not stored.
            engine = create_engine(postgres.url, poolclass=NullPool)
            try:
                with engine.connect() as connection:
                    bodies = connection.execute(text("SELECT body FROM comments")).scalars().all()
            finally:
                engine.dispose()
            assert sorted(bodies) == sorted(f"back {i}" for i in range(0, 40, 4))
