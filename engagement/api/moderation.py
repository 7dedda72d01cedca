from engagement.api import Blueprint, TransactionalView, rate_limited
from engagement.api.schemas.moderation import (
    AuditLogPageSchema,
    AuditLogQueryArgsSchema,
    BanCreateSchema,
    BanStateSchema,
    DecisionCreateSchema,
    QueueItemSchema,
    QueuePageSchema,
    QueueQueryArgsSchema,
)
from engagement.auth import required_actor
from engagement.services import moderation as moderation_service
from engagement.services import users as user_service

blp = Blueprint(
    "moderation", __name__, url_prefix="/api/v1/moderation", description="The moderators' queue, decisions and bans."
)


@blp.route("/queue")
class QueueView(TransactionalView):
    @blp.arguments(QueueQueryArgsSchema, location="query")
    @blp.response(200, QueuePageSchema)
    @blp.access("required", 403)
    def get(self, args):
        """Texts waiting for a moderator, oldest first, with scores, the phase that held them, reports, author and
        article; filtered by ``reason``, ``phase`` and ``lang``."""
        return moderation_service.list_queue(
            required_actor(),
            args["status"],
            args["limit"],
            args["cursor"],
            args["kind"],
            reason=args["reason"],
            phase=args["phase"],
            language=args["lang"],
        )


@blp.route("/<any(comments, reposts, rewards):collection>/<int:item_id>/decision")
class DecisionView(TransactionalView):
    @rate_limited("RATELIMIT_MODERATION")
    @blp.arguments(DecisionCreateSchema)
    @blp.response(200, QueueItemSchema)
    @blp.access("required", 403, 404, 409)
    def post(self, data, collection: str, item_id: int):
        """Approve (publish) or reject a comment, a repost's quote or a reward's message; logged."""
        kind = collection.removesuffix("s")
        return moderation_service.decide(required_actor(), kind, item_id, data["action"], data["reason"])


@blp.route("/log")
class AuditLogView(TransactionalView):
    @blp.arguments(AuditLogQueryArgsSchema, location="query")
    @blp.response(200, AuditLogPageSchema)
    @blp.access("required", 403)
    def get(self, args):
        """The append-only audit log, newest first."""
        return moderation_service.list_audit_log(required_actor(), **args)


@blp.route("/users/<user_id:user_id>/ban")
class BanView(TransactionalView):
    @rate_limited("RATELIMIT_MODERATION")
    @blp.arguments(BanCreateSchema)
    @blp.response(200, BanStateSchema)
    @blp.access("required", 403, 404)
    def put(self, data, user_id: str):
        """Ban a user from writing, until a time or indefinitely."""
        return user_service.ban_user(required_actor(), user_id, data["reason"], data["until"])

    @rate_limited("RATELIMIT_MODERATION")
    @blp.response(200, BanStateSchema)
    @blp.access("required", 403, 404)
    def delete(self, user_id: str):
        """Lift a ban."""
        return user_service.unban_user(required_actor(), user_id)
