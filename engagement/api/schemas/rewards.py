"""Rewards: tips to an article's author, with an optional moderated message."""

from marshmallow import Schema, fields, validate

from engagement.api.schemas.common import AMOUNT, TEXT_INPUT, InputSchema, UserRefSchema, no_control_characters
from engagement.api.schemas.moderation import OptionalTextSchema


class RewardCreateSchema(InputSchema):
    amount = fields.Integer(required=True, strict=True, validate=AMOUNT)
    currency = fields.String(load_default=None, validate=[validate.Length(min=1, max=16), no_control_characters])
    message = fields.String(load_default=None, allow_none=True, validate=TEXT_INPUT)


class RewardSchema(OptionalTextSchema):
    id = fields.Integer()
    article_id = fields.String()
    sender = fields.Nested(UserRefSchema)
    to_user_id = fields.String()
    amount = fields.Integer()
    currency = fields.String()
    message = fields.Method("visible_text", allow_none=True)
    message_status = fields.Method("text_status", allow_none=True)
    moderation = fields.Method("text_moderation", allow_none=True)
    created_at = fields.DateTime()


class SupporterSchema(Schema):
    user_id = fields.String()
    name = fields.String(allow_none=True)
    currency = fields.String()
    total = fields.Integer()
    count = fields.Integer()


class RewardPageSchema(Schema):
    items = fields.List(fields.Nested(RewardSchema))
    next_cursor = fields.String(allow_none=True)
    top_supporters = fields.List(fields.Nested(SupporterSchema))
