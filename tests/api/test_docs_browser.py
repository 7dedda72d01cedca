"""The API docs page renders in a real headless Chromium with every outside host unreachable.

The page's scripts come from the app itself (engagement/api/docs.py), so Swagger UI must draw every
operation of the OpenAPI document and its Authorize button with no network beyond 127.0.0.1.
"""

from __future__ import annotations

import shutil
import subprocess
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = next(filter(None, (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome"))), None)


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (scripts/test-all.sh installs it with apt)")
def test_swagger_ui_renders_every_operation_offline(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = sum(1 for item in spec["paths"].values() for method in item if method in {"get", "put", "post", "patch", "delete"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dom = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # a CDN would fail to load
             "--virtual-time-budget=10000", "--dump-dom", f"http://127.0.0.1:{server.server_port}/api/v1/docs"],
            capture_output=True, text=True, timeout=90, check=True,
        ).stdout  # fmt: skip
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert dom.count('class="opblock-summary-path"') == operations > 20
    assert "btn authorize" in dom
    assert 'data-path="/api/v1/articles/{article_id}/comments"' in dom
