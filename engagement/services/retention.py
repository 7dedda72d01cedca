"""Data retention: drop per-event rows nobody reads once they are old; counters and content stay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import delete, func, select

from engagement.extensions import db
from engagement.models import IdempotencyRecord, Share
from engagement.models._types import utcnow

# Bounded batches: a long table is deleted in short transactions, never one long lock.
PRUNE_BATCH = 5000


def prune_old_records(share_event_days: int, idempotency_days: int, dry_run: bool = False) -> Iterator[dict[str, int]]:
    """Delete share events and idempotency records older than their retention, a batch at a time.

    Share events only record who shared what and when (the counters live in their own rows), and an
    idempotency record only has to outlive the client's retries. Yields what each batch deleted (with
    ``dry_run``, once, what would go, deleting nothing); the caller commits after each batch, so a long
    table goes in short transactions.
    """
    now = utcnow()
    old_shares = Share.created_at < now - timedelta(days=share_event_days)
    old_records = IdempotencyRecord.created_at < now - timedelta(days=idempotency_days)
    if dry_run:
        yield {
            "share_events": db.session.scalar(select(func.count()).where(old_shares)),
            "idempotency_records": db.session.scalar(select(func.count()).where(old_records)),
        }
        return
    # Ids grow with time, so every share event to delete lies at or below one id: batches walk the key.
    last_id = db.session.scalar(select(func.max(Share.id)).where(old_shares))
    while last_id is not None:
        batch = select(Share.id).where(Share.id <= last_id, old_shares).order_by(Share.id).limit(PRUNE_BATCH)
        deleted = db.session.execute(delete(Share).where(Share.id.in_(batch.scalar_subquery()))).rowcount
        yield {"share_events": deleted, "idempotency_records": 0}
        if deleted < PRUNE_BATCH:
            break
    # Few rows (money-moving requests only): one statement.
    yield {"share_events": 0, "idempotency_records": db.session.execute(delete(IdempotencyRecord).where(old_records)).rowcount}
