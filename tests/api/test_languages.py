"""Languages through HTTP: each text's language is identified, stored and routes it (issue 12).

The English model is the fake keyword scorer of conftest (nothing non-English trips it); the language detector
and the multilingual model are the real ones, loaded as the app loads them.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engagement.extensions import db
from engagement.models import Comment

QUEUE = "/api/v1/moderation/queue"
VIETNAMESE = "Cảm ơn bài viết, rất hữu ích cho người mới."


@pytest.fixture
def app_config(request):
    """Settings a test passes with indirect parametrization; none by default."""
    return getattr(request, "param", {})


def post(client, auth, article_id, body, author="alice", role="user"):
    response = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": body}, headers=auth(author, role))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def stored(app, comment_id):
    with app.app_context():
        row = db.session.execute(select(Comment).where(Comment.id == comment_id)).scalar_one()
        return row.moderation_language, row.moderation_phase, row.moderation_reason, row.moderation_scores


def queued(client, auth, comment_id):
    items = client.get(f"{QUEUE}?limit=100", headers=auth("mia", "moderator")).get_json()["items"]
    return next(item for item in items if item["id"] == comment_id)


def test_russian_insult_is_held_by_the_multilingual_model_with_its_language(app, client, auth, make_article):
    comment = post(client, auth, make_article()["id"], "Ты тупой дебил и мразь, сдохни")
    assert comment["status"] == "pending_review"
    language, phase, reason, scores = stored(app, comment["id"])
    assert (language, phase, reason) == ("ru", "multilingual", "model_hold")
    assert scores["toxicity_multilingual"] > 0.9
    assert queued(client, auth, comment["id"])["moderation_scores"]["toxicity_multilingual"] > 0.9


def test_chinese_insult_is_held_and_a_chinese_thank_you_published(app, client, auth, make_article):
    article = make_article()
    insult = post(client, auth, article["id"], "你这个傻逼，滚出去，都是垃圾")
    assert insult["status"] == "pending_review"
    assert stored(app, insult["id"])[0] == "zh"
    thanks = post(client, auth, article["id"], "谢谢分享，这篇文章很有帮助。")
    assert thanks["status"] == "published"
    language, phase, _, scores = stored(app, thanks["id"])
    assert (language, phase) == ("zh", "default")
    assert scores["toxicity_multilingual"] < 0.5


def test_english_comment_gets_en_and_no_multilingual_score(app, client, auth, make_article):
    comment = post(client, auth, make_article()["id"], "Great reporting, thank you for the clear numbers!")
    assert comment["status"] == "published"
    language, _, _, scores = stored(app, comment["id"])
    assert language == "en"
    assert "toxicity_multilingual" not in scores


@pytest.mark.parametrize("body", ["BTC to the moon 🚀", "lol", "🚀🚀🚀", "gm gm frens", "WAGMI LFG 🚀🚀"])
def test_crypto_slang_and_short_texts_are_not_held_as_an_uncovered_language(app, client, auth, make_article, body):
    comment = post(client, auth, make_article()["id"], body)
    assert comment["status"] == "published"
    assert stored(app, comment["id"])[0] in (None, "en")


def test_uncovered_language_is_held_by_default(app, client, auth, make_article):
    comment = post(client, auth, make_article()["id"], VIETNAMESE)
    assert comment["status"] == "pending_review"
    language, phase, reason, _ = stored(app, comment["id"])
    assert (language, phase, reason) == ("vi", "language", "uncovered_language")


def test_spanish_is_scored_by_default_and_its_suspect_terms_still_hold(app, client, auth, make_article):
    article = make_article()
    clean = post(client, auth, article["id"], "Muy buen artículo, gracias por la explicación.")
    assert clean["status"] == "published"
    assert stored(app, clean["id"])[0] == "es"
    insult = post(client, auth, article["id"], "Eres un pendejo, cállate ya.")
    assert insult["status"] == "pending_review"
    assert stored(app, insult["id"])[1:3] == ("word_lists", "suspect_term")


def test_staff_texts_in_an_uncovered_language_are_not_held(app, client, auth, make_article):
    comment = post(client, auth, make_article()["id"], VIETNAMESE, author="mia", role="moderator")
    assert comment["status"] == "published"



@pytest.mark.parametrize("app_config", [{"UNCOVERED_LANGUAGE": "score"}], indirect=True)
def test_uncovered_language_is_scored_when_the_setting_says_score(app, client, auth, make_article):
    comment = post(client, auth, make_article()["id"], VIETNAMESE)
    assert comment["status"] == "published"
    assert stored(app, comment["id"])[:2] == ("vi", "default")


@pytest.mark.parametrize(
    "app_config", [{"UNCOVERED_LANGUAGE": "score", "UNCOVERED_LANGUAGE_OVERRIDES": ["vi:hold"]}], indirect=True
)
def test_a_per_language_override_holds_one_language(app, client, auth, make_article):
    article = make_article()
    assert post(client, auth, article["id"], VIETNAMESE)["status"] == "pending_review"
    assert post(client, auth, article["id"], "Muito obrigado pelo artigo, ajudou bastante.")["status"] == "published"
