"""Idempotency records: the first result of a money-moving request, replayed on retry."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engagement.extensions import db
from engagement.models._types import UTCDateTime, utcnow


class IdempotencyRecord(db.Model):
    """The first result of a money-moving request, so a retry with the same key returns it unchanged."""

    __tablename__ = "idempotency_records"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[Optional[int]] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
