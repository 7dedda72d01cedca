"""Pins: articles pinned in order (admins), and comments pinned to the top of their article (moderators)."""

from engagement.api import Blueprint, TransactionalView, rate_limited
from engagement.api.schemas.comments import CommentSchema
from engagement.api.schemas.pins import PinCreateSchema, PinnedArticleListSchema, PinnedArticleSchema
from engagement.auth import required_actor
from engagement.services import pins as pin_service

blp = Blueprint("pins", __name__, url_prefix="/api/v1", description="Pinned articles and pinned comments.")


@blp.route("/pins")
class PinnedArticlesView(TransactionalView):
    @blp.response(200, PinnedArticleListSchema)
    @blp.access("none")
    def get(self):
        """Pinned articles in order, leaving out expired pins."""
        return {"items": pin_service.list_pinned_articles()}


@blp.route("/pins/<article_id>")
class ArticlePinView(TransactionalView):
    @rate_limited("RATELIMIT_PINS")
    @blp.arguments(PinCreateSchema)
    @blp.response(200, PinnedArticleSchema)
    @blp.access("required", 403, 404)
    def put(self, data, article_id: str):
        """Pin an article (admins), at a position and until a time if given."""
        return pin_service.pin_article(required_actor(), article_id, data["position"], data["expires_at"])

    @rate_limited("RATELIMIT_PINS")
    @blp.response(204)
    @blp.access("required", 403, 404)
    def delete(self, article_id: str):
        """Unpin an article (admins)."""
        pin_service.unpin_article(required_actor(), article_id)


@blp.route("/comments/<int:comment_id>/pin")
class CommentPinView(TransactionalView):
    @rate_limited("RATELIMIT_PINS")
    @blp.response(200, CommentSchema)
    @blp.access("required", 403, 404, 409, 422)
    def put(self, comment_id: int):
        """Pin a comment to the top of its article (moderators, admins)."""
        return pin_service.pin_comment(required_actor(), comment_id)

    @rate_limited("RATELIMIT_PINS")
    @blp.response(200, CommentSchema)
    @blp.access("required", 403, 404)
    def delete(self, comment_id: int):
        """Unpin a comment."""
        return pin_service.unpin_comment(required_actor(), comment_id)
