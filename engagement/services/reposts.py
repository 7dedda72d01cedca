"""Reposts: one per user per article, counted once, with an optional quote moderated like a comment."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from engagement.auth import Actor
from engagement.extensions import db
from engagement.models import Repost
from engagement.models._types import utcnow
from engagement.pagination import Page, decode_cursor, encode_cursor
from engagement.services.articles import get_article
from engagement.services.counters import bump
from engagement.services.screening import after_screening, decide_text, score_text, store_result
from engagement.services.statuses import result_for_edit
from engagement.services.users import writer_for
from engagement.text import optional_user_text


def _visible_to(viewer: Actor | None, reposts: list[Repost]) -> list[Repost]:
    for repost in reposts:
        repost.viewer_is_privileged = viewer is not None and (viewer.can_moderate or viewer.user_id == repost.user_id)
    return reposts


def repost_article(actor: Actor, article_id: str, quote: str | None) -> tuple[Repost, bool]:
    """Create or update the viewer's repost; returns it and whether it was created."""
    quote = optional_user_text(quote, "quote", current_app.config["COMMENT_MAX_LENGTH"])
    scored = score_text(quote)
    article = get_article(article_id)
    result = decide_text("repost", scored, actor, article.id)
    user = writer_for(actor)
    mine = select(Repost).where(Repost.article_id == article.id, Repost.user_id == user.id)
    repost = db.session.scalar(mine)
    created = False
    if repost is None:
        repost = Repost(article_id=article.id, user_id=user.id, quote=quote, status=result.status)
        try:
            with db.session.begin_nested():
                db.session.add(repost)
            created = True
        except IntegrityError:
            # A concurrent PUT by the same user won the insert: update theirs instead.
            repost = db.session.scalar(mine.execution_options(populate_existing=True))
    if created:
        bump(article, repost_count=1)
    elif quote == repost.quote:
        return _visible_to(actor, [repost])[0], False  # nothing changed: a moderator's decision on it stands
    else:
        from_status = repost.status
        if quote is not None:
            result = result_for_edit(repost, result)
        repost.quote = quote
        repost.status = result.status
        repost.updated_at = utcnow()
    store_result(repost, result)
    db.session.flush()
    after_screening("repost", repost, result, None if created else from_status)
    return _visible_to(actor, [repost])[0], created


def undo_repost(actor: Actor, article_id: str) -> None:
    article = get_article(article_id)
    user = writer_for(actor)
    removed = db.session.execute(
        delete(Repost).where(Repost.article_id == article.id, Repost.user_id == user.id).execution_options(synchronize_session=False)
    ).rowcount
    if removed:
        bump(article, repost_count=-1)


def list_reposts(viewer: Actor | None, limit: int, cursor: str | None, article_id: str | None = None, user_id: str | None = None) -> Page[Repost]:
    """Newest first, for an article's page or a user's feed."""
    query = select(Repost)
    if article_id is not None:
        get_article(article_id)
        query = query.where(Repost.article_id == article_id)
    if user_id is not None:
        query = query.where(Repost.user_id == user_id)
    if cursor:
        query = query.where(Repost.id < decode_cursor(cursor, int)[0])
    rows = list(db.session.scalars(query.order_by(Repost.id.desc()).limit(limit + 1)))
    return Page(_visible_to(viewer, rows[:limit]), encode_cursor(rows[limit - 1].id) if len(rows) > limit else None)


