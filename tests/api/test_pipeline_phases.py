"""Each pipeline phase through HTTP: the text it holds, the reason its author sees, the phase moderators see.

The toxicity model here is the FakeKeywordScorer (these tests are about the pipeline's policy); the spam model,
the link and threat detectors and the word lists are the real ones.
"""

from __future__ import annotations

import pytest

from engagement import create_app

QUEUE = "/api/v1/moderation/queue"


def post(client, auth, article_id, body, author="alice", role="user"):
    response = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": body}, headers=auth(author, role))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def queue(client, auth, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    response = client.get(f"{QUEUE}?{query}", headers=auth("mia", "moderator"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def approve(client, auth, comment_id):
    response = client.post(
        f"/api/v1/moderation/comments/{comment_id}/decision", json={"action": "approve"}, headers=auth("mia", "moderator")
    )
    assert response.status_code == 200


def test_links_hold_untrusted_authors_and_moderators_see_what_matched(client, auth, make_article):
    article = make_article()["id"]
    held = post(client, auth, article, "Free signals every day, join t.me/cryptopump now")
    assert held["status"] == "pending_review"
    assert held["moderation"]["reason"] == "links" and held["moderation"]["phase"] == "links"
    assert "moderation_details" not in held  # what matched is for moderators

    [item] = queue(client, auth, phase="links")
    assert item["id"] == held["id"]
    assert item["held_by"] == "links (t.me/cryptopump)"
    assert item["moderation_details"]["matched"] == ["t.me/cryptopump"]
    assert queue(client, auth, reason="links")[0]["id"] == held["id"]
    assert queue(client, auth, phase="toxicity") == []
    # Anyone else sees nothing of it.
    assert client.get(f"/api/v1/comments/{held['id']}").status_code == 404


def test_trusted_authors_and_staff_may_post_links(client, auth, make_article):
    article = make_article()["id"]
    assert post(client, auth, article, "Source: coindesk.com/markets", author="mia", role="moderator")["status"] == "published"
    for number in range(3):
        held = post(client, auth, article, f"new here, see t.me/group{number}", author="carol")
        approve(client, auth, held["id"])
    # Three approved comments make carol trusted (ENGAGEMENT_MODERATION_TRUSTED_AFTER).
    assert post(client, auth, article, "the full report is at t.me/group9", author="carol")["status"] == "published"


@pytest.fixture
def app_config():
    return {"MODERATION_LINK_ALLOWLIST": ["news.example"]}


def test_allowlisted_domains_are_not_links(client, auth, make_article):
    article = make_article()["id"]
    assert post(client, auth, article, "Background in https://news.example/geneva-talks")["status"] == "published"


def test_banned_terms_reject_and_suspect_terms_hold_with_the_matched_term(client, auth, make_article):
    article = make_article()["id"]
    admin = auth("root", "admin")
    assert client.post("/api/v1/moderation/terms", json={"list": "banned", "term": "rugcoin"}, headers=admin).status_code == 201
    rejected = post(client, auth, article, "buy R U G C O I N today")
    assert rejected["status"] == "rejected"
    assert (rejected["moderation"]["reason"], rejected["moderation"]["phase"]) == ("banned_term", "word_lists")
    assert queue(client, auth, status="rejected", phase="word_lists")[0]["held_by"] == "word_lists (rugcoin)"

    # The shipped suspect list holds a Chinese insult by substring.
    held = post(client, auth, article, "你是个白痴，闭嘴吧，蠢货。", author="bob")
    assert (held["status"], held["moderation"]["reason"]) == ("pending_review", "suspect_term")
    assert queue(client, auth, reason="suspect_term")[0]["moderation_details"]["matched"] == ["白痴"]

    # Removing the term applies to the next text.
    [term] = client.get("/api/v1/moderation/terms?list=banned", headers=admin).get_json()["items"]
    assert client.delete(f"/api/v1/moderation/terms/{term['id']}", headers=admin).status_code == 204
    assert post(client, auth, article, "rugcoin again", author="dave")["status"] == "published"


def test_repeats_from_one_author_and_floods_from_many_are_held_as_spam(client, auth, make_article):
    article = make_article()["id"]
    first = post(client, auth, article, "This project is going places, everyone should look")
    assert first["status"] == "published"
    again = post(client, auth, article, "this project is going places,   EVERYONE should look!!")
    assert (again["status"], again["moderation"]["reason"]) == ("pending_review", "repeat_post")
    assert "spam" in again["moderation"]["labels"]

    campaign = "Moon mission starts tonight, load your bags friends"
    for author in ("u1", "u2", "u3"):
        assert post(client, auth, article, campaign, author=author)["status"] == "published"
    flooded = post(client, auth, article, campaign, author="u4")
    assert (flooded["status"], flooded["moderation"]["reason"]) == ("pending_review", "flood")


def test_spam_model_holds_scams_and_stores_its_score(client, auth, make_article):
    article = make_article()["id"]
    held = post(client, auth, article, "Earn 3% daily passive income guaranteed, join our investment program now")
    assert (held["status"], held["moderation"]["reason"], held["moderation"]["phase"]) == ("pending_review", "spam", "spam_model")
    [item] = queue(client, auth, reason="spam")
    assert item["moderation_scores"]["spam"] >= item["moderation_details"]["threshold"]
    assert "toxicity" in item["moderation_scores"]  # the toxicity model scored it too
    clean = post(client, auth, article, "HODL and ignore the FUD, paper hands always sell the bottom")
    assert clean["status"] == "published"


def test_threats_beyond_the_phrase_list_are_held(client, auth, make_article):
    article = make_article()["id"]
    for text in ("I hope you and your whole family die in a fire", "I know where you live and I will make you pay for this"):
        held = post(client, auth, article, text)
        assert (held["status"], held["moderation"]["reason"], held["moderation"]["labels"]) == ("pending_review", "threat", ["threat"])
    assert post(client, auth, article, "This coin will kill the shorts, shoot for the moon")["status"] == "published"


def test_recent_rejections_hold_everything_from_that_author(client, auth, make_article):
    article = make_article()["id"]
    for number in range(3):
        assert post(client, auth, article, f"reject-word number {number}", author="troll")["status"] == "rejected"
    held = post(client, auth, article, "a perfectly nice remark", author="troll")
    assert (held["status"], held["moderation"]["reason"]) == ("pending_review", "recent_rejections")
    assert post(client, auth, article, "a perfectly nice remark", author="nice")["status"] == "published"


def test_toxicity_phase_and_model_scores_as_before(client, auth, make_article):
    held = post(client, auth, make_article()["id"], "you insult-word")
    assert (held["moderation"]["reason"], held["moderation"]["phase"]) == ("model_hold", "toxicity")


def test_quotes_messages_and_edits_go_through_the_same_pipeline(client, auth, make_article):
    article = make_article(author_id="writer")["id"]
    quote = client.put(f"/api/v1/articles/{article}/repost", json={"quote": "profits here: t.me/pumpgroup"}, headers=auth())
    assert quote.status_code == 201 and quote.get_json()["quote_status"] == "pending_review"
    assert queue(client, auth, kind="repost", phase="links")[0]["held_by"] == "links (t.me/pumpgroup)"

    admin = auth("root", "admin")
    credit = client.post("/api/v1/admin/users/alice/credits", json={"amount": 50}, headers={**admin, "Idempotency-Key": "c1"})
    assert credit.status_code == 201
    reward = client.post(
        f"/api/v1/articles/{article}/rewards",
        json={"amount": 5, "message": "I hope you and your whole family die in a fire"},
        headers={**auth(), "Idempotency-Key": "r1"},
    )
    assert reward.status_code == 201 and reward.get_json()["message_status"] == "pending_review"
    assert queue(client, auth, kind="reward", reason="threat")

    comment = post(client, auth, article, "A calm and reasonable remark", author="bob")
    edited = client.patch(f"/api/v1/comments/{comment['id']}", json={"body": "Now see t.me/pumpgroup"}, headers=auth("bob"))
    assert edited.status_code == 200 and edited.get_json()["moderation"]["reason"] == "links"
    # An edit is not a repeat of the text it replaces.
    again = client.patch(f"/api/v1/comments/{comment['id']}", json={"body": "A calm and reasonable remark!"}, headers=auth("bob"))
    assert again.get_json()["status"] == "published"


def test_queue_filters_are_validated(client, auth):
    mod = auth("mia", "moderator")
    for bad in ("reason=nonsense", "phase=nonsense", "lang=english"):
        response = client.get(f"{QUEUE}?{bad}", headers=mod)
        assert response.status_code == 422, bad


def test_unknown_phase_in_settings_stops_start_up(app):
    config = {key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "JWT_SECRET", "MODERATION_SCORER")}
    with pytest.raises(ValueError, match="unknown phase"):
        create_app({**config, "TESTING": True, "MODERATION_PHASES": ["links", "telepathy"]})
