"""engagement: the backend behind the article widget bar (comment, reward, repost, share, pin)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from engagement.config import Config, load_settings

logger = logging.getLogger(__name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config -> extensions (the api brings the error handlers) -> moderation -> blueprints."""
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    # werkzeug would answer "//" in a path (an id that is "/..." once decoded) with an HTML redirect page;
    # an API answers it as a path that names nothing: a JSON 404.
    app.url_map.merge_slashes = False
    app.config.from_object(Config)
    app.config.update(load_settings())
    if test_config:
        app.config.update(test_config)
    _finish_config(app)

    # The factory imports the app's parts here, not at the top: `import engagement.models` (a job, a
    # script, a migration) must not import every blueprint, service and the model loader with it.
    from engagement.database import configure_engine
    from engagement.extensions import api, db, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    configure_engine(app)
    from engagement.ratelimit import retry_after_on_429_only

    # Flask runs after_request hooks in reverse order: this one sees the limiter's headers.
    app.after_request(retry_after_on_429_only)
    limiter.init_app(app)

    from engagement.observability import QUEUE_DEPTH, QUEUE_WORKERS, init_observability, set_gauge_source

    init_observability(app)
    api.init_app(app)

    _init_moderation(app)
    queue = app.extensions["engagement"].queue
    if queue is not None:
        set_gauge_source(app, QUEUE_DEPTH, queue.depth)
        set_gauge_source(app, QUEUE_WORKERS, queue.live_workers)

    from engagement.api import register_blueprints
    from engagement.web import register_web

    register_blueprints(app)
    register_web(app)

    from engagement.cors import init_cors

    init_cors(app)

    from engagement.cli import register_commands

    register_commands(app)
    return app


def _finish_config(app: Flask) -> None:
    config = app.config
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"] or f"sqlite:///{Path(app.instance_path) / 'engagement.db'}"
    # Counted once per machine by default, not once per worker process (memory:// would be per process).
    config["RATELIMIT_STORAGE_URI"] = config["RATELIMIT_STORAGE_URI"] or f"sqlite:///{Path(app.instance_path) / 'ratelimits.sqlite3'}"
    host_keys = config["JWT_PUBLIC_KEY"] or config["JWT_JWKS_FILE"]
    if not config["JWT_SECRET"]:
        if config["ENV"] == "production" and not host_keys:
            raise RuntimeError(
                "ENGAGEMENT_JWT_SECRET (or ENGAGEMENT_JWT_PUBLIC_KEY / ENGAGEMENT_JWT_JWKS_FILE) must be set "
                "when ENGAGEMENT_ENV=production"
            )
        if config["ENV"] != "production":
            config["JWT_SECRET"] = _development_secret(Path(app.instance_path))
    from engagement.jwt_keys import load_verification_keys

    # Without a secret in production, HS256 tokens are refused: only the host's keys verify.
    app.extensions["jwt_keys"] = load_verification_keys(config)
    if config["MODERATION_MODE"] not in ("inline", "queue"):
        raise RuntimeError("ENGAGEMENT_MODERATION_MODE must be 'inline' or 'queue'")


def _development_secret(instance: Path) -> str:
    """A secret kept in the instance folder, so tokens survive restarts and agree across workers."""
    path = instance / "dev-jwt-secret"
    if not path.exists():
        candidate = instance / f".dev-jwt-secret.{secrets.token_hex(4)}"
        candidate.write_text(secrets.token_urlsafe(48))
        candidate.chmod(0o600)
        try:
            candidate.rename(path) if not path.exists() else candidate.unlink()
        except OSError:
            candidate.unlink(missing_ok=True)
        logger.warning("ENGAGEMENT_JWT_SECRET is not set: generated a development secret in %s", path)
    return path.read_text().strip()


def _init_moderation(app: Flask) -> None:
    # Here for the reason given in create_app: `import engagement` alone loads none of the app's parts.
    from engagement.moderation.moderator import Moderator
    from engagement.moderation.scoring import load_scorer

    prefixes = ("MODERATION_", "HOLD_", "REJECT_", "UNCOVERED_LANGUAGE")
    settings = {key: app.config[key] for key in app.config if key.startswith(prefixes)}
    injected = app.config.get("MODERATION_SCORER")
    from engagement.observability import requests_in_flight

    if injected:
        scorer_factory = lambda: injected
    elif settings.get("MODERATION_SCORING") == "process":
        from engagement.moderation.remote_scorer import connect_remote_scorer

        scorer_factory = lambda: connect_remote_scorer(settings, app.instance_path, requests_in_flight)
    else:
        scorer_factory = lambda: load_scorer(settings, app.instance_path)
    moderator = Moderator(settings, scorer_factory, busy=requests_in_flight)
    app.extensions["engagement"] = moderator
    if moderator.mode == "queue":
        from engagement.moderation.queue import ModerationQueue

        moderator.queue = ModerationQueue(app.config["REDIS_URL"])
        # The API identifies each text's language itself (stored at once, filterable before a worker scores):
        # py3langid loads lazily on the first text, about a second, so test apps and commands never pay for it.
        # The API only enqueues; the model lives in the workers, which load it themselves.
        return
    load = app.config.get("MODERATION_LOAD", "eager")
    if os.environ.get("FLASK_RUN_FROM_CLI") == "true" and "ENGAGEMENT_MODERATION_LOAD" not in os.environ and not app.testing:
        load = "on_demand"  # a `flask ...` command: only the commands that score pay for the model
    if load == "eager":
        moderator.load()
    elif load == "background":
        moderator.load_in_background()
    elif load == "on_demand":
        moderator.load_on_demand = True
