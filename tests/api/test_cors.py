"""CORS: the widgets call the API from the news site's origin; only configured origins get CORS headers."""

import pytest

from engagement import create_app
from engagement.config import load_settings, parse_origins

SITE = "https://news.example"
OTHER = "https://evil.example"
CORS_ON = {"CORS_ORIGINS": [SITE, "http://localhost:8080"], "CORS_MAX_AGE": 600}
LIMITED = {**CORS_ON, "RATELIMIT_ENABLED": True, "RATELIMIT_COMMENTS": "1/minute", "RATELIMIT_READS": "2/minute"}


def preflight(client, url, origin=SITE, method="POST", headers="authorization, content-type, idempotency-key"):
    return client.options(
        url,
        headers={"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers},
    )


def exposed(response) -> set[str]:
    return {name.strip().lower() for name in response.headers.get("Access-Control-Expose-Headers", "").split(",")}


@pytest.mark.parametrize("app_config", [CORS_ON])
def test_preflight_from_an_allowed_origin_is_answered_and_cached(client, make_article, app_config):
    article_id = make_article()["id"]
    response = preflight(client, f"/api/v1/articles/{article_id}/comments")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert response.headers["Access-Control-Max-Age"] == "600"
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert allowed == {"authorization", "content-type", "idempotency-key"}
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Origin" in response.headers.get("Vary", "")
    assert "Access-Control-Allow-Credentials" not in response.headers
    # Another route, another method, the other origin: answered too, never a 404/405.
    other = preflight(client, "/api/v1/comments/1/like", origin="http://localhost:8080", method="PUT", headers="authorization")
    assert other.status_code == 200
    assert other.headers["Access-Control-Allow-Origin"] == "http://localhost:8080"
    assert other.headers["Access-Control-Allow-Headers"].lower() == "authorization"


@pytest.mark.parametrize("app_config", [CORS_ON])
def test_actual_request_carries_cors_and_exposed_headers(client, auth, make_article, app_config):
    article_id = make_article()["id"]
    response = client.post(
        f"/api/v1/articles/{article_id}/comments",
        json={"body": "From the news site."},
        headers={**auth("alice"), "Origin": SITE},
    )
    assert response.status_code == 201
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert exposed(response) == {
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
        "x-request-id",
    }
    assert response.headers["X-Request-ID"]
    read = client.get(f"/api/v1/articles/{article_id}", headers={"Origin": "HTTP://LOCALHOST:8080"})
    assert read.headers["Access-Control-Allow-Origin"] == "HTTP://LOCALHOST:8080"  # schemes and hosts are case-insensitive


@pytest.mark.parametrize("app_config", [CORS_ON])
@pytest.mark.parametrize("origin", [OTHER, "https://news.example.evil.example", "http://news.example", "https://news.example:8443", "null"])
def test_a_disallowed_origin_gets_no_cors_headers(client, make_article, app_config, origin):
    article_id = make_article()["id"]
    for response in (
        preflight(client, f"/api/v1/articles/{article_id}/comments", origin=origin),
        client.get(f"/api/v1/articles/{article_id}", headers={"Origin": origin}),
    ):
        assert response.status_code == 200
        assert not [name for name in response.headers.keys() if name.lower().startswith("access-control-")]


@pytest.mark.parametrize("app_config", [CORS_ON])
def test_error_responses_carry_cors_headers(client, auth, make_article, app_config):
    article_id = make_article()["id"]
    origin = {"Origin": SITE}
    unauthorized = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": "x"}, headers=origin)
    bad_token = client.get("/api/v1/me/wallet", headers={**origin, "Authorization": "Bearer not-a-jwt"})
    missing = client.get("/api/v1/articles/no-such-article", headers=origin)
    invalid = client.post(f"/api/v1/articles/{article_id}/comments", json={"body": ""}, headers={**origin, **auth()})
    for response, status in ((unauthorized, 401), (bad_token, 401), (missing, 404), (invalid, 422)):
        assert response.status_code == status
        assert response.get_json()["code"] == status
        assert response.headers["Access-Control-Allow-Origin"] == SITE
        assert "x-request-id" in exposed(response)


@pytest.mark.parametrize("app_config", [LIMITED])
def test_preflights_consume_no_rate_limit_and_a_429_is_readable(client, auth, make_article, app_config):
    article_id = make_article()["id"]
    url = f"/api/v1/articles/{article_id}/comments"
    for _ in range(10):
        assert preflight(client, url).status_code == 200
        assert preflight(client, f"/api/v1/articles/{article_id}", method="GET").status_code == 200
    assert client.post(url, json={"body": "first"}, headers={**auth(), "Origin": SITE}).status_code == 201
    refused = client.post(url, json={"body": "second"}, headers={**auth(), "Origin": SITE})
    assert refused.status_code == 429
    assert refused.headers["Access-Control-Allow-Origin"] == SITE
    assert {"retry-after", "x-ratelimit-remaining"} <= exposed(refused)
    assert int(refused.headers["Retry-After"]) > 0
    # The read budget (2/minute) is whole after the twenty preflights.
    for _ in range(2):
        assert client.get(f"/api/v1/articles/{article_id}", headers={"Origin": SITE}).status_code == 200


@pytest.mark.parametrize("app_config", [CORS_ON])
def test_preflight_needs_no_token_even_with_a_bad_one(client, make_article, app_config):
    article_id = make_article()["id"]
    response = client.options(
        f"/api/v1/articles/{article_id}/comments",
        headers={"Origin": SITE, "Access-Control-Request-Method": "POST", "Authorization": "Bearer garbage"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SITE


def test_no_origins_configured_means_no_cors_headers(client, make_article):
    article_id = make_article()["id"]
    for response in (
        preflight(client, f"/api/v1/articles/{article_id}/comments"),
        client.get(f"/api/v1/articles/{article_id}", headers={"Origin": SITE}),
    ):
        assert not [name for name in response.headers.keys() if name.lower().startswith("access-control-")]


def test_origins_setting_is_parsed_strictly():
    assert load_settings({})["CORS_ORIGINS"] == []
    assert load_settings({"ENGAGEMENT_CORS_ORIGINS": " https://News.Example/ , http://localhost:8080 "})["CORS_ORIGINS"] == [
        "https://news.example",
        "http://localhost:8080",
    ]
    for bad in ("*", "https://*.example", "news.example", "https://news.example/path", "https://user@news.example", "ftp://x.example"):
        with pytest.raises(ValueError, match="ENGAGEMENT_CORS_ORIGINS"):
            load_settings({"ENGAGEMENT_CORS_ORIGINS": bad})
    assert parse_origins("http://[::1]:8080") == ["http://[::1]:8080"]


def test_an_ipv6_origin_matches_exactly(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite",
            "JWT_SECRET": "s" * 40,
            "MODERATION_LOAD": "on_demand",
            "CORS_ORIGINS": ["http://[::1]:8080"],
        }
    )
    client = app.test_client()
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/openapi.json", headers={"Origin": "http://[::1]:8080"}).headers["Access-Control-Allow-Origin"]
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/openapi.json", headers={"Origin": "http://[::1]:8081"}).headers
