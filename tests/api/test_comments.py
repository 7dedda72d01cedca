"""The comment contract as the widget uses it."""

import pytest


def post_comment(client, auth, article_id, body, author="alice", **extra):
    return client.post(f"/api/v1/articles/{article_id}/comments", json={"body": body, **extra}, headers=auth(author))


def test_clean_comment_is_published_and_counted(client, auth, make_article):
    article = make_article()
    response = post_comment(client, auth, article["id"], "  Great reporting, thank you!  ")
    assert response.status_code == 201
    comment = response.get_json()
    assert comment["status"] == "published"
    assert comment["body"] == "Great reporting, thank you!"
    assert comment["author"]["id"] == "alice"
    assert client.get(f"/api/v1/articles/{article['id']}").get_json()["comment_count"] == 1


def test_unknown_article_is_404(client, auth):
    response = post_comment(client, auth, "nope", "hello")
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


@pytest.mark.parametrize(
    "body",
    [
        "a" * 400,
        "é" * 400,  # precomposed
        "e\u0301" * 200,  # e + combining acute: NFC makes 200 code points
        "😀" * 400,
        "漢" * 400,
    ],
    ids=["ascii", "latin", "combining", "emoji", "cjk"],
)
def test_400_code_points_are_accepted(client, auth, make_article, body):
    response = post_comment(client, auth, make_article()["id"], body)
    assert response.status_code == 201, response.get_json()
    assert len(response.get_json()["body"]) <= 400


@pytest.mark.parametrize("body", ["a" * 401, "😀" * 401, "漢" * 401, "e\u0301" * 401], ids=["ascii", "emoji", "cjk", "combining"])
def test_401_code_points_are_422_naming_the_field(client, auth, make_article, body):
    article = make_article()
    response = post_comment(client, auth, article["id"], body)
    assert response.status_code == 422
    assert "body" in response.get_json()["errors"]
    assert client.get(f"/api/v1/articles/{article['id']}").get_json()["comment_count"] == 0


def test_control_characters_are_removed_and_newlines_kept(client, auth, make_article):
    response = post_comment(client, auth, make_article()["id"], "line one\x00\x07\nline two\u2028")
    assert response.get_json()["body"] == "line one\nline two"


@pytest.mark.parametrize("body", ["", "   ", "\x00\x01", "\n\n"])
def test_empty_body_is_422(client, auth, make_article, body):
    response = post_comment(client, auth, make_article()["id"], body)
    assert response.status_code == 422
    assert "body" in response.get_json()["errors"]


def test_replies_attach_to_the_root_and_count(client, auth, make_article):
    article_id = make_article()["id"]
    root = post_comment(client, auth, article_id, "root").get_json()
    reply = post_comment(client, auth, article_id, "reply", author="bob", parent_id=root["id"]).get_json()
    nested = post_comment(client, auth, article_id, "answering the reply", parent_id=reply["id"]).get_json()
    assert reply["parent_id"] == root["id"]
    assert nested["parent_id"] == root["id"]
    assert client.get(f"/api/v1/comments/{root['id']}").get_json()["reply_count"] == 2
    listing = client.get(f"/api/v1/articles/{article_id}/comments").get_json()
    assert [c["id"] for c in listing["items"]] == [root["id"]]
    replies = client.get(f"/api/v1/articles/{article_id}/comments?parent_id={root['id']}&sort=oldest").get_json()
    assert [c["id"] for c in replies["items"]] == [reply["id"], nested["id"]]


def test_reply_to_other_article_or_held_comment_is_422(client, auth, make_article):
    first, second = make_article()["id"], make_article()["id"]
    root = post_comment(client, auth, first, "root").get_json()
    assert post_comment(client, auth, second, "x", parent_id=root["id"]).status_code == 422
    held = post_comment(client, auth, first, "you insult-word").get_json()
    assert held["status"] == "pending_review"
    assert post_comment(client, auth, first, "x", parent_id=held["id"]).status_code == 422
    assert post_comment(client, auth, first, "x", parent_id=999999).status_code == 422


def test_keyset_pagination_walks_every_comment_once(client, auth, make_article):
    article_id = make_article()["id"]
    ids = [post_comment(client, auth, article_id, f"comment {i}").get_json()["id"] for i in range(7)]
    for sort, expected in (("newest", ids[::-1]), ("oldest", ids)):
        seen, cursor = [], None
        while True:
            url = f"/api/v1/articles/{article_id}/comments?sort={sort}&limit=3" + (f"&cursor={cursor}" if cursor else "")
            page = client.get(url).get_json()
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert seen == expected


def test_top_sort_orders_by_likes(client, auth, make_article):
    article_id = make_article()["id"]
    first = post_comment(client, auth, article_id, "first").get_json()
    second = post_comment(client, auth, article_id, "second").get_json()
    for user in ("u1", "u2"):
        client.put(f"/api/v1/comments/{second['id']}/like", headers=auth(user))
    client.put(f"/api/v1/comments/{first['id']}/like", headers=auth("u1"))
    page = client.get(f"/api/v1/articles/{article_id}/comments?sort=top&limit=1").get_json()
    assert [c["id"] for c in page["items"]] == [second["id"]]
    page = client.get(f"/api/v1/articles/{article_id}/comments?sort=top&limit=1&cursor={page['next_cursor']}").get_json()
    assert [c["id"] for c in page["items"]] == [first["id"]]


def test_bad_cursor_is_400(client, make_article):
    article_id = make_article()["id"]
    response = client.get(f"/api/v1/articles/{article_id}/comments?cursor=not-a-cursor")
    assert response.status_code == 400
    assert "cursor" in response.get_json()["errors"]


def test_held_comment_is_visible_to_its_author_only(client, auth, make_article):
    article_id = make_article()["id"]
    held = post_comment(client, auth, article_id, "you are an insult-word").get_json()
    assert held["status"] == "pending_review"
    assert held["moderation"]["labels"] == ["insult", "toxicity"]
    assert held["moderation"]["model"] == "fake-keyword-scorer"

    own = client.get(f"/api/v1/articles/{article_id}/comments", headers=auth("alice")).get_json()["items"]
    assert [(c["id"], c["status"]) for c in own] == [(held["id"], "pending_review")]
    assert client.get(f"/api/v1/articles/{article_id}/comments", headers=auth("bob")).get_json()["items"] == []
    assert client.get(f"/api/v1/articles/{article_id}/comments").get_json()["items"] == []
    assert client.get(f"/api/v1/comments/{held['id']}").status_code == 404
    assert client.get(f"/api/v1/comments/{held['id']}", headers=auth("bob")).status_code == 404
    assert client.get(f"/api/v1/comments/{held['id']}", headers=auth("alice")).status_code == 200
    assert client.get(f"/api/v1/articles/{article_id}").get_json()["comment_count"] == 0


def test_other_users_never_see_moderation_details_of_published_comments(client, auth, make_comment):
    comment = make_comment()
    seen_by_bob = client.get(f"/api/v1/comments/{comment['id']}", headers=auth("bob")).get_json()
    assert seen_by_bob["moderation"] is None
    assert seen_by_bob["moderation_scores"] is None
    seen_by_mod = client.get(f"/api/v1/comments/{comment['id']}", headers=auth("mod", "moderator")).get_json()
    assert set(seen_by_mod["moderation_scores"]) >= {"toxicity", "insult"}


def test_certain_toxicity_is_rejected_and_kept_for_the_author(client, auth, make_article):
    article_id = make_article()["id"]
    rejected = post_comment(client, auth, article_id, "reject-word").get_json()
    assert rejected["status"] == "rejected"
    assert "toxicity" in rejected["moderation"]["labels"]
    assert client.get(f"/api/v1/comments/{rejected['id']}", headers=auth("alice")).get_json()["body"] == "reject-word"


def test_model_failure_holds_the_comment_instead_of_losing_it(client, auth, make_article):
    response = post_comment(client, auth, make_article()["id"], "explode-word but otherwise fine")
    assert response.status_code == 201
    comment = response.get_json()
    assert comment["status"] == "pending_review"
    assert comment["moderation"]["reason"] == "model_error"


def test_delete_soft_deletes_and_stops_serving_the_body(client, auth, make_comment):
    comment = make_comment()
    assert client.delete(f"/api/v1/comments/{comment['id']}", headers=auth("alice")).status_code == 204
    gone = client.get(f"/api/v1/comments/{comment['id']}").get_json()
    assert gone["deleted"] is True and gone["body"] is None
    assert client.get(f"/api/v1/articles/{comment['article_id']}").get_json()["comment_count"] == 0
    # Deleting again changes nothing.
    assert client.delete(f"/api/v1/comments/{comment['id']}", headers=auth("alice")).status_code == 204


def test_likes_are_idempotent(client, auth, make_comment):
    comment = make_comment()
    url = f"/api/v1/comments/{comment['id']}/like"
    assert client.put(url, headers=auth("bob")).get_json() == {"liked": True, "like_count": 1}
    assert client.put(url, headers=auth("bob")).get_json() == {"liked": True, "like_count": 1}
    assert client.put(url, headers=auth("carol")).get_json() == {"liked": True, "like_count": 2}
    assert client.delete(url, headers=auth("bob")).get_json() == {"liked": False, "like_count": 1}
    assert client.delete(url, headers=auth("bob")).get_json() == {"liked": False, "like_count": 1}
    listing = client.get(f"/api/v1/articles/{comment['article_id']}/comments", headers=auth("carol")).get_json()
    assert listing["items"][0]["liked"] is True


def test_reports_send_a_comment_back_to_review_at_the_threshold(client, auth, make_comment):
    comment = make_comment()
    url = f"/api/v1/comments/{comment['id']}/reports"
    assert client.post(url, json={"reason": "spam"}, headers=auth("r1")).status_code == 201
    assert client.post(url, json={"reason": "spam"}, headers=auth("r1")).status_code == 409
    assert client.post(url, json={"reason": "spam"}, headers=auth("r2")).status_code == 201
    assert client.get(f"/api/v1/comments/{comment['id']}").get_json()["status"] == "published"
    assert client.post(url, json={"reason": "spam"}, headers=auth("r3")).status_code == 201
    assert client.get(f"/api/v1/comments/{comment['id']}").status_code == 404
    queue = client.get("/api/v1/moderation/queue?status=reported", headers=auth("mod", "moderator")).get_json()
    assert [(c["id"], c["report_count"]) for c in queue["items"]] == [(comment["id"], 3)]
    assert client.get(f"/api/v1/articles/{comment['article_id']}").get_json()["comment_count"] == 0


def test_cannot_report_own_comment(client, auth, make_comment):
    comment = make_comment()
    response = client.post(f"/api/v1/comments/{comment['id']}/reports", json={"reason": "x"}, headers=auth("alice"))
    assert response.status_code == 422


def test_edit_is_rescored_and_keeps_the_previous_version_for_moderators(client, auth, make_comment):
    comment = make_comment(body="first version")
    response = client.patch(f"/api/v1/comments/{comment['id']}", json={"body": "now an insult-word"}, headers=auth("alice"))
    assert response.status_code == 200
    edited = response.get_json()
    assert edited["status"] == "pending_review" and edited["edited_at"]
    assert client.get(f"/api/v1/comments/{comment['id']}", headers=auth("bob")).status_code == 404
    for_mod = client.get(f"/api/v1/comments/{comment['id']}", headers=auth("mod", "moderator")).get_json()
    assert [v["body"] for v in for_mod["previous_versions"]] == ["first version"]
    assert client.get(f"/api/v1/articles/{comment['article_id']}").get_json()["comment_count"] == 0


def test_edit_by_someone_else_or_after_the_window_is_403(client, auth, make_comment, app):
    comment = make_comment()
    url = f"/api/v1/comments/{comment['id']}"
    assert client.patch(url, json={"body": "mine now"}, headers=auth("bob")).status_code == 403
    app.config["EDIT_WINDOW"] = 0
    assert client.patch(url, json={"body": "too late"}, headers=auth("alice")).status_code == 403


class TestHiddenStaysHidden:
    """Deleting a held or rejected comment does not publish it, and the replies of a hidden root stay hidden."""

    @pytest.mark.parametrize("decision", [None, "reject"], ids=["held", "rejected"])
    def test_a_deleted_comment_that_was_never_public_stays_404(self, client, auth, make_article, decision):
        comment = post_comment(client, auth, make_article()["id"], "an insult-word").get_json()
        url = f"/api/v1/comments/{comment['id']}"
        if decision:
            client.post(f"/api/v1/moderation/comments/{comment['id']}/decision", json={"action": decision}, headers=auth("mod", "moderator"))
        assert client.delete(url, headers=auth("alice")).status_code == 204
        for headers in ({}, auth("bob")):
            gone = client.get(url, headers=headers)
            assert gone.status_code == 404 and gone.get_json()["code"] == 404
            assert "alice" not in gone.get_data(as_text=True)
        assert client.delete(url, headers=auth("bob")).status_code == 404
        for headers in (auth("alice"), auth("mod", "moderator")):
            seen = client.get(url, headers=headers).get_json()
            assert seen["deleted"] is True and seen["body"] is None

    def test_a_published_then_deleted_comment_keeps_its_tombstone(self, client, auth, make_article):
        comment = post_comment(client, auth, make_article()["id"], "fine words").get_json()
        client.delete(f"/api/v1/comments/{comment['id']}", headers=auth("mod", "moderator"))
        tombstone = client.get(f"/api/v1/comments/{comment['id']}").get_json()
        assert (tombstone["deleted"], tombstone["body"], tombstone["status"]) == (True, None, "published")

    @pytest.mark.parametrize("hide", ["reports", "reject", "delete_while_held"])
    def test_replies_of_a_hidden_root_are_not_listed(self, client, auth, make_article, app, hide):
        app.config["REPORTS_TO_REVIEW"] = 2
        article_id = make_article()["id"]
        root = post_comment(client, auth, article_id, "a root").get_json()
        reply = post_comment(client, auth, article_id, "a reply", author="bob", parent_id=root["id"]).get_json()
        replies = f"/api/v1/articles/{article_id}/comments?parent_id={root['id']}"
        assert [c["id"] for c in client.get(replies).get_json()["items"]] == [reply["id"]]
        for reporter in ("r1", "r2"):
            client.post(f"/api/v1/comments/{root['id']}/reports", json={"reason": "rude"}, headers=auth(reporter))
        if hide == "reject":
            client.post(f"/api/v1/moderation/comments/{root['id']}/decision", json={"action": "reject"}, headers=auth("mod", "moderator"))
        if hide == "delete_while_held":
            client.delete(f"/api/v1/comments/{root['id']}", headers=auth("alice"))
        for headers in ({}, auth("bob"), auth("carol")):
            hidden = client.get(replies, headers=headers)
            assert hidden.status_code == 404 and hidden.get_json()["code"] == 404
            assert client.get(f"/api/v1/comments/{root['id']}", headers=headers).status_code == 404
        for headers in (auth("alice"), auth("mod", "moderator")):
            assert [c["id"] for c in client.get(replies, headers=headers).get_json()["items"]] == [reply["id"]]

    def test_replies_under_an_unknown_or_foreign_root_are_404(self, client, auth, make_article):
        first, second = make_article()["id"], make_article()["id"]
        root = post_comment(client, auth, first, "a root").get_json()
        assert client.get(f"/api/v1/articles/{second}/comments?parent_id={root['id']}").status_code == 404
        assert client.get(f"/api/v1/articles/{first}/comments?parent_id=999999").status_code == 404
