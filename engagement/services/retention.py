"""Data retention: drop per-event rows nobody reads once they are old; counters and content stay."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, func, select

from engagement.extensions import db
from engagement.models import IdempotencyRecord, Share
from engagement.models._types import utcnow

logger = logging.getLogger(__name__)

# Bounded batches: a long table is deleted in short transactions, never one long lock.
PRUNE_BATCH = 5000


def prune_old_records(share_event_days: int, idempotency_days: int, dry_run: bool = False) -> dict[str, int]:
    """Delete share events and idempotency records older than their retention; return what went (or would go).

    Share events only record who shared what and when (the counters live in their own rows), and an
    idempotency record only has to outlive the client's retries.
    """
    now = utcnow()
    share_cutoff = now - timedelta(days=share_event_days)
    idempotency_cutoff = now - timedelta(days=idempotency_days)
    if dry_run:
        counts = {
            "share_events": db.session.scalar(select(func.count()).where(Share.created_at < share_cutoff)),
            "idempotency_records": db.session.scalar(
                select(func.count()).where(IdempotencyRecord.created_at < idempotency_cutoff)
            ),
        }
        db.session.rollback()
        return counts
    counts = {"share_events": _prune_shares(share_cutoff), "idempotency_records": 0}
    # Few rows (money-moving requests only): one statement.
    result = db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < idempotency_cutoff))
    db.session.commit()
    counts["idempotency_records"] = result.rowcount
    logger.info("pruned %s", counts)
    return counts


def _prune_shares(cutoff) -> int:
    # Ids grow with time, so everything to delete lies at or below one id: batches walk the primary key.
    last_id = db.session.scalar(select(func.max(Share.id)).where(Share.created_at < cutoff))
    deleted = 0
    while last_id is not None:
        batch = select(Share.id).where(Share.id <= last_id, Share.created_at < cutoff).order_by(Share.id).limit(PRUNE_BATCH)
        result = db.session.execute(delete(Share).where(Share.id.in_(batch.scalar_subquery())))
        db.session.commit()
        deleted += result.rowcount
        if result.rowcount < PRUNE_BATCH:
            break
    return deleted
