"""Browser pages served by the app: the embeddable widget bar, the moderators' console and, in development, /demo.

A plain Flask blueprint (not part of the /api/v1 OpenAPI document). The widget and console are hand-written
ES2020 and CSS files served as they are: no build step, no framework. Every call they make goes through the
public API with the caller's bearer token, so they can do nothing a curl with the same token could not.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request

from engagement.extensions import limiter

STATIC = Path(__file__).resolve().parent / "static"
# The URL is versioned (/widget/v1/) but the file changes with each deploy: browsers keep it briefly and then
# revalidate with the ETag, so a fix reaches readers within minutes without a new URL on every host page.
ASSET_MAX_AGE = 300

bp = Blueprint("web", __name__, template_folder="templates")


def register_web(app: Flask) -> None:
    """Wire the pages in; /demo's routes answer 404 JSON when ENGAGEMENT_ENV=production."""
    from engagement.web import demo  # noqa: F401  (registers its routes on bp)

    app.register_blueprint(bp)


def _asset(filename: str, mimetype: str):
    # Small files read whole: no open file handle rides on the response, and the ETag is the content's hash.
    body = (STATIC / filename).read_bytes()
    response = Response(body, mimetype=mimetype)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = ASSET_MAX_AGE
    return response.make_conditional(request)


@bp.get("/widget/v1/engagement.js")
@limiter.exempt
def widget_script():
    return _asset("engagement.js", "text/javascript")


@bp.get("/widget/v1/engagement.css")
@limiter.exempt
def widget_styles():
    return _asset("engagement.css", "text/css")


@bp.get("/widget/v1/config.json")
@limiter.exempt
def widget_config():
    """What the widget needs to know about this deployment: share channels, currencies, limits."""
    config = current_app.config
    response = jsonify(
        channels=config["SHARE_CHANNELS"],
        currencies=config["REWARD_CURRENCIES"],
        reward_max_amount=config["REWARD_MAX_AMOUNT"],
        text_max_length=config["COMMENT_MAX_LENGTH"],
        edit_window_seconds=config["EDIT_WINDOW"],
        max_pinned_comments=config["MAX_PINNED_COMMENTS"],
    )
    response.cache_control.public = True
    response.cache_control.max_age = ASSET_MAX_AGE
    return response


@bp.get("/console/assets/<any('console.js', 'console.css'):filename>")
@limiter.exempt
def console_asset(filename: str):
    return _asset(filename, "text/javascript" if filename.endswith(".js") else "text/css")


@bp.get("/console")
@limiter.exempt
def console_page():
    """The moderators' console: a static page; the token pasted into it decides what it may do."""
    response = current_app.make_response(render_template("console.html", development=is_development()))
    response.headers["Cache-Control"] = "no-cache"
    return response


def is_development() -> bool:
    return current_app.config["ENV"] != "production"
