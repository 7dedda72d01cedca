"""Data retention: drop per-event rows nobody reads once they are old; counters and content stay."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import ColumnElement, delete, func, select

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
    old_shares = Share.created_at < now - timedelta(days=share_event_days)
    old_records = IdempotencyRecord.created_at < now - timedelta(days=idempotency_days)
    if dry_run:
        counts = {
            "share_events": db.session.scalar(select(func.count()).where(old_shares)),
            "idempotency_records": db.session.scalar(select(func.count()).where(old_records)),
        }
        db.session.rollback()
        return counts
    counts = {"share_events": _prune_shares(old_shares)}
    # Few rows (money-moving requests only): one statement.
    counts["idempotency_records"] = db.session.execute(delete(IdempotencyRecord).where(old_records)).rowcount
    db.session.commit()
    logger.info("pruned %s", counts)
    return counts


def _prune_shares(old: ColumnElement[bool]) -> int:
    # Ids grow with time, so everything to delete lies at or below one id: batches walk the primary key.
    last_id = db.session.scalar(select(func.max(Share.id)).where(old))
    deleted = 0
    while last_id is not None:
        batch = select(Share.id).where(Share.id <= last_id, old).order_by(Share.id).limit(PRUNE_BATCH)
        result = db.session.execute(delete(Share).where(Share.id.in_(batch.scalar_subquery())))
        db.session.commit()
        deleted += result.rowcount
        if result.rowcount < PRUNE_BATCH:
            break
    return deleted
