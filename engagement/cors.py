"""CORS for the widgets, which run on the news site's own origin and call this API from the browser."""

from __future__ import annotations

import re

from flask import Flask
from flask_cors import CORS

# Bearer tokens travel in Authorization, never in cookies: credentials mode stays off.
ALLOWED_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key"]
# What a widget reads from a response: its rate-limit budget, how long to wait, and the id to quote in a report.
EXPOSED_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After", "X-Request-ID"]
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
RESOURCES = (r"/api/v1/.*", r"/widget/.*")


def init_cors(app: Flask) -> None:
    """Answer preflights and add CORS headers to every response under /api/v1 and /widget, errors included.

    Nothing is configured (no CORS header at all) unless ENGAGEMENT_CORS_ORIGINS names origins. Flask's
    automatic OPTIONS answers the preflight before any view runs, so it needs no token, and the limits
    apply to other methods only: a preflight consumes no budget.
    """
    origins = app.config["CORS_ORIGINS"]
    if not origins:
        return
    # Compiled and anchored: flask-cors would read a plain string with "[" (an IPv6 host) as a regex.
    exact = [re.compile(re.escape(origin) + r"\Z", re.IGNORECASE) for origin in origins]
    CORS(
        app,
        resources={pattern: {} for pattern in RESOURCES},
        origins=exact,
        methods=METHODS,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        max_age=app.config["CORS_MAX_AGE"],
        supports_credentials=False,
        vary_header=True,
    )
