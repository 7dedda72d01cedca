from marshmallow import Schema, fields, validate

from engagement.moderation.phases import PHASE_NAMES
from engagement.vocabulary import ModerationReason

from engagement.api.schemas.comments import ModerationInfoSchema, RevisionSchema
from engagement.api.schemas.common import InputSchema, PageQueryArgsSchema, UserRefSchema, UTCDateTimeField, no_control_characters, page_schema


class OptionalTextSchema(Schema):
    """An item with optional user text (a reward's message, a repost's quote), scored before others see it."""

    def visible_text(self, item):
        # Others see the text only once it is published; its writer and moderators always do.
        if item.moderated_text is None:
            return None
        return item.moderated_text if item.status == "published" or item.viewer_is_privileged else None

    def text_status(self, item):
        # Others learn only that a shown text is published: a held or rejected one reads as no text at all.
        if item.moderated_text is None or not (item.status == "published" or item.viewer_is_privileged):
            return None
        return item.status

    def text_moderation(self, item):
        if item.moderated_text is None or not item.viewer_is_privileged:
            return None
        return ModerationInfoSchema().dump(item.moderation)


class QueueQueryArgsSchema(PageQueryArgsSchema):
    status = fields.String(
        load_default="pending_review", validate=validate.OneOf(["pending_review", "rejected", "reported", "queued"])
    )
    kind = fields.String(load_default="comment", validate=validate.OneOf(["comment", "repost", "reward"]))
    reason = fields.String(load_default=None, validate=validate.OneOf([reason.value for reason in ModerationReason]))
    phase = fields.String(load_default=None, validate=validate.OneOf(["model", "default", *PHASE_NAMES]))
    lang = fields.String(load_default=None, validate=validate.Regexp(r"^[a-z]{2}$", error="Must be an ISO 639-1 code such as 'zh'."))


class ArticleRefSchema(Schema):
    id = fields.String()
    title = fields.String()


class QueueItemSchema(Schema):
    """Held text of any kind, with everything a moderator needs to decide on it."""

    kind = fields.String(attribute="moderation_kind")
    id = fields.Integer()
    article = fields.Nested(ArticleRefSchema)
    author = fields.Nested(UserRefSchema)
    text = fields.String(attribute="moderated_text", allow_none=True)
    status = fields.String()
    moderation = fields.Nested(ModerationInfoSchema)
    moderation_scores = fields.Dict(keys=fields.String(), values=fields.Float(), allow_none=True)
    report_count = fields.Integer(dump_default=0)
    open_report_count = fields.Integer(dump_default=0)
    reported_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    scored_at = fields.DateTime(allow_none=True)
    held_by = fields.String(allow_none=True, metadata={"description": "The phase that decided and what it matched."})
    moderation_details = fields.Dict(allow_none=True, metadata={"description": "What the deciding phase saw."})
    unscored = fields.Method("get_unscored", metadata={"description": "No model has scored this text yet."})
    previous_versions = fields.List(fields.Nested(RevisionSchema), dump_default=list)

    def get_unscored(self, item):
        return item.scored_at is None


class DecisionCreateSchema(InputSchema):
    action = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    reason = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=500), no_control_characters])


class AuditLogQueryArgsSchema(PageQueryArgsSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    subject_id = fields.String(load_default=None, validate=validate.Length(max=64))
    action = fields.String(load_default=None, validate=validate.Length(max=40))


class AuditLogEntrySchema(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    actor_id = fields.String(allow_none=True)
    action = fields.String()
    subject_type = fields.String()
    subject_id = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict(allow_none=True)


class BanCreateSchema(InputSchema):
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=500), no_control_characters])
    until = UTCDateTimeField(load_default=None, allow_none=True)


class BanStateSchema(Schema):
    user_id = fields.String(attribute="id")
    banned = fields.Method("get_banned")
    reason = fields.String(attribute="ban_reason", allow_none=True)
    banned_at = fields.DateTime(allow_none=True)
    until = fields.DateTime(attribute="banned_until", allow_none=True)

    def get_banned(self, user):
        return user.is_banned()


QueuePageSchema = page_schema(QueueItemSchema, "ModerationQueuePage")
AuditLogPageSchema = page_schema(AuditLogEntrySchema, "AuditLogPage")
