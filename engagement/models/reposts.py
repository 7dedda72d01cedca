"""Reposts of an article, with an optional quote that is moderated like a comment."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.extensions import db
from engagement.models._types import UTCDateTime, utcnow
from engagement.models.articles import Article
from engagement.models.moderation import ModeratedText
from engagement.models.users import User


class Repost(ModeratedText, db.Model):
    """A user's repost of an article, with an optional quote; ``status`` is the quote's moderation status."""

    __tablename__ = "reposts"
    moderation_kind = "repost"
    text_attribute = "quote"
    __table_args__ = (
        UniqueConstraint("article_id", "user_id"),
        Index("ix_reposts_user", "user_id", "id"),
        Index("ix_reposts_article", "article_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    quote: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    article: Mapped[Article] = relationship(lazy="select")

    viewer_is_privileged = False

    @property
    def author(self) -> User:
        return self.user
