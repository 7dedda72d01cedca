"""Response schemas with a hand-written ``serialize`` (FastDumpSchema) must dump exactly what their fields do.

The objects come from the real services after real requests, in every shape a reader can meet: held, deleted,
pinned, edited, liked, replied to, rewarded, shared, reposted; read anonymously, by the author and by a moderator.
"""

from __future__ import annotations

import itertools

import pytest
from marshmallow import Schema

from engagement.api.schemas.articles import ArticleSchema, EngagementBatchSchema
from engagement.api.schemas.comments import CommentPageSchema, CommentSchema
from engagement.auth import Actor
from engagement.errors import NotFound
from engagement.services import articles as article_service
from engagement.services import comments as comment_service
from engagement.models.users import Role

keys = (f"fast-dump-{n}" for n in itertools.count())
VIEWERS = {
    "anonymous": None,
    "author": Actor("alice", Role.USER),
    "reader": Actor("bob", Role.USER),
    "moderator": Actor("mia", Role.MODERATOR),
}


def marshmallow_dump(schema: Schema, obj, many: bool = False):
    """What the declared fields alone produce."""
    return Schema.dump(schema, obj, many=many)


@pytest.fixture
def busy_article(client, auth, make_article, make_comment):
    article_id = make_article(author_id="writer")["id"]
    published = make_comment(article_id)
    reply = client.post(
        f"/api/v1/articles/{article_id}/comments", json={"body": "A reply with a point.", "parent_id": published["id"]}, headers=auth("carol")
    )
    assert reply.status_code == 201
    held = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "insult-word here"}, headers=auth("alice"))
    assert held.status_code == 201 and held.get_json()["status"] != "published"
    edited = make_comment(article_id, author="dave")
    assert client.patch(f"/api/v1/comments/{edited['id']}", json={"body": "Edited, with a better point."}, headers=auth("dave")).status_code == 200
    deleted = make_comment(article_id, author="erin")
    assert client.delete(f"/api/v1/comments/{deleted['id']}", headers=auth("erin")).status_code == 204
    named = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "Pin-worthy context."}, headers=auth("frank", "user", "Frank"))
    assert named.status_code == 201
    pinned = named.get_json()
    assert client.put(f"/api/v1/comments/{pinned['id']}/pin", headers=auth("root", "admin")).status_code in (200, 201)
    assert client.put(f"/api/v1/comments/{published['id']}/like", headers=auth("bob")).status_code == 200
    # the article's widgets: a reward, a share, a repost, a pin
    assert client.post("/api/v1/admin/users/bob/credits", json={"amount": 50}, headers={**auth("root", "admin"), "Idempotency-Key": next(keys)}).status_code == 201
    reward = client.post(f"/api/v1/articles/{article_id}/rewards", json={"amount": 5}, headers={**auth("bob"), "Idempotency-Key": next(keys)})
    assert reward.status_code == 201
    assert client.post(f"/api/v1/articles/{article_id}/shares", json={"channel": "telegram"}).status_code == 201
    assert client.put(f"/api/v1/articles/{article_id}/repost", json={}, headers=auth("bob")).status_code == 201
    assert client.put(f"/api/v1/pins/{article_id}", json={}, headers=auth("root", "admin")).status_code in (200, 201)
    return article_id, [published["id"], reply.get_json()["id"], held.get_json()["id"], edited["id"], deleted["id"], pinned["id"]]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_comment_serialize_matches_the_declared_fields(app, busy_article, viewer):
    article_id, comment_ids = busy_article
    actor = VIEWERS[viewer]
    with app.app_context():
        page = comment_service.list_comments(article_id, actor, limit=100)
        replies = comment_service.list_comments(article_id, actor, parent_id=comment_ids[0])
        singles = []
        for comment_id in comment_ids:
            try:
                singles.append(comment_service.view_comment(comment_id, actor))
            except NotFound:
                assert viewer in ("anonymous", "reader")  # the held comment is hidden from them
        comments = [*page.items, *replies.items, *singles]
        assert len(page.items) >= 3 and replies.items
        schema = CommentSchema()
        for comment in comments:
            assert schema.dump(comment) == marshmallow_dump(schema, comment)
        page_schema = CommentPageSchema()
        assert page_schema.dump(page) == marshmallow_dump(page_schema, page)
        # the shapes the test set out to cover were really there
        dumped = page_schema.dump(page)["items"]
        assert any(item["pinned"] for item in dumped)
        if viewer == "moderator":
            assert any(item["previous_versions"] for item in map(schema.dump, singles))
            assert all(item["moderation_scores"] is not None for item in dumped)
        if viewer == "author":
            assert any(item["moderation"] and item["status"] != "published" for item in dumped)
        if viewer == "reader":
            assert any(item["liked"] for item in dumped)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_article_serialize_matches_the_declared_fields(app, make_article, busy_article, viewer):
    article_id, _ = busy_article
    quiet = make_article()["id"]
    with app.app_context():
        batch = article_service.summaries_for([article_id, quiet, "no-such-article"], VIEWERS[viewer])
        schema = ArticleSchema()
        for summary in batch["items"]:
            assert schema.dump(summary) == marshmallow_dump(schema, summary)
        assert EngagementBatchSchema().dump(batch) == marshmallow_dump(EngagementBatchSchema(), batch)
        busy = schema.dump(batch["items"][0])
        assert busy["pinned"] and busy["reward_total"] and busy["share_counts"] and busy["repost_count"] == 1
        if VIEWERS[viewer] is not None and VIEWERS[viewer].user_id == "bob":
            assert busy["viewer"] == {"reposted": True, "rewarded": True}
