from engagement.api import Blueprint, TransactionalView, rate_limited
from engagement.api.schemas.articles import (
    ArticleSchema,
    ArticleUpsertSchema,
    EngagementBatchSchema,
    EngagementQuerySchema,
    PinCreateSchema,
    PinnedArticleListSchema,
    PinnedArticleSchema,
)
from engagement.auth import optional_actor, required_actor
from engagement.services import articles as article_service
from engagement.services import pins as pin_service

blp = Blueprint("articles", __name__, url_prefix="/api/v1", description="Articles, their counters, and pins.")


@blp.route("/articles/<article_id>")
class ArticleView(TransactionalView):
    @blp.response(200, ArticleSchema)
    def get(self, article_id: str):
        """Read an article with every widget's counters (and, with a token, the viewer's own state)."""
        return article_service.article_with_summary(article_id, optional_actor())

    @rate_limited("RATELIMIT_ADMIN")
    @blp.arguments(ArticleUpsertSchema)
    @blp.response(200, ArticleSchema)
    @blp.alt_response(201, schema=ArticleSchema, description="Registered for the first time.")
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
    def post(self, data):
        """Summaries of many articles in one call; unknown ids are listed under ``missing``."""
        return article_service.summaries_for(data["article_ids"], optional_actor())


@blp.route("/pins")
class PinnedArticlesView(TransactionalView):
    @blp.response(200, PinnedArticleListSchema)
    def get(self):
        """Pinned articles in order, leaving out expired pins."""
        return {"items": pin_service.list_pinned_articles()}


@blp.route("/pins/<article_id>")
class ArticlePinView(TransactionalView):
    @rate_limited("RATELIMIT_PINS")
    @blp.arguments(PinCreateSchema)
    @blp.response(200, PinnedArticleSchema)
    def put(self, data, article_id: str):
        """Pin an article (admins), at a position and until a time if given."""
        return pin_service.pin_article(required_actor(), article_id, data["position"], data["expires_at"])

    @rate_limited("RATELIMIT_PINS")
    @blp.response(204)
    def delete(self, article_id: str):
        """Unpin an article (admins)."""
        pin_service.unpin_article(required_actor(), article_id)
