"""Repost, Share, Pin and the engagement summary, through HTTP."""

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine


def repost(client, auth, article_id, user="alice", **body):
    return client.put(f"/api/v1/articles/{article_id}/repost", json=body, headers=auth(user))


class TestRepost:
    def test_first_put_creates_later_puts_update_and_count_once(self, client, auth, make_article):
        article_id = make_article()["id"]
        first = repost(client, auth, article_id)
        assert first.status_code == 201 and first.get_json()["quote"] is None
        second = repost(client, auth, article_id, quote="Worth reading")
        assert second.status_code == 200 and second.get_json()["quote"] == "Worth reading"
        assert second.get_json()["id"] == first.get_json()["id"]
        repost(client, auth, article_id, user="bob")
        summary = client.get(f"/api/v1/articles/{article_id}", headers=auth("alice")).get_json()
        assert summary["repost_count"] == 2 and summary["viewer"]["reposted"] is True

    def test_undo_is_idempotent(self, client, auth, make_article):
        article_id = make_article()["id"]
        repost(client, auth, article_id)
        assert client.delete(f"/api/v1/articles/{article_id}/repost", headers=auth("alice")).status_code == 204
        assert client.delete(f"/api/v1/articles/{article_id}/repost", headers=auth("alice")).status_code == 204
        assert client.get(f"/api/v1/articles/{article_id}").get_json()["repost_count"] == 0

    def test_held_quote_is_not_shown_to_others(self, client, auth, make_article):
        article_id = make_article()["id"]
        held = repost(client, auth, article_id, quote="what an insult-word").get_json()
        assert held["quote_status"] == "pending_review" and held["moderation"]["labels"]
        others = client.get(f"/api/v1/articles/{article_id}/reposts", headers=auth("bob")).get_json()["items"]
        assert others[0]["quote"] is None and others[0]["moderation"] is None
        own = client.get("/api/v1/users/alice/reposts", headers=auth("alice")).get_json()["items"]
        assert own[0]["quote"] == "what an insult-word"
        queue = client.get("/api/v1/moderation/queue?kind=repost", headers=auth("mod", "moderator")).get_json()
        assert [(i["kind"], i["text"]) for i in queue["items"]] == [("repost", "what an insult-word")]

    def test_quote_follows_the_comment_body_rules(self, client, auth, make_article):
        article_id = make_article()["id"]
        assert repost(client, auth, article_id, quote="😀" * 401).status_code == 422
        assert repost(client, auth, article_id, quote="😀" * 400).status_code == 201
        assert repost(client, auth, article_id, quote="   ").get_json()["quote"] is None

    def test_feeds_paginate_newest_first(self, client, auth, make_article):
        ids = [make_article()["id"] for _ in range(3)]
        for article_id in ids:
            repost(client, auth, article_id)
        page = client.get("/api/v1/users/alice/reposts?limit=2").get_json()
        rest = client.get(f"/api/v1/users/alice/reposts?limit=2&cursor={page['next_cursor']}").get_json()
        assert [r["article_id"] for r in page["items"] + rest["items"]] == ids[::-1]


class TestShare:
    def test_share_counts_per_channel_and_builds_links(self, client, auth, make_article):
        article = make_article(title="Rates & you")
        response = client.post(f"/api/v1/articles/{article['id']}/shares", json={"channel": "telegram"}, headers=auth("alice"))
        assert response.status_code == 201
        share = response.get_json()
        query = parse_qs(urlsplit(share["share_url"]).query)
        assert share["share_url"].startswith(article["url"])
        assert query == {"utm_source": ["telegram"], "utm_medium": ["social"], "utm_campaign": ["engagement"], "ref": ["alice"]}
        assert share["intent_url"].startswith("https://t.me/share/url?url=")
        assert "Rates%20%26%20you" in share["intent_url"]
        anonymous = client.post(f"/api/v1/articles/{article['id']}/shares", json={"channel": "copy_link"}).get_json()
        assert "ref" not in parse_qs(urlsplit(anonymous["share_url"]).query) and anonymous["intent_url"] is None
        client.post(f"/api/v1/articles/{article['id']}/shares", json={"channel": "telegram"})
        summary = client.get(f"/api/v1/articles/{article['id']}").get_json()
        assert summary["share_count"] == 3 and summary["share_counts"] == {"telegram": 2, "copy_link": 1}

    def test_unknown_channel_is_422(self, client, make_article):
        article_id = make_article()["id"]
        response = client.post(f"/api/v1/articles/{article_id}/shares", json={"channel": "myspace"})
        assert response.status_code == 422 and "channel" in response.get_json()["errors"]
        assert client.get(f"/api/v1/articles/{article_id}").get_json()["share_count"] == 0


class TestPins:
    def test_admin_pins_articles_in_order_and_expired_pins_drop_out(self, client, auth, make_article):
        a, b, c = (make_article()["id"] for _ in range(3))
        admin = auth("root", "admin")
        assert client.put(f"/api/v1/pins/{a}", json={"position": 2}, headers=admin).status_code == 200
        assert client.put(f"/api/v1/pins/{b}", json={"position": 1}, headers=admin).status_code == 200
        soon = datetime.now(timezone.utc) + timedelta(hours=1)
        assert client.put(f"/api/v1/pins/{c}", json={"position": 3, "expires_at": soon.isoformat()}, headers=admin).status_code == 200
        assert [p["id"] for p in client.get("/api/v1/pins").get_json()["items"]] == [b, a, c]
        assert client.get(f"/api/v1/articles/{a}").get_json()["pinned"] is True
        assert client.delete(f"/api/v1/pins/{a}", headers=admin).status_code == 204
        # The clock is moved past the expiry instead of slept past it (a sleep races the clock).
        with time_machine.travel(soon + timedelta(seconds=1), tick=False):
            assert [p["id"] for p in client.get("/api/v1/pins").get_json()["items"]] == [b]
        with time_machine.travel(soon - timedelta(seconds=1), tick=False):
            assert [p["id"] for p in client.get("/api/v1/pins").get_json()["items"]] == [b, c]
        log = client.get("/api/v1/moderation/log?action=pin", headers=admin).get_json()["items"]
        assert {e["subject_id"] for e in log} == {a, b, c}
        assert client.get(f"/api/v1/moderation/log?subject_id={a}&action=unpin", headers=admin).get_json()["items"]

    def test_pin_in_the_past_is_422(self, client, auth, make_article):
        article_id = make_article()["id"]
        response = client.put(f"/api/v1/pins/{article_id}", json={"expires_at": "2001-01-01T00:00:00Z"}, headers=auth("root", "admin"))
        assert response.status_code == 422

    def test_pinned_comment_lists_first_and_the_limit_holds(self, client, auth, make_article, make_comment):
        article_id = make_article()["id"]
        older = make_comment(article_id=article_id, body="older")
        newer = make_comment(article_id=article_id, body="newer")
        mod = auth("mod", "moderator")
        assert client.put(f"/api/v1/comments/{older['id']}/pin", headers=mod).get_json()["pinned"] is True
        items = client.get(f"/api/v1/articles/{article_id}/comments").get_json()["items"]
        assert [c["id"] for c in items] == [older["id"], newer["id"]]
        assert client.put(f"/api/v1/comments/{newer['id']}/pin", headers=mod).status_code == 409
        client.delete(f"/api/v1/comments/{older['id']}/pin", headers=mod)
        assert client.put(f"/api/v1/comments/{newer['id']}/pin", headers=mod).status_code == 200
        actions = [e["action"] for e in client.get("/api/v1/moderation/log?subject_id=" + str(older["id"]), headers=mod).get_json()["items"]]
        assert actions[:2] == ["unpin", "pin"]

    def test_replies_cannot_be_pinned(self, client, auth, make_comment):
        root = make_comment()
        reply = make_comment(article_id=root["article_id"], parent_id=root["id"])
        assert client.put(f"/api/v1/comments/{reply['id']}/pin", headers=auth("root", "admin")).status_code == 422


class TestSummary:
    def test_batch_summaries_keep_order_and_list_missing(self, client, auth, make_article):
        a, b = make_article()["id"], make_article()["id"]
        repost(client, auth, b)
        response = client.post("/api/v1/articles/engagement", json={"article_ids": [b, "ghost", a]}, headers=auth("alice"))
        assert response.status_code == 200
        body = response.get_json()
        assert [item["id"] for item in body["items"]] == [b, a]
        assert body["missing"] == ["ghost"]
        assert body["items"][0]["viewer"] == {"reposted": True, "rewarded": False}
        assert client.post("/api/v1/articles/engagement", json={"article_ids": [a]}).get_json()["items"][0].get("viewer") is None

    def test_batch_is_bounded(self, client):
        response = client.post("/api/v1/articles/engagement", json={"article_ids": [f"a{i}" for i in range(101)]})
        assert response.status_code == 422

    def test_batch_summary_costs_a_fixed_number_of_queries(self, app, client, auth, make_article):
        from sqlalchemy import event

        from engagement.extensions import db

        ids = [make_article()["id"] for _ in range(30)]
        statements = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            small = client.post("/api/v1/articles/engagement", json={"article_ids": ids[:3]}, headers=auth("alice"))
            few = len(statements)
            statements.clear()
            large = client.post("/api/v1/articles/engagement", json={"article_ids": ids}, headers=auth("alice"))
            many = len(statements)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        # Both answered in full (a refused or empty answer costs no queries and would pass the comparison).
        assert small.status_code == 200 and [item["id"] for item in small.get_json()["items"]] == ids[:3]
        assert large.status_code == 200 and [item["id"] for item in large.get_json()["items"]] == ids
        assert all("viewer" in item for item in large.get_json()["items"])
        assert few > 0
        assert many == few, "summary queries must not grow with the number of articles"


@pytest.mark.parametrize("channel", ["x", "facebook", "linkedin", "reddit", "whatsapp", "email"])
def test_every_social_channel_has_an_intent_url(client, make_article, channel):
    article_id = make_article()["id"]
    share = client.post(f"/api/v1/articles/{article_id}/shares", json={"channel": channel}).get_json()
    assert share["intent_url"] and "utm_source%3D" + channel in share["intent_url"]
