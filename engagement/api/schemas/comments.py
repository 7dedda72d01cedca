from marshmallow import Schema, fields, validate

from typing import Any

from engagement.api.schemas.common import (
    FastDumpSchema,
    InputSchema,
    PageQueryArgsSchema,
    UserRefSchema,
    iso_or_none,
    no_control_characters,
    page_schema,
    text_or_none,
)
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


class ModerationInfoSchema(FastDumpSchema):
    labels = fields.List(fields.String())
    reason = fields.String(allow_none=True)
    model = fields.String(allow_none=True)
    model_version = fields.String(allow_none=True)
    phase = fields.String(allow_none=True, metadata={"description": "The moderation pipeline phase that decided."})
    language = fields.String(allow_none=True, metadata={"description": "Detected language (ISO 639-1)."})

    def serialize(self, info: dict[str, Any]) -> dict[str, Any]:
        return {
            "labels": [str(label) for label in info["labels"]],
            **{key: text_or_none(info[key]) for key in ("reason", "model", "model_version", "phase", "language")},
        }


class RevisionSchema(FastDumpSchema):
    body = fields.String()
    status = fields.String()
    moderation_scores = fields.Dict(keys=fields.String(), values=fields.Float(), allow_none=True)
    created_at = fields.DateTime()
    replaced_at = fields.DateTime()

    def serialize(self, revision: Any) -> dict[str, Any]:
        scores = revision.moderation_scores
        return {
            "body": str(revision.body),
            "status": str(revision.status),
            "moderation_scores": None if scores is None else {str(k): float(v) for k, v in scores.items()},
            "created_at": iso_or_none(revision.created_at),
            "replaced_at": iso_or_none(revision.replaced_at),
        }


_USER_REF = UserRefSchema()
_MODERATION_INFO = ModerationInfoSchema()
_REVISIONS = RevisionSchema(many=True)


class CommentSchema(FastDumpSchema):
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

    def serialize(self, comment: Any) -> dict[str, Any]:
        deleted = comment.deleted_at is not None
        moderator = comment.viewer_is_moderator
        return {
            "id": int(comment.id),
            "article_id": str(comment.article_id),
            "parent_id": None if comment.parent_id is None else int(comment.parent_id),
            "author": _USER_REF.serialize(comment.author),
            "body": None if deleted else comment.body,
            "status": str(comment.status),
            "deleted": deleted,
            "pinned": comment.pinned_at is not None,
            "created_at": iso_or_none(comment.created_at),
            "edited_at": iso_or_none(comment.edited_at),
            "like_count": int(comment.like_count),
            "reply_count": int(comment.reply_count),
            "liked": bool(comment.viewer_liked),
            "moderation": _MODERATION_INFO.serialize(comment.moderation) if comment.viewer_is_privileged else None,
            "moderation_scores": comment.moderation_scores if moderator else None,
            "report_count": comment.report_count if moderator else None,
            "previous_versions": _REVISIONS.dump(comment.previous_versions) if moderator else None,
        }


class LikeStateSchema(Schema):
    liked = fields.Boolean()
    like_count = fields.Integer()


class ReportSchema(Schema):
    id = fields.Integer()
    comment_id = fields.Integer()
    reason = fields.String()
    created_at = fields.DateTime()


CommentPageSchema = page_schema(CommentSchema, "CommentPage")
