"""GET /api/v1/moderation/users/{user_id}/history: the author's record beside each item in the console's queue."""

from marshmallow import Schema, fields

from engagement.api import Blueprint, TransactionalView
from engagement.auth import required_actor
from engagement.services.author_history import summarize_author

blp = Blueprint("author_history", __name__, url_prefix="/api/v1/moderation", description="Authors' records, for moderators.")


class AuthorHistorySchema(Schema):
    user_id = fields.String()
    name = fields.String(allow_none=True)
    comments = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "Comment counts by status."})
    approved_by_moderators = fields.Integer()
    rejected_by_moderators = fields.Integer()
    reports_received = fields.Integer()
    bans = fields.Integer(metadata={"description": "Bans ever imposed, from the audit log."})
    banned = fields.Boolean()
    ban_reason = fields.String(allow_none=True)
    banned_until = fields.DateTime(allow_none=True)


@blp.route("/users/<user_id>/history")
class AuthorHistoryView(TransactionalView):
    @blp.response(200, AuthorHistorySchema)
    def get(self, user_id: str):
        """An author's record: comments by status, moderators' decisions, reports received, bans."""
        return summarize_author(required_actor(), user_id)
