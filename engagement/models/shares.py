"""Shares of an article, one row each, and the per-channel counters."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engagement.extensions import db
from engagement.models._types import UTCDateTime, utcnow


class Share(db.Model):
    """One share through one channel; the per-channel counters live in ArticleShareCount."""

    __tablename__ = "shares"
    __table_args__ = (Index("ix_shares_article", "article_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[Optional[str]] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ArticleShareCount(db.Model):
    """Shares of one article through one channel: a row per pair keeps the per-channel counters O(1)."""

    __tablename__ = "article_share_counts"

    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
