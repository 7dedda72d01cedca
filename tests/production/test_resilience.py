"""Faults the API rides out: stale database connections after a restart, and Redis down in queue mode."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import ON_POSTGRES, _postgres_admin
from tests.production.conftest import free_port


@pytest.mark.skipif(not ON_POSTGRES, reason="a server restart that kills pooled connections is PostgreSQL's; SQLite has none")
def test_no_request_fails_on_connections_a_database_restart_killed(app, client, make_article):
    from engagement.extensions import db

    article_id = make_article()["id"]
    # Fill the pool with a few connections, as a busy worker would.
    with app.app_context():
        held = [db.engine.connect() for _ in range(3)]
        for connection in held:
            connection.execute(text("SELECT 1"))
            connection.close()  # back to the pool, alive
        database = db.engine.url.database
    admin = _postgres_admin()
    try:
        with admin.connect() as connection:
            # What a restart does to every pooled connection: the server side ends it.
            killed = connection.execute(
                text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"),
                {"name": database},
            ).scalar()
    finally:
        admin.dispose()
    assert killed >= 1
    statuses = [client.get(f"/api/v1/articles/{article_id}").status_code for _ in range(5)]
    assert statuses == [200] * 5


@pytest.mark.parametrize(
    "app_config", [{"MODERATION_MODE": "queue", "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}]
)
def test_readiness_stays_ready_and_posting_works_while_redis_is_down(client, auth, make_article):
    # Nothing listens on that port: Redis is down.
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.get_json()
    body = ready.get_json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok" and body["checks"]["moderation_queue"].startswith("degraded")
    article_id = make_article()["id"]
    posted = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "still stored"}, headers=auth())
    assert posted.status_code == 202, posted.get_json()
    assert posted.get_json()["status"] == "pending_review"
    mine = client.get(f"/api/v1/comments/{posted.get_json()['id']}", headers=auth())
    assert mine.status_code == 200 and mine.get_json()["body"] == "still stored"
