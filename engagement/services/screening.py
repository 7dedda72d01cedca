"""Scoring user text before anyone else sees it, for every kind of text: comments, quotes, reward messages."""

from __future__ import annotations

from functools import partial
from typing import Any

from engagement.extensions import db
from engagement.models import ModeratedText
from engagement.models._types import utcnow
from engagement.moderation.moderator import ModerationResult, get_moderator
from engagement.services.audit import record_audit


def screen_text(text: str | None) -> ModerationResult:
    """Inline mode scores now; queue mode holds the text until a worker scores it. No text, nothing to hide."""
    if text is None:
        return ModerationResult("published", reason="no_text")
    moderator = get_moderator()
    if moderator.mode == "queue":
        return ModerationResult("pending_review", reason="queued")
    return moderator.moderate(text)


def store_result(item: ModeratedText, result: ModerationResult) -> None:
    item.moderation_scores = result.scores
    item.moderation_labels = result.labels
    item.moderation_model = result.model
    item.moderation_model_version = result.model_version
    item.moderation_reason = result.reason
    item.scored_at = utcnow() if result.scores is not None else None
    item.decided_by_id = None


def record_automatic_decision(kind: str, item: Any, result: ModerationResult, from_status: str | None) -> None:
    record_audit(
        f"auto_{result.status}",
        kind,
        item.id,
        from_status=from_status,
        to_status=result.status,
        reason=result.reason,
        details={"labels": result.labels, "model": result.model, "model_version": result.model_version},
    )


def after_screening(kind: str, item: Any, result: ModerationResult, from_status: str | None) -> None:
    """Log the automatic decision and, in queue mode, hand the text to the workers once committed."""
    if result.reason == "no_text":
        return
    record_automatic_decision(kind, item, result, from_status)
    if result.reason == "queued":
        # Jobs carry ids, never ORM objects, and are enqueued only once the row is committed.
        queue = get_moderator().queue
        db.session.info.setdefault("after_commit", []).append(partial(queue.enqueue, kind, item.id))
