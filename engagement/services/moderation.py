"""What moderators do: read the queue, decide on held text, read the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from sqlalchemy import select, tuple_
from sqlalchemy.orm import selectinload

from engagement.auth import Actor
from engagement.errors import Conflict, NotFound, Unprocessable
from engagement.extensions import db
from engagement.models import MODERATED_KINDS, AuditLogEntry, Comment, ModeratedText
from engagement.models._types import utcnow
from engagement.pagination import Page, decode_cursor, encode_cursor
from engagement.services.audit import record_audit
from engagement.services.comments import annotate_for_viewer
from engagement.services.statuses import set_status
from engagement.services.users import moderator_for, require_moderator
from engagement.vocabulary import ModerationReason, ModerationStatus

# Two statuses, and the comments with open reports.
QUEUES = (ModerationStatus.PENDING_REVIEW, ModerationStatus.REJECTED, "reported", "queued")


def list_queue(
    actor: Actor,
    queue: str = ModerationStatus.PENDING_REVIEW,
    limit: int = 20,
    cursor: str | None = None,
    kind: str = "comment",
    reason: str | None = None,
    phase: str | None = None,
    language: str | None = None,
) -> Page[ModeratedText]:
    """Oldest first, so nothing waits forever; reported comments by when the first open report came in.

    ``reason``, ``phase`` and ``language`` narrow it to what one phase held (``phase=links``), one reason
    (``reason=spam``) or one language (``language=zh``).
    """
    require_moderator(actor)
    model = MODERATED_KINDS[kind]
    query = select(model)
    if reason:
        query = query.where(model.moderation_reason == reason)
    if phase:
        query = query.where(model.moderation_phase == phase)
    if language:
        query = query.where(model.moderation_language == language)
    if kind == "comment":
        query = query.where(Comment.deleted_at.is_(None))
    if queue == "reported":
        if kind != "comment":
            raise Unprocessable("Only comments can be reported.", errors={"status": ["'reported' needs kind=comment."]})
        query = query.where(Comment.reported_at.is_not(None))
        key_column = Comment.reported_at
    elif queue == "queued":
        # Queue mode: stored, waiting for a worker to score them (shown in pending_review once overdue).
        query = query.where(model.status == ModerationStatus.PENDING_REVIEW, model.moderation_reason == ModerationReason.QUEUED)
        key_column = model.created_at
    else:
        query = query.where(model.status == queue)
        key_column = model.created_at
    if queue == ModerationStatus.PENDING_REVIEW:
        # Texts waiting for a queue worker reach moderators only once they are overdue.
        deadline = utcnow() - timedelta(seconds=current_app.config["MODERATION_DEADLINE"])
        query = query.where((model.moderation_reason.is_(None)) | (model.moderation_reason != ModerationReason.QUEUED) | (model.created_at < deadline))
    if cursor:
        moment, last_id = decode_cursor(cursor, datetime.fromisoformat, int)
        query = query.where(tuple_(key_column, model.id) > tuple_(moment, last_id))
    query = query.options(selectinload(model.article)).order_by(key_column, model.id)
    rows = list(db.session.scalars(query.limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(getattr(last, key_column.key).isoformat(), last.id)
    items = rows[:limit]
    if kind == "comment":
        annotate_for_viewer(items, actor)
    return Page(items, next_cursor)


def decide(actor: Actor, kind: str, item_id: int, action: str, reason: str | None = None) -> ModeratedText:
    """Publish or reject a comment, a repost's quote or a reward's message; every decision is logged."""
    moderator = moderator_for(actor)
    item = db.session.get(MODERATED_KINDS[kind], item_id, with_for_update=True)
    if item is None:
        raise NotFound(f"{kind.capitalize()} {item_id} does not exist.")
    new_status = ModerationStatus.PUBLISHED if action == "approve" else ModerationStatus.REJECTED
    from_status = item.status
    if isinstance(item, Comment):
        if item.is_deleted:
            raise Conflict(f"Comment {item_id} was deleted; there is nothing to decide.")
        item.reported_at = None
        item.open_report_count = 0
    elif item.moderated_text is None:
        raise Conflict(f"{kind.capitalize()} {item_id} has no text to moderate.")
    set_status(item, new_status)
    item.moderation_reason = ModerationReason.by_moderator(action)
    item.decided_by_id = moderator.id
    record_audit(
        action,
        kind,
        item.id,
        actor_id=moderator.id,
        from_status=from_status,
        to_status=item.status,
        reason=reason,
        details={"scores": item.moderation_scores, "labels": item.moderation_labels},
    )
    if isinstance(item, Comment):
        annotate_for_viewer([item], actor)
    return item


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


