"""Queue mode with a real Redis and a real RQ worker; the fake scorer decides, since this is about policy."""

from datetime import timedelta

import pytest

from tests.production.conftest import redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("queue-redis")) as server:
        yield server.url


@pytest.fixture
def app_config(redis_url):
    return {"MODERATION_MODE": "queue", "REDIS_URL": redis_url, "MODERATION_DEADLINE": 300}


@pytest.fixture(autouse=True)
def empty_queue(app):
    queue = app.extensions["engagement"].queue
    queue.redis.flushdb()
    yield


def run_worker_burst(app):
    from engagement.jobs import run_worker

    app.extensions["engagement"].load()
    run_worker(app, burst=True, sweep_after=3600)


def test_post_returns_202_held_and_a_worker_publishes_it(app, client, auth, make_article):
    article_id = make_article()["id"]
    response = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "clean words"}, headers=auth())
    assert response.status_code == 202
    comment = response.get_json()
    assert comment["status"] == "pending_review" and comment["moderation"]["reason"] == "queued"
    assert app.extensions["engagement"].queue.depth() == 1
    # Not visible to others, not yet counted, not yet in the moderators' queue (not overdue).
    assert client.get(f"/api/v1/comments/{comment['id']}").status_code == 404
    assert client.get("/api/v1/moderation/queue", headers=auth("mod", "moderator")).get_json()["items"] == []
    # ...but the console's "queued" tab shows what waits for a worker.
    queued = client.get("/api/v1/moderation/queue?status=queued", headers=auth("mod", "moderator")).get_json()["items"]
    assert [item["id"] for item in queued] == [comment["id"]]

    run_worker_burst(app)
    assert client.get("/api/v1/moderation/queue?status=queued", headers=auth("mod", "moderator")).get_json()["items"] == []
    published = client.get(f"/api/v1/comments/{comment['id']}").get_json()
    assert published["status"] == "published"
    assert client.get(f"/api/v1/articles/{article_id}").get_json()["comment_count"] == 1
    log = client.get(f"/api/v1/moderation/log?subject_id={comment['id']}", headers=auth("mod", "moderator")).get_json()
    assert [e["action"] for e in log["items"]] == ["auto_published", "auto_pending_review"]


def test_worker_scores_waiting_texts_in_batches_and_holds_insults(app, client, auth, make_article, fake_scorer):
    article_id = make_article()["id"]
    bodies = ["fine one", "an insult-word here", "fine two", "fine three"]
    for body in bodies:
        client.post(f"/api/v1/articles/{article_id}/comments", json={"body": body}, headers=auth())
    fake_scorer.calls.clear()
    run_worker_burst(app)
    assert fake_scorer.calls[0] == bodies, "the first job scores every waiting text in one batch"
    statuses = [c["status"] for c in client.get(f"/api/v1/articles/{article_id}/comments?sort=oldest", headers=auth()).get_json()["items"]]
    assert statuses == ["published", "pending_review", "published", "published"]


def test_lost_job_is_swept_and_scored(app, client, auth, make_article):
    article_id = make_article()["id"]
    comment = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "hello"}, headers=auth()).get_json()
    app.extensions["engagement"].queue.redis.flushdb()  # the job is lost, e.g. with a dead worker
    from engagement.jobs import run_worker

    app.extensions["engagement"].load()
    run_worker(app, burst=True, sweep_after=0)
    assert client.get(f"/api/v1/comments/{comment['id']}").get_json()["status"] == "published"


def test_text_unscored_past_the_deadline_reaches_moderators(app, client, auth, make_article):
    article_id = make_article()["id"]
    comment = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "hello"}, headers=auth()).get_json()
    with app.app_context():
        from engagement.extensions import db
        from engagement.models import Comment

        row = db.session.get(Comment, comment["id"])
        row.created_at = row.created_at - timedelta(seconds=301)
        db.session.commit()
    items = client.get("/api/v1/moderation/queue", headers=auth("mod", "moderator")).get_json()["items"]
    assert [(i["id"], i["unscored"], i["moderation"]["reason"]) for i in items] == [(comment["id"], True, "queued")]


def test_failing_model_leaves_text_held_for_retry(app, client, auth, make_article, fake_scorer):
    article_id = make_article()["id"]
    comment = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "explode-word"}, headers=auth()).get_json()
    fake_scorer.calls.clear()
    run_worker_burst(app)
    # The worker did run the model on this text, and the model raised: the job failed (kept for a retry).
    assert any("explode-word" in text for batch in fake_scorer.calls for text in batch), fake_scorer.calls
    queue = app.extensions["engagement"].queue.queue
    assert queue.failed_job_registry.count + queue.scheduled_job_registry.count == 1
    held = client.get(f"/api/v1/comments/{comment['id']}", headers=auth()).get_json()
    assert held["status"] == "pending_review" and held["moderation"]["reason"] == "queued"
    assert client.get(f"/api/v1/comments/{comment['id']}").status_code == 404  # never published meanwhile


def test_readiness_reports_the_queue_and_counts_live_workers(app, client):
    from rq import SimpleWorker

    from tests.production.test_observability import metric_value

    body = client.get("/readyz").get_json()
    assert body["checks"] == {"database": "ok", "moderation_queue": "ok"}
    assert body["moderation_workers"] == 0  # reported, not required: still ready

    queue = app.extensions["engagement"].queue
    workers = [SimpleWorker([queue.queue], connection=queue.redis, name=f"test-worker-{i}") for i in range(2)]
    for worker in workers:
        worker.register_birth()
    assert client.get("/readyz").get_json()["moderation_workers"] == 2
    assert metric_value(client.get("/metrics").get_data(as_text=True), "engagement_moderation_workers") == 2

    queue.redis.delete(workers[0].key)  # a killed worker: its heartbeat key expired, RQ still lists it
    workers[1].register_death()
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["moderation_workers"] == 0
    assert metric_value(client.get("/metrics").get_data(as_text=True), "engagement_moderation_workers") == 0


def test_a_worker_never_publishes_an_edit_of_a_rejected_comment(app, client, auth, make_article):
    article_id = make_article()["id"]
    comment = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "a sly jab"}, headers=auth()).get_json()
    run_worker_burst(app)
    mod = auth("mod", "moderator")
    client.post(f"/api/v1/moderation/comments/{comment['id']}/decision", json={"action": "reject"}, headers=mod)
    edited = client.patch(f"/api/v1/comments/{comment['id']}", json={"body": "a sly jab!"}, headers=auth())
    assert edited.get_json()["moderation"]["reason"] == "edited_after_moderator_reject"
    run_worker_burst(app)
    assert client.get(f"/api/v1/comments/{comment['id']}").status_code == 404
    queue = client.get("/api/v1/moderation/queue", headers=mod).get_json()["items"]
    assert [(c["id"], c["status"]) for c in queue] == [(comment["id"], "pending_review")]
