from marshmallow import Schema, fields, validate

from engagement.api.schemas.common import InputSchema, PageQueryArgsSchema, UserRefSchema, no_control_characters, page_schema
from engagement.models._types import MAX_INTEGER

# Generous on input: the real bound (400 code points after cleaning) is checked by the service, which
# names the field; this only stops absurd payloads early.
BODY_INPUT = validate.Length(max=4000)


class CommentCreateSchema(InputSchema):
    body = fields.String(required=True, validate=BODY_INPUT)
    parent_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=MAX_INTEGER))


class CommentUpdateSchema(InputSchema):
    body = fields.String(required=True, validate=BODY_INPUT)


class CommentQueryArgsSchema(PageQueryArgsSchema):
    sort = fields.String(load_default="newest", validate=validate.OneOf(["newest", "oldest", "top"]))
    parent_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_INTEGER))


class ReportCreateSchema(InputSchema):
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=500), no_control_characters])


class ModerationInfoSchema(Schema):
    labels = fields.List(fields.String())
    reason = fields.String(allow_none=True)
    model = fields.String(allow_none=True)
    model_version = fields.String(allow_none=True)
    phase = fields.String(allow_none=True, metadata={"description": "The moderation pipeline phase that decided."})
    language = fields.String(allow_none=True, metadata={"description": "Detected language (ISO 639-1)."})


class RevisionSchema(Schema):
    body = fields.String()
    status = fields.String()
    moderation_scores = fields.Dict(keys=fields.String(), values=fields.Float(), allow_none=True)
    created_at = fields.DateTime()
    replaced_at = fields.DateTime()


class CommentSchema(Schema):
    id = fields.Integer()
    article_id = fields.String()
    parent_id = fields.Integer(allow_none=True)
    author = fields.Nested(UserRefSchema)
    body = fields.Method("get_body", allow_none=True)
    status = fields.String()
    deleted = fields.Boolean(attribute="is_deleted")
    pinned = fields.Method("get_pinned")
    created_at = fields.DateTime()
    edited_at = fields.DateTime(allow_none=True)
    like_count = fields.Integer()
    reply_count = fields.Integer()
    liked = fields.Boolean(attribute="viewer_liked")
    moderation = fields.Method("get_moderation", allow_none=True)
    moderation_scores = fields.Method("get_scores", allow_none=True)
    report_count = fields.Method("get_report_count", allow_none=True)
    previous_versions = fields.Method("get_previous_versions", allow_none=True)

    def get_body(self, comment):
        return None if comment.is_deleted else comment.body

    def get_pinned(self, comment):
        return comment.pinned_at is not None

    def get_moderation(self, comment):
        # Authors learn why their comment is held; other readers only ever see published text.
        return ModerationInfoSchema().dump(comment.moderation) if comment.viewer_is_privileged else None

    def get_scores(self, comment):
        return comment.moderation_scores if comment.viewer_is_moderator else None

    def get_report_count(self, comment):
        return comment.report_count if comment.viewer_is_moderator else None

    def get_previous_versions(self, comment):
        return RevisionSchema(many=True).dump(comment.previous_versions) if comment.viewer_is_moderator else None


class LikeStateSchema(Schema):
    liked = fields.Boolean()
    like_count = fields.Integer()


class ReportSchema(Schema):
    id = fields.Integer()
    comment_id = fields.Integer()
    reason = fields.String()
    created_at = fields.DateTime()


CommentPageSchema = page_schema(CommentSchema, "CommentPage")
