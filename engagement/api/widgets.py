"""Reward, Repost and Share widgets, and comment pins."""

from marshmallow import EXCLUDE, Schema, fields

from engagement.api import Blueprint, TransactionalView, rate_limited
from engagement.api.schemas.comments import CommentSchema
from engagement.api.schemas.common import PageQueryArgsSchema
from engagement.api.schemas.widgets import (
    CreditCreateSchema,
    LedgerEntrySchema,
    RepostPageSchema,
    RepostSchema,
    RepostUpsertSchema,
    RewardCreateSchema,
    RewardPageSchema,
    RewardSchema,
    ShareCreateSchema,
    ShareSchema,
    WalletSchema,
)
from engagement.auth import optional_actor, required_actor
from engagement.services import pins as pin_service
from engagement.services import reposts as repost_service
from engagement.services import rewards as reward_service
from engagement.services import shares as share_service

blp = Blueprint("widgets", __name__, url_prefix="/api/v1", description="Reward, Repost, Share and comment pins.")


class IdempotencyHeaderSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    idempotency_key = fields.String(
        data_key="Idempotency-Key", load_default=None, metadata={"description": "Required: retries with the same key replay."}
    )


@blp.route("/admin/users/<user_id>/credits")
class CreditsView(TransactionalView):
    @rate_limited("RATELIMIT_ADMIN")
    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.arguments(CreditCreateSchema)
    @blp.response(201, LedgerEntrySchema)
    def post(self, headers, data, user_id: str):
        """Credit a user's wallet (admins and service tokens); needs an Idempotency-Key."""
        return reward_service.credit_user(
            required_actor(), user_id, data["amount"], data["currency"], headers["idempotency_key"], data["note"]
        )


@blp.route("/articles/<article_id>/rewards")
class RewardsView(TransactionalView):
    @blp.arguments(PageQueryArgsSchema, location="query")
    @blp.response(200, RewardPageSchema)
    def get(self, args, article_id: str):
        """Recent rewards of an article and its top supporters."""
        return reward_service.list_rewards(article_id, optional_actor(), args["limit"], args["cursor"])

    @rate_limited("RATELIMIT_REWARDS")
    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.arguments(RewardCreateSchema)
    @blp.response(201, RewardSchema)
    def post(self, headers, data, article_id: str):
        """Tip the article's author from your wallet; needs an Idempotency-Key."""
        return reward_service.reward_article(
            required_actor(), article_id, data["amount"], data["currency"], data["message"], headers["idempotency_key"]
        )


@blp.route("/me/wallet")
class WalletView(TransactionalView):
    @blp.arguments(PageQueryArgsSchema, location="query")
    @blp.response(200, WalletSchema)
    def get(self, args):
        """Your balances and ledger entries, newest first."""
        return reward_service.wallet_for(required_actor(), args["limit"], args["cursor"])


@blp.route("/articles/<article_id>/repost")
class RepostView(TransactionalView):
    @rate_limited("RATELIMIT_REPOSTS")
    @blp.arguments(RepostUpsertSchema)
    @blp.response(200, RepostSchema)
    @blp.alt_response(201, schema=RepostSchema, description="Reposted for the first time.")
    def put(self, data, article_id: str):
        """Repost an article, or change your quote; one repost per user per article."""
        repost, created = repost_service.repost_article(required_actor(), article_id, data["quote"])
        return repost, 201 if created else 200

    @rate_limited("RATELIMIT_REPOSTS")
    @blp.response(204)
    def delete(self, article_id: str):
        """Undo your repost; idempotent."""
        repost_service.undo_repost(required_actor(), article_id)


@blp.route("/articles/<article_id>/reposts")
class ArticleRepostsView(TransactionalView):
    @blp.arguments(PageQueryArgsSchema, location="query")
    @blp.response(200, RepostPageSchema)
    def get(self, args, article_id: str):
        """Who reposted an article, newest first."""
        return repost_service.list_reposts(optional_actor(), args["limit"], args["cursor"], article_id=article_id)


@blp.route("/users/<user_id>/reposts")
class UserRepostsView(TransactionalView):
    @blp.arguments(PageQueryArgsSchema, location="query")
    @blp.response(200, RepostPageSchema)
    def get(self, args, user_id: str):
        """A user's feed of what they reposted, newest first."""
        return repost_service.list_reposts(optional_actor(), args["limit"], args["cursor"], user_id=user_id)


@blp.route("/articles/<article_id>/shares")
class SharesView(TransactionalView):
    anonymous_writes = True  # sharing needs no account; limited per address instead

    @rate_limited("RATELIMIT_SHARES")
    @blp.arguments(ShareCreateSchema)
    @blp.response(201, ShareSchema)
    def post(self, data, article_id: str):
        """Count a share and get the link to share, with tracking parameters and the channel's intent URL."""
        return share_service.share_article(optional_actor(), article_id, data["channel"])


@blp.route("/comments/<int:comment_id>/pin")
class CommentPinView(TransactionalView):
    @rate_limited("RATELIMIT_PINS")
    @blp.response(200, CommentSchema)
    def put(self, comment_id: int):
        """Pin a comment to the top of its article (moderators, admins)."""
        return pin_service.pin_comment(required_actor(), comment_id)

    @rate_limited("RATELIMIT_PINS")
    @blp.response(200, CommentSchema)
    def delete(self, comment_id: int):
        """Unpin a comment."""
        return pin_service.unpin_comment(required_actor(), comment_id)
