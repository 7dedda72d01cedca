"""Wallets and the ledger: every movement of value, and the balances kept in step with it."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engagement.extensions import db
from engagement.models._types import UTCDateTime, utcnow


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
