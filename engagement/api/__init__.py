"""HTTP layer: one smorest Blueprint per resource; views parse, call one service, serialize."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app
from flask.views import MethodView

from engagement.extensions import api, db, limiter


def transactional(view: Callable[..., Any]) -> Callable[..., Any]:
    """One transaction per request: committed after the view succeeds, rolled back on any error."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = view(*args, **kwargs)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        after_commit = db.session.info.pop("after_commit", [])
        for callback in after_commit:
            callback()
        return result

    return wrapper


class TransactionalView(MethodView):
    decorators = [transactional]


def rate_limited(setting: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A limit read from configuration by name, keyed by user when authenticated, else by address."""
    return limiter.limit(lambda: current_app.config[setting], scope=setting.lower())


def register_blueprints() -> None:
    from engagement.api import articles, comments, health, moderation

    for module in (health, articles, comments, moderation):
        api.register_blueprint(module.blp)
