"""The optional new-commenter phase (Coral's approvedCommentsThreshold), switched on through the settings."""

import pytest


@pytest.fixture
def app_config():
    return {"MODERATION_PHASES": ["staff", "new_commenter", "word_lists", "links", "toxicity"], "MODERATION_NEW_COMMENTER_APPROVALS": 2}


def post(client, auth, article_id, body, author="newbie", role="user"):
    response = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": body}, headers=auth(author, role))
    assert response.status_code == 201
    return response.get_json()


def test_a_new_commenter_waits_until_enough_comments_were_approved(client, auth, make_article):
    article = make_article()["id"]
    mod = auth("mia", "moderator")
    for number in range(2):
        held = post(client, auth, article, f"hello everyone, comment {number}")
        assert (held["status"], held["moderation"]["reason"], held["moderation"]["phase"]) == (
            "pending_review", "new_commenter", "new_commenter",
        )
        decision = client.post(f"/api/v1/moderation/comments/{held['id']}/decision", json={"action": "approve"}, headers=mod)
        assert decision.status_code == 200
    assert post(client, auth, article, "third time lucky")["status"] == "published"
    # Staff are published by the staff phase, before anything else looks.
    staff = post(client, auth, article, "moderator note: insult-word quoted for context", author="mia", role="moderator")
    assert (staff["status"], staff["moderation"]["phase"]) == ("published", "staff")
