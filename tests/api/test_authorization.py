"""Every endpoint x every role: anonymous, a user, the owner, another user, a moderator, an admin, a service."""

import pytest

ROLES = ("anonymous", "user", "owner", "other_user", "moderator", "admin", "service")
CALLERS = {
    "user": ("carol", "user"),
    "owner": ("alice", "user"),  # alice writes the comment every case starts from
    "other_user": ("bob", "user"),
    "moderator": ("mod", "moderator"),
    "admin": ("root", "admin"),
    "service": ("backoffice", "service"),  # may credit wallets and read; every other write is refused
}

# (method, path template, json body, {role: expected status}); missing roles expect "default".
ENDPOINTS = [
    ("GET", "/api/v1/articles/{article}", None, {"default": 200}),
    ("PUT", "/api/v1/articles/{article}", {"title": "T", "url": "https://news.example/a", "author_id": "x"},
     {"anonymous": 401, "admin": 200, "default": 403}),
    ("GET", "/api/v1/articles/{article}/comments", None, {"default": 200}),
    ("POST", "/api/v1/articles/{article}/comments", {"body": "hello"}, {"anonymous": 401, "service": 403, "default": 201}),
    ("GET", "/api/v1/comments/{comment}", None, {"default": 200}),
    ("PATCH", "/api/v1/comments/{comment}", {"body": "edited"}, {"anonymous": 401, "owner": 200, "default": 403}),
    ("DELETE", "/api/v1/comments/{comment}", None,
     {"anonymous": 401, "owner": 204, "moderator": 204, "admin": 204, "default": 403}),
    ("PUT", "/api/v1/comments/{comment}/like", None, {"anonymous": 401, "service": 403, "default": 200}),
    ("DELETE", "/api/v1/comments/{comment}/like", None, {"anonymous": 401, "service": 403, "default": 200}),
    ("POST", "/api/v1/comments/{comment}/reports", {"reason": "spam"}, {"anonymous": 401, "owner": 422, "service": 403, "default": 201}),
    ("GET", "/api/v1/moderation/queue", None, {"anonymous": 401, "moderator": 200, "admin": 200, "default": 403}),
    ("POST", "/api/v1/moderation/comments/{comment}/decision", {"action": "reject"},
     {"anonymous": 401, "moderator": 200, "admin": 200, "default": 403}),
    ("GET", "/api/v1/moderation/log", None, {"anonymous": 401, "moderator": 200, "admin": 200, "default": 403}),
    ("PUT", "/api/v1/moderation/users/{target}/ban", {"reason": "spam"},
     {"anonymous": 401, "moderator": 200, "admin": 200, "default": 403}),
    ("DELETE", "/api/v1/moderation/users/{target}/ban", None,
     {"anonymous": 401, "moderator": 200, "admin": 200, "default": 403}),
    ("POST", "/api/v1/admin/users/{target}/credits", {"amount": 5}, {"anonymous": 401, "admin": 201, "service": 201, "default": 403}),
    ("POST", "/api/v1/articles/{article}/rewards", {"amount": 1}, {"anonymous": 401, "service": 403, "default": 201}),
    ("GET", "/api/v1/articles/{article}/rewards", None, {"default": 200}),
    ("GET", "/api/v1/me/wallet", None, {"anonymous": 401, "default": 200}),
    ("PUT", "/api/v1/articles/{article}/repost", {"quote": "read this"}, {"anonymous": 401, "service": 403, "default": 201}),
    ("DELETE", "/api/v1/articles/{article}/repost", None, {"anonymous": 401, "service": 403, "default": 204}),
    ("GET", "/api/v1/articles/{article}/reposts", None, {"default": 200}),
    ("GET", "/api/v1/users/alice/reposts", None, {"default": 200}),
    ("POST", "/api/v1/articles/{article}/shares", {"channel": "x"}, {"service": 403, "default": 201}),
    ("POST", "/api/v1/articles/engagement", {"article_ids": ["{article}"]}, {"default": 200}),
    ("GET", "/api/v1/pins", None, {"default": 200}),
    ("PUT", "/api/v1/pins/{article}", {}, {"anonymous": 401, "admin": 200, "default": 403}),
    ("DELETE", "/api/v1/pins/{article}", None, {"anonymous": 401, "admin": 204, "default": 403}),
    ("PUT", "/api/v1/comments/{comment}/pin", None, {"anonymous": 401, "moderator": 200, "admin": 200, "default": 403}),
    ("DELETE", "/api/v1/comments/{comment}/pin", None, {"anonymous": 401, "moderator": 200, "admin": 200, "default": 403}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS, ids=[f"{e[0]} {e[1]}" for e in ENDPOINTS])
def test_role_matrix(client, auth, make_article, make_comment, role, method, path, body, expected):
    article = make_article()
    comment = make_comment(article_id=article["id"], author="alice")
    headers = auth(*CALLERS[role]) if role in CALLERS else {}
    if role in CALLERS and path.endswith("/rewards") and method == "POST":
        # Give the caller something to tip with, so the answer is about authorization, not balance.
        user_id = CALLERS[role][0]
        client.post(f"/api/v1/admin/users/{user_id}/credits", json={"amount": 5}, headers={**auth("root", "admin"), "Idempotency-Key": "seed"})
    headers["Idempotency-Key"] = "matrix"
    url = path.format(article=article["id"], comment=comment["id"], target="troll")
    if body and "article_ids" in body:
        body = {"article_ids": [article["id"]]}
    response = client.open(url, method=method, json=body, headers=headers)
    want = expected.get(role, expected["default"])
    assert response.status_code == want, response.get_json()
    if want >= 400:
        assert response.get_json()["code"] == want
