from engagement.api import Blueprint, TransactionalView, rate_limited
from engagement.api.schemas.comments import (
    CommentCreateSchema,
    CommentPageSchema,
    CommentQueryArgsSchema,
    CommentSchema,
    CommentUpdateSchema,
    LikeStateSchema,
    ReportCreateSchema,
    ReportSchema,
)
from engagement.auth import optional_actor, required_actor
from engagement.services import comments as comment_service

blp = Blueprint("comments", __name__, url_prefix="/api/v1", description="Comments, replies, likes and reports.")


@blp.route("/articles/<article_id>/comments")
class ArticleCommentsView(TransactionalView):
    @blp.arguments(CommentQueryArgsSchema, location="query")
    @blp.response(200, CommentPageSchema)
    @blp.access("optional", 404)
    def get(self, args, article_id: str):
        """List an article's published comments (pinned first), plus the viewer's own held ones."""
        return comment_service.list_comments(article_id, optional_actor(), **args)

    @rate_limited("RATELIMIT_COMMENTS")
    @blp.arguments(CommentCreateSchema)
    @blp.response(201, CommentSchema)
    @blp.alt_response(202, schema=CommentSchema, description="Queue mode: stored and held until a worker scores it.")
    @blp.access("required", 403, 404)
    def post(self, data, article_id: str):
        """Post a comment or a reply; it is scored before anyone else can see it."""
        comment = comment_service.create_comment(required_actor(), article_id, data["body"], data["parent_id"])
        return comment, 202 if comment.moderation_reason == "queued" else 201


@blp.route("/comments/<int:comment_id>")
class CommentView(TransactionalView):
    @blp.response(200, CommentSchema)
    @blp.access("optional", 404)
    def get(self, comment_id: int):
        """Read one comment; held ones only for their author and moderators."""
        return comment_service.view_comment(comment_id, optional_actor())

    @rate_limited("RATELIMIT_COMMENTS")
    @blp.arguments(CommentUpdateSchema)
    @blp.response(200, CommentSchema)
    @blp.access("required", 403, 404, 409)
    def patch(self, data, comment_id: int):
        """Edit your comment within the edit window; the new text is scored before it is shown."""
        return comment_service.edit_comment(required_actor(), comment_id, data["body"])

    @rate_limited("RATELIMIT_WRITES")
    @blp.response(204)
    @blp.access("required", 403, 404)
    def delete(self, comment_id: int):
        """Delete a comment (author, moderator, admin); its text is no longer served."""
        comment_service.delete_comment(required_actor(), comment_id)


@blp.route("/comments/<int:comment_id>/like")
class CommentLikeView(TransactionalView):
    @rate_limited("RATELIMIT_LIKES")
    @blp.response(200, LikeStateSchema)
    @blp.access("required", 403, 404, 409)
    def put(self, comment_id: int):
        """Like a comment; liking twice changes nothing."""
        return comment_service.like_comment(required_actor(), comment_id)

    @rate_limited("RATELIMIT_LIKES")
    @blp.response(200, LikeStateSchema)
    @blp.access("required", 403, 404, 409)
    def delete(self, comment_id: int):
        """Take a like back; idempotent."""
        return comment_service.unlike_comment(required_actor(), comment_id)


@blp.route("/comments/<int:comment_id>/reports")
class CommentReportsView(TransactionalView):
    @rate_limited("RATELIMIT_REPORTS")
    @blp.arguments(ReportCreateSchema)
    @blp.response(201, ReportSchema)
    @blp.access("required", 403, 404, 409)
    def post(self, data, comment_id: int):
        """Report a comment; enough distinct reports send it back to the moderators."""
        return comment_service.report_comment(required_actor(), comment_id, data["reason"])
