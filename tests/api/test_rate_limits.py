"""Rate limits by name, keyed by user when authenticated, else by (proxy-aware) address."""

import pytest

LIMITED = {"RATELIMIT_ENABLED": True, "RATELIMIT_COMMENTS": "2/minute", "RATELIMIT_READS": "3/minute"}


@pytest.fixture
def app_config():
    return dict(LIMITED)


def test_comment_limit_is_per_user_with_headers_and_json_429(client, auth, make_article):
    article_id = make_article()["id"]
    url = f"/api/v1/articles/{article_id}/comments"
    first = client.post(url, json={"body": "one"}, headers=auth("alice"))
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert int(first.headers["X-RateLimit-Reset"]) > 0
    assert client.post(url, json={"body": "two"}, headers=auth("alice")).status_code == 201
    refused = client.post(url, json={"body": "three"}, headers=auth("alice"))
    assert refused.status_code == 429
    assert refused.content_type == "application/json"
    assert refused.get_json()["code"] == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    # Another user has a budget of their own.
    assert client.post(url, json={"body": "bob's"}, headers=auth("bob")).status_code == 201
    # The refused comment was not stored.
    assert client.get(f"/api/v1/articles/{article_id}", environ_base={"REMOTE_ADDR": "10.9.9.9"}).get_json()["comment_count"] == 3


def test_reads_are_limited_per_address(client, make_article):
    article_id = make_article()["id"]
    url = f"/api/v1/articles/{article_id}"
    for _ in range(3):
        assert client.get(url, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
    assert client.get(url, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 429
    assert client.get(url, environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200


def test_forwarded_for_is_ignored_from_untrusted_peers(client, make_article):
    article_id = make_article()["id"]
    url = f"/api/v1/articles/{article_id}"
    for i in range(3):
        client.get(url, headers={"X-Forwarded-For": f"203.0.113.{i}"}, environ_base={"REMOTE_ADDR": "10.0.0.5"})
    spoofed = client.get(url, headers={"X-Forwarded-For": "203.0.113.99"}, environ_base={"REMOTE_ADDR": "10.0.0.5"})
    assert spoofed.status_code == 429


@pytest.mark.parametrize("app_config", [{**LIMITED, "TRUSTED_PROXIES": ["127.0.0.1/32"]}])
def test_forwarded_for_is_honoured_from_trusted_proxies(client, make_article, app_config):
    article_id = make_article()["id"]
    url = f"/api/v1/articles/{article_id}"
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(3):
        assert client.get(url, headers={"X-Forwarded-For": "198.51.100.7"}, environ_base=proxy).status_code == 200
    assert client.get(url, headers={"X-Forwarded-For": "198.51.100.7"}, environ_base=proxy).status_code == 429
    # A client-supplied hop in front of the real one does not buy a new budget.
    assert client.get(url, headers={"X-Forwarded-For": "1.2.3.4, 198.51.100.7"}, environ_base=proxy).status_code == 429
    assert client.get(url, headers={"X-Forwarded-For": "198.51.100.8"}, environ_base=proxy).status_code == 200


def test_health_probes_are_never_limited(client):
    for _ in range(5):
        assert client.get("/healthz").status_code == 200


def test_read_limit_is_per_address_even_for_signed_in_readers(client, auth, make_article):
    article_id = make_article()["id"]
    url = f"/api/v1/articles/{article_id}"
    address = {"REMOTE_ADDR": "10.0.0.9"}
    for user in ("u1", "u2", "u3"):
        assert client.get(url, headers=auth(user), environ_base=address).status_code == 200
    assert client.get(url, headers=auth("u4"), environ_base=address).status_code == 429
