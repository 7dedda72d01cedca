"""Changing what others see of a text: the one place that keeps the published counters exact.

Below comments, screening and moderation, which all change statuses.
"""

from __future__ import annotations

from dataclasses import replace

from engagement.extensions import db
from engagement.models import Article, Comment, ModeratedText
from engagement.moderation.moderator import ModerationResult
from engagement.services.counters import bump
from engagement.vocabulary import ModerationReason, ModerationStatus


def set_status(item: ModeratedText, status: str) -> None:
    """Change a text's status; for a comment, also keep its article's and parent's published counters exact."""
    if not isinstance(item, Comment):
        item.status = status
        return
    was_public = item.is_published
    item.status = status
    count_visibility_change(item, was_public)


def count_visibility_change(comment: Comment, was_public: bool) -> None:
    """After a status change or a deletion: one atomic update of each counter the comment's visibility moved."""
    delta = int(comment.is_published) - int(was_public)
    if not delta:
        return
    bump(db.session.get(Article, comment.article_id), comment_count=delta)
    if comment.parent_id is not None:
        bump(db.session.get(Comment, comment.parent_id), reply_count=delta)


def result_for_edit(item: ModeratedText, result: ModerationResult) -> ModerationResult:
    """The model's verdict on an edit, unless a moderator rejected the text or reports hold it: then the edit
    waits for a moderator whatever the model says (its scores kept for them), and in queue mode no worker
    publishes it either, since only texts waiting with reason ``queued`` are scored."""
    sticky = ModerationReason.after_edit(item.status, item.moderation_reason)
    if sticky is None:
        return result
    return replace(result, status=ModerationStatus.PENDING_REVIEW, reason=sticky)
