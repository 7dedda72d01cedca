"""Every error is JSON {code, status, message, errors?}; nothing is HTML and nothing is a 500."""

import re

import pytest


def assert_json_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    payload = response.get_json()
    assert payload["code"] == status
    assert isinstance(payload["status"], str) and isinstance(payload["message"], str)
    return payload


def test_unknown_route_is_json_404(client):
    assert_json_error(client.get("/no/such/route"), 404)
    assert_json_error(client.get("/api/v1/comments/not-a-number"), 404)


def test_wrong_method_is_json_405_with_allow(client):
    response = client.post("/healthz")
    assert_json_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_400(client, auth, make_article):
    article_id = make_article()["id"]
    response = client.post(
        f"/api/v1/articles/{article_id}/comments",
        data="{not json",
        headers={**auth(), "Content-Type": "application/json"},
    )
    assert "JSON" in assert_json_error(response, 400)["message"]


def test_body_over_16_kib_is_413_and_changes_nothing(client, auth, make_article):
    article_id = make_article()["id"]
    response = client.post(
        f"/api/v1/articles/{article_id}/comments",
        data='{"body": "' + "a" * 17000 + '"}',
        headers={**auth(), "Content-Type": "application/json"},
    )
    assert_json_error(response, 413)
    assert client.get(f"/api/v1/articles/{article_id}").get_json()["comment_count"] == 0


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Basic abc", "Bearer not.a.jwt", "Token x"],
)
def test_bad_authorization_header_is_401(client, make_article, header):
    article_id = make_article()["id"]
    response = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "hi"}, headers={"Authorization": header})
    assert_json_error(response, 401)


def test_expired_or_foreign_token_is_401(client, token, make_article):
    import jwt

    article_id = make_article()["id"]
    url = f"/api/v1/articles/{article_id}/comments"
    expired = token("alice", ttl=-10)
    assert "expired" in assert_json_error(client.post(url, json={"body": "hi"}, headers={"Authorization": f"Bearer {expired}"}), 401)["message"]
    forged = jwt.encode({"sub": "alice", "role": "admin", "exp": 9999999999}, "another-secret-" + "y" * 40, algorithm="HS256")
    assert_json_error(client.post(url, json={"body": "hi"}, headers={"Authorization": f"Bearer {forged}"}), 401)
    no_exp = jwt.encode({"sub": "alice"}, "test-secret-" + "x" * 40, algorithm="HS256")
    assert_json_error(client.post(url, json={"body": "hi"}, headers={"Authorization": f"Bearer {no_exp}"}), 401)
    bad_role = jwt.encode({"sub": "alice", "role": "god", "exp": 9999999999}, "test-secret-" + "x" * 40, algorithm="HS256")
    assert_json_error(client.post(url, json={"body": "hi"}, headers={"Authorization": f"Bearer {bad_role}"}), 401)
    long_sub = jwt.encode({"sub": "a" * 65, "exp": 9999999999}, "test-secret-" + "x" * 40, algorithm="HS256")
    assert_json_error(client.post(url, json={"body": "hi"}, headers={"Authorization": f"Bearer {long_sub}"}), 401)
    for unstorable in ["a\x00b", "\ud800", "tab\there"]:
        signed = jwt.encode({"sub": unstorable, "exp": 9999999999}, "test-secret-" + "x" * 40, algorithm="HS256")
        assert_json_error(client.post(url, json={"body": "hi"}, headers={"Authorization": f"Bearer {signed}"}), 401)


def test_a_token_name_the_database_cannot_store_is_dropped(client, make_article):
    import jwt

    article_id = make_article()["id"]
    signed = jwt.encode({"sub": "alice", "name": "Al\x00ice", "exp": 9999999999}, "test-secret-" + "x" * 40, algorithm="HS256")
    response = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "hi"}, headers={"Authorization": f"Bearer {signed}"})
    assert response.status_code == 201 and response.get_json()["author"] == {"id": "alice", "name": None}


@pytest.mark.parametrize("url", ["/api/v1/articles/a%00b", "/api/v1/articles/a/comments?cursor=%00", "/api/v1/moderation/log?subject_id=x%00",
                                 "/no/such%00/route"])
def test_a_nul_in_the_url_is_a_json_400(client, auth, url):
    assert "NUL" in assert_json_error(client.get(url, headers=auth("mod", "moderator")), 400)["message"]
    assert_json_error(client.put(url, json={"title": "T", "url": "https://news.example/a"}, headers=auth("root", "admin")), 400)


def test_anonymous_write_is_401_before_the_body_is_read(client, make_article):
    article_id = make_article()["id"]
    response = client.post(f"/api/v1/articles/{article_id}/comments", json={"nonsense": True})
    assert_json_error(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_unexpected_exception_is_json_500_not_html(app, client, monkeypatch, make_article):
    from engagement.services import articles

    article_id = make_article()["id"]
    monkeypatch.setattr(articles, "summarize_articles", lambda _ids, _viewer: 1 / 0)
    response = client.get(f"/api/v1/articles/{article_id}")
    assert_json_error(response, 500)


def test_openapi_document_and_docs_page(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/articles/{article_id}/comments" in spec["paths"]
    assert "CommentCreate" in spec["components"]["schemas"]


def test_openapi_document_is_valid_and_offers_optional_bearer_auth(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)  # what client generators need; raises on any schema error
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert spec["security"] == [{"bearerAuth": []}, {}]  # a token, or none for reads
    comment_id = spec["paths"]["/api/v1/comments/{comment_id}"]["parameters"][0]
    assert comment_id["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def test_docs_page_loads_every_asset_from_the_app_itself(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert '"/api/v1/openapi.json"' in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) == 3 and all(url.startswith("/api/v1/docs/assets/") for url in assets)  # no CDN
    for url in assets:
        with client.get(url) as asset:  # a file response: closed, or its file stays open
            assert asset.status_code == 200, url
            assert asset.mimetype in ("text/css", "text/javascript", "application/javascript")
            assert asset.cache_control.max_age == 24 * 3600
            assert len(asset.data) > 10_000


@pytest.mark.parametrize("path", ["no-such-file.js", "../__init__.py", "%2e%2e/%2e%2e/__init__.py"])
def test_a_missing_docs_asset_is_json_404(client, path):
    assert_json_error(client.get(f"/api/v1/docs/assets/{path}"), 404)


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": "ok", "moderation_model": "ok"}


@pytest.mark.parametrize("app_config", [{"MODERATION_LOAD": "lazy"}])
def test_not_ready_until_the_model_loads_and_comments_wait_for_review(client, auth, make_article, app_config):
    assert client.get("/readyz").status_code == 503
    response = client.post(f"/api/v1/articles/{make_article()['id']}/comments", json={"body": "hello"}, headers=auth())
    assert response.status_code == 201
    assert response.get_json()["status"] == "pending_review"
    assert response.get_json()["moderation"]["reason"] == "model_not_ready"


def test_not_ready_while_migrations_are_pending(app, client):
    from sqlalchemy import text

    from engagement.extensions import db

    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "older" in response.get_json()["checks"]["database"]


LONG_ID = "u" * 65


@pytest.mark.parametrize("user_id", [LONG_ID, "a\x01b", "a\x7fb", "tab\there", " ", "\u2028"], ids=["65 chars", "SOH", "DEL", "tab", "blank", "line separator"])
def test_a_user_id_no_token_could_carry_is_a_json_404_and_changes_nothing(app, client, auth, user_id):
    """The same on SQLite (which would store it) and PostgreSQL (whose VARCHAR(64) would refuse it with a 500)."""
    from urllib.parse import quote

    path = quote(user_id, safe="")
    answers = [
        client.post(f"/api/v1/admin/users/{path}/credits", json={"amount": 5}, headers={**auth("root", "admin"), "Idempotency-Key": "k"}),
        client.put(f"/api/v1/moderation/users/{path}/ban", json={"reason": "x"}, headers=auth("mod", "moderator")),
        client.delete(f"/api/v1/moderation/users/{path}/ban", headers=auth("mod", "moderator")),
        client.get(f"/api/v1/users/{path}/reposts"),
    ]
    for response in answers:
        assert_json_error(response, 404)
    with app.app_context():
        from sqlalchemy import func, select

        from engagement.extensions import db
        from engagement.models import AuditLogEntry, LedgerEntry, User

        assert [db.session.scalar(select(func.count()).select_from(model)) for model in (AuditLogEntry, LedgerEntry, User)] == [0, 0, 0]


def test_a_64_character_user_id_is_fine(client, auth):
    user_id = "u" * 64
    credited = client.post(f"/api/v1/admin/users/{user_id}/credits", json={"amount": 5}, headers={**auth("root", "admin"), "Idempotency-Key": "k"})
    assert credited.status_code == 201 and credited.get_json()["to_user_id"] == user_id
    assert client.put(f"/api/v1/moderation/users/{user_id}/ban", json={"reason": "x"}, headers=auth("mod", "moderator")).get_json()["banned"] is True
    assert client.get(f"/api/v1/users/{user_id}/reposts").get_json()["items"] == []
