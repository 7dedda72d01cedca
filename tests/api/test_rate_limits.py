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


def test_retry_after_is_sent_on_429_only(client, auth, make_article):
    url = f"/api/v1/articles/{make_article()['id']}/comments"
    accepted = client.post(url, json={"body": "one"}, headers=auth("carol"))
    assert accepted.status_code == 201 and accepted.headers["X-RateLimit-Remaining"] == "1"
    assert "Retry-After" not in accepted.headers and "X-RateLimit-Retry-After" not in accepted.headers
    client.post(url, json={"body": "two"}, headers=auth("carol"))
    refused = client.post(url, json={"body": "three"}, headers=auth("carol"))
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 60
    assert "X-RateLimit-Retry-After" not in refused.headers


def test_a_database_outage_keeps_its_own_retry_after_on_a_limited_route(tmp_path):
    from engagement import create_app
    from tests.conftest import _test_config, issue_token, TEST_SECRET

    # A database that cannot be opened: every query is an OperationalError, as with a stopped server.
    app = create_app(
        _test_config(f"sqlite:///{tmp_path / 'missing' / 'engagement.db'}", **LIMITED, RATELIMIT_STORAGE_URI=f"sqlite:///{tmp_path / 'rl.sqlite3'}")
    )
    headers = {"Authorization": f"Bearer {issue_token(TEST_SECRET, 'dave', 'user')}"}
    response = app.test_client().post("/api/v1/articles/a1/comments", json={"body": "hello"}, headers=headers)
    assert response.status_code == 503 and response.get_json()["code"] == 503
    assert response.headers["Retry-After"] == "5"  # not the limit's window
    assert response.headers["X-RateLimit-Limit"] == "2"


@pytest.mark.parametrize("app_config", [{**LIMITED, "RATELIMIT_WRITES_PER_ADDRESS": "3/minute"}])
def test_fresh_tokens_from_one_address_share_one_write_budget(client, auth, make_article):
    url = f"/api/v1/articles/{make_article()['id']}/comments"
    elsewhere = {"REMOTE_ADDR": "10.7.7.7"}
    statuses = [client.post(url, json={"body": f"n{i}"}, headers=auth(f"fresh-{i}"), environ_base=elsewhere).status_code for i in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    # Another address has its own budget, and a read is not a write.
    assert client.post(url, json={"body": "x"}, headers=auth("fresh-9"), environ_base={"REMOTE_ADDR": "10.7.7.8"}).status_code == 201
    assert client.get(url, environ_base=elsewhere).status_code == 200


@pytest.mark.parametrize("app_config", [{**LIMITED, "RATELIMIT_REWARDS": "2/minute"}])
def test_replaying_an_idempotency_key_does_not_use_the_limit(client, auth, make_article):
    article_id = make_article()["id"]
    credit = client.post(
        "/api/v1/admin/users/tipper/credits", json={"amount": 50}, headers={**auth("root", "admin"), "Idempotency-Key": "seed"}
    )
    assert credit.status_code == 201, credit.get_json()
    url = f"/api/v1/articles/{article_id}/rewards"

    def reward(key: str, amount: int = 1):
        return client.post(url, json={"amount": amount}, headers={**auth("tipper"), "Idempotency-Key": key})

    first = reward("k1")
    assert first.status_code == 201
    replays = [reward("k1") for _ in range(5)]
    assert [r.status_code for r in replays] == [201] * 5
    assert {r.get_json()["id"] for r in replays} == {first.get_json()["id"]}
    # A new key is a new reward and counts: the limit of 2 is reached by the second one, not by the replays.
    assert reward("k2").status_code == 201
    assert reward("k3").status_code == 429
    assert reward("k1").status_code == 201  # still replayed after the limit is reached
    # The same key with another body is refused, and does not move value either.
    assert reward("k1", amount=7).status_code == 422
    assert client.get("/api/v1/me/wallet", headers=auth("tipper")).get_json()["balances"] == {"PTS": 48}
