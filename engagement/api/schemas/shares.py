"""Shares: a channel in, the link to share out."""

from marshmallow import Schema, fields, validate

from engagement.api.schemas.common import InputSchema, no_control_characters


class ShareCreateSchema(InputSchema):
    channel = fields.String(required=True, validate=[validate.Length(min=1, max=32), no_control_characters])


class ShareSchema(Schema):
    channel = fields.String()
    share_url = fields.String()
    intent_url = fields.String(allow_none=True)
    share_count = fields.Integer()
    channel_share_count = fields.Integer()
