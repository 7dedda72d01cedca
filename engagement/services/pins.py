"""Pins: admins pin articles (ordered, optionally expiring); moderators pin comments under an article."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from engagement.auth import Actor
from engagement.errors import Conflict, Unprocessable
from engagement.extensions import db
from engagement.models import Article, Comment
from engagement.models._types import utcnow
from engagement.services.articles import get_article
from engagement.services.audit import record_audit
from engagement.services.comments import annotate_for_viewer, get_comment
from engagement.services.users import moderator_for, require_admin, writer_for


def pin_article(actor: Actor, article_id: str, position: int | None, expires_at: datetime | None) -> Article:
    require_admin(actor, "Only admins pin articles.")
    admin = writer_for(actor)
    if expires_at is not None and expires_at <= utcnow():
        raise Unprocessable("A pin must expire in the future.", errors={"expires_at": ["Must be in the future."]})
    article = get_article(article_id)
    if position is None:
        position = article.pin_position if article.pinned_at else (db.session.scalar(select(func.max(Article.pin_position))) or 0) + 1
    article.pin_position = position
    article.pin_expires_at = expires_at
    article.pinned_at = article.pinned_at or utcnow()
    article.pinned_by_id = admin.id
    record_audit(
        "pin", "article", article.id, actor_id=admin.id,
        details={"position": position, "expires_at": expires_at.isoformat() if expires_at else None},
    )
    return article


def unpin_article(actor: Actor, article_id: str) -> None:
    require_admin(actor, "Only admins pin articles.")
    admin = writer_for(actor)
    article = get_article(article_id)
    if article.pinned_at is not None:
        article.pinned_at = article.pin_position = article.pin_expires_at = article.pinned_by_id = None
        record_audit("unpin", "article", article.id, actor_id=admin.id)


def list_pinned_articles() -> list[Article]:
    query = select(Article).where(Article.pin_is_active()).order_by(Article.pin_position, Article.pinned_at, Article.id)
    return list(db.session.scalars(query.limit(100)))


def pin_comment(actor: Actor, comment_id: int) -> Comment:
    moderator = moderator_for(actor)
    comment = get_comment(comment_id, actor, for_update=True)
    if not comment.is_published or comment.parent_id is not None:
        raise Unprocessable("Only a published top-level comment can be pinned.", errors={"comment_id": ["Not pinnable."]})
    if comment.pinned_at is None:
        # Lock the article row so two moderators cannot both take the last pin slot.
        db.session.execute(select(Article.id).where(Article.id == comment.article_id).with_for_update())
        pinned = db.session.scalar(
            select(func.count()).select_from(Comment).where(Comment.article_id == comment.article_id, Comment.pinned_at.is_not(None))
        )
        limit = current_app.config["MAX_PINNED_COMMENTS"]
        if pinned >= limit:
            raise Conflict(f"This article already has {pinned} pinned comment(s); the limit is {limit}. Unpin one first.")
        comment.pinned_at = utcnow()
        comment.pinned_by_id = moderator.id
        record_audit("pin", "comment", comment.id, actor_id=moderator.id, details={"article_id": comment.article_id})
    return annotate_for_viewer([comment], actor)[0]


def unpin_comment(actor: Actor, comment_id: int) -> Comment:
    moderator = moderator_for(actor)
    comment = get_comment(comment_id, actor)
    if comment.pinned_at is not None:
        comment.pinned_at = comment.pinned_by_id = None
        record_audit("unpin", "comment", comment.id, actor_id=moderator.id, details={"article_id": comment.article_id})
    return annotate_for_viewer([comment], actor)[0]
