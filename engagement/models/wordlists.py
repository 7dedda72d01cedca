from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engagement.extensions import db
from engagement.models._types import UTCDateTime, utcnow


class WordList(enum.StrEnum):
    #: A text containing the term is rejected.
    BANNED = "banned"
    #: A text containing the term is held for a moderator.
    SUSPECT = "suspect"


# Stored for terms that apply whatever the text's language; NULL would not take part in the unique constraint.
ALL_LANGUAGES = ""


class ModerationTerm(db.Model):
    """A banned or suspect term of the word-list phase, managed by admins; every change is audited."""

    __tablename__ = "moderation_terms"
    __table_args__ = (UniqueConstraint("list", "language", "term"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list: Mapped[str] = mapped_column(String(10))
    term: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(8), default=ALL_LANGUAGES, server_default=ALL_LANGUAGES)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: None for the terms the product ships with.
    created_by_id: Mapped[Optional[str]] = mapped_column(String(64))
