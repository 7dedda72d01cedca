from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import text

from engagement.api import Blueprint
from engagement.extensions import db, limiter

blp = Blueprint("health", __name__, url_prefix="/", description="Liveness and readiness probes.")


@blp.route("/healthz")
@limiter.exempt
@blp.response(200)
@blp.access("none", limited=False)
def healthz():
    """The process is alive."""
    return {"status": "ok"}


@cache
def _migrations_head() -> str:
    from alembic.script import ScriptDirectory
    from flask_migrate import Config as AlembicConfig

    migrate = current_app.extensions["migrate"]
    config = AlembicConfig()
    config.set_main_option("script_location", migrate.directory)
    return ScriptDirectory.from_config(config).get_current_head()


@blp.route("/readyz")
@limiter.exempt
@blp.response(200)
@blp.alt_response(503)
@blp.access("none", limited=False)
def readyz():
    """The database answers and (inline mode) the moderation model is loaded (or its scoring process answers).

    In queue mode the body also counts the moderation workers listening now. A Redis that does not answer
    makes the status ``degraded``, still 200: posting works then (text is stored and held).
    """
    checks: dict[str, str] = {}
    try:
        applied = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        # Reachable is not enough: a worker must not take traffic before `flask db upgrade` has run.
        checks["database"] = "ok" if applied == _migrations_head() else f"schema at {applied}, expected {_migrations_head()}"
    except Exception as error:  # any driver error means not ready
        checks["database"] = f"error: {type(error).__name__}"
    finally:
        db.session.rollback()
    moderator = current_app.extensions["engagement"]
    body: dict[str, Any] = {}
    if moderator.mode == "queue":
        # Reported, not required: with Redis down a post is still stored and held, and the workers' sweeper
        # enqueues it once Redis is back, so the service is degraded, not down.
        queue_ok = moderator.queue.depth() >= 0
        checks["moderation_queue"] = "ok" if queue_ok else "degraded: redis unreachable; new text waits in the database"
        # Reported, not required: with no worker, new text still waits safely in the queue, and
        # taking every web process out of the balancer would not bring a worker back.
        body["moderation_workers"] = moderator.queue.live_workers()
    else:
        checks["moderation_model"] = "ok" if moderator.ready else (moderator.load_error or "loading")
        ping = getattr(moderator.scorer, "ping", None) if moderator.ready else None
        if ping is not None and not ping():
            # The machine's scoring process (restarted by gunicorn's master): reported, not required, as for
            # Redis above; posts are stored and held meanwhile, and no web worker can bring it back.
            checks["moderation_model"] = "degraded: the scoring process does not answer; new text is held"
    ready = all(value == "ok" or value.startswith("degraded") for value in checks.values())
    status = "not_ready" if not ready else "ready" if all(value == "ok" for value in checks.values()) else "degraded"
    return {"status": status, "checks": checks, **body}, 200 if ready else 503
