"""Pins: articles pinned in order (until a time), and comments pinned to the top of their article."""

from marshmallow import Schema, fields, validate

from engagement.api.schemas.common import InputSchema, UTCDateTimeField


class PinCreateSchema(InputSchema):
    position = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=1_000_000))
    expires_at = UTCDateTimeField(load_default=None, allow_none=True)


class PinnedArticleSchema(Schema):
    id = fields.String()
    title = fields.String()
    url = fields.String()
    position = fields.Integer(attribute="pin_position")
    pinned_at = fields.DateTime()
    expires_at = fields.DateTime(attribute="pin_expires_at", allow_none=True)


class PinnedArticleListSchema(Schema):
    items = fields.List(fields.Nested(PinnedArticleSchema))
