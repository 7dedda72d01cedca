"""/demo (development only): the seed article with the widget bar under it and a user/moderator/admin switcher.

In production every route here is a JSON 404: the page mints tokens for anyone who asks, which only a
developer's own machine may do.
"""

from __future__ import annotations

import secrets

from flask import current_app, jsonify, render_template, request

from engagement.auth import Actor, issue_token
from engagement.errors import NotFound, Unprocessable
from engagement.extensions import db, limiter
from engagement.models.users import Role
from engagement.web import bp, is_development

ARTICLE_ID = "geneva-talks"
ARTICLE_TITLE = "Exchanges and regulators agree on a framework for crypto custody after Geneva talks"
ARTICLE_AUTHOR = "newsroom-desk"
TOKEN_TTL = 30 * 60
# One demo person per role; the reader gets credits so Reward works at once.
PEOPLE = {
    "user": ("demo-reader", "Lan Nguyen"),
    "moderator": ("demo-moderator", "Mia Ortega"),
    "admin": ("demo-admin", "Root Admin"),
}
WALLET_FLOOR = 100
WALLET_TOP_UP = 1000
_SYSTEM = Actor(user_id="demo-system", role=Role.ADMIN, name="Demo setup")


def _require_development() -> None:
    if not is_development():
        raise NotFound("There is no demo in production.")


@bp.get("/demo")
@limiter.exempt
def demo_page():
    """The seed article, upserted on every visit so a fresh database shows a working bar."""
    _require_development()
    from engagement.services.articles import register_article

    url = request.url_root.rstrip("/") + "/demo"
    register_article(_SYSTEM, ARTICLE_ID, {"title": ARTICLE_TITLE, "url": url, "author_id": ARTICLE_AUTHOR})
    db.session.commit()
    response = current_app.make_response(render_template("demo.html", article_id=ARTICLE_ID, title=ARTICLE_TITLE))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/demo/token")
@limiter.exempt
def demo_token():
    """A short-lived HS256 token for the demo person of ``role``, signed with the app's secret."""
    _require_development()
    role = request.args.get("role", "user")
    if role not in PEOPLE:
        raise Unprocessable("Unknown demo role.", errors={"role": [f"Must be one of: {', '.join(PEOPLE)}."]})
    subject, name = PEOPLE[role]
    if role == "user":
        _top_up(subject, name)
    config = current_app.config
    token = issue_token(
        config["JWT_SECRET"], subject, role, name, TOKEN_TTL, issuer=config["JWT_ISSUER"] or None, audience=config["JWT_AUDIENCE"] or None
    )
    response = jsonify(token=token, role=role, sub=subject, name=name, expires_in=TOKEN_TTL)
    response.headers["Cache-Control"] = "no-store"
    return response


def _top_up(subject: str, name: str) -> None:
    from engagement.services.rewards import credit_user, wallet_for

    currency = current_app.config["REWARD_CURRENCIES"][0]
    balance = wallet_for(Actor(user_id=subject, role=Role.USER, name=name), limit=1)["balances"].get(currency, 0)
    if balance < WALLET_FLOOR:
        credit_user(_SYSTEM, subject, WALLET_TOP_UP, currency, f"demo-{secrets.token_hex(8)}", "demo credits")
    db.session.commit()
