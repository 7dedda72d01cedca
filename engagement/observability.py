"""Structured logs, request ids and Prometheus metrics.

- Logs: ``ENGAGEMENT_LOG_FORMAT=json`` writes one JSON object per line (time, level, logger, message,
  request_id and any ``extra`` fields); ``text`` writes plain lines. The default is json when
  ``ENGAGEMENT_ENV=production`` and text otherwise; ``ENGAGEMENT_LOG_LEVEL`` sets the level (INFO).
  Each request writes one access line on the ``engagement.access`` logger.
- Request ids: a sane ``X-Request-ID`` from the caller (or the proxy) is kept, anything else is replaced by
  a fresh one; either way it is on every log line of the request and echoed in the response header.
- Metrics: ``GET /metrics`` in Prometheus' text format, outside the versioned API and its rate limits.
  gunicorn runs several worker processes, each with its own counters; set ``PROMETHEUS_MULTIPROC_DIR`` (for
  gunicorn only) to a directory writable by the workers (gunicorn.conf.py empties it at start and cleans
  up after dead workers) so that any worker answers ``/metrics`` for all of them. Without it each process
  reports only its own numbers, which is right for a single process (``flask run``, tests).
  See docs/production.md.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from functools import wraps
from typing import Any

import pythonjsonlogger.json
from flask import Flask, Response, current_app, g, has_request_context, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from engagement.addresses import client_address
from engagement.extensions import limiter

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("engagement.access")

# In multiprocess mode a metric with no labels gets its file at import: a missing directory must not stop a
# process (a CLI command run with the API's environment) from starting.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and a few separators: enough for UUIDs and most tracing ids, nothing that forges a log line.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

HTTP_REQUESTS = Counter(
    "engagement_http_requests_total", "HTTP requests answered.", ("endpoint", "method", "status")
)
HTTP_LATENCY = Histogram(
    "engagement_http_request_duration_seconds",
    "Time from the request reaching the app to its response.",
    ("endpoint", "method", "status"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
MODERATION_OUTCOMES = Counter(
    "engagement_moderation_outcomes_total", "Automatic moderation decisions.", ("status", "reason")
)
MODERATION_LATENCY = Histogram(
    "engagement_moderation_latency_seconds",
    "Time to score one text with the model, batching wait included.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)


# -- logging ---------------------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on each record that does not bring its own; outside a request, none."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            request_id = _current_request_id()
            if request_id:
                record.request_id = request_id
        return True


class JsonFormatter(pythonjsonlogger.json.JsonFormatter):
    """One JSON object per line: time, level, logger, message, then request_id and ``extra`` fields."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s", defaults={"request_id": "-"})


def _with_request_ids(handler: logging.Handler) -> logging.Handler:
    if not any(isinstance(existing, RequestIdFilter) for existing in handler.filters):
        handler.addFilter(RequestIdFilter())
    return handler


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time, so test capture and reloads never see a stale stream."""

    def __init__(self) -> None:
        super().__init__()
        self._override: Any = None

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return self._override if self._override is not None else sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        self._override = None if value is sys.stderr else value


def _current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def log_format(app: Flask | None = None) -> str:
    """``json`` or ``text``: ENGAGEMENT_LOG_FORMAT, else json in production and text elsewhere."""
    config = app.config if app is not None else {}
    raw = config.get("LOG_FORMAT") or os.environ.get("ENGAGEMENT_LOG_FORMAT", "")
    env = config.get("ENV") or os.environ.get("ENGAGEMENT_ENV", "development")
    fmt = raw.strip().lower() or ("json" if env == "production" else "text")
    if fmt not in ("json", "text"):
        raise RuntimeError("ENGAGEMENT_LOG_FORMAT must be 'json' or 'text'")
    return fmt


def configure_gunicorn_logging(log: Any) -> None:
    """From gunicorn's ``on_starting``: its own lines (start, worker boot/exit) in the app's format too."""
    if log_format() == "json":
        for logger_ in (log.error_log, log.access_log):
            for handler in logger_.handlers:
                _with_request_ids(handler).setFormatter(JsonFormatter())


def configure_logging(app: Flask) -> logging.Handler:
    """Install (once per process) the root handler in the configured format and set the level."""
    level_name = (app.config.get("LOG_LEVEL") or os.environ.get("ENGAGEMENT_LOG_LEVEL", "INFO")).strip().upper()
    level = logging.getLevelName(level_name)
    if not isinstance(level, int):
        raise RuntimeError(f"ENGAGEMENT_LOG_LEVEL: unknown level {level_name!r}")
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _StderrHandler)), None)
    if handler is None:
        handler = _StderrHandler()
        root.addHandler(handler)
    _with_request_ids(handler).setFormatter(JsonFormatter() if log_format(app) == "json" else TextFormatter())
    root.setLevel(level)
    # Alembic's env.py runs logging.config.fileConfig, which disables every logger that existed before it;
    # an app that ran migrations in-process (tests, `flask db upgrade` then serve) must not go quiet.
    for name, existing in list(logging.root.manager.loggerDict.items()):
        if (name == "engagement" or name.startswith("engagement.")) and isinstance(existing, logging.Logger):
            existing.disabled = False
    return handler


# -- requests ------------------------------------------------------------------------------------------------


class RequestsInFlight:
    """How many requests this process is serving right now: the inline batcher waits for company only when
    another request could bring some (never in a sync worker, which serves one at a time)."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def __call__(self) -> int:
        return self._count

    def enter(self) -> None:
        with self._lock:
            self._count += 1
        g.counted_in_flight = True

    def leave(self, _error: BaseException | None = None) -> None:
        if g.pop("counted_in_flight", False):
            with self._lock:
                self._count -= 1


requests_in_flight = RequestsInFlight()


def _start_request() -> None:
    requests_in_flight.enter()
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id is None:  # a response made before before_request ran (rare); nothing to time
        return response
    response.headers[REQUEST_ID_HEADER] = request_id
    duration = time.perf_counter() - g.request_started
    # The rule, not the path: /comments/<int:comment_id> keeps the label set bounded.
    endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
    status = str(response.status_code)
    HTTP_REQUESTS.labels(endpoint, request.method, status).inc()
    HTTP_LATENCY.labels(endpoint, request.method, status).observe(duration)
    access_logger.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(duration * 1000, 2),
            "remote_addr": request.remote_addr,
            "client_addr": _client_address(),
        },
    )
    return response


def _client_address() -> str | None:
    """The caller's address as the rate limiter sees it (X-Forwarded-For through trusted proxies)."""
    try:
        return client_address()
    except Exception:  # a bad ENGAGEMENT_TRUSTED_PROXIES must not cost the access line
        return request.remote_addr


# -- moderation ----------------------------------------------------------------------------------------------


def record_moderation(result: Any) -> Any:
    """Count one automatic decision (a ``ModerationResult``) and its scoring time; returns it unchanged."""
    try:
        MODERATION_OUTCOMES.labels(result.status, result.reason).inc()
        if result.scores is not None:
            MODERATION_LATENCY.observe(result.latency_ms / 1000)
    except Exception:  # metrics must never change a moderation decision
        logger.exception("could not record a moderation outcome")
    return result


def observed_moderation(moderate: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate ``Moderator.moderate`` so every outcome it returns is counted."""

    @wraps(moderate)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return record_moderation(moderate(*args, **kwargs))

    return wrapper


# -- /metrics ------------------------------------------------------------------------------------------------


QUEUE_DEPTH = ("engagement_moderation_queue_depth", "Comments waiting in the moderation queue.")
QUEUE_WORKERS = ("engagement_moderation_workers", "Moderation workers listening on the queue (queue mode).")


class _ScrapeTimeGauges:
    """Gauges whose value is read from a callable at each scrape; NaN when it cannot be read."""

    def __init__(self, sources: dict[tuple[str, str], Callable[[], int]]):
        self._sources = sources

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for (name, documentation), read in self._sources.items():
            try:
                value = float(read())
            except Exception:
                logger.warning("%s unavailable", name, exc_info=True)
                value = float("nan")
            yield GaugeMetricFamily(name, documentation, value=value)


def set_gauge_source(app: Flask, gauge: tuple[str, str], read: Callable[[], int]) -> None:
    """Tell /metrics how to read a gauge such as QUEUE_DEPTH (read at each scrape)."""
    app.extensions["observability"]["gauges"][gauge] = read


def metrics() -> Response:
    """Prometheus metrics for this process, or for every worker when PROMETHEUS_MULTIPROC_DIR is set."""
    scrape = CollectorRegistry()
    scrape.register(_ScrapeTimeGauges(current_app.extensions["observability"]["gauges"]))
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(scrape)
        body = generate_latest(scrape)
    else:
        body = generate_latest(REGISTRY) + generate_latest(scrape)
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def init_observability(app: Flask) -> None:
    """Logging, request ids, access lines and /metrics; call after the limiter is bound to the app."""
    if "observability" in app.extensions:
        return
    configure_logging(app)
    # Inline mode has no queue: its depth is always 0 (queue mode replaces this source).
    app.extensions["observability"] = {"gauges": {QUEUE_DEPTH: lambda: 0}}
    # First, so the request id and the clock are set even for a request the limiter turns away.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_finish_request)
    app.teardown_request(requests_in_flight.leave)
    # A plain route, not a smorest blueprint: it is not part of the documented API.
    app.add_url_rule("/metrics", "metrics", limiter.exempt(metrics), methods=["GET"])
