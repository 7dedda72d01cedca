"""What moderators do: read the queue, decide on comments, read the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import selectinload

from engagement.auth import Actor
from engagement.errors import Conflict, NotFound
from engagement.extensions import db
from engagement.models import AuditLogEntry, Comment, CommentStatus
from engagement.pagination import Page, decode_cursor, encode_cursor
from engagement.services.audit import record_audit
from engagement.services.comments import annotate_for_viewer, apply_status
from engagement.services.users import require_moderator, user_for

QUEUES = ("pending_review", "rejected", "reported")


def list_queue(actor: Actor, queue: str = "pending_review", limit: int = 20, cursor: str | None = None) -> Page[Comment]:
    """Oldest first, so nothing waits forever; reported comments by when the first open report came in."""
    require_moderator(actor)
    query = select(Comment).where(Comment.deleted_at.is_(None))
    if queue == "reported":
        query = query.where(Comment.reported_at.is_not(None))
        key_column = Comment.reported_at
    else:
        query = query.where(Comment.status == queue)
        key_column = Comment.created_at
    if cursor:
        moment, last_id = decode_cursor(cursor, datetime.fromisoformat, int)
        query = query.where(tuple_(key_column, Comment.id) > tuple_(moment, last_id))
    query = query.options(selectinload(Comment.article)).order_by(key_column, Comment.id)
    rows = list(db.session.scalars(query.limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(getattr(last, key_column.key).isoformat(), last.id)
    return Page(annotate_for_viewer(rows[:limit], actor), next_cursor)


def decide_comment(actor: Actor, comment_id: int, action: str, reason: str | None = None) -> Comment:
    require_moderator(actor)
    moderator = user_for(actor)
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(f"Comment {comment_id} does not exist.")
    if comment.is_deleted:
        raise Conflict(f"Comment {comment_id} was deleted; there is nothing to decide.")
    from_status = comment.status
    apply_status(comment, CommentStatus.PUBLISHED if action == "approve" else CommentStatus.REJECTED)
    comment.moderation_reason = f"moderator_{action}"
    comment.decided_by_id = moderator.id
    comment.reported_at = None
    comment.open_report_count = 0
    record_audit(
        action,
        "comment",
        comment.id,
        actor_id=moderator.id,
        from_status=from_status,
        to_status=comment.status,
        reason=reason,
        details={"scores": comment.moderation_scores, "labels": comment.moderation_labels},
    )
    return annotate_for_viewer([comment], actor)[0]


def list_audit_log(
    actor: Actor, limit: int = 50, cursor: str | None = None, subject_id: str | None = None, action: str | None = None
) -> Page[AuditLogEntry]:
    """Newest first."""
    require_moderator(actor)
    query = select(AuditLogEntry)
    if subject_id:
        query = query.where(AuditLogEntry.subject_id == subject_id)
    if action:
        query = query.where(AuditLogEntry.action == action)
    if cursor:
        query = query.where(AuditLogEntry.id < decode_cursor(cursor, int)[0])
    rows = list(db.session.scalars(query.order_by(AuditLogEntry.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return Page(rows[:limit], next_cursor)


