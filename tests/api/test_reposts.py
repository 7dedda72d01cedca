"""Reposts through HTTP: upsert, undo, held quotes, feeds."""

import pytest


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


@pytest.mark.parametrize("decision", [None, "reject"], ids=["held", "rejected"])
def test_others_never_learn_a_quotes_status(client, auth, make_article, decision):
    article_id = make_article()["id"]
    held = repost(client, auth, article_id, quote="what an insult-word").get_json()
    repost(client, auth, article_id, user="carol")  # no quote at all: others must not tell the two apart
    if decision:
        client.post(f"/api/v1/moderation/reposts/{held['id']}/decision", json={"action": decision}, headers=auth("mod", "moderator"))
    status = "rejected" if decision else "pending_review"
    for url in (f"/api/v1/articles/{article_id}/reposts", "/api/v1/users/alice/reposts"):
        for headers in ({}, auth("bob")):
            listing = client.get(url, headers=headers)
            mine = [i for i in listing.get_json()["items"] if i["user"]["id"] == "alice"][0]
            assert (mine["quote"], mine["quote_status"], mine["moderation"]) == (None, None, None)
            assert status not in listing.get_data(as_text=True)
        for headers in (auth("alice"), auth("mod", "moderator")):
            mine = [i for i in client.get(url, headers=headers).get_json()["items"] if i["user"]["id"] == "alice"][0]
            assert (mine["quote"], mine["quote_status"]) == ("what an insult-word", status)
