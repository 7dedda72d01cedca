"""Bad input on every write endpoint: a clear JSON 400/413/422 and no change to anything."""

import pytest

OVERSIZED = "x" * 17 * 1024


class Raw(bytes):
    """A body sent as exactly these bytes, with Content-Type: application/json."""


# Each undecodable: broken syntax, nesting past the parser's recursion limit, an integer past Python's
# 4,300-digit limit, and a lone surrogate escape (valid JSON that no database can store).
RAW_BODIES = [
    ("malformed-json", Raw(b'{"body": "x",')),
    ("nested-too-deep", Raw(b"[" * 5000 + b"]" * 5000)),
    ("integer-too-long", Raw(b'{"amount": 1' + b"0" * 5000 + b"}")),
    ("lone-surrogate", Raw(b'{"body": "\\ud800 hi"}')),
]

# (method, path, [(case id, body, expected status)])
WRITE_ENDPOINTS = [
    ("PUT", "/api/v1/articles/{article}", [
        ("missing", {}, 422),
        ("wrong-types", {"title": 1, "url": ["x"], "author_id": None}, 422),
        ("unknown-field", {"title": "T", "url": "https://news.example/a", "author_id": "x", "votes": 3}, 422),
        ("bad-url", {"title": "T", "url": "javascript:alert(1)", "author_id": "x"}, 422),
        ("too-long", {"title": "T" * 301, "url": "https://news.example/a", "author_id": "x"}, 422),
        ("nul-in-title", {"title": "T\x00", "url": "https://news.example/a", "author_id": "x"}, 422),
        ("control-in-author", {"title": "T", "url": "https://news.example/a", "author_id": "x\x1b"}, 422),
        ("nul-in-url", {"title": "T", "url": "https://news.example/a\x00", "author_id": "x"}, 422),
    ]),
    ("POST", "/api/v1/articles/{article}/comments", [
        ("missing", {}, 422),
        ("wrong-types", {"body": 5, "parent_id": "one"}, 422),
        ("parent-beyond-any-id", {"body": "hi", "parent_id": 2**31}, 422),
        ("unknown-field", {"body": "hi", "status": "published"}, 422),
        ("too-long", {"body": "a" * 401}, 422),
        ("not-an-object", ["hi"], 422),
    ]),
    ("PATCH", "/api/v1/comments/{comment}", [
        ("missing", {}, 422),
        ("wrong-types", {"body": {"text": "x"}}, 422),
        ("unknown-field", {"body": "hi", "author": "bob"}, 422),
        ("too-long", {"body": "😀" * 401}, 422),
    ]),
    ("POST", "/api/v1/comments/{comment}/reports", [
        ("missing", {}, 422),
        ("wrong-types", {"reason": 7}, 422),
        ("unknown-field", {"reason": "spam", "weight": 10}, 422),
        ("too-long", {"reason": "r" * 501}, 422),
        ("nul-in-reason", {"reason": "spam\x00"}, 422),
    ]),
    ("POST", "/api/v1/moderation/comments/{comment}/decision", [
        ("missing", {}, 422),
        ("wrong-types", {"action": True}, 422),
        ("unknown-action", {"action": "delete"}, 422),
        ("unknown-field", {"action": "approve", "status": "x"}, 422),
        ("nul-in-reason", {"action": "approve", "reason": "ok\x00"}, 422),
    ]),
    ("PUT", "/api/v1/moderation/users/{target}/ban", [
        ("missing", {}, 422),
        ("wrong-types", {"reason": ["x"], "until": 5}, 422),
        ("naive-until", {"reason": "x", "until": "2030-01-01T00:00:00"}, 422),
        ("past-until", {"reason": "x", "until": "2001-01-01T00:00:00+00:00"}, 422),
        ("until-beyond-utc", {"reason": "x", "until": "9999-12-31T23:59:59-05:00"}, 422),
        ("unknown-field", {"reason": "x", "forever": True}, 422),
        ("nul-in-reason", {"reason": "x\x00"}, 422),
    ]),
    ("POST", "/api/v1/admin/users/{target}/credits", [
        ("missing", {}, 422),
        ("wrong-types", {"amount": "10"}, 422),
        ("not-positive", {"amount": 0}, 422),
        ("fraction", {"amount": 1.5}, 422),
        ("unknown-currency", {"amount": 1, "currency": "BTC"}, 422),
        ("unknown-field", {"amount": 1, "bonus": 1}, 422),
        ("nul-in-note", {"amount": 1, "note": "n\x00"}, 422),
    ]),
    ("POST", "/api/v1/articles/{article}/rewards", [
        ("missing", {}, 422),
        ("wrong-types", {"amount": [1], "message": 3}, 422),
        ("negative", {"amount": -5}, 422),
        ("unknown-field", {"amount": 1, "to": "me"}, 422),
        ("too-long-message", {"amount": 1, "message": "m" * 401}, 422),
    ]),
    ("PUT", "/api/v1/articles/{article}/repost", [
        ("wrong-types", {"quote": 12}, 422),
        ("unknown-field", {"quote": "q", "pinned": True}, 422),
        ("too-long", {"quote": "q" * 401}, 422),
    ]),
    ("POST", "/api/v1/articles/{article}/shares", [
        ("missing", {}, 422),
        ("wrong-types", {"channel": 1}, 422),
        ("unknown-channel", {"channel": "fax"}, 422),
        ("unknown-field", {"channel": "x", "count": 100}, 422),
        ("nul-in-channel", {"channel": "x\x00"}, 422),
    ]),
    ("PUT", "/api/v1/pins/{article}", [
        ("wrong-types", {"position": "first"}, 422),
        ("naive-time", {"expires_at": "2030-01-01T00:00:00"}, 422),
        ("past", {"expires_at": "2001-01-01T00:00:00Z"}, 422),
        ("beyond-utc", {"expires_at": "9999-12-31T23:59:59-05:00"}, 422),
        ("unknown-field", {"colour": "red"}, 422),
    ]),
    ("POST", "/api/v1/articles/engagement", [
        ("missing", {}, 422),
        ("wrong-types", {"article_ids": "a,b"}, 422),
        ("empty", {"article_ids": []}, 422),
        ("too-many", {"article_ids": [str(i) for i in range(101)]}, 422),
        ("nul-in-id", {"article_ids": ["a\x00"]}, 422),
    ]),
]
COMMON_CASES = [(case_id, body, 400) for case_id, body in RAW_BODIES] + [("oversized", {"body": OVERSIZED}, 413)]

CASES = [
    (method, path, case_id, body, status)
    for method, path, cases in WRITE_ENDPOINTS
    for case_id, body, status in cases + COMMON_CASES
]


def snapshot(app):
    """Everything a write could touch."""
    from sqlalchemy import text

    from engagement.extensions import db

    with app.app_context():
        tables = [
            "users", "articles", "comments", "comment_reports", "comment_likes", "comment_revisions", "audit_log",
            "wallets", "ledger_entries", "rewards", "reposts", "shares", "article_share_counts", "idempotency_records",
        ]
        return {table: db.session.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all() for table in tables}


@pytest.mark.parametrize(("method", "path", "case_id", "body", "status"), CASES, ids=[f"{c[0]} {c[1]} {c[2]}" for c in CASES])
def test_bad_input_is_rejected_and_changes_nothing(app, client, auth, make_comment, method, path, case_id, body, status):
    comment = make_comment(author="alice")
    # The owner edits; an admin does everything else, so authorization never hides a validation error.
    headers = auth("alice") if method == "PATCH" else auth("carol") if path.endswith(("reports", "rewards", "repost")) else auth("root", "admin")
    headers["Idempotency-Key"] = "bad-input"
    if path.endswith("rewards"):
        client.post("/api/v1/admin/users/carol/credits", json={"amount": 50}, headers={**auth("root", "admin"), "Idempotency-Key": "seed"})
    url = path.format(article=comment["article_id"], comment=comment["id"], target="troll")
    before = snapshot(app)
    if isinstance(body, Raw):
        response = client.open(url, method=method, data=bytes(body), headers={**headers, "Content-Type": "application/json"})
    else:
        response = client.open(url, method=method, json=body, headers=headers)
    assert response.status_code == status, response.get_json()
    payload = response.get_json()
    assert payload["code"] == status and payload["message"]
    if status == 422:
        assert payload["errors"], payload
    assert snapshot(app) == before


BEYOND_ANY_ID = [2**31, 10**30]  # past PostgreSQL's INTEGER, past SQLite's 64-bit integer


@pytest.mark.parametrize("number", BEYOND_ANY_ID)
def test_an_id_beyond_the_column_is_a_json_404_and_changes_nothing(app, client, auth, make_comment, number):
    make_comment(author="alice")
    before = snapshot(app)
    admin = {**auth("root", "admin"), "Idempotency-Key": "huge-id"}
    for method, path, body in [
        ("GET", "/api/v1/comments/{n}", None),
        ("PATCH", "/api/v1/comments/{n}", {"body": "edited"}),
        ("DELETE", "/api/v1/comments/{n}", None),
        ("PUT", "/api/v1/comments/{n}/like", None),
        ("POST", "/api/v1/comments/{n}/reports", {"reason": "spam"}),
        ("PUT", "/api/v1/comments/{n}/pin", None),
        ("POST", "/api/v1/moderation/comments/{n}/decision", {"action": "approve"}),
        ("POST", "/api/v1/moderation/rewards/{n}/decision", {"action": "reject"}),
    ]:
        response = client.open(path.format(n=number), method=method, json=body, headers=admin)
        assert response.status_code == 404 and response.get_json()["code"] == 404, (method, path)
    listing = client.get(f"/api/v1/articles/a/comments?parent_id={number}")
    assert listing.status_code == 422 and "parent_id" in listing.get_json()["errors"]
    assert snapshot(app) == before


@pytest.mark.parametrize("key", [[2**31], [10**30], [1e400], ["0001-01-01T00:00:00+05:00", 1], [10**30, 1]])
def test_a_crafted_cursor_is_a_json_400(client, auth, make_comment, key):
    from engagement.pagination import encode_cursor

    article = make_comment(author="alice")["article_id"]
    cursor = encode_cursor(*key)
    moderator = auth("mod", "moderator")
    urls = [f"/api/v1/articles/{article}/comments?sort=newest&cursor={cursor}",
            f"/api/v1/articles/{article}/comments?sort=oldest&cursor={cursor}",
            f"/api/v1/articles/{article}/comments?sort=top&cursor={cursor}",
            f"/api/v1/articles/{article}/reposts?cursor={cursor}",
            f"/api/v1/me/wallet?cursor={cursor}",
            f"/api/v1/moderation/queue?cursor={cursor}",
            f"/api/v1/moderation/log?cursor={cursor}"]
    for url in urls:
        response = client.get(url, headers=moderator)
        assert response.status_code == 400, (url, response.get_json())
        assert response.get_json()["errors"] == {"cursor": ["Invalid cursor."]}


def test_a_write_with_no_body_is_a_json_422(client, auth, make_article):
    article_id = make_article()["id"]
    for headers in [{}, {"Content-Type": "application/json"}]:  # anonymous share: no token, no body
        response = client.post(f"/api/v1/articles/{article_id}/shares", headers=headers)
        assert response.status_code == 422 and "channel" in response.get_json()["errors"]
    response = client.post(f"/api/v1/articles/{article_id}/comments", headers=auth())
    assert response.status_code == 422 and "body" in response.get_json()["errors"]
