"""The moderation path end to end with the real embedded model, loaded through detoxify.Detoxify."""

import re

import pytest


@pytest.fixture
def app_config():
    # No fake: create_app loads the configured (embedded) model; the civil-criticism rule is on, as by default.
    return {"MODERATION_SCORER": None, "MODERATION_CIVIL_CRITICISM": True}


def post(client, auth, article_id, body, author="alice"):
    response = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": body}, headers=auth(author))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_real_model_publishes_benign_text_and_holds_insults(client, auth, make_article):
    article_id = make_article()["id"]
    benign = post(client, auth, article_id, "Thanks for the clear explanation of the new budget.")
    assert benign["status"] == "published"
    assert benign["moderation"]["model"] == "embedded-minilm"
    assert re.fullmatch(r"[0-9a-f]{12}", benign["moderation"]["model_version"])

    for insult in ("You are a complete idiot.", "You are a c.o.m.p.l.e.t.e i.d.i.o.t", "You are a complete id\u200bio\u200bt."):
        held = post(client, auth, article_id, insult)
        assert held["status"] in ("pending_review", "rejected"), insult
        assert "toxicity" in held["moderation"]["labels"], insult

    # Crypto slang and civil criticism of officials are published; both were held before the pipeline.
    for benign_text in ("HODL and ignore the FUD, paper hands always sell the bottom", "The council is useless and corrupt."):
        # (bob: alice's rejected insults above put her under the recent-history phase)
        assert post(client, auth, article_id, benign_text, author="bob")["status"] == "published", benign_text

    threat = post(client, auth, article_id, "I will find you and hurt you.")
    assert threat["status"] == "pending_review" and "threat" in threat["moderation"]["labels"]

    scores = client.get(f"/api/v1/comments/{benign['id']}", headers=auth("mod", "moderator")).get_json()["moderation_scores"]
    assert {"toxicity", "insult", "identity_attack"} <= set(scores)
    assert client.get("/readyz").get_json()["checks"]["moderation_model"] == "ok"
