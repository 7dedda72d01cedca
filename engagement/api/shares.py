"""Shares: count a share through a channel and hand back the link to share."""

from engagement.api import Blueprint, TransactionalView, rate_limited
from engagement.api.schemas.shares import ShareCreateSchema, ShareSchema
from engagement.auth import optional_actor
from engagement.services import shares as share_service

blp = Blueprint("shares", __name__, url_prefix="/api/v1", description="Shares of articles through social channels.")


@blp.route("/articles/<article_id>/shares")
class SharesView(TransactionalView):
    anonymous_writes = True  # sharing needs no account; limited per address instead

    @rate_limited("RATELIMIT_SHARES")
    @blp.arguments(ShareCreateSchema)
    @blp.response(201, ShareSchema)
    @blp.access("optional", 403, 404)
    def post(self, data, article_id: str):
        """Count a share and get the link to share, with tracking parameters and the channel's intent URL."""
        return share_service.share_article(optional_actor(), article_id, data["channel"])
