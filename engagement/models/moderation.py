from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engagement.extensions import db
from engagement.models._types import UTCDateTime, utcnow


class ModeratedText:
    """Columns of anything holding user text that is scored before others see it (comment, quote, message).

    ``status`` is an engagement.vocabulary.ModerationStatus (shown to others only while published), ``moderation_reason`` a
    ModerationReason; both are stored as their plain strings.
    """

    status: Mapped[str] = mapped_column(String(20))
    # What the model said about the current text, and why the status is what it is.
    moderation_scores: Mapped[Optional[dict[str, float]]] = mapped_column(JSON)
    moderation_labels: Mapped[Optional[list[str]]] = mapped_column(JSON)
    moderation_model: Mapped[Optional[str]] = mapped_column(String(200))
    moderation_model_version: Mapped[Optional[str]] = mapped_column(String(64))
    moderation_reason: Mapped[Optional[str]] = mapped_column(String(64))
    scored_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[Optional[str]] = mapped_column(String(64))

    #: "comment", "repost" or "reward": how the audit log and the queue name this kind of text.
    moderation_kind: str = ""
    #: The attribute holding the text that was scored.
    text_attribute: str = "body"

    @property
    def moderated_text(self) -> str | None:
        return getattr(self, self.text_attribute)

    @property
    def moderation(self) -> dict[str, Any]:
        return {
            "labels": self.moderation_labels or [],
            "reason": self.moderation_reason,
            "model": self.moderation_model,
            "model_version": self.moderation_model_version,
        }


class AuditLogEntry(db.Model):
    """Append-only record of every moderation decision, ban, pin and rescore; rows are never updated."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # None when the decision was automatic (the model or a report threshold).
    actor_id: Mapped[Optional[str]] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[Optional[str]] = mapped_column(String(20))
    to_status: Mapped[Optional[str]] = mapped_column(String(20))
    reason: Mapped[Optional[str]] = mapped_column(String(500))
    details: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
