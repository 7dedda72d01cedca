"""Reposts, with an optional moderated quote."""

from marshmallow import fields

from engagement.api.schemas.common import TEXT_INPUT, InputSchema, UserRefSchema, page_schema
from engagement.api.schemas.moderation import OptionalTextSchema


class RepostUpsertSchema(InputSchema):
    quote = fields.String(load_default=None, allow_none=True, validate=TEXT_INPUT)


class RepostSchema(OptionalTextSchema):
    id = fields.Integer()
    article_id = fields.String()
    user = fields.Nested(UserRefSchema)
    quote = fields.Method("visible_text", allow_none=True)
    quote_status = fields.Method("text_status", allow_none=True)
    moderation = fields.Method("text_moderation", allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


RepostPageSchema = page_schema(RepostSchema, "RepostPage")
