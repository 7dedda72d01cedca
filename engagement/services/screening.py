"""Scoring user text before anyone else sees it, for every kind of text: comments, quotes, reward messages."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import select

from engagement.extensions import db
from engagement.models import MODERATED_KINDS, ModeratedText
from engagement.models._types import utcnow
from engagement.moderation.moderator import ModerationResult, get_moderator
from engagement.observability import record_moderation
from engagement.services.audit import record_audit
from engagement.services.statuses import set_status
from engagement.vocabulary import ModerationReason, ModerationStatus

logger = logging.getLogger(__name__)


def screen_text(text: str | None) -> ModerationResult:
    """Inline mode scores now; queue mode holds the text until a worker scores it. No text, nothing to hide."""
    if text is None:
        return ModerationResult(ModerationStatus.PUBLISHED, reason=ModerationReason.NO_TEXT)
    moderator = get_moderator()
    if moderator.mode == "queue":
        return ModerationResult(ModerationStatus.PENDING_REVIEW, reason=ModerationReason.QUEUED)
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
    if result.reason == ModerationReason.NO_TEXT:
        return
    record_automatic_decision(kind, item, result, from_status)
    if result.reason == ModerationReason.QUEUED:
        # Jobs carry ids, never ORM objects, and are enqueued only once the row is committed.
        queue = get_moderator().queue
        db.session.info.setdefault("after_commit", []).append(partial(queue.enqueue, kind, item.id))


def _waiting_for_worker(model):
    return (model.status == ModerationStatus.PENDING_REVIEW) & (model.moderation_reason == ModerationReason.QUEUED)


def _queued(model):
    return select(model).where(_waiting_for_worker(model))


def score_queued_texts(kind: str, item_id: int, batch_size: int = 32) -> int:
    """Worker side of queue mode: score up to ``batch_size`` waiting texts of one kind and apply the policy.

    Idempotent: a text already scored is skipped, so duplicate or retried jobs do no harm. Rows are
    locked with SKIP LOCKED where the database has it, so several workers never score the same text.
    Raises when the model fails, so RQ retries the job; the texts stay held meanwhile. The job commits.
    """
    model = MODERATED_KINDS[kind]
    # The job's own text first, then the oldest others that are waiting.
    first = db.session.scalars(_queued(model).where(model.id == item_id).with_for_update(skip_locked=True)).all()
    others = db.session.scalars(
        _queued(model).where(model.id != item_id).order_by(model.id).limit(max(0, batch_size - len(first))).with_for_update(skip_locked=True)
    ).all()
    items = [*first, *others]
    if not items:
        return 0
    results = get_moderator().moderate_batch([item.moderated_text or "" for item in items])
    for item, result in zip(items, results, strict=True):
        record_moderation(result)
        store_result(item, result)
        set_status(item, result.status)
        record_automatic_decision(kind, item, result, ModerationStatus.PENDING_REVIEW)
    return len(items)


def requeue_stale_texts(older_than_seconds: int) -> int:
    """Enqueue again every text still waiting after ``older_than_seconds``: its job was lost or its worker died."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    queue = get_moderator().queue
    count = 0
    for kind, model in MODERATED_KINDS.items():
        ids = db.session.scalars(select(model.id).where(_waiting_for_worker(model), model.created_at < cutoff)).all()
        for item_id in ids:
            count += int(queue.enqueue(kind, item_id))
    return count
