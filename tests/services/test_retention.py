"""`flask data prune`: old share events and idempotency records go; counters, balances and recent rows stay."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engagement import create_app
from engagement.extensions import db
from engagement.models import IdempotencyRecord, Share


def _age(app, model, days, count=None):
    """Move the oldest `count` rows (all when None) of `model` `days` into the past."""
    with app.app_context():
        query = select(model).order_by(model.created_at)
        for row in db.session.scalars(query.limit(count) if count else query):
            row.created_at -= timedelta(days=days)
        db.session.commit()


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def shared_and_credited(app, client, auth, make_article):
    article = make_article()
    for channel in ["x", "x", "telegram", "email", "x"]:
        assert client.post(f"/api/v1/articles/{article['id']}/shares", json={"channel": channel}, headers=auth("alice")).status_code == 201
    for key in ["old-1", "old-2", "new-1"]:
        headers = {**auth("root", "admin"), "Idempotency-Key": key}
        assert client.post("/api/v1/admin/users/bob/credits", json={"amount": 5}, headers=headers).status_code == 201
    return article


def test_prune_deletes_only_what_is_past_retention_and_keeps_the_counters(app, client, auth, shared_and_credited, monkeypatch):
    from engagement.services import retention

    monkeypatch.setattr(retention, "PRUNE_BATCH", 2)  # several batches over five rows
    _age(app, Share, 401, count=4)
    _age(app, IdempotencyRecord, 31, count=2)
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["data", "prune", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would delete 4 share event(s), 2 idempotency record(s)" in dry.output
    assert (_count(app, Share), _count(app, IdempotencyRecord)) == (5, 3)

    result = runner.invoke(args=["data", "prune"])
    assert result.exit_code == 0, result.output
    assert "deleted 4 share event(s), 2 idempotency record(s)" in result.output
    assert (_count(app, Share), _count(app, IdempotencyRecord)) == (1, 1)
    summary = client.get(f"/api/v1/articles/{shared_and_credited['id']}").get_json()
    assert summary["share_count"] == 5 and summary["share_counts"] == {"x": 3, "telegram": 1, "email": 1}
    assert client.get("/api/v1/me/wallet", headers=auth("bob")).get_json()["balances"]["PTS"] == 15

    again = runner.invoke(args=["data", "prune"])
    assert "deleted 0 share event(s), 0 idempotency record(s)" in again.output


def test_prune_options_override_the_settings(app, shared_and_credited):
    _age(app, Share, 10)
    result = app.test_cli_runner().invoke(args=["data", "prune", "--share-event-days", "7"])
    assert "deleted 5 share event(s), 0 idempotency record(s)" in result.output
    refused = app.test_cli_runner().invoke(args=["data", "prune", "--idempotency-days", "0"])
    assert refused.exit_code == 2 and _count(app, IdempotencyRecord) == 3


def test_a_retention_of_zero_days_is_refused_at_start_up(monkeypatch):
    monkeypatch.setenv("ENGAGEMENT_RETENTION_SHARE_EVENT_DAYS", "0")
    with pytest.raises(ValueError, match="ENGAGEMENT_RETENTION_SHARE_EVENT_DAYS"):
        create_app({"MODERATION_LOAD": "lazy"})
