"""Reposts: one per user per article, with an optional quote; feeds per article and per user."""

from engagement.api import Blueprint, TransactionalView, rate_limited
from engagement.api.schemas.common import PageQueryArgsSchema
from engagement.api.schemas.reposts import RepostPageSchema, RepostSchema, RepostUpsertSchema
from engagement.auth import optional_actor, required_actor
from engagement.services import reposts as repost_service

blp = Blueprint("reposts", __name__, url_prefix="/api/v1", description="Reposts of articles, with optional quotes.")


@blp.route("/articles/<article_id>/repost")
class RepostView(TransactionalView):
    @rate_limited("RATELIMIT_REPOSTS")
    @blp.arguments(RepostUpsertSchema)
    @blp.response(200, RepostSchema)
    @blp.alt_response(201, schema=RepostSchema, description="Reposted for the first time.")
    @blp.access("required", 403, 404)
    def put(self, data, article_id: str):
        """Repost an article, or change your quote; one repost per user per article."""
        repost, created = repost_service.repost_article(required_actor(), article_id, data["quote"])
        return repost, 201 if created else 200

    @rate_limited("RATELIMIT_REPOSTS")
    @blp.response(204)
    @blp.access("required", 403, 404)
    def delete(self, article_id: str):
        """Undo your repost; idempotent."""
        repost_service.undo_repost(required_actor(), article_id)


@blp.route("/articles/<article_id>/reposts")
class ArticleRepostsView(TransactionalView):
    @blp.arguments(PageQueryArgsSchema, location="query")
    @blp.response(200, RepostPageSchema)
    @blp.access("optional", 404)
    def get(self, args, article_id: str):
        """Who reposted an article, newest first."""
        return repost_service.list_reposts(optional_actor(), args["limit"], args["cursor"], article_id=article_id)


@blp.route("/users/<user_id:user_id>/reposts")
class UserRepostsView(TransactionalView):
    @blp.arguments(PageQueryArgsSchema, location="query")
    @blp.response(200, RepostPageSchema)
    @blp.access("optional", 404)
    def get(self, args, user_id: str):
        """A user's feed of what they reposted, newest first."""
        return repost_service.list_reposts(optional_actor(), args["limit"], args["cursor"], user_id=user_id)
