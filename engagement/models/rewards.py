"""Rewards (tips to an article's author) and the per-article totals and supporters board."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.extensions import db
from engagement.models._types import UTCDateTime, utcnow
from engagement.models.articles import Article
from engagement.models.moderation import ModeratedText
from engagement.models.users import User


class Reward(ModeratedText, db.Model):
    """A tip to an article's author; ``status`` is its message's moderation status."""

    __tablename__ = "rewards"
    moderation_kind = "reward"
    text_attribute = "message"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_rewards_article", "article_id", "id"),
        Index("ix_rewards_article_sender", "article_id", "from_user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    from_user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    to_user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(16))
    message: Mapped[Optional[str]] = mapped_column(Text)
    ledger_entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sender: Mapped[User] = relationship(foreign_keys=[from_user_id], lazy="joined", innerjoin=True)
    article: Mapped[Article] = relationship(lazy="select")

    viewer_is_privileged = False

    @property
    def author(self) -> User:
        return self.sender


class ArticleRewardTotal(db.Model):
    """Rewards per article and currency, for O(1) counters."""

    __tablename__ = "article_reward_totals"

    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(16), primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ArticleSupporter(db.Model):
    """What one user gave one article in one currency: the top-supporters board reads this."""

    __tablename__ = "article_supporters"
    __table_args__ = (Index("ix_article_supporters_board", "article_id", "currency", "total"),)

    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(16), primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
