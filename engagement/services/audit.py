from __future__ import annotations

from typing import Any

from engagement.extensions import db
from engagement.models import AuditLogEntry


def record_audit(
    action: str,
    subject_type: str,
    subject_id: str | int,
    actor_id: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditLogEntry:
    """Append one entry; the log is never updated or deleted from."""
    entry = AuditLogEntry(
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        actor_id=actor_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        details=details,
    )
    db.session.add(entry)
    return entry
