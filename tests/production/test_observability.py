"""Request ids, JSON log lines and /metrics, through the real app."""

from __future__ import annotations

import io
import json
import re

import pytest

from engagement.observability import QUEUE_DEPTH, configure_logging, init_observability, set_gauge_source


@pytest.fixture(autouse=True)
def observed(app):
    # create_app calls this; calling it again is a no-op, and keeps this file independent of that wiring.
    init_observability(app)


def metric_value(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format, 0 when absent; labels match in any order."""
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if match:
            found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
            if found == labels:
                return float(match.group(2))
    return 0.0


def test_a_sane_request_id_is_echoed_and_a_bad_one_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "edge-4f1c.7:2"})
    assert response.headers["X-Request-ID"] == "edge-4f1c.7:2"

    for bad in ("two words", "x" * 200, '"}{"level":"forged'):
        response = client.get("/healthz", headers={"X-Request-ID": bad})
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"]), bad

    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


@pytest.mark.parametrize("app_config", [{"LOG_FORMAT": "json"}])
def test_each_request_writes_one_json_access_line(app, client):
    stream = io.StringIO()
    handler = configure_logging(app)
    previous = handler.setStream(stream)
    try:
        client.get("/api/v1/articles/missing", headers={"X-Request-ID": "req-42"})
    finally:
        handler.setStream(previous)
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = [entry for entry in entries if entry["logger"] == "engagement.access"]
    assert len(access) == 1, entries
    line = access[0]
    assert line["request_id"] == "req-42"
    assert (line["method"], line["path"], line["status"], line["level"]) == ("GET", "/api/v1/articles/missing", 404, "INFO")
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["message"] == "GET /api/v1/articles/missing 404" and line["time"].endswith("+00:00")


def test_metrics_count_requests_by_route_and_moderation_outcomes(app, client, make_comment):
    labels = {"endpoint": "/api/v1/comments/<int:comment_id>", "method": "GET", "status": "404"}
    before = client.get("/metrics").get_data(as_text=True)
    client.get("/api/v1/comments/123456")
    comment = make_comment(body="A thoughtful remark.")
    after = client.get("/metrics")

    assert after.status_code == 200 and after.mimetype == "text/plain"
    text = after.get_data(as_text=True)
    assert metric_value(text, "engagement_http_requests_total", **labels) == metric_value(
        before, "engagement_http_requests_total", **labels
    ) + 1
    assert metric_value(text, "engagement_http_request_duration_seconds_count", **labels) >= 1
    outcome = {"status": comment["status"], "reason": "model_clean"}
    assert metric_value(text, "engagement_moderation_outcomes_total", **outcome) == metric_value(
        before, "engagement_moderation_outcomes_total", **outcome
    ) + 1
    assert metric_value(text, "engagement_moderation_latency_seconds_count") >= 1
    assert metric_value(text, "engagement_moderation_queue_depth") == 0


def test_queue_depth_is_read_at_each_scrape(app, client):
    depth = iter([7, 3])
    set_gauge_source(app, QUEUE_DEPTH, lambda: next(depth))
    assert metric_value(client.get("/metrics").get_data(as_text=True), "engagement_moderation_queue_depth") == 7
    assert metric_value(client.get("/metrics").get_data(as_text=True), "engagement_moderation_queue_depth") == 3


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_READS": "1/minute"}])
def test_metrics_are_not_rate_limited_nor_in_the_api_document(client):
    assert [client.get("/metrics").status_code for _ in range(3)] == [200, 200, 200]
    limited = [client.get("/healthz/nothing"), client.get("/api/v1/articles/a"), client.get("/api/v1/articles/a")]
    assert limited[-1].status_code == 429 and limited[-1].headers["X-Request-ID"]
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/metrics" not in paths and "/healthz" in paths
