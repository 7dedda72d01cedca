from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engagement.extensions import db
from engagement.models._types import UTCDateTime, utcnow


class Article(db.Model):
    """A news article registered by the host platform; carries every widget's counters on its row."""

    __tablename__ = "articles"
    __table_args__ = (
        CheckConstraint("comment_count >= 0", name="comment_count_not_negative"),
        CheckConstraint("repost_count >= 0", name="repost_count_not_negative"),
        CheckConstraint("share_count >= 0", name="share_count_not_negative"),
        CheckConstraint("reward_count >= 0", name="reward_count_not_negative"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(2000))
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    comment_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    repost_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    share_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reward_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    pin_position: Mapped[Optional[int]] = mapped_column(Integer)
    pinned_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    pin_expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    pinned_by_id: Mapped[Optional[str]] = mapped_column(String(64))

    @classmethod
    def pin_is_active(cls, now: datetime | None = None):
        """SQL condition: the article is pinned and its pin has not expired."""
        if now is None:  # (a bind parameter has no truth value)
            now = utcnow()
        return cls.pinned_at.is_not(None) & (cls.pin_expires_at.is_(None) | (cls.pin_expires_at > now))

