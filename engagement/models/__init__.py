"""Typed SQLAlchemy models; importing this package registers every table on the metadata."""

from engagement.models.articles import Article
from engagement.models.comments import Comment, CommentLike, CommentReport, CommentRevision
from engagement.models.idempotency import IdempotencyRecord
from engagement.models.moderation import AuditLogEntry, ModeratedText
from engagement.models.reposts import Repost
from engagement.models.rewards import ArticleRewardTotal, ArticleSupporter, Reward
from engagement.models.shares import ArticleShareCount, Share
from engagement.models.users import Role, User
from engagement.models.wallets import LedgerEntry, Wallet

# Every kind of user text that is scored before others see it, by the name the queue and the log use.
MODERATED_KINDS: dict[str, type[ModeratedText]] = {"comment": Comment, "repost": Repost, "reward": Reward}

__all__ = [
    "MODERATED_KINDS",
    "Article",
    "ArticleRewardTotal",
    "ArticleShareCount",
    "ArticleSupporter",
    "AuditLogEntry",
    "Comment",
    "CommentLike",
    "CommentReport",
    "CommentRevision",
    "IdempotencyRecord",
    "LedgerEntry",
    "ModeratedText",
    "Repost",
    "Reward",
    "Role",
    "Share",
    "User",
    "Wallet",
]
