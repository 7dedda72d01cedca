"""Pinned articles and pinned comments through HTTP."""

from datetime import datetime, timedelta, timezone

import time_machine


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
