from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.extensions import db
from engagement.models._types import UTCDateTime, utcnow
from engagement.models.articles import Article
from engagement.models.moderation import ModeratedText
from engagement.models.users import User
from engagement.vocabulary import ModerationStatus


class Comment(ModeratedText, db.Model):
    """A comment under an article. Its text is shown to others only while ``status`` is published."""

    __tablename__ = "comments"
    moderation_kind = "comment"
    __table_args__ = (
        CheckConstraint("like_count >= 0", name="like_count_not_negative"),
        CheckConstraint("reply_count >= 0", name="reply_count_not_negative"),
        # Keyset pagination per article and sort order. Root pages (pinned_at IS NULL, parent_id IS NULL, by id)
        # and the first page's pinned comments (pinned_at IS NOT NULL) both seek here, whatever the depth and
        # whatever the viewer may see; replies use ix_comments_parent_id; "top" the likes index.
        Index("ix_comments_article_page", "article_id", "pinned_at", "parent_id", "id"),
        Index("ix_comments_article_status_likes", "article_id", "status", "like_count", "id"),
        Index("ix_comments_status_created", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("comments.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    deleted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    deleted_by_id: Mapped[Optional[str]] = mapped_column(String(64))
    like_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reply_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    report_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Reports since a moderator last reviewed the comment; reaching the threshold holds it again.
    open_report_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the first report since the last review arrived; None when nothing is open.
    reported_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    pinned_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    pinned_by_id: Mapped[Optional[str]] = mapped_column(String(64))

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    article: Mapped["Article"] = relationship(lazy="select")

    # What the current viewer may see, set by the services before serialization; not columns.
    viewer_liked = False
    viewer_is_privileged = False
    viewer_is_moderator = False
    previous_versions: list["CommentRevision"] = []

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_published(self) -> bool:
        return self.status == ModerationStatus.PUBLISHED and self.deleted_at is None



class CommentRevision(db.Model):
    """A body a comment showed before an edit; moderators read these, nobody else."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    moderation_scores: Mapped[Optional[dict[str, float]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CommentLike(db.Model):
    __tablename__ = "comment_likes"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CommentReport(db.Model):
    __tablename__ = "comment_reports"
    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
