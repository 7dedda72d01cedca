"""An author's record, for the moderator deciding on their text: what they wrote, how it went, their bans."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engagement.auth import Actor
from engagement.errors import NotFound
from engagement.extensions import db
from engagement.models import AuditLogEntry, Comment
from engagement.models.users import User
from engagement.services.users import require_moderator
from engagement.vocabulary import ModerationReason, ModerationStatus


def summarize_author(actor: Actor, user_id: str) -> dict[str, Any]:
    """Comment counts by status, moderators' approvals and rejections, reports received, bans (past and current)."""
    require_moderator(actor)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id!r} is not known.")
    comments = {str(status): 0 for status in ModerationStatus}
    decided = {ModerationReason.MODERATOR_APPROVE: 0, ModerationReason.MODERATOR_REJECT: 0}
    rows = db.session.execute(
        select(Comment.status, Comment.moderation_reason, func.count(), func.coalesce(func.sum(Comment.report_count), 0))
        .where(Comment.author_id == user_id)
        .group_by(Comment.status, Comment.moderation_reason)
    )
    reports = 0
    for status, reason, count, reported in rows:
        comments[str(status)] = comments.get(str(status), 0) + count
        if reason in decided:
            decided[reason] += count
        reports += reported
    bans = db.session.scalar(
        select(func.count()).where(AuditLogEntry.subject_type == "user", AuditLogEntry.subject_id == user_id, AuditLogEntry.action == "ban")
    )
    return {
        "user_id": user.id,
        "name": user.name,
        "comments": comments,
        "approved_by_moderators": decided[ModerationReason.MODERATOR_APPROVE],
        "rejected_by_moderators": decided[ModerationReason.MODERATOR_REJECT],
        "reports_received": reports,
        "bans": bans,
        "banned": user.is_banned(),
        "ban_reason": user.ban_reason if user.is_banned() else None,
        "banned_until": user.banned_until if user.is_banned() else None,
    }
