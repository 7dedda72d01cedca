"""Reward (a ledger of value), Repost, Share and idempotency records."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.extensions import db
from engagement.models._types import UTCDateTime, utcnow
from engagement.models.articles import Article
from engagement.models.moderation import ModeratedText
from engagement.models.users import User


class Wallet(db.Model):
    """A user's balance in one currency, kept in step with the ledger in the same transaction."""

    __tablename__ = "wallets"
    __table_args__ = (CheckConstraint("balance >= 0", name="balance_not_negative"),)

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(16), primary_key=True)
    balance: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class LedgerEntry(db.Model):
    """One immutable movement of value: a credit from outside (no source) or a reward between wallets."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_ledger_entries_to_user", "to_user_id", "id"),
        Index("ix_ledger_entries_from_user", "from_user_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    from_user_id: Mapped[Optional[str]] = mapped_column(ForeignKey("users.id"))
    to_user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    article_id: Mapped[Optional[str]] = mapped_column(ForeignKey("articles.id"))
    created_by_id: Mapped[Optional[str]] = mapped_column(String(64))
    note: Mapped[Optional[str]] = mapped_column(String(200))


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


class IdempotencyRecord(db.Model):
    """The first result of a money-moving request, so a retry with the same key returns it unchanged."""

    __tablename__ = "idempotency_records"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[Optional[int]] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


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


class Share(db.Model):
    """One share through one channel; the per-channel counters live in ArticleShareCount."""

    __tablename__ = "shares"
    __table_args__ = (Index("ix_shares_article", "article_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[Optional[str]] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
