"""Operator tools for the model: calibrate thresholds from moderators' decisions, rescore held text."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from engagement.extensions import db
from engagement.models import MODERATED_KINDS, AuditLogEntry, Comment
from engagement.moderation.moderator import get_moderator
from engagement.services.audit import record_audit
from engagement.services.screening import store_result
from engagement.services.statuses import set_status
from engagement.vocabulary import ModerationReason, ModerationStatus

logger = logging.getLogger(__name__)

# Held for these reasons, a text may be published by a rescore; held by reports or a moderator, never.
RESCORABLE_REASONS = (
    ModerationReason.MODEL_HOLD, ModerationReason.MODEL_ERROR, ModerationReason.MODEL_NOT_READY, ModerationReason.QUEUED
)


@dataclass(frozen=True)
class LabelCalibration:
    label: str
    threshold: float
    decisions: int
    rejected: int
    precision: float | None
    recall: float | None
    suggested_threshold: float | None


def _latest_decisions() -> list[tuple[dict[str, float], bool]]:
    """(scores, rejected?) of every text's most recent moderator decision that carried scores."""
    entries = db.session.scalars(
        select(AuditLogEntry).where(AuditLogEntry.action.in_(("approve", "reject"))).order_by(AuditLogEntry.id)
    )
    latest: dict[tuple[str, str], tuple[dict[str, float], bool]] = {}
    for entry in entries:
        scores = (entry.details or {}).get("scores")
        if scores:
            latest[(entry.subject_type, entry.subject_id)] = (scores, entry.action == "reject")
    return list(latest.values())


def _precision_recall(pairs: list[tuple[float, bool]], threshold: float) -> tuple[float | None, float | None]:
    flagged = [rejected for score, rejected in pairs if score >= threshold]
    positives = sum(rejected for _, rejected in pairs)
    precision = sum(flagged) / len(flagged) if flagged else None
    recall = sum(flagged) / positives if positives else None
    return precision, recall


def calibrate_thresholds(target_precision: float = 0.8, min_flagged: int = 5) -> list[LabelCalibration]:
    """Per label: how the current hold threshold did against moderators, and the lowest threshold that
    would have reached ``target_precision`` on at least ``min_flagged`` texts. Changes nothing."""
    policy = get_moderator().policy
    decisions = _latest_decisions()
    report = []
    for label, threshold in sorted(policy.hold_thresholds.items()):
        pairs = [(scores[label], rejected) for scores, rejected in decisions if label in scores]
        if not pairs:
            continue
        precision, recall = _precision_recall(pairs, threshold)
        suggested = None
        for candidate in sorted({round(score, 3) for score, _ in pairs}):
            candidate_precision, _ = _precision_recall(pairs, candidate)
            flagged = sum(1 for score, _ in pairs if score >= candidate)
            if candidate_precision is not None and candidate_precision >= target_precision and flagged >= min_flagged:
                suggested = candidate
                break
        report.append(
            LabelCalibration(label, threshold, len(pairs), sum(r for _, r in pairs), precision, recall, suggested)
        )
    return report


def rescore_held_texts(since: datetime | None = None, batch_size: int = 32) -> Iterator[dict[str, int]]:
    """Score held texts again with the current model and thresholds; publish those now clean.

    Texts held by reports or decided by a moderator are left alone. Every change is in the audit log.
    Yields each batch's counts once its changes are made: the caller commits there, so the rows of a
    batch are locked only until then.
    """
    moderator = get_moderator()
    for kind, model in MODERATED_KINDS.items():
        query = select(model).where(
            model.status == ModerationStatus.PENDING_REVIEW, model.moderation_reason.in_(RESCORABLE_REASONS)
        )
        if since is not None:
            query = query.where(model.created_at >= since)
        if model is Comment:
            query = query.where(Comment.deleted_at.is_(None))
        last_id = 0
        while True:
            page = query.where(model.id > last_id).order_by(model.id).limit(batch_size).with_for_update(skip_locked=True)
            items = list(db.session.scalars(page))
            if not items:
                break
            last_id = items[-1].id
            counts = {"scored": 0, "published": 0, "still_held": 0}
            for item, result in zip(items, moderator.moderate_batch([item.moderated_text or "" for item in items]), strict=True):
                counts["scored"] += 1
                store_result(item, result)
                if result.status == ModerationStatus.PUBLISHED:
                    set_status(item, result.status)
                    counts["published"] += 1
                    record_audit(
                        "rescore_published", kind, item.id, from_status=ModerationStatus.PENDING_REVIEW,
                        to_status=result.status, reason=ModerationReason.RESCORE,
                        details={"model": result.model, "model_version": result.model_version, "scores": result.scores},
                    )
                else:
                    # Still doubtful: keep it held, but show moderators the current model's view.
                    item.moderation_reason = ModerationReason.MODEL_HOLD
                    counts["still_held"] += 1
            yield counts
