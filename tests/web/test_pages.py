"""The browser-facing pages as HTTP: the widget's files, /console, and /demo (development only)."""

from __future__ import annotations

import gzip

import pytest

WIDGET_FILES = ("/widget/v1/engagement.js", "/widget/v1/engagement.css")
GZIP_BUDGET = 40 * 1024


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("/widget/v1/engagement.js", "text/javascript"),
        ("/widget/v1/engagement.css", "text/css"),
        ("/console/assets/console.js", "text/javascript"),
        ("/console/assets/console.css", "text/css"),
    ],
)
def test_assets_have_their_content_type_and_are_cached_then_revalidated(client, path, mimetype):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == mimetype and response.mimetype_params.get("charset") == "utf-8"
    assert response.cache_control.public and response.cache_control.max_age == 300
    etag = response.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_widget_fits_the_gzip_budget(client):
    payload = b"".join(client.get(path).data for path in WIDGET_FILES)
    compressed = len(gzip.compress(payload, compresslevel=9))
    assert 5_000 < compressed <= GZIP_BUDGET, f"{compressed} bytes gzipped"


def test_widget_config_reports_the_deployment_settings(client):
    config = client.get("/widget/v1/config.json").get_json()
    assert config["channels"] == ["x", "telegram", "facebook", "linkedin", "reddit", "whatsapp", "email", "copy_link"]
    assert config["currencies"] == ["PTS"] and config["text_max_length"] == 400
    assert config["edit_window_seconds"] == 900


def test_unknown_widget_file_is_a_json_404(client):
    response = client.get("/widget/v1/nope.js")
    assert response.status_code == 404 and response.get_json()["code"] == 404
    assert client.get("/console/assets/../../wsgi.py").status_code == 404


def test_console_is_a_page_that_loads_its_script(client):
    response = client.get("/console")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "/console/assets/console.js" in html and 'data-development="true"' in html


def test_demo_upserts_the_seed_article_and_mints_tokens(client):
    response = client.get("/demo")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'data-engagement-article="geneva-talks"' in html and "/widget/v1/engagement.js" in html
    article = client.get("/api/v1/articles/geneva-talks").get_json()
    assert "Geneva" in article["title"] and article["author_id"] == "newsroom-desk"

    roles = {}
    for role in ("user", "moderator", "admin"):
        minted = client.get(f"/demo/token?role={role}")
        assert minted.status_code == 200 and minted.headers["Cache-Control"] == "no-store"
        roles[role] = minted.get_json()
        assert roles[role]["role"] == role and roles[role]["expires_in"] == 1800
    reader = {"Authorization": f"Bearer {roles['user']['token']}"}
    assert client.get("/api/v1/me/wallet", headers=reader).get_json()["balances"]["PTS"] == 1000
    # A second token does not credit again while the balance is above the floor.
    client.get("/demo/token?role=user")
    assert client.get("/api/v1/me/wallet", headers=reader).get_json()["balances"]["PTS"] == 1000
    queue = client.get("/api/v1/moderation/queue", headers={"Authorization": f"Bearer {roles['moderator']['token']}"})
    assert queue.status_code == 200
    pin = client.put("/api/v1/pins/geneva-talks", json={}, headers={"Authorization": f"Bearer {roles['admin']['token']}"})
    assert pin.status_code in (200, 201)


def test_demo_token_refuses_unknown_roles(client):
    response = client.get("/demo/token?role=service")
    assert response.status_code == 422
    assert "role" in response.get_json()["errors"]


class TestProduction:
    @pytest.fixture
    def app_config(self):
        return {"ENV": "production"}

    @pytest.mark.parametrize("path", ["/demo", "/demo/token", "/demo/token?role=admin"])
    def test_demo_is_a_json_404(self, client, path):
        response = client.get(path)
        assert response.status_code == 404
        assert response.get_json() == {"code": 404, "status": "Not Found", "message": "There is no demo in production."}
        assert client.get("/api/v1/articles/geneva-talks").status_code == 404

    def test_widget_and_console_are_served(self, client):
        assert client.get("/widget/v1/engagement.js").status_code == 200
        html = client.get("/console").get_data(as_text=True)
        assert 'data-development="false"' in html
