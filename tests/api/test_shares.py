"""Shares through HTTP: per-channel counters and the links to share."""

from urllib.parse import parse_qs, urlsplit

import pytest


class TestShare:
    def test_share_counts_per_channel_and_builds_links(self, client, auth, make_article):
        article = make_article(title="Rates & you")
        response = client.post(f"/api/v1/articles/{article['id']}/shares", json={"channel": "telegram"}, headers=auth("alice"))
        assert response.status_code == 201
        share = response.get_json()
        query = parse_qs(urlsplit(share["share_url"]).query)
        assert share["share_url"].startswith(article["url"])
        assert query == {"utm_source": ["telegram"], "utm_medium": ["social"], "utm_campaign": ["engagement"], "ref": ["alice"]}
        assert share["intent_url"].startswith("https://t.me/share/url?url=")
        assert "Rates%20%26%20you" in share["intent_url"]
        anonymous = client.post(f"/api/v1/articles/{article['id']}/shares", json={"channel": "copy_link"}).get_json()
        assert "ref" not in parse_qs(urlsplit(anonymous["share_url"]).query) and anonymous["intent_url"] is None
        client.post(f"/api/v1/articles/{article['id']}/shares", json={"channel": "telegram"})
        summary = client.get(f"/api/v1/articles/{article['id']}").get_json()
        assert summary["share_count"] == 3 and summary["share_counts"] == {"telegram": 2, "copy_link": 1}

    def test_unknown_channel_is_422(self, client, make_article):
        article_id = make_article()["id"]
        response = client.post(f"/api/v1/articles/{article_id}/shares", json={"channel": "myspace"})
        assert response.status_code == 422 and "channel" in response.get_json()["errors"]
        assert client.get(f"/api/v1/articles/{article_id}").get_json()["share_count"] == 0


@pytest.mark.parametrize("channel", ["x", "facebook", "linkedin", "reddit", "whatsapp", "email"])
def test_every_social_channel_has_an_intent_url(client, make_article, channel):
    article_id = make_article()["id"]
    share = client.post(f"/api/v1/articles/{article_id}/shares", json={"channel": channel}).get_json()
    assert share["intent_url"] and "utm_source%3D" + channel in share["intent_url"]
