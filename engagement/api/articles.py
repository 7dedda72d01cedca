from flask_smorest import Blueprint

from engagement.api import TransactionalView, rate_limited
from engagement.api.schemas.articles import ArticleSchema, ArticleUpsertSchema
from engagement.auth import optional_actor, required_actor
from engagement.services import articles as article_service

blp = Blueprint("articles", __name__, url_prefix="/api/v1/articles", description="Articles and their counters.")


@blp.route("/<article_id>")
class ArticleView(TransactionalView):
    @blp.response(200, ArticleSchema)
    def get(self, article_id: str):
        """Read an article with its engagement counters."""
        optional_actor()
        return article_service.get_article(article_id)

    @rate_limited("RATELIMIT_ADMIN")
    @blp.arguments(ArticleUpsertSchema)
    @blp.response(200, ArticleSchema)
    @blp.alt_response(201, schema=ArticleSchema, description="Registered for the first time.")
    def put(self, data, article_id: str):
        """Register or update an article (admins)."""
        article, created = article_service.register_article(required_actor(), article_id, data)
        return article, 201 if created else 200
