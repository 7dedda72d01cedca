"""The OpenAPI document tells the truth: who needs a token, and which errors each operation can answer."""

import pytest

BEARER = [{"bearerAuth": []}]
OPTIONAL = [{}, {"bearerAuth": []}]
METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def operation(spec, method, path):
    return spec["paths"][path][method.lower()]


def assert_documented(spec, method, path, response):
    """A real answer's status is among the operation's documented responses, with the Error body."""
    documented = operation(spec, method, path)["responses"]
    status = str(response.status_code)
    assert status in documented, f"{method} {path} answered {status}, documented only {sorted(documented)}"
    component = documented[status]["$ref"].rsplit("/", 1)[-1]
    schema = spec["components"]["responses"][component]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Error"}
    assert set(response.get_json()) <= set(spec["components"]["schemas"]["Error"]["properties"])


def test_every_operation_declares_its_security(spec):
    operations = [(method, path, op) for path, ops in spec["paths"].items() for method, op in ops.items() if method in METHODS]
    assert len(operations) == 36  # 32 + the word lists' three + the console's author history
    # Without its own, an operation would inherit the document-wide security and show a padlock.
    assert [(method, path) for method, path, op in operations if "security" not in op] == []


@pytest.mark.parametrize(
    ("method", "path", "security"),
    [
        ("GET", "/healthz", []),
        ("GET", "/readyz", []),
        ("GET", "/api/v1/pins", []),
        ("GET", "/api/v1/articles/{article_id}/comments", OPTIONAL),
        ("GET", "/api/v1/articles/{article_id}", OPTIONAL),
        ("POST", "/api/v1/articles/{article_id}/shares", OPTIONAL),
        ("POST", "/api/v1/articles/engagement", OPTIONAL),
        ("POST", "/api/v1/articles/{article_id}/comments", BEARER),
        ("DELETE", "/api/v1/comments/{comment_id}", BEARER),
        ("GET", "/api/v1/me/wallet", BEARER),
        ("GET", "/api/v1/moderation/queue", BEARER),
        ("PUT", "/api/v1/comments/{comment_id}/pin", BEARER),
    ],
)
def test_security_per_operation(spec, method, path, security):
    assert operation(spec, method, path)["security"] == security


def test_what_the_security_says_is_what_the_api_does(client, spec, make_article):
    article_id = make_article()["id"]
    assert client.get("/healthz").status_code == 200
    assert client.get(f"/api/v1/articles/{article_id}/comments").status_code == 200
    assert client.post(f"/api/v1/articles/{article_id}/shares", json={"channel": "x"}).status_code == 201
    refused = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "hi"})
    assert refused.status_code == 401
    assert_documented(spec, "POST", "/api/v1/articles/{article_id}/comments", refused)


def test_probes_are_never_limited_and_everything_else_documents_429(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method in METHODS:
                assert ("429" in op["responses"]) is (path not in ("/healthz", "/readyz")), (method, path)


def test_errors_the_api_answers_are_documented(client, spec, auth, make_article, make_comment):
    article = make_article()
    comment = make_comment(article_id=article["id"])
    reply = make_comment(article_id=article["id"], parent_id=comment["id"])
    articles, comments = "/api/v1/articles/{article_id}", "/api/v1/comments/{comment_id}"
    answers = [
        ("GET", articles, client.get("/api/v1/articles/ghost"), 404),
        ("GET", articles, client.get(f"/api/v1/articles/{article['id']}", headers={"Authorization": "Basic x"}), 401),
        ("PUT", articles, client.put("/api/v1/articles/new", json={"title": "t", "url": "https://a.example", "author_id": "a"}, headers=auth()), 403),
        ("PUT", articles, client.put("/api/v1/articles/new", json={}, headers=auth("root", "admin")), 422),
        ("GET", comments, client.get("/api/v1/comments/999999"), 404),
        ("PATCH", comments, client.patch(f"/api/v1/comments/{comment['id']}", json={"body": "mine now"}, headers=auth("bob")), 403),
        ("POST", comments + "/reports", client.post(f"/api/v1/comments/{comment['id']}/reports", json={"reason": "spam"}, headers=auth("bob")), 201),
        ("POST", comments + "/reports", client.post(f"/api/v1/comments/{comment['id']}/reports", json={"reason": "spam"}, headers=auth("bob")), 409),
        ("PUT", comments + "/pin", client.put(f"/api/v1/comments/{reply['id']}/pin", headers=auth("mod", "moderator")), 422),
        ("PUT", comments + "/pin", client.put(f"/api/v1/comments/{comment['id']}/pin", headers=auth("bob")), 403),
        ("POST", articles + "/rewards", client.post(f"/api/v1/articles/{article['id']}/rewards", json={"amount": 5}, headers=auth("bob")), 428),
        (
            "POST",
            articles + "/rewards",
            client.post(f"/api/v1/articles/{article['id']}/rewards", json={"amount": 5}, headers={"Idempotency-Key": "k1", **auth("bob")}),
            409,
        ),
        ("POST", "/api/v1/moderation/{collection}/{item_id}/decision", client.post("/api/v1/moderation/comments/999999/decision", json={"action": "approve"}, headers=auth("mod", "moderator")), 404),
        ("GET", "/api/v1/moderation/queue", client.get("/api/v1/moderation/queue", headers=auth("bob")), 403),
        ("POST", articles + "/shares", client.post(f"/api/v1/articles/{article['id']}/shares", json={"channel": "x"}, headers=auth("svc", "service")), 403),
    ]
    for method, path, response, status in answers:
        assert response.status_code == status, (method, path, response.get_json())
        if status >= 400:
            assert_documented(spec, method, path, response)


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_READS": "1/minute"}])
def test_a_rate_limited_answer_is_documented(client, spec, make_article, app_config):
    article_id = make_article()["id"]
    url = f"/api/v1/articles/{article_id}/comments"
    reader = {"REMOTE_ADDR": "10.7.7.7"}  # the read limit is per address: one of its own
    assert client.get(url, environ_base=reader).status_code == 200
    refused = client.get(url, environ_base=reader)
    assert refused.status_code == 429
    assert_documented(spec, "GET", "/api/v1/articles/{article_id}/comments", refused)
