"""Typed SQLAlchemy models; importing this package registers every table on the metadata."""

from engagement.models.articles import Article, ArticleShareCount
from engagement.models.comments import Comment, CommentLike, CommentReport, CommentRevision
from engagement.models.moderation import AuditLogEntry, ModeratedText
from engagement.models.users import Role, User
from engagement.models.widgets import (
    ArticleRewardTotal,
    ArticleSupporter,
    IdempotencyRecord,
    LedgerEntry,
    Repost,
    Reward,
    Share,
    Wallet,
)

# Every kind of user text that is scored before others see it, by the name the queue and the log use.
MODERATED_KINDS: dict[str, type[ModeratedText]] = {"comment": Comment, "repost": Repost, "reward": Reward}

__all__ = [
    "MODERATED_KINDS",
    "Article",
    "ArticleRewardTotal",
    "ArticleSupporter",
    "IdempotencyRecord",
    "LedgerEntry",
    "ModeratedText",
    "Repost",
    "Reward",
    "Share",
    "Wallet",
    "ArticleShareCount",
    "AuditLogEntry",
    "Comment",
    "CommentLike",
    "CommentReport",
    "CommentRevision",
    "Role",
    "User",
]
