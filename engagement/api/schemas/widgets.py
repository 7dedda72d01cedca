from marshmallow import Schema, fields, validate

from engagement.api.schemas.comments import ModerationInfoSchema
from engagement.api.schemas.common import InputSchema, UserRefSchema, no_control_characters, page_schema

# The real bound (400 code points after cleaning) is the service's; this stops absurd payloads early.
TEXT_INPUT = validate.Length(max=4000)
AMOUNT = validate.Range(min=1)


class CreditCreateSchema(InputSchema):
    amount = fields.Integer(required=True, strict=True, validate=AMOUNT)
    currency = fields.String(load_default=None, validate=[validate.Length(min=1, max=16), no_control_characters])
    note = fields.String(load_default=None, validate=[validate.Length(max=200), no_control_characters])


class LedgerEntrySchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    currency = fields.String()
    amount = fields.Integer()
    to_user_id = fields.String()
    created_at = fields.DateTime()
    note = fields.String(allow_none=True)


class RewardCreateSchema(InputSchema):
    amount = fields.Integer(required=True, strict=True, validate=AMOUNT)
    currency = fields.String(load_default=None, validate=[validate.Length(min=1, max=16), no_control_characters])
    message = fields.String(load_default=None, allow_none=True, validate=TEXT_INPUT)


class OptionalTextSchema(Schema):
    """An item with optional user text (a reward's message, a repost's quote), scored before others see it."""

    def visible_text(self, item):
        # Others see the text only once it is published; its writer and moderators always do.
        if item.moderated_text is None:
            return None
        return item.moderated_text if item.status == "published" or item.viewer_is_privileged else None

    def text_status(self, item):
        return item.status if item.moderated_text is not None else None

    def text_moderation(self, item):
        if item.moderated_text is None or not item.viewer_is_privileged:
            return None
        return ModerationInfoSchema().dump(item.moderation)


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


class WalletEntrySchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    currency = fields.String()
    amount = fields.Integer(metadata={"description": "Positive when received, negative when given."})
    counterparty_id = fields.String(allow_none=True)
    article_id = fields.String(allow_none=True)
    created_at = fields.DateTime()


class WalletSchema(Schema):
    user_id = fields.String()
    balances = fields.Dict(keys=fields.String(), values=fields.Integer())
    entries = fields.List(fields.Nested(WalletEntrySchema))
    next_cursor = fields.String(allow_none=True)


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


class ShareCreateSchema(InputSchema):
    channel = fields.String(required=True, validate=[validate.Length(min=1, max=32), no_control_characters])


class ShareSchema(Schema):
    channel = fields.String()
    share_url = fields.String()
    intent_url = fields.String(allow_none=True)
    share_count = fields.Integer()
    channel_share_count = fields.Integer()


RepostPageSchema = page_schema(RepostSchema, "RepostPage")
