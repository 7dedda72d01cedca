"""Typed SQLAlchemy models; importing this package registers every table on the metadata."""

from engagement.models.articles import Article, ArticleShareCount
from engagement.models.comments import Comment, CommentLike, CommentReport, CommentRevision, CommentStatus
from engagement.models.moderation import AuditLogEntry
from engagement.models.users import Role, User

__all__ = [
    "Article",
    "ArticleShareCount",
    "AuditLogEntry",
    "Comment",
    "CommentLike",
    "CommentReport",
    "CommentRevision",
    "CommentStatus",
    "Role",
    "User",
]
