"""The moderators' side: queue, decisions, audit log, bans."""

import pytest


def post(client, auth, article_id, body, author="alice"):
    return client.post(f"/api/v1/articles/{article_id}/comments", json={"body": body}, headers=auth(author)).get_json()


def test_queue_lists_held_comments_oldest_first_with_context(client, auth, make_article):
    article = make_article(title="Budget vote")
    held = [post(client, auth, article["id"], f"insult-word number {i}") for i in range(3)]
    post(client, auth, article["id"], "a clean one")
    mod = auth("mod", "moderator")
    page = client.get("/api/v1/moderation/queue?limit=2", headers=mod).get_json()
    assert [item["id"] for item in page["items"]] == [held[0]["id"], held[1]["id"]]
    first = page["items"][0]
    assert first["article"] == {"id": article["id"], "title": "Budget vote"}
    assert first["author"]["id"] == "alice"
    assert first["moderation_scores"]["insult"] > 0.5
    assert first["report_count"] == 0
    rest = client.get(f"/api/v1/moderation/queue?limit=2&cursor={page['next_cursor']}", headers=mod).get_json()
    assert [item["id"] for item in rest["items"]] == [held[2]["id"]]
    assert rest["next_cursor"] is None


def test_approving_publishes_and_is_logged(client, auth, make_article):
    article = make_article()
    held = post(client, auth, article["id"], "borderline insult-word")
    mod = auth("mod", "moderator")
    response = client.post(
        f"/api/v1/moderation/comments/{held['id']}/decision", json={"action": "approve", "reason": "satire"}, headers=mod
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "published"
    assert client.get(f"/api/v1/comments/{held['id']}", headers=auth("bob")).get_json()["body"] == "borderline insult-word"
    assert client.get(f"/api/v1/articles/{article['id']}").get_json()["comment_count"] == 1
    assert client.get("/api/v1/moderation/queue", headers=mod).get_json()["items"] == []

    log = client.get(f"/api/v1/moderation/log?subject_id={held['id']}", headers=mod).get_json()["items"]
    assert [(e["action"], e["actor_id"], e["to_status"]) for e in log] == [
        ("approve", "mod", "published"),
        ("auto_pending_review", None, "pending_review"),
    ]
    assert log[0]["reason"] == "satire"


def test_rejecting_a_published_comment_hides_it_and_fixes_counters(client, auth, make_article):
    article = make_article()
    root = post(client, auth, article["id"], "root")
    reply = client.post(
        f"/api/v1/articles/{article['id']}/comments", json={"body": "reply", "parent_id": root["id"]}, headers=auth("bob")
    ).get_json()
    response = client.post(
        f"/api/v1/moderation/comments/{reply['id']}/decision", json={"action": "reject"}, headers=auth("root", "admin")
    )
    assert response.get_json()["status"] == "rejected"
    assert client.get(f"/api/v1/comments/{root['id']}").get_json()["reply_count"] == 0
    assert client.get(f"/api/v1/articles/{article['id']}").get_json()["comment_count"] == 1
    rejected = client.get("/api/v1/moderation/queue?status=rejected", headers=auth("mod", "moderator")).get_json()
    assert [c["id"] for c in rejected["items"]] == [reply["id"]]


def test_approving_a_reported_comment_clears_its_open_reports(client, auth, make_article, app):
    app.config["REPORTS_TO_REVIEW"] = 2
    comment = post(client, auth, make_article()["id"], "contested opinion")
    for reporter in ("r1", "r2"):
        client.post(f"/api/v1/comments/{comment['id']}/reports", json={"reason": "rude"}, headers=auth(reporter))
    mod = auth("mod", "moderator")
    assert [c["id"] for c in client.get("/api/v1/moderation/queue?status=reported", headers=mod).get_json()["items"]] == [comment["id"]]
    client.post(f"/api/v1/moderation/comments/{comment['id']}/decision", json={"action": "approve"}, headers=mod)
    assert client.get("/api/v1/moderation/queue?status=reported", headers=mod).get_json()["items"] == []
    # One new report is below the threshold again: it stays published.
    client.post(f"/api/v1/comments/{comment['id']}/reports", json={"reason": "rude"}, headers=auth("r3"))
    assert client.get(f"/api/v1/comments/{comment['id']}").get_json()["status"] == "published"


def test_decision_on_unknown_or_deleted_comment(client, auth, make_comment):
    mod = auth("mod", "moderator")
    assert client.post("/api/v1/moderation/comments/424242/decision", json={"action": "approve"}, headers=mod).status_code == 404
    comment = make_comment()
    client.delete(f"/api/v1/comments/{comment['id']}", headers=auth("alice"))
    assert client.post(f"/api/v1/moderation/comments/{comment['id']}/decision", json={"action": "approve"}, headers=mod).status_code == 409


def test_banned_user_gets_403_on_writes_until_unbanned(client, auth, make_article):
    article_id = make_article()["id"]
    mod = auth("mod", "moderator")
    ban = client.put("/api/v1/moderation/users/troll/ban", json={"reason": "spam links"}, headers=mod)
    assert ban.status_code == 200 and ban.get_json()["banned"] is True
    refused = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "hi"}, headers=auth("troll"))
    assert refused.status_code == 403
    assert "banned" in refused.get_json()["message"] and "spam links" in refused.get_json()["message"]
    # Reads still work for a banned user.
    assert client.get(f"/api/v1/articles/{article_id}/comments", headers=auth("troll")).status_code == 200
    assert client.delete("/api/v1/moderation/users/troll/ban", headers=mod).get_json()["banned"] is False
    assert client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "hi"}, headers=auth("troll")).status_code == 201
    actions = [e["action"] for e in client.get("/api/v1/moderation/log?subject_id=troll", headers=mod).get_json()["items"]]
    assert actions == ["unban", "ban"]


def test_timed_ban_ends_by_itself(client, auth, make_article, app):
    from datetime import datetime, timedelta, timezone

    article_id = make_article()["id"]
    until = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    client.put("/api/v1/moderation/users/troll/ban", json={"reason": "cool off", "until": until}, headers=auth("mod", "moderator"))
    assert client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "hi"}, headers=auth("troll")).status_code == 403
    with app.app_context():
        from engagement.extensions import db
        from engagement.models import User

        db.session.get(User, "troll").banned_until = datetime.now(timezone.utc) - timedelta(seconds=1)
        db.session.commit()
    assert client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "hi"}, headers=auth("troll")).status_code == 201


def test_only_admins_ban_moderators(client, auth, make_article):
    # mod2's row learns the moderator role from the token of their first write.
    article_id = make_article()["id"]
    client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "hi"}, headers=auth("mod2", "moderator"))
    assert client.put("/api/v1/moderation/users/mod2/ban", json={"reason": "x"}, headers=auth("mod", "moderator")).status_code == 403
    assert client.put("/api/v1/moderation/users/mod2/ban", json={"reason": "x"}, headers=auth("root", "admin")).status_code == 200


def test_audit_log_paginates_newest_first(client, auth, make_article):
    article_id = make_article()["id"]
    for i in range(5):
        post(client, auth, article_id, f"comment {i}")
    mod = auth("mod", "moderator")
    first = client.get("/api/v1/moderation/log?limit=3", headers=mod).get_json()
    second = client.get(f"/api/v1/moderation/log?limit=3&cursor={first['next_cursor']}", headers=mod).get_json()
    ids = [e["id"] for e in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 5


class TestDecisionsAreSticky:
    """An edit of text a moderator rejected, or that reports hold, goes back to the moderators, never to the public."""

    def test_an_edit_of_a_rejected_comment_waits_for_a_moderator(self, client, auth, make_article, app):
        app.config["REPORTS_TO_REVIEW"] = 2
        article_id = make_article()["id"]
        comment = post(client, auth, article_id, "Contested remark.")
        for reporter in ("r1", "r2"):
            client.post(f"/api/v1/comments/{comment['id']}/reports", json={"reason": "rude"}, headers=auth(reporter))
        mod = auth("mod", "moderator")
        client.post(f"/api/v1/moderation/comments/{comment['id']}/decision", json={"action": "reject"}, headers=mod)
        url = f"/api/v1/comments/{comment['id']}"
        for body in ("Contested remark!", "Contested remark?"):  # an edit of the edit stays with the moderators too
            edited = client.patch(url, json={"body": body}, headers=auth("alice"))
            assert edited.status_code == 200
            assert edited.get_json()["status"] == "pending_review"
            assert edited.get_json()["moderation"]["reason"] == "edited_after_moderator_reject"
            assert client.get(url).status_code == 404
            assert client.get(url, headers=auth("bob")).status_code == 404
            assert comment["id"] not in [c["id"] for c in client.get(f"/api/v1/articles/{article_id}/comments").get_json()["items"]]
            assert client.get(f"/api/v1/articles/{article_id}").get_json()["comment_count"] == 0
            queue = client.get("/api/v1/moderation/queue", headers=mod).get_json()["items"]
            assert [(c["id"], c["text"], c["moderation"]["reason"]) for c in queue] == [
                (comment["id"], body, "edited_after_moderator_reject")
            ]
        log = client.get(f"/api/v1/moderation/log?subject_id={comment['id']}", headers=mod).get_json()["items"]
        assert (log[0]["action"], log[0]["reason"]) == ("auto_pending_review", "edited_after_moderator_reject")
        # The moderator decides again, and only then is it public.
        client.post(f"/api/v1/moderation/comments/{comment['id']}/decision", json={"action": "approve"}, headers=mod)
        assert client.get(url).get_json()["body"] == "Contested remark?"

    def test_an_edit_of_a_comment_held_by_reports_waits_for_a_moderator(self, client, auth, make_article, app):
        app.config["REPORTS_TO_REVIEW"] = 2
        article_id = make_article()["id"]
        comment = post(client, auth, article_id, "Contested remark.")
        for reporter in ("r1", "r2"):
            client.post(f"/api/v1/comments/{comment['id']}/reports", json={"reason": "rude"}, headers=auth(reporter))
        edited = client.patch(f"/api/v1/comments/{comment['id']}", json={"body": "Contested remark!"}, headers=auth("alice"))
        assert edited.get_json()["status"] == "pending_review"
        assert edited.get_json()["moderation"]["reason"] == "edited_while_reported"
        assert client.get(f"/api/v1/comments/{comment['id']}").status_code == 404
        assert client.get(f"/api/v1/articles/{article_id}").get_json()["comment_count"] == 0
        mod = auth("mod", "moderator")
        queue = client.get("/api/v1/moderation/queue", headers=mod).get_json()["items"]
        assert [(c["id"], c["moderation"]["reason"]) for c in queue] == [(comment["id"], "edited_while_reported")]

    def test_an_edit_of_a_model_held_comment_is_still_the_models_call(self, client, auth, make_article):
        comment = post(client, auth, make_article()["id"], "an insult-word")
        edited = client.patch(f"/api/v1/comments/{comment['id']}", json={"body": "a kind word"}, headers=auth("alice"))
        assert edited.get_json()["status"] == "published"

    def test_a_new_quote_on_a_rejected_repost_waits_for_a_moderator(self, client, auth, make_article):
        article_id = make_article()["id"]
        url = f"/api/v1/articles/{article_id}/repost"
        repost = client.put(url, json={"quote": "a sly jab"}, headers=auth("alice")).get_json()
        mod = auth("mod", "moderator")
        assert client.post(f"/api/v1/moderation/reposts/{repost['id']}/decision", json={"action": "reject"}, headers=mod).status_code == 200
        same = client.put(url, json={"quote": "a sly jab"}, headers=auth("alice")).get_json()
        assert same["quote_status"] == "rejected"  # the same quote again changes nothing
        edited = client.put(url, json={"quote": "a sly jab!"}, headers=auth("alice")).get_json()
        assert edited["quote_status"] == "pending_review"
        assert edited["moderation"]["reason"] == "edited_after_moderator_reject"
        assert client.get(f"/api/v1/articles/{article_id}/reposts").get_json()["items"][0]["quote"] is None
        queue = client.get("/api/v1/moderation/queue?kind=repost", headers=mod).get_json()["items"]
        assert [(i["id"], i["text"]) for i in queue] == [(repost["id"], "a sly jab!")]


class TestBannedModerators:
    """A ban stops a moderator or an admin as it stops anyone: no decision, ban, unban, pin or deletion."""

    @pytest.mark.parametrize("role", ["moderator", "admin"])
    def test_a_banned_moderator_or_admin_writes_nothing(self, client, auth, make_article, role):
        article_id = make_article()["id"]
        held = post(client, auth, article_id, "an insult-word")
        public = post(client, auth, article_id, "a fine remark")
        staff = auth("staff", role)
        assert client.get(f"/api/v1/comments/{public['id']}/pin", headers=staff).status_code == 405
        ban = client.put("/api/v1/moderation/users/staff/ban", json={"reason": "abuse of tools"}, headers=auth("root2", "admin"))
        assert ban.status_code == 200
        attempts = [
            client.post(f"/api/v1/moderation/comments/{held['id']}/decision", json={"action": "approve"}, headers=staff),
            client.post(f"/api/v1/moderation/comments/{public['id']}/decision", json={"action": "reject"}, headers=staff),
            client.put("/api/v1/moderation/users/someone/ban", json={"reason": "x"}, headers=staff),
            client.delete("/api/v1/moderation/users/staff/ban", headers=staff),
            client.put(f"/api/v1/comments/{public['id']}/pin", headers=staff),
            client.delete(f"/api/v1/comments/{public['id']}/pin", headers=staff),
            client.delete(f"/api/v1/comments/{public['id']}", headers=staff),
        ]
        if role == "admin":
            attempts += [
                client.put(f"/api/v1/pins/{article_id}", json={}, headers=staff),
                client.delete(f"/api/v1/pins/{article_id}", headers=staff),
                client.put(f"/api/v1/articles/{article_id}", json={"title": "T", "url": "https://a.example/x", "author_id": "w"}, headers=staff),
                client.post("/api/v1/admin/users/bob/credits", json={"amount": 5}, headers={**staff, "Idempotency-Key": "k"}),
            ]
        for response in attempts:
            assert response.status_code == 403, (response.request.method, response.request.path, response.get_json())
            assert "banned" in response.get_json()["message"] and "abuse of tools" in response.get_json()["message"]
        assert client.get(f"/api/v1/comments/{held['id']}").status_code == 404
        assert client.get(f"/api/v1/comments/{public['id']}").get_json()["status"] == "published"
        assert client.get("/api/v1/moderation/users/someone/ban", headers=staff).status_code == 405
        log = client.get("/api/v1/moderation/log", headers=auth("root2", "admin")).get_json()["items"]
        assert [e["action"] for e in log if e["actor_id"] == "staff"] == []
        # Reads still work, and the ban is still in place.
        assert client.get("/api/v1/moderation/queue", headers=staff).status_code == 200
        assert client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "hi"}, headers=staff).status_code == 403

    def test_only_an_admin_lifts_the_ban_of_a_moderator(self, client, auth, make_article):
        article_id = make_article()["id"]
        # A write: the row learns the moderator role from the token.
        client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "hi"}, headers=auth("mod2", "moderator"))
        client.put("/api/v1/moderation/users/mod2/ban", json={"reason": "x"}, headers=auth("root", "admin"))
        refused = client.delete("/api/v1/moderation/users/mod2/ban", headers=auth("mod", "moderator"))
        assert refused.status_code == 403
        assert client.get("/api/v1/moderation/log?subject_id=mod2", headers=auth("mod", "moderator")).get_json()["items"][0]["action"] == "ban"
        lifted = client.delete("/api/v1/moderation/users/mod2/ban", headers=auth("root", "admin"))
        assert lifted.status_code == 200 and lifted.get_json()["banned"] is False


class TestBansOfIdsNotYetKnown:
    """A moderator may ban an id the service has not seen; the ban binds a user, never a moderator or an admin."""

    @pytest.mark.parametrize("role", ["admin", "moderator"])
    def test_a_moderators_ban_does_not_bind_an_id_that_arrives_as_staff(self, client, auth, make_article, role):
        article_id = make_article()["id"]
        assert client.put("/api/v1/moderation/users/newcomer/ban", json={"reason": "x"}, headers=auth("mod", "moderator")).status_code == 200
        staff = auth("newcomer", role)
        assert client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "hi"}, headers=staff).status_code == 201
        held = post(client, auth, article_id, "an insult-word")
        assert client.post(f"/api/v1/moderation/comments/{held['id']}/decision", json={"action": "approve"}, headers=staff).status_code == 200
        # The same id with a plain user's token is still banned.
        assert client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "hi"}, headers=auth("newcomer")).status_code == 403

    def test_an_admins_ban_binds_an_id_that_arrives_as_an_admin(self, client, auth, make_article):
        article_id = make_article()["id"]
        client.put("/api/v1/moderation/users/newcomer/ban", json={"reason": "compromised"}, headers=auth("root", "admin"))
        refused = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "hi"}, headers=auth("newcomer", "admin"))
        assert refused.status_code == 403 and "compromised" in refused.get_json()["message"]
