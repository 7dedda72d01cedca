"""Comments: creation and edits moderated before anyone else sees them, replies, likes, reports, deletion."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, delete, select, tuple_
from sqlalchemy.exc import IntegrityError


from engagement.auth import Actor
from engagement.errors import Conflict, Forbidden, NotFound, Unprocessable
from engagement.extensions import db
from engagement.models import Comment, CommentLike, CommentReport, CommentRevision
from engagement.models._types import utcnow
from engagement.pagination import Page, decode_cursor, encode_cursor
from engagement.services.articles import get_article
from engagement.services.audit import record_audit
from engagement.services.counters import bump, ensure_row
from engagement.services.screening import after_screening, decide_text, score_text, store_result
from engagement.services.statuses import count_visibility_change, result_for_edit, set_status
from engagement.services.users import writer_for
from engagement.text import validated_user_text
from engagement.vocabulary import ModerationReason, ModerationStatus

logger = logging.getLogger(__name__)

SORTS = ("newest", "oldest", "top")


def clean_comment_body(raw: str, field: str = "body") -> str:
    return validated_user_text(raw, field, current_app.config["COMMENT_MAX_LENGTH"])


def is_visible_to(comment: Comment, actor: Actor | None) -> bool:
    """Published comments are public, and so is the tombstone of one deleted while published (deletion keeps
    the status); held and rejected ones, deleted or not, only to their author and moderators."""
    if comment.status == ModerationStatus.PUBLISHED:
        return True
    return actor is not None and (actor.user_id == comment.author_id or actor.can_moderate)


def get_comment(comment_id: int, actor: Actor | None = None, for_update: bool = False) -> Comment:
    """The comment if ``actor`` may see it. ``for_update`` locks the row (and reloads it) before a status
    change, so two concurrent decisions cannot both count the same transition."""
    comment = db.session.get(Comment, comment_id, with_for_update=for_update or None)
    if comment is None or not is_visible_to(comment, actor):
        raise NotFound(f"Comment {comment_id} does not exist.")
    return comment


def view_comment(comment_id: int, actor: Actor | None) -> Comment:
    """One comment as ``actor`` may see it; moderators also get its previous versions."""
    comment = get_comment(comment_id, actor)
    annotate_for_viewer([comment], actor)
    return comment


def revisions_by_comment(comment_ids: list[int]) -> dict[int, list[CommentRevision]]:
    revisions: dict[int, list[CommentRevision]] = {comment_id: [] for comment_id in comment_ids}
    if comment_ids:
        rows = db.session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id.in_(comment_ids))
            .order_by(CommentRevision.id)
        )
        for revision in rows:
            revisions[revision.comment_id].append(revision)
    return revisions


def annotate_for_viewer(comments: list[Comment], actor: Actor | None, fresh: bool = False) -> list[Comment]:
    """Mark what the viewer liked and which moderation details they may read, in one query each.

    ``fresh``: the comments were created in this transaction, so nobody can have liked them yet.
    """
    liked = set() if fresh else liked_comment_ids(actor, [c.id for c in comments])
    is_moderator = actor is not None and actor.can_moderate
    revisions = revisions_by_comment([c.id for c in comments]) if is_moderator else {}
    for comment in comments:
        comment.viewer_liked = comment.id in liked
        comment.viewer_is_moderator = is_moderator
        comment.viewer_is_privileged = is_moderator or (actor is not None and actor.user_id == comment.author_id)
        comment.previous_versions = revisions.get(comment.id, [])
    return comments


def _published_comment(comment_id: int, actor: Actor | None, for_update: bool = False) -> Comment:
    comment = get_comment(comment_id, actor, for_update)
    if comment.is_deleted:
        raise NotFound(f"Comment {comment_id} was deleted.")
    if comment.status != ModerationStatus.PUBLISHED:
        raise Conflict(f"Comment {comment_id} is not published.")
    return comment


def _resolve_parent(article_id: str, parent_id: int | None, actor: Actor) -> int | None:
    if parent_id is None:
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.article_id != article_id or not parent.is_published:
        raise Unprocessable(
            "A reply needs a published comment of the same article as its parent.",
            errors={"parent_id": ["Not a published comment of this article."]},
        )
    # Threads are one level deep: a reply to a reply joins the root's thread.
    return parent.parent_id or parent.id


def create_comment(actor: Actor, article_id: str, raw_body: str, parent_id: int | None = None) -> Comment:
    body = clean_comment_body(raw_body)
    # Scored before the first query: on SQLite that query opens the transaction with BEGIN IMMEDIATE, and the
    # write lock held through scoring would serialize every post (and defeat batching) across all workers.
    scored = score_text(body)
    article = get_article(article_id)
    result = decide_text("comment", scored, actor, article.id)
    author = writer_for(actor)
    comment = Comment(
        article_id=article.id,
        author=author,
        parent_id=_resolve_parent(article.id, parent_id, actor),
        body=body,
        status=result.status,  # inserted with its status: no second UPDATE
        created_at=utcnow(),
    )
    store_result(comment, result)
    db.session.add(comment)
    db.session.flush()
    count_visibility_change(comment, was_public=False)
    after_screening("comment", comment, result, None)
    return annotate_for_viewer([comment], actor, fresh=True)[0]


def edit_comment(actor: Actor, comment_id: int, raw_body: str) -> Comment:
    comment = get_comment(comment_id, actor, for_update=True)
    if comment.author_id != actor.user_id:
        raise Forbidden("Only the author can edit a comment.")
    if comment.is_deleted:
        raise Conflict("A deleted comment cannot be edited.")
    window = current_app.config["EDIT_WINDOW"]
    if utcnow() - comment.created_at > timedelta(seconds=window):
        raise Forbidden(f"Comments can be edited for {window // 60} minutes after posting.")
    body = clean_comment_body(raw_body)
    if body == comment.body:
        return annotate_for_viewer([comment], actor)[0]
    result = result_for_edit(comment, decide_text("comment", score_text(body), actor, comment.article_id, exclude_id=comment.id))
    writer_for(actor)
    db.session.add(
        CommentRevision(
            comment_id=comment.id,
            body=comment.body,
            status=comment.status,
            moderation_scores=comment.moderation_scores,
            created_at=comment.edited_at or comment.created_at,
        )
    )
    from_status = comment.status
    comment.body = body
    comment.edited_at = utcnow()
    store_result(comment, result)
    set_status(comment, result.status)
    after_screening("comment", comment, result, from_status)
    return annotate_for_viewer([comment], actor)[0]


def delete_comment(actor: Actor, comment_id: int) -> None:
    comment = get_comment(comment_id, actor, for_update=True)
    if comment.author_id != actor.user_id and not actor.can_moderate:
        raise Forbidden("Only the author or a moderator can delete a comment.")
    if comment.is_deleted:
        return
    is_author = comment.author_id == actor.user_id
    writer_for(actor)  # a banned author, and a banned moderator, delete nothing
    was_public = comment.is_published
    comment.deleted_at = utcnow()
    comment.deleted_by_id = actor.user_id
    comment.pinned_at = None
    count_visibility_change(comment, was_public)
    if not is_author:
        record_audit("delete", "comment", comment.id, actor_id=actor.user_id, from_status=comment.status)


def list_comments(
    article_id: str,
    viewer: Actor | None,
    sort: str = "newest",
    limit: int = 20,
    cursor: str | None = None,
    parent_id: int | None = None,
) -> Page[Comment]:
    """Published comments (and the viewer's own held ones), pinned first on the first page, by keyset."""
    get_article(article_id)
    if parent_id is not None:
        # The replies of a root the viewer may not see are hidden like the root itself: 404, as for
        # GET /comments/{id}, so a listing tells no more than the comment does.
        root = db.session.get(Comment, parent_id)
        if root is None or root.article_id != article_id or not is_visible_to(root, viewer):
            raise NotFound(f"Comment {parent_id} does not exist.")
    visible = Comment.status == ModerationStatus.PUBLISHED
    if viewer is not None:
        visible = visible | ((Comment.author_id == viewer.user_id) & (Comment.status == ModerationStatus.PENDING_REVIEW))
    query = select(Comment).where(Comment.article_id == article_id, Comment.deleted_at.is_(None), visible)
    query = query.where(Comment.parent_id == parent_id) if parent_id else query.where(Comment.parent_id.is_(None))
    pinned: list[Comment] = []
    if parent_id is None:
        if cursor is None:
            pinned = list(db.session.scalars(query.where(Comment.pinned_at.is_not(None)).order_by(Comment.pinned_at)))
        query = query.where(Comment.pinned_at.is_(None))
    query, key = _ordered(query, sort, cursor)
    rows = list(db.session.scalars(query.limit(limit + 1)))
    next_cursor = encode_cursor(*key(rows[limit - 1])) if len(rows) > limit else None
    return Page(annotate_for_viewer(pinned + rows[:limit], viewer), next_cursor)


def _ordered(query: Select, sort: str, cursor: str | None):
    if sort == "top":
        if cursor:
            likes, last_id = decode_cursor(cursor, int, int)
            query = query.where(tuple_(Comment.like_count, Comment.id) < tuple_(likes, last_id))
        return query.order_by(Comment.like_count.desc(), Comment.id.desc()), lambda c: (c.like_count, c.id)
    if sort == "oldest":
        if cursor:
            query = query.where(Comment.id > decode_cursor(cursor, int)[0])
        return query.order_by(Comment.id.asc()), lambda c: (c.id,)
    if cursor:
        query = query.where(Comment.id < decode_cursor(cursor, int)[0])
    return query.order_by(Comment.id.desc()), lambda c: (c.id,)


def like_comment(actor: Actor, comment_id: int) -> dict[str, object]:
    comment = _published_comment(comment_id, actor)
    user = writer_for(actor)
    db.session.flush()  # the liker's row first, when this is their first write
    # Already liked: PUT is idempotent, nothing is counted twice.
    if ensure_row(CommentLike, comment_id=comment.id, user_id=user.id):
        bump(comment, like_count=1)
    return {"liked": True, "like_count": comment.like_count}


def unlike_comment(actor: Actor, comment_id: int) -> dict[str, object]:
    comment = _published_comment(comment_id, actor)
    user = writer_for(actor)
    removed = db.session.execute(
        delete(CommentLike).where(CommentLike.comment_id == comment.id, CommentLike.user_id == user.id)
    ).rowcount
    if removed:
        bump(comment, like_count=-1)
    return {"liked": False, "like_count": comment.like_count}


def liked_comment_ids(actor: Actor | None, comment_ids: list[int]) -> set[int]:
    if actor is None or not comment_ids:
        return set()
    return set(
        db.session.scalars(
            select(CommentLike.comment_id).where(
                CommentLike.user_id == actor.user_id, CommentLike.comment_id.in_(comment_ids)
            )
        )
    )


def report_comment(actor: Actor, comment_id: int, reason: str) -> CommentReport:
    comment = _published_comment(comment_id, actor, for_update=True)
    if comment.author_id == actor.user_id:
        raise Unprocessable("You cannot report your own comment.")
    reporter = writer_for(actor)
    report = CommentReport(comment_id=comment.id, user_id=reporter.id, reason=reason)
    try:
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError:
        raise Conflict("You have already reported this comment.") from None
    bump(comment, report_count=1, open_report_count=1)
    if comment.reported_at is None:
        comment.reported_at = utcnow()
    threshold = current_app.config["REPORTS_TO_REVIEW"]
    if comment.open_report_count >= threshold and comment.status == ModerationStatus.PUBLISHED:
        set_status(comment, ModerationStatus.PENDING_REVIEW)
        comment.moderation_reason = ModerationReason.REPORTED
        record_audit(
            "auto_pending_review",
            "comment",
            comment.id,
            from_status=ModerationStatus.PUBLISHED,
            to_status=ModerationStatus.PENDING_REVIEW,
            reason=ModerationReason.REPORTED,
            details={"open_reports": comment.open_report_count, "threshold": threshold},
        )
    return report
