"""GET /api/v1/moderation/users/{user_id}/history: the author's record beside each item in the console's queue."""

from engagement.api import Blueprint, TransactionalView
from engagement.api.schemas.author_history import AuthorHistorySchema
from engagement.auth import required_actor
from engagement.services.author_history import summarize_author

blp = Blueprint("author_history", __name__, url_prefix="/api/v1/moderation", description="Authors' records, for moderators.")


@blp.route("/users/<user_id>/history")
class AuthorHistoryView(TransactionalView):
    @blp.response(200, AuthorHistorySchema)
    @blp.access("required", 403, 404)
    def get(self, user_id: str):
        """An author's record: comments by status, moderators' decisions, reports received, bans."""
        return summarize_author(required_actor(), user_id)
