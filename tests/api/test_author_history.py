"""GET /api/v1/moderation/users/{id}/history: an author's record, for moderators only."""

from __future__ import annotations

import pytest


def test_history_counts_texts_decisions_reports_and_bans(client, auth, make_article, make_comment):
    article_id = make_article()["id"]
    make_comment(article_id, "A fair point.", author="zed")
    held = make_comment(article_id, "insult-word here", author="zed")
    kept = make_comment(article_id, "another insult-word", author="zed")
    make_comment(article_id, "reject-word", author="zed")
    make_comment(article_id, "Someone else's remark.", author="amy")
    mod = auth("mod", "moderator")
    assert client.post(f"/api/v1/moderation/comments/{held['id']}/decision", json={"action": "approve"}, headers=mod).status_code == 200
    for reporter in ("r1", "r2"):
        client.post(f"/api/v1/comments/{held['id']}/reports", json={"reason": "rude"}, headers=auth(reporter))
    assert client.put("/api/v1/moderation/users/zed/ban", json={"reason": "insults"}, headers=mod).status_code == 200

    response = client.get("/api/v1/moderation/users/zed/history", headers=mod)
    assert response.status_code == 200
    history = response.get_json()
    assert history["comments"] == {"published": 2, "pending_review": 1, "rejected": 1}
    assert (history["approved_by_moderators"], history["rejected_by_moderators"]) == (1, 0)
    assert history["reports_received"] == 2
    assert (history["bans"], history["banned"], history["ban_reason"], history["banned_until"]) == (1, True, "insults", None)
    assert kept["status"] == "pending_review"

    assert client.delete("/api/v1/moderation/users/zed/ban", headers=mod).status_code == 200
    lifted = client.get("/api/v1/moderation/users/zed/history", headers=mod).get_json()
    assert (lifted["bans"], lifted["banned"], lifted["ban_reason"]) == (1, False, None)


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("user", 403), ("service", 403), ("admin", 200)])
def test_history_is_for_moderators_and_admins(client, auth, make_comment, role, status):
    make_comment(author="zed")
    headers = auth("someone", role) if role else {}
    response = client.get("/api/v1/moderation/users/zed/history", headers=headers)
    assert response.status_code == status and response.mimetype == "application/json"


def test_unknown_author_is_a_404(client, auth):
    response = client.get("/api/v1/moderation/users/nobody/history", headers=auth("mod", "moderator"))
    assert response.status_code == 404 and response.get_json()["code"] == 404
