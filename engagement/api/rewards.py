"""Rewards: tip an article's author from your wallet; read an article's rewards and top supporters."""

from engagement.api import Blueprint, TransactionalView, rate_limited
from engagement.api.schemas.common import IdempotencyHeaderSchema, PageQueryArgsSchema
from engagement.api.schemas.rewards import RewardCreateSchema, RewardPageSchema, RewardSchema
from engagement.auth import optional_actor, required_actor
from engagement.services import rewards as reward_service

blp = Blueprint("rewards", __name__, url_prefix="/api/v1", description="Rewards to an article's author.")


@blp.route("/articles/<article_id>/rewards")
class RewardsView(TransactionalView):
    @blp.arguments(PageQueryArgsSchema, location="query")
    @blp.response(200, RewardPageSchema)
    @blp.access("optional", 404)
    def get(self, args, article_id: str):
        """Recent rewards of an article and its top supporters."""
        return reward_service.list_rewards(article_id, optional_actor(), args["limit"], args["cursor"])

    @rate_limited("RATELIMIT_REWARDS")
    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.arguments(RewardCreateSchema)
    @blp.response(201, RewardSchema)
    @blp.access("required", 400, 403, 404, 409, 428)
    def post(self, headers, data, article_id: str):
        """Tip the article's author from your wallet; needs an Idempotency-Key."""
        return reward_service.reward_article(
            required_actor(), article_id, data["amount"], data["currency"], data["message"], headers["idempotency_key"]
        )
