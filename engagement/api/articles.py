from engagement.api import Blueprint, TransactionalView, rate_limited
from engagement.api.schemas.articles import (
    ArticleSchema,
    ArticleUpsertSchema,
    EngagementBatchSchema,
    EngagementQuerySchema,
)
from engagement.auth import optional_actor, required_actor
from engagement.services import articles as article_service

blp = Blueprint("articles", __name__, url_prefix="/api/v1", description="Articles and their counters.")


@blp.route("/articles/<article_id>")
class ArticleView(TransactionalView):
    @blp.response(200, ArticleSchema)
    @blp.access("optional", 404)
    def get(self, article_id: str):
        """Read an article with every widget's counters (and, with a token, the viewer's own state)."""
        return article_service.article_with_summary(article_id, optional_actor())

    @rate_limited("RATELIMIT_ADMIN")
    @blp.arguments(ArticleUpsertSchema)
    @blp.response(200, ArticleSchema)
    @blp.alt_response(201, schema=ArticleSchema, description="Registered for the first time.")
    @blp.access("required", 403)
    def put(self, data, article_id: str):
        """Register or update an article (admins)."""
        summary, created = article_service.register_article(required_actor(), article_id, data)
        return summary, 201 if created else 200


@blp.route("/articles/engagement")
class EngagementBatchView(TransactionalView):
    anonymous_writes = True  # a read with a body: list pages ask for up to 100 articles at once
    read_only_methods = frozenset({"POST"})

    @rate_limited("RATELIMIT_READS")
    @blp.arguments(EngagementQuerySchema)
    @blp.response(200, EngagementBatchSchema)
    @blp.access("optional")
    def post(self, data):
        """Summaries of many articles in one call; unknown ids are listed under ``missing``."""
        return article_service.summaries_for(data["article_ids"], optional_actor())
