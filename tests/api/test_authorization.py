"""Every endpoint x every role: anonymous, a user, the owner, another user, a moderator, an admin."""

import pytest

ROLES = ("anonymous", "user", "owner", "other_user", "moderator", "admin")
CALLERS = {
    "user": ("carol", "user"),
    "owner": ("alice", "user"),  # alice writes the comment every case starts from
    "other_user": ("bob", "user"),
    "moderator": ("mod", "moderator"),
    "admin": ("root", "admin"),
}

# (method, path template, json body, {role: expected status}); missing roles expect "default".
ENDPOINTS = [
    ("GET", "/api/v1/articles/{article}", None, {"default": 200}),
    ("PUT", "/api/v1/articles/{article}", {"title": "T", "url": "https://news.example/a", "author_id": "x"},
     {"anonymous": 401, "admin": 200, "default": 403}),
    ("GET", "/api/v1/articles/{article}/comments", None, {"default": 200}),
    ("POST", "/api/v1/articles/{article}/comments", {"body": "hello"}, {"anonymous": 401, "default": 201}),
    ("GET", "/api/v1/comments/{comment}", None, {"default": 200}),
    ("PATCH", "/api/v1/comments/{comment}", {"body": "edited"}, {"anonymous": 401, "owner": 200, "default": 403}),
    ("DELETE", "/api/v1/comments/{comment}", None,
     {"anonymous": 401, "owner": 204, "moderator": 204, "admin": 204, "default": 403}),
    ("PUT", "/api/v1/comments/{comment}/like", None, {"anonymous": 401, "default": 200}),
    ("DELETE", "/api/v1/comments/{comment}/like", None, {"anonymous": 401, "default": 200}),
    ("POST", "/api/v1/comments/{comment}/reports", {"reason": "spam"}, {"anonymous": 401, "owner": 422, "default": 201}),
    ("GET", "/api/v1/moderation/queue", None, {"anonymous": 401, "moderator": 200, "admin": 200, "default": 403}),
    ("POST", "/api/v1/moderation/comments/{comment}/decision", {"action": "reject"},
     {"anonymous": 401, "moderator": 200, "admin": 200, "default": 403}),
    ("GET", "/api/v1/moderation/log", None, {"anonymous": 401, "moderator": 200, "admin": 200, "default": 403}),
    ("PUT", "/api/v1/moderation/users/{target}/ban", {"reason": "spam"},
     {"anonymous": 401, "moderator": 200, "admin": 200, "default": 403}),
    ("DELETE", "/api/v1/moderation/users/{target}/ban", None,
     {"anonymous": 401, "moderator": 200, "admin": 200, "default": 403}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS, ids=[f"{e[0]} {e[1]}" for e in ENDPOINTS])
def test_role_matrix(client, auth, make_article, make_comment, role, method, path, body, expected):
    article = make_article()
    comment = make_comment(article_id=article["id"], author="alice")
    headers = auth(*CALLERS[role]) if role in CALLERS else {}
    url = path.format(article=article["id"], comment=comment["id"], target="troll")
    response = client.open(url, method=method, json=body, headers=headers)
    want = expected.get(role, expected["default"])
    assert response.status_code == want, response.get_json()
    if want >= 400:
        assert response.get_json()["code"] == want
